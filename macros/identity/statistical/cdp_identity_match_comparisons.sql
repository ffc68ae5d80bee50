{#- The comparisons of statistical matching (docs/identity.md, "Statistical links"): per field of
    int_identity_person_records, its levels from the strongest agreement down, each an SQL condition on the two
    records `{l}` and `{r}` tried in order; a pair where either side lacks the field (`columns`) is at level -1
    (no evidence either way), a pair that meets no condition at level 0 (disagreement). `keys`: the person-record
    columns that, used in a blocking rule, make the field agree by construction (its m is then not estimated from
    that rule's pairs). `term_frequency`: the top level's weight is adjusted for how common the shared value is
    (a shared "smith" says less than a shared "quennell"). Street, postcode and city are one comparison (address):
    as separate ones they would count one shared home three times. Only functions both DuckDB and Spark have: levenshtein,
    and sorted letters (cdp_identity_sorted_letters) for swapped letters. -#}
{% macro cdp_identity_match_comparisons() -%}
    {%- set one_edit_or_swap = 'levenshtein({l}.{c}, {r}.{c}) <= 1'
        ~ ' or ({l}.{c}_letters = {r}.{c}_letters and levenshtein({l}.{c}, {r}.{c}) <= 2)' -%}
    {{ return([
        {'name': 'first_name', 'columns': ['first_name'], 'keys': ['first_name', 'first_name_key'],
         'term_frequency': 'first_name',
         'levels': [
            {'level': 4, 'label': 'exact', 'sql': '{l}.first_name = {r}.first_name'},
            {'level': 3, 'label': 'nickname', 'sql': '{l}.first_name_key = {r}.first_name_key'},
            {'level': 2, 'label': 'one edit or swapped letters', 'sql': one_edit_or_swap | replace('{c}', 'first_name')},
            {'level': 1, 'label': 'two edits', 'sql': 'levenshtein({l}.first_name, {r}.first_name) <= 2'},
         ]},
        {'name': 'last_name', 'columns': ['last_name'], 'keys': ['last_name'], 'term_frequency': 'last_name',
         'levels': [
            {'level': 3, 'label': 'exact', 'sql': '{l}.last_name = {r}.last_name'},
            {'level': 2, 'label': 'one edit or swapped letters', 'sql': one_edit_or_swap | replace('{c}', 'last_name')},
            {'level': 1, 'label': 'two edits', 'sql': 'levenshtein({l}.last_name, {r}.last_name) <= 2'},
         ]},
        {'name': 'birth_date', 'columns': ['birth_date_text'], 'keys': ['birth_date'], 'term_frequency': none,
         'levels': [
            {'level': 3, 'label': 'exact', 'sql': '{l}.birth_date_text = {r}.birth_date_text'},
            {'level': 2, 'label': 'day and month swapped', 'sql': '{l}.birth_date_text = {r}.birth_date_swapped'},
            {'level': 1, 'label': 'one digit differs',
             'sql': 'levenshtein({l}.birth_date_text, {r}.birth_date_text) <= 1'},
         ]},
        {'name': 'address', 'columns': ['postcode'], 'keys': ['postcode', 'postcode_district', 'street', 'city'],
         'term_frequency': none,
         'levels': [
            {'level': 3, 'label': 'same street and postcode',
             'sql': '{l}.postcode = {r}.postcode and {l}.street = {r}.street'},
            {'level': 2, 'label': 'same postcode, or same street and postcode one edit apart',
             'sql': '{l}.postcode = {r}.postcode or ({l}.street = {r}.street and levenshtein({l}.postcode, {r}.postcode) <= 1)'},
            {'level': 1, 'label': 'same postcode district', 'sql': '{l}.postcode_district = {r}.postcode_district'},
         ]},
        {'name': 'phone', 'columns': ['phone'], 'keys': ['phone', 'phone_tail'], 'term_frequency': none,
         'levels': [
            {'level': 2, 'label': 'exact', 'sql': '{l}.phone = {r}.phone'},
            {'level': 1, 'label': 'same last six digits', 'sql': '{l}.phone_tail = {r}.phone_tail'},
         ]},
        {'name': 'email', 'columns': ['email'], 'keys': ['email'], 'term_frequency': none,
         'levels': [
            {'level': 1, 'label': 'exact', 'sql': '{l}.email = {r}.email'},
         ]},
    ]) }}
{%- endmacro %}

{#- The person-record columns a blocking rule of identity_blocking_rules may name. -#}
{% macro cdp_identity_blocking_key_columns() -%}
    {{ return(['first_name', 'first_name_key', 'last_name', 'birth_date', 'postcode', 'postcode_district', 'street',
               'city', 'phone', 'phone_tail', 'email']) }}
{%- endmacro %}

{#- The comparison vector of a pair of person records `l` and `r`: one column match_<comparison>_level per
    comparison. -#}
{% macro cdp_identity_match_levels_sql(l, r) -%}
    {%- for comparison in cdp_identity_match_comparisons() %}
        {{ cdp_identity_match_level_sql(comparison, l, r) }} as {{ comparison.name }}_level
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The level of one comparison for a pair of person records `l` and `r`. Every level's condition is symmetric (which
    record of a pair is `l` is arbitrary). -#}
{% macro cdp_identity_match_level_sql(comparison, l, r) -%}
    case
        when
            {% for column in comparison.columns -%}
                {{ l }}.{{ column }} is null or {{ r }}.{{ column }} is null{% if not loop.last %} or {% endif %}
            {%- endfor %}
            then -1
        {%- for level in comparison.levels %}
        when {{ level.sql | replace('{l}', l) | replace('{r}', r) }} then {{ level.level }}
        {%- endfor %}
        else 0
    end
{%- endmacro %}

{#- The person-record columns a comparison reads: those it needs and those its levels' conditions name. -#}
{% macro cdp_identity_match_columns(comparison) -%}
    {%- set columns = comparison.columns | list -%}
    {%- for level in comparison.levels -%}
        {%- for column in modules.re.findall('[{][lr][}][.]([a-z_]+)', level.sql) if column not in columns -%}
            {%- do columns.append(column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- What a pair of person records must show, besides its match probability, before it may link: first names that do
    not disagree outright (twins and other household members share a surname, an address and sometimes a birth
    date), and, for two records at one address, agreement on something personal beyond name and address (birth
    date, phone or e-mail): the weights take shared fields as independent evidence, but members of a household share
    surname and address together, and two of them may share a first name. With the setting
    address_needs_personal_evidence at 0 (the default, identity_match_settings) first names that agree (exactly, as
    nicknames or one edit apart) stand in for that personal evidence when a birth date is missing, unless the data
    shows people of one name at one address to be common at that first-name level (address_homonym_share above
    address_homonym_max_share); at 1 they never do. `pair` carries the levels, address_homonym_share and both
    settings as columns (int_identity_match_scores). Measured in docs/identity.md, "Tuning the thresholds". -#}
{% macro cdp_identity_match_evidence_sql(pair) -%}
    (
        {{ pair }}.first_name_level <> 0
        and (
            {{ pair }}.address_level < 2
            or {{ pair }}.birth_date_level > 0
            or {{ pair }}.phone_level > 0
            or {{ pair }}.email_level > 0
            or (
                {{ pair }}.address_needs_personal_evidence = 0
                and {{ pair }}.first_name_level >= 2
                and {{ pair }}.birth_date_level = -1
                and coalesce({{ pair }}.address_homonym_share, 0) <= {{ pair }}.address_homonym_max_share
            )
        )
    )
{%- endmacro %}
