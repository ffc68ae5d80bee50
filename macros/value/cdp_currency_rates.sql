{#- The rates of the seed currency_rates to the reporting currency (cdp_reporting_currency()), as an SQL query of
    (currency_code, rate_to_reporting). The seed's rates share one base, the currency whose rate is 1: a currency
    converts at its rate divided by the reporting currency's, so the seed serves any reporting currency it has a row
    for. The reporting currency itself always converts at 1; with a reporting currency the seed does not have, only
    that currency converts (a single-currency shop needs no seed row). -#}
{% macro cdp_currency_rates() -%}
    {%- set reporting = cdp_reporting_currency() -%}
    (
        select
            seeded.currency_code,
            seeded.rate_to_reporting / reporting_rate.rate_to_reporting as rate_to_reporting
        from {{ ref('currency_rates') }} as seeded
        cross join (
            select rate_to_reporting from {{ ref('currency_rates') }}
            where currency_code = '{{ reporting }}'
        ) as reporting_rate
        where seeded.currency_code <> '{{ reporting }}'
        union all
        select
            '{{ reporting }}' as currency_code,
            cast(1.0 as double) as rate_to_reporting
    )
{%- endmacro %}
