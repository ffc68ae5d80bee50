{#- The segment declarations, checked for shape: a list of {name, description, owner, conditions}.

    They are read from config.meta.segments of the model audience_segments (models/marts/audiences/
    _audiences__segments.yml, the file marketers edit), or from var('cdp_segments') when it is set: tests and one-off
    runs pass alternative declarations that way without touching the file. Returns [] while dbt parses the project
    (the graph is only complete at execution) and in dbt unit tests (which get no graph: they pass var cdp_segments).
    The conditions themselves are checked by cdp_segment_condition(). -#}
{% macro cdp_segment_declarations() -%}
    {{ return(adapter.dispatch('cdp_segment_declarations', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_segment_declarations() -%}
    {%- set override = var('cdp_segments', none) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- elif override is not none -%}
        {%- set segments = override -%}
    {%- elif graph.get('nodes') -%}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.audience_segments') -%}
        {%- if node is none -%}
            {{ exceptions.raise_compiler_error("segments: the model audience_segments, which declares them, is missing") }}
        {%- endif -%}
        {%- set segments = (node.config.meta or {}).get('segments', none) -%}
        {%- if segments is none -%}
            {%- set segments = (node.meta or {}).get('segments', []) -%}
        {%- endif -%}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}

    {%- if segments is string or segments is mapping or segments is not iterable -%}
        {{ exceptions.raise_compiler_error("segments: expected a list of segments, got " ~ tojson(segments)) }}
    {%- endif -%}
    {%- set seen = [] -%}
    {%- for segment in segments -%}
        {%- if segment is not mapping -%}
            {{ exceptions.raise_compiler_error("segments: entry " ~ loop.index ~ " is not a mapping: " ~ tojson(segment)) }}
        {%- endif -%}
        {%- set name = segment.get('name') -%}
        {%- if name is not string or not modules.re.match('^[a-z][a-z0-9_]*$', name) -%}
            {{ exceptions.raise_compiler_error("segments: entry " ~ loop.index ~ " has no valid name (lower case letters, digits and _, starting with a letter): " ~ tojson(segment)) }}
        {%- endif -%}
        {%- if name in seen -%}
            {{ exceptions.raise_compiler_error("segment '" ~ name ~ "' is declared twice") }}
        {%- endif -%}
        {%- do seen.append(name) -%}
        {%- set unknown = [] -%}
        {%- for key in segment.keys() if key not in ['name', 'description', 'owner', 'conditions'] -%}
            {%- do unknown.append(key) -%}
        {%- endfor -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error("segment '" ~ name ~ "': unknown key(s) " ~ unknown | join(', ') ~ " (expected name, description, owner, conditions)") }}
        {%- endif -%}
        {%- for key in ['description', 'owner'] -%}
            {%- if segment.get(key) is not string or not segment.get(key) | trim -%}
                {{ exceptions.raise_compiler_error("segment '" ~ name ~ "': " ~ key ~ " is required") }}
            {%- endif -%}
        {%- endfor -%}
        {%- set conditions = segment.get('conditions') -%}
        {%- if conditions is string or conditions is mapping or conditions is not iterable or conditions | length == 0 -%}
            {{ exceptions.raise_compiler_error("segment '" ~ name ~ "': conditions must be a non-empty list of conditions") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(segments) }}
{%- endmacro %}
