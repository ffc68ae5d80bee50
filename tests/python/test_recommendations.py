"""Recommendations and product affinity on generated data: coverage, exclusions checked against the staged orders
and receipts themselves, the as-of date, and rebuild determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from cdp_runner.dbt import run_dbt

pytestmark = pytest.mark.slow

RECOMMENDATION_MODELS = {
    "customer_recommendations", "product_affinity", "int_basket_items_collected",
    "int_recommendable_products_filtered",
}  # fmt: skip
SELECT = ["--select", "models/intermediate/recommendations", "models/marts/recommendations"]

# Every product each customer bought, straight from the staged orders and till receipts and the record map (not
# from the models under test): lines of online orders that were not cancelled, sale lines of till receipts.
BOUGHT_SQL = """
    select distinct record_map.customer_id, lines.product_sku, orders.ordered_at as bought_at
    from staging.stg_shop__order_lines as lines
    inner join staging.stg_shop__orders as orders on lines.order_id = orders.order_id
    inner join marts.identity_record_map as record_map
        on record_map.source_name = 'shop_orders' and record_map.record_key = orders.order_id
    where orders.order_status <> 'cancelled' and lines.quantity > 0 and record_map.customer_id is not null
    union all
    select distinct record_map.customer_id, lines.product_sku, receipts.occurred_at
    from staging.stg_pos__transaction_lines as lines
    inner join staging.stg_pos__transactions as receipts on lines.transaction_id = receipts.transaction_id
    inner join marts.identity_record_map as record_map
        on record_map.source_name = 'pos_transactions' and record_map.record_key = receipts.transaction_id
    where receipts.transaction_type = 'sale' and lines.quantity > 0 and record_map.customer_id is not null
"""


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _scalar(warehouse: Path, sql: str, params: list | None = None):
    return _rows(warehouse, sql, params)[0][0]


def _table(warehouse: Path, table: str) -> list[tuple]:
    """The whole table in a fixed order (every column)."""
    return _rows(warehouse, f"select * from {table} order by all")


def _build_recommendations(warehouse: Path, *extra: str) -> None:
    outcome = run_dbt(["build", *SELECT, "--exclude-resource-type", "unit_test", *extra], warehouse=warehouse)
    assert outcome.success, [(result.unique_id, result.message) for result in outcome.failed]


def test_recommendation_models_unit_tests_and_data_tests_ran_and_passed(built_warehouse):
    results = built_warehouse.outcome.results
    built = {result.unique_id.split(".")[-1] for result in results if result.resource_type == "model"}
    assert RECOMMENDATION_MODELS <= built
    unit_tests = [
        result
        for result in results
        if result.resource_type == "unit_test" and any(model in result.unique_id for model in RECOMMENDATION_MODELS)
    ]
    assert len(unit_tests) >= 5
    data_tests = [result for result in results if "assert_customer_recommendations" in result.unique_id]
    assert len(data_tests) >= 3
    ours = [result for result in results if any(model in result.unique_id for model in RECOMMENDATION_MODELS)]
    assert all(result.status in ("success", "pass") for result in ours + data_tests)


def test_most_buyers_get_a_full_list_of_recommendations(built_warehouse):
    warehouse = built_warehouse.warehouse
    buyers, with_recommendations, with_full_list = _rows(
        warehouse,
        f"""
        with bought as ({BOUGHT_SQL}),
        lists as (select customer_id, count(*) as n from marts.customer_recommendations group by customer_id)
        select
            count(distinct bought.customer_id),
            count(distinct lists.customer_id),
            count(distinct case when lists.n = 10 then lists.customer_id end)
        from bought
        left join lists on bought.customer_id = lists.customer_id
        """,
    )[0]
    assert buyers > 1000
    assert with_recommendations / buyers > 0.8
    assert with_full_list / buyers > 0.5
    # both kinds of association contribute, and every channel of product_affinity has rules
    assert _scalar(warehouse, "select count(*) from marts.customer_recommendations where co_purchase_score > 0") > 0
    assert _scalar(warehouse, "select count(*) from marts.customer_recommendations where co_view_score > 0") > 0
    scopes = {
        row[:3]
        for row in _rows(
            warehouse, "select distinct affinity_level, association_type, channel from marts.product_affinity"
        )
    }
    assert scopes == {
        (level, association, channel)
        for level in ("product", "category")
        for association, channel in [
            ("co_purchase", "online"), ("co_purchase", "store"), ("co_purchase", "all"), ("co_view", "online"),
        ]
    }  # fmt: skip


def test_exclusions_hold_on_generated_data(built_warehouse):
    warehouse = built_warehouse.warehouse
    # never a product the customer bought, online or in store
    assert (
        _scalar(
            warehouse,
            f"""
        with bought as ({BOUGHT_SQL})
        select count(*) from marts.customer_recommendations as recommendations
        inner join bought
            on recommendations.customer_id = bought.customer_id and recommendations.product_sku = bought.product_sku
        """,
        )
        == 0
    )
    # never a product no longer sold, or not in the catalogue
    assert (
        _scalar(
            warehouse,
            """
        select count(*) from marts.customer_recommendations as recommendations
        left join staging.stg_catalog__products as products on recommendations.product_sku = products.product_sku
        where products.product_sku is null or products.is_active = false
        """,
        )
        == 0
    )
    # ...while both exclusions had something to exclude: discontinued products are associated with others, and
    # customers bought products that are associated with other products they bought
    assert (
        _scalar(
            warehouse,
            """
        select count(*) from marts.product_affinity as affinity
        inner join staging.stg_catalog__products as products on affinity.consequent_key = products.product_sku
        where affinity.affinity_level = 'product' and affinity.lift > 1 and products.is_active = false
        """,
        )
        > 0
    )
    assert (
        _scalar(
            warehouse,
            f"""
        with bought as ({BOUGHT_SQL})
        select count(*) from bought as anchor
        inner join marts.product_affinity as affinity
            on affinity.antecedent_key = anchor.product_sku
            and affinity.affinity_level = 'product' and affinity.association_type = 'co_purchase'
            and affinity.channel = 'all' and affinity.lift > 1
        inner join bought as consequent
            on consequent.customer_id = anchor.customer_id and consequent.product_sku = affinity.consequent_key
        """,
        )
        > 0
    )


def test_past_as_of_date_ignores_later_activity(built_warehouse, tmp_path):
    """Built as of a past date, the marts are exactly what they are when everything after that date is deleted
    from the product activity first; later purchases are then not excluded."""
    latest = _scalar(built_warehouse.warehouse, "select max(as_of_date) from marts.customer_recommendations")
    past = _scalar(built_warehouse.warehouse, "select cast(? as date) - interval 120 day", [latest])
    past_date = past.date() if hasattr(past, "date") else past
    vars_arg = ["--vars", f"{{as_of_date: '{past_date.isoformat()}'}}"]

    as_of_past = tmp_path / "as_of_past.duckdb"
    shutil.copy(built_warehouse.warehouse, as_of_past)
    _build_recommendations(as_of_past, *vars_arg)

    truncated = tmp_path / "truncated.duckdb"
    shutil.copy(built_warehouse.warehouse, truncated)
    con = duckdb.connect(str(truncated))
    try:
        deleted = con.execute(
            "delete from intermediate.int_customer_product_activity where occurred_at >= cast(? as date) + 1",
            [past_date],
        ).fetchall()[0][0]
    finally:
        con.close()
    assert deleted > 0
    _build_recommendations(truncated, *vars_arg)

    for table in ("marts.product_affinity", "marts.customer_recommendations"):
        assert _table(as_of_past, table) == _table(truncated, table), table
    assert {row[0] for row in _rows(as_of_past, "select distinct as_of_date from marts.customer_recommendations")} == {
        past_date
    }
    # some customers are recommended, as of the past date, a product they only bought after it
    assert (
        _scalar(
            as_of_past,
            f"""
        with bought as ({BOUGHT_SQL})
        select count(*) from marts.customer_recommendations as recommendations
        inner join bought
            on recommendations.customer_id = bought.customer_id and recommendations.product_sku = bought.product_sku
        where bought.bought_at >= cast(? as date) + 1
        """,
            [past_date],
        )
        > 0
    )
    # fewer baskets than in the full build
    full, then = (
        _scalar(
            warehouse,
            "select max(basket_count) from marts.product_affinity "
            "where association_type = 'co_purchase' and channel = 'all'",
        )
        for warehouse in (built_warehouse.warehouse, as_of_past)
    )
    assert then < full


def test_rebuild_gives_the_same_lists(built_warehouse, tmp_path):
    copy = tmp_path / "rebuild.duckdb"
    shutil.copy(built_warehouse.warehouse, copy)
    _build_recommendations(copy, "--threads", "1")
    for table in ("marts.product_affinity", "marts.customer_recommendations"):
        assert _table(copy, table) == _table(built_warehouse.warehouse, table), table
