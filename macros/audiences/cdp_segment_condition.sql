{#- One segment condition as an SQL predicate, checked against the columns of the audience input model.

    condition: {column, operator, value} or {any: [condition, ...]} (true when one of them holds).
    columns: {column name: data type} (cdp_audience_columns()).
    A wrong column, operator or value stops compilation with a message naming the segment and the condition; given a
    list `problems`, the message is appended to it instead (cdp_segment_problem) and the predicate is 'false', so a
    caller can report every problem at once. -#}
{% macro cdp_segment_condition(segment_name, condition, columns, problems=none) -%}
    {{ return(adapter.dispatch('cdp_segment_condition', 'cdp')(segment_name, condition, columns, problems)) }}
{%- endmacro %}

{% macro default__cdp_segment_condition(segment_name, condition, columns, problems=none) -%}
    {%- set where = "segment '" ~ segment_name ~ "', condition " ~ tojson(condition) ~ ": " -%}
    {%- if condition is not mapping -%}
        {{ return(cdp_segment_problem(problems, where ~ "a condition is a mapping {column, operator, value} or {any: [...]}")) }}
    {%- endif -%}

    {%- if 'any' in condition -%}
        {%- set alternatives = condition['any'] -%}
        {%- if condition | length != 1 or alternatives is string or alternatives is mapping or alternatives is not iterable or alternatives | length == 0 -%}
            {{ return(cdp_segment_problem(problems, where ~ "'any' takes a non-empty list of conditions and nothing beside it")) }}
        {%- endif -%}
        {%- set parts = [] -%}
        {%- for alternative in alternatives -%}
            {%- do parts.append('(' ~ cdp_segment_condition(segment_name, alternative, columns, problems) ~ ')') -%}
        {%- endfor -%}
        {{ return('(' ~ parts | join(' or ') ~ ')') }}
    {%- endif -%}

    {%- set unknown = [] -%}
    {%- for key in condition.keys() if key not in ['column', 'operator', 'value'] -%}
        {%- do unknown.append(key) -%}
    {%- endfor -%}
    {%- if unknown -%}
        {{ return(cdp_segment_problem(problems, where ~ "unknown key(s) " ~ unknown | join(', ') ~ " (expected column, operator, value)")) }}
    {%- endif -%}

    {%- set column = condition.get('column') -%}
    {%- if column is not string or (column | lower) not in columns -%}
        {{ return(cdp_segment_problem(problems, where ~ "unknown column '" ~ column ~ "'; the columns are those of int_audience_customer_attributes: " ~ columns.keys() | sort | join(', '))) }}
    {%- endif -%}
    {%- set column = column | lower -%}
    {%- set data_type = columns[column] -%}
    {%- set kind = cdp_segment_value_kind(data_type) -%}

    {%- set operator = condition.get('operator') -%}
    {%- set comparisons = ['=', '!=', '>', '>=', '<', '<='] -%}
    {%- set list_operators = ['in', 'not_in', 'between'] -%}
    {%- set flag_operators = ['is_true', 'is_false', 'is_null', 'is_not_null'] -%}
    {%- if operator not in comparisons + list_operators + flag_operators -%}
        {{ return(cdp_segment_problem(problems, where ~ "unknown operator '" ~ operator ~ "'; use one of " ~ (comparisons + list_operators + flag_operators) | join(' '))) }}
    {%- endif -%}

    {%- if operator in flag_operators -%}
        {%- if 'value' in condition -%}
            {{ return(cdp_segment_problem(problems, where ~ "operator '" ~ operator ~ "' takes no value")) }}
        {%- endif -%}
        {%- if operator in ['is_true', 'is_false'] and kind != 'boolean' -%}
            {{ return(cdp_segment_problem(problems, where ~ "operator '" ~ operator ~ "' needs a boolean column; '" ~ column ~ "' is " ~ data_type)) }}
        {%- endif -%}
        {%- set predicates = {
            'is_true': column ~ ' = true',
            'is_false': column ~ ' = false',
            'is_null': column ~ ' is null',
            'is_not_null': column ~ ' is not null'} -%}
        {{ return(predicates[operator]) }}
    {%- endif -%}

    {%- if 'value' not in condition -%}
        {{ return(cdp_segment_problem(problems, where ~ "operator '" ~ operator ~ "' needs a value")) }}
    {%- endif -%}
    {%- set value = condition['value'] -%}

    {%- if kind == 'boolean' and operator not in ['=', '!='] -%}
        {{ return(cdp_segment_problem(problems, where ~ "'" ~ column ~ "' is boolean: use is_true, is_false, = or !=")) }}
    {%- endif -%}

    {%- if operator in list_operators -%}
        {%- if value is string or value is mapping or value is not iterable or value | length == 0 -%}
            {{ return(cdp_segment_problem(problems, where ~ "operator '" ~ operator ~ "' needs a list of values")) }}
        {%- endif -%}
        {%- if operator == 'between' and value | length != 2 -%}
            {{ return(cdp_segment_problem(problems, where ~ "operator 'between' needs a list of two values [low, high]")) }}
        {%- endif -%}
        {%- set literals = [] -%}
        {%- for item in value -%}
            {%- do literals.append(cdp_segment_literal(where, column, data_type, kind, item, problems)) -%}
        {%- endfor -%}
        {%- if operator == 'between' -%}
            {{ return(column ~ ' between ' ~ literals[0] ~ ' and ' ~ literals[1]) }}
        {%- endif -%}
        {{ return(column ~ (' not in (' if operator == 'not_in' else ' in (') ~ literals | join(', ') ~ ')') }}
    {%- endif -%}

    {%- if value is string or value is mapping or value is not iterable -%}
        {{ return(column ~ ' ' ~ ('<>' if operator == '!=' else operator) ~ ' ' ~ cdp_segment_literal(where, column, data_type, kind, value, problems)) }}
    {%- endif -%}
    {{ return(cdp_segment_problem(problems, where ~ "operator '" ~ operator ~ "' takes one value, not a list")) }}
{%- endmacro %}


{#- Raises `message`, or, given a list `problems`, appends it and returns the predicate 'false'. -#}
{% macro cdp_segment_problem(problems, message) -%}
    {%- if problems is none -%}
        {{ exceptions.raise_compiler_error(message) }}
    {%- endif -%}
    {%- do problems.append(message) -%}
    {{ return('false') }}
{%- endmacro %}
