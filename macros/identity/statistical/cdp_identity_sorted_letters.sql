{#- The letters of a text in alphabetical order ('jonh' -> 'hjno'): two names with the same sorted letters and a
    Levenshtein distance of 2 differ by swapped letters, which the distance alone counts as two edits (Spark has no
    Damerau-Levenshtein distance). Only compared for equality, so an engine's extra empty element does not matter. -#}
{% macro cdp_identity_sorted_letters(expression) -%}
    {{ return(adapter.dispatch('cdp_identity_sorted_letters', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__cdp_identity_sorted_letters(expression) -%}
    array_join(array_sort(split({{ expression }}, '')), '')
{%- endmacro %}

{% macro duckdb__cdp_identity_sorted_letters(expression) -%}
    array_to_string(list_sort(string_split({{ expression }}, '')), '')
{%- endmacro %}
