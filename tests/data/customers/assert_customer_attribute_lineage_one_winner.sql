-- Every (customer, attribute) with candidates has exactly one winner, and dim_customers shows that winner's source.
with

lineage as (
    select * from {{ ref('customer_attribute_lineage') }}
),

winners as (
    select
        customer_id,
        attribute_name,
        count(case when is_winner then 1 end) as winner_count,
        max(case when is_winner then source_name end) as winner_source
    from lineage
    group by customer_id, attribute_name
),

golden as (
    select * from {{ ref('dim_customers') }}
),

shown as (
    {% for attribute in cdp_customer_attributes() %}
        select
            customer_id,
            '{{ attribute.name }}' as attribute_name,
            {{ attribute.name }}_source as shown_source
        from golden
        where {{ attribute.name }}_source is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        coalesce(winners.customer_id, shown.customer_id) as customer_id,
        coalesce(winners.attribute_name, shown.attribute_name) as attribute_name,
        winners.winner_count,
        winners.winner_source,
        shown.shown_source
    from winners
    full outer join shown
        on winners.customer_id = shown.customer_id and winners.attribute_name = shown.attribute_name
    where
        winners.winner_count is null
        or winners.winner_count <> 1
        or shown.shown_source is null
        or winners.winner_source <> shown.shown_source
)

select * from final
