{#- ISO 8601 text to a UTC timestamp without time zone; null when it cannot be parsed.
    Text without an offset is taken as UTC (the contract says so), whatever the session's time zone. -#}
{% macro cdp_to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('cdp_to_utc_timestamp', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__cdp_to_utc_timestamp(expression) -%}
    {{ cdp_safe_cast(cdp_clean_string(expression), dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__cdp_to_utc_timestamp(expression) -%}
    {%- set text = cdp_clean_string(expression) -%}
    timezone('UTC', try_cast(
        case
            when {{ cdp_regexp_like(text, '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
                then {{ text }}
            when {{ cdp_regexp_like(text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+$') }}
                then {{ text }} || '+00:00'
            when {{ cdp_regexp_like(text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
                then {{ text }} || 'T00:00:00+00:00'
        end as timestamptz
    ))
{%- endmacro %}

{% macro spark__cdp_to_utc_timestamp(expression) -%}
    {#- The Spark profile sets spark.sql.session.timeZone to UTC, so offset-less text is read as UTC. -#}
    try_cast({{ cdp_clean_string(expression) }} as timestamp)
{%- endmacro %}
