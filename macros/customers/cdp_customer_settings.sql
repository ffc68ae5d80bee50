{#- Tunables of the single customer view, each overridable with a dbt var of the same name. -#}

{#- Days after an add-to-cart within which a purchase (online or in store) keeps the cart from counting as
    abandoned. Carts younger than this at the as-of date are still open and not counted. -#}
{% macro cdp_abandoned_cart_days() -%}
    {{ return(var('cdp_abandoned_cart_days', 7) | int) }}
{%- endmacro %}

{#- Days after viewing a product online (web or app) within which buying it in a store counts as
    online-to-offline (research online, purchase offline). -#}
{% macro cdp_online_to_offline_days() -%}
    {{ return(var('cdp_online_to_offline_days', 14) | int) }}
{%- endmacro %}
