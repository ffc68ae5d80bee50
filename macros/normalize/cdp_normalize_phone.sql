{#- A phone number in E.164 ('+447700900123'); null when what is left is not a plausible number (9 to 15 digits).
    Accepted: international ('+44 7700 900123', '0044 7700-900-123'), national with trunk prefix
    ('07700 900123', '(0)7700 900123', '+44 (0)7700 900123') and national without it ('7700900123').
    A number without an international prefix gets the calling code of its country: `country_expression`
    (an SQL expression giving an ISO 3166 alpha-2 code per row, such as the shipping country) when given and
    known, else `default_country`, else var cdp_default_country. Without the per-row country a French buyer's
    '06 12 34 56 78' would become '+44612345678'. -#}
{% macro cdp_phone_country_codes() -%}
    {#- calling code and national trunk prefix of each supported country -#}
    {{ return({
        'GB': ('44', '0'), 'IE': ('353', '0'), 'FR': ('33', '0'), 'DE': ('49', '0'), 'NL': ('31', '0'),
        'BE': ('32', '0'), 'ES': ('34', ''), 'IT': ('39', ''), 'PT': ('351', ''), 'SE': ('46', '0'),
        'US': ('1', '1'), 'CA': ('1', '1'), 'AU': ('61', '0'), 'NZ': ('64', '0')
    }) }}
{%- endmacro %}

{% macro cdp_normalize_phone(expression, default_country=none, country_expression=none) -%}
    {%- set country = (default_country or var('cdp_default_country', 'GB')) | upper -%}
    {%- set codes = cdp_phone_country_codes() -%}
    {%- if country not in codes -%}
        {{ exceptions.raise_compiler_error(
            "cdp_normalize_phone: unsupported default country '" ~ country ~ "'; supported: "
            ~ (codes.keys() | sort | join(', '))) }}
    {%- endif -%}
    {%- if country_expression is none -%}
        {%- set calling_code = "'" ~ codes[country][0] ~ "'" -%}
        {%- set trunk_prefix = "'" ~ codes[country][1] ~ "'" -%}
    {%- else -%}
        {%- set calling_code -%}
            case upper(trim({{ country_expression }}))
                {%- for code, numbering in codes | dictsort %} when '{{ code }}' then '{{ numbering[0] }}'{% endfor %}
                else '{{ codes[country][0] }}'
            end
        {%- endset -%}
        {%- set trunk_prefix -%}
            case upper(trim({{ country_expression }}))
                {%- for code, numbering in codes | dictsort %} when '{{ code }}' then '{{ numbering[1] }}'{% endfor %}
                else '{{ codes[country][1] }}'
            end
        {%- endset -%}
    {%- endif -%}
    {%- set dialled = cdp_regexp_replace('replace(' ~ expression ~ ", '(0)', '')", '[^0-9+]', '') -%}
    nullif(regexp_extract(
        case
            when {{ dialled }} like '+%' then {{ dialled }}
            when {{ dialled }} like '00%' then '+' || substr({{ dialled }}, 3)
            when {{ trunk_prefix }} <> '' and {{ dialled }} like {{ trunk_prefix }} || '%'
                then '+' || {{ calling_code }} || substr({{ dialled }}, length({{ trunk_prefix }}) + 1)
            when {{ dialled }} <> '' then '+' || {{ calling_code }} || {{ dialled }}
        end,
        '^[+][1-9][0-9]{8,14}$', 0
    ), '')
{%- endmacro %}
