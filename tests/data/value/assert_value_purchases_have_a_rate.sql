{#- A warning, one row per purchase, for the purchases in a currency without a rate to the reporting currency (var
    cdp_reporting_currency; seed currency_rates): they count for frequency and recency but not for money figures. A
    shop selling in one currency sets cdp_reporting_currency to it; a shop selling in several adds their rates. -#}
{{ config(severity='warn') }}

select
    purchase_key,
    currency_code
from {{ ref('int_customer_purchases') }}
where is_unconverted
