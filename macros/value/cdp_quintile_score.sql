{#- Score 1-5 by quintiles of `expression` among the rows of the query (a window expression): the rows are ranked
    from worst to best (`higher_is_better` false ranks descending values as better, e.g. days since the last
    purchase), and a row at rank k of n gets 1 + floor(5 (k - 1) / n). Ties share rank() - the first position of
    their group - so equal values always get equal scores and the result never depends on row order or engine; a tie
    group crossing a quintile boundary takes the score of its first position (so a score can be empty when one value
    covers more than a fifth of the rows). -#}
{% macro cdp_quintile_score(expression, higher_is_better=true) -%}
    {%- if expression is none or (expression | string | trim) == '' -%}
        {{ exceptions.raise_compiler_error('cdp_quintile_score needs an expression') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cdp_quintile_score', 'cdp')(expression, higher_is_better)) }}
{%- endmacro %}

{% macro default__cdp_quintile_score(expression, higher_is_better) -%}
    cast(1 + floor(
        5.0 * (rank() over (order by {{ expression }} {{ 'asc' if higher_is_better else 'desc' }}) - 1)
        / count(*) over ()
    ) as integer)
{%- endmacro %}
