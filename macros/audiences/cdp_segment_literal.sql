{#- The kind of value a column's data type takes: number, boolean, date, timestamp or text. -#}
{% macro cdp_segment_value_kind(data_type) -%}
    {%- set base = data_type | lower | trim -%}
    {%- if modules.re.match('^(tinyint|smallint|integer|int|bigint|hugeint|double|float|real|decimal|numeric)', base) -%}
        {{ return('number') }}
    {%- elif base in ['boolean', 'bool'] -%}
        {{ return('boolean') }}
    {%- elif base == 'date' -%}
        {{ return('date') }}
    {%- elif base.startswith('timestamp') -%}
        {{ return('timestamp') }}
    {%- else -%}
        {{ return('text') }}
    {%- endif -%}
{%- endmacro %}


{#- A condition value as an SQL literal of the column's kind; `where` prefixes the error message (raised, or
    appended to `problems`: cdp_segment_problem). -#}
{% macro cdp_segment_literal(where, column, data_type, kind, value, problems=none) -%}
    {%- set wrong = where ~ "value " ~ tojson(value) ~ " does not fit column '" ~ column ~ "' (" ~ data_type ~ "): " -%}
    {%- if value is none -%}
        {{ return(cdp_segment_problem(problems, where ~ "value is empty; use is_null or is_not_null to test for missing values")) }}
    {%- endif -%}
    {%- if kind == 'number' -%}
        {%- if value is boolean or value is not number -%}
            {{ return(cdp_segment_problem(problems, wrong ~ "expected a number")) }}
        {%- endif -%}
        {{ return(value | string) }}
    {%- elif kind == 'boolean' -%}
        {%- if value is not boolean -%}
            {{ return(cdp_segment_problem(problems, wrong ~ "expected true or false")) }}
        {%- endif -%}
        {{ return('true' if value else 'false') }}
    {%- elif kind == 'date' -%}
        {%- if value is not string or not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
            {{ return(cdp_segment_problem(problems, wrong ~ "expected a date 'YYYY-MM-DD'")) }}
        {%- endif -%}
        {{ return("cast('" ~ value ~ "' as date)") }}
    {%- elif kind == 'timestamp' -%}
        {%- if value is not string or not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$', value) -%}
            {{ return(cdp_segment_problem(problems, wrong ~ "expected a time 'YYYY-MM-DD[ HH:MM[:SS]]' (UTC)")) }}
        {%- endif -%}
        {{ return("cast('" ~ value | replace('T', ' ') ~ "' as timestamp)") }}
    {%- else -%}
        {%- if value is not string -%}
            {{ return(cdp_segment_problem(problems, wrong ~ "expected text (quote it in the YAML)")) }}
        {%- endif -%}
        {{ return(cdp_string_literal(value)) }}
    {%- endif -%}
{%- endmacro %}
