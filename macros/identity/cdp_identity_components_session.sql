{#- Session settings for the duration of the clustering rounds (cdp_identity_connected_components), and their
    restoration: begin returns the state that end restores. -#}
{% macro cdp_identity_components_session_begin() -%}
    {{ return(adapter.dispatch('cdp_identity_components_session_begin', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_identity_components_session_begin() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__cdp_identity_components_session_begin() -%}
    {#- nothing to change: adaptive query execution (on by default in Spark 3.5) already sizes the shuffles of
        the shrinking rounds -#}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__cdp_identity_components_session_begin() -%}
    {#- Work tables never need their rows in insertion order; dropping the guarantee spares DuckDB the
        order-preserving merge of both threads' output on every CREATE TABLE AS. The previous value is returned and
        restored at the end (a build that fails on an SQL error leaves it off for the rest of that connection,
        which only changes the row order of tables built without ORDER BY). -#}
    {% set old = run_query("select current_setting('preserve_insertion_order')").columns[0].values()[0] %}
    {% do run_query('set preserve_insertion_order = false') %}
    {{ return(old) }}
{%- endmacro %}

{% macro cdp_identity_components_session_end(state) -%}
    {{ return(adapter.dispatch('cdp_identity_components_session_end', 'cdp')(state)) }}
{%- endmacro %}

{% macro default__cdp_identity_components_session_end(state) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__cdp_identity_components_session_end(state) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__cdp_identity_components_session_end(state) -%}
    {% if state is not none %}
        {% do run_query('set preserve_insertion_order = ' ~ ('true' if state in (true, 'true', 1) else 'false')) %}
    {% endif %}
{%- endmacro %}
