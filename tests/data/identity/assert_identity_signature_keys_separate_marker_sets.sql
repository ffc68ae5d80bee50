{#- identity_signature_key (cdp_identity_signature_key) stands for a record's markers: the identity stage groups
    records into signatures by it and gives them their signature's decision by it. So within a source one key must
    mean one set of markers, and one set of markers one key: checked on every staged record, and on made-up marker
    lists that a careless encoding would confuse (null against empty, a value holding the separator). -#}
{%- set marker_columns = cdp_identity_marker_columns() %}

with

records as (
    select
        source_name,
        identity_signature_key,
        {{ marker_columns | join(',\n        ') }}
    from {{ ref('int_identity_source_records') }}
),

marker_sets as (
    select distinct * from records
),

keys_with_several_marker_sets as (
    select
        source_name,
        'one key, several marker sets' as failure
    from marker_sets
    group by source_name, identity_signature_key
    having count(*) > 1
),

marker_sets_with_several_keys as (
    select
        source_name,
        'one marker set, several keys' as failure
    from marker_sets
    group by
        source_name,
        {{ marker_columns | join(',\n        ') }}
    having count(*) > 1
),

{%- set null_text = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
{#- pairs of marker lists that must get different keys -#}
{%- set different = [
    (["'a'", null_text], [null_text, "'a'"]),
    (["''", null_text], [null_text, null_text]),
    (["''", "''"], [null_text, "''"]),
    (["'a|1:b'", null_text], ["'a'", "'b'"]),
    (["'1:a'", null_text], ["'a'", null_text]),
    (["'~'", null_text], [null_text, null_text]),
] %}

made_up_lists as (
    {% for first, second in different %}
        select
            {{ loop.index }} as case_number,
            {{ cdp_identity_signature_key(first) }} as first_key,
            {{ cdp_identity_signature_key(second) }} as second_key,
            {{ cdp_identity_signature_key(first) }} as first_key_again
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

made_up_failures as (
    select
        {{ dbt.concat(["'made-up case '", dbt.safe_cast('case_number', dbt.type_string())]) }} as source_name,
        'keys confused or not repeatable' as failure
    from made_up_lists
    where
        first_key = second_key
        or first_key <> first_key_again
        or first_key is null
        or second_key is null
),

final as (
    select * from keys_with_several_marker_sets
    union all
    select * from marker_sets_with_several_keys
    union all
    select * from made_up_failures
)

select * from final
