{#- An IP address for matching: trimmed and lower-cased (IPv6 hex digits), an IPv4-mapped IPv6 address
    ('::ffff:192.0.2.1') written as the plain IPv4 address; null when it is not shaped like an IPv4 address (four
    octets 0-255, no leading zeros) or an IPv6 address ('2001:db8::1'), so 'unknown', '-' and '999.1.1.1' never
    become identity markers. -#}
{% macro cdp_normalize_ip_address(expression) -%}
    {%- set address = 'lower(trim(' ~ expression ~ '))' -%}
    {%- set octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])' -%}
    {%- set ipv4 = octet ~ '([.]' ~ octet ~ '){3}' -%}
    case
        when {{ cdp_regexp_like(address, '^' ~ ipv4 ~ '$') }} then {{ address }}
        when {{ cdp_regexp_like(address, '^::ffff:' ~ ipv4 ~ '$') }} then substr({{ address }}, 8)
        when {{ cdp_regexp_like(address, '^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$') }} then {{ address }}
    end
{%- endmacro %}
