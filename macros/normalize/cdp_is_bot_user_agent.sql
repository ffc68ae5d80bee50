{#- True when a user agent announces automated traffic: crawlers and spiders ('Googlebot', 'bingbot',
    'AhrefsBot', 'Baiduspider', 'Yahoo! Slurp'), headless or scripted browsers ('HeadlessChrome', PhantomJS,
    Selenium, Puppeteer, Playwright, Lighthouse) and HTTP libraries ('python-requests', 'curl/', 'Wget', Scrapy,
    'Go-http-client', Apache HttpClient). Case-insensitive; false when there is no user agent, since the absence
    alone proves nothing. -#}
{% macro cdp_is_bot_user_agent(expression) -%}
    coalesce({{ cdp_regexp_like(
        'lower(' ~ expression ~ ')',
        'bot|crawl|spider|slurp|headless|phantomjs|selenium|puppeteer|playwright|lighthouse|pingdom'
        ~ '|python-requests|python-urllib|curl/|wget|scrapy|httpclient|go-http-client|facebookexternalhit'
    ) }}, false)
{%- endmacro %}
