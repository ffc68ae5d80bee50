{#- An amount of money (a decimal with 2 places) divided by a count, to the cent, half away from zero, the same on
    every engine. A double division cast to decimal is not: 308.46 / 4 = 77.115 is 77.11499... as a double, which
    DuckDB casts to 77.11 and Spark (through the double's shortest decimal text) to 77.12. So the division is done on
    whole cents: the exact quotient of two integers below 2^53 never lies near enough to a whole number for the
    double division to floor wrongly. Null when the count is null or zero. -#}
{% macro cdp_money_per_count(amount, count) -%}
    {%- set cents = 'cast(round(' ~ amount ~ ' * 100, 0) as bigint)' -%}
    cast(
        case
            when {{ count }} > 0
                then sign({{ cents }})
                    * floor((abs({{ cents }}) * 2 + {{ count }}) / (2 * {{ count }}))
        end as decimal(18, 0)
    ) * cast(0.01 as decimal(3, 2))
{%- endmacro %}
