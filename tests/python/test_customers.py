"""The single customer view on generated data: golden records, consent, traits and the timeline, checked against
the warehouse's own inputs and the generator's ground truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

CUSTOMER_MODELS = {
    "dim_customers", "customer_attribute_lineage", "customer_consent", "customer_traits", "customer_timeline",
    "customer_profile", "int_customer_interactions", "int_customer_product_activity",
    "int_customer_attribute_candidates", "int_customer_consent_events", "int_email_deliverability",
}  # fmt: skip


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _scalar(warehouse: Path, sql: str, params: list | None = None):
    return _rows(warehouse, sql, params)[0][0]


def test_customer_models_unit_tests_and_data_tests_ran_and_passed(built_warehouse):
    results = built_warehouse.outcome.results
    built = {result.unique_id.split(".")[-1] for result in results if result.resource_type == "model"}
    assert CUSTOMER_MODELS <= built
    unit_tests = [
        result for result in results if result.resource_type == "unit_test" and "customer" in result.unique_id
    ]
    assert len(unit_tests) >= 10
    customer_results = [result for result in results if any(model in result.unique_id for model in CUSTOMER_MODELS)]
    assert customer_results and all(result.status in ("success", "pass") for result in customer_results)


def test_one_golden_record_per_mapped_customer(built_warehouse):
    warehouse = built_warehouse.warehouse
    mapped = _scalar(
        warehouse, "select count(distinct customer_id) from marts.identity_record_map where customer_id is not null"
    )
    assert mapped > 1000
    assert _scalar(warehouse, "select count(*) from marts.dim_customers") == mapped
    assert _scalar(warehouse, "select count(distinct customer_id) from marts.dim_customers") == mapped
    for model in ("customer_consent", "customer_traits", "customer_profile"):
        assert _scalar(warehouse, f"select count(*) from marts.{model}") == mapped, model


def test_every_golden_value_is_the_lineage_winner(built_warehouse):
    mismatches = _scalar(
        built_warehouse.warehouse,
        """
        select count(*)
        from marts.customer_attribute_lineage as lineage
        inner join marts.dim_customers as customers on lineage.customer_id = customers.customer_id
        where lineage.is_winner and lineage.attribute_name = 'first_name'
            and (lineage.attribute_value <> customers.first_name or lineage.source_name <> customers.first_name_source)
        """,
    )
    assert mismatches == 0
    sources = dict(
        _rows(
            built_warehouse.warehouse,
            "select email_source, count(*) from marts.dim_customers where email is not null group by email_source",
        )
    )
    assert sources.get("crm_customers", 0) > sum(sources.values()) / 2, sources


def test_golden_attributes_agree_with_the_ground_truth(built_warehouse):
    """Each customer is compared with the true person most of its records belong to."""
    truth = built_warehouse.truth_dir
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    try:
        con.execute(f"create temp table truth as select * from read_parquet('{truth / 'ground_truth.parquet'}')")
        con.execute(f"create temp table persons as select * from read_parquet('{truth / 'persons.parquet'}')")
        accuracy = con.execute(
            """
            with owners as (
                select customer_id, person_id
                from (
                    select
                        record_map.customer_id,
                        truth.person_id,
                        row_number() over (
                            partition by record_map.customer_id order by count(*) desc, truth.person_id
                        ) as owner_rank
                    from marts.identity_record_map as record_map
                    inner join truth
                        on record_map.source_name = truth.source_name and record_map.record_key = truth.record_key
                    where record_map.customer_id is not null
                    group by record_map.customer_id, truth.person_id
                ) as ranked
                where owner_rank = 1
            )
            select
                avg(case when c.first_name is not null then cast(lower(c.first_name) = lower(p.first_name) as int) end),
                avg(case when c.last_name is not null then cast(lower(c.last_name) = lower(p.last_name) as int) end),
                avg(case when c.birth_date is not null then cast(c.birth_date = p.birth_date as int) end),
                avg(case when c.phone is not null then cast(list_contains(p.phones, c.phone) as int) end),
                avg(case when c.city is not null then cast(c.city = p.city as int) end)
            from marts.dim_customers as c
            inner join owners on c.customer_id = owners.customer_id
            inner join persons as p on owners.person_id = p.person_id
            """
        ).fetchall()[0]
    finally:
        con.close()
    first_name, last_name, birth_date, phone, city = accuracy
    assert first_name > 0.9 and last_name > 0.9, accuracy
    assert birth_date > 0.95 and phone > 0.9 and city > 0.9, accuracy


def test_consent_on_generated_data(built_warehouse):
    warehouse = built_warehouse.warehouse
    assert _scalar(warehouse, "select count(*) from marts.customer_consent where is_advertising_opted_in") == 0
    assert (
        _scalar(
            warehouse,
            """
        select count(*) from marts.customer_consent as consent
        inner join marts.dim_customers as customers on consent.customer_id = customers.customer_id
        where consent.is_email_contactable
            and (not consent.is_email_opted_in or consent.is_email_undeliverable or customers.email is null)
        """,
        )
        == 0
    )
    # whoever unsubscribed or complained after their latest CRM opt-in is not opted in
    assert (
        _scalar(
            warehouse,
            """
        with latest_opt_in as (
            select customer_id, max(occurred_at) as opted_in_at
            from intermediate.int_customer_consent_events
            where channel = 'email' and consent_event = 'opt_in'
            group by customer_id
        ),
        later_withdrawals as (
            select distinct events.customer_id
            from intermediate.int_customer_consent_events as events
            inner join latest_opt_in on events.customer_id = latest_opt_in.customer_id
            where events.channel = 'email' and not events.is_opt_in and events.occurred_at >= latest_opt_in.opted_in_at
        )
        select count(*) from marts.customer_consent
        where is_email_opted_in and customer_id in (select customer_id from later_withdrawals)
        """,
        )
        == 0
    )
    opted_in, unsubscribed, undeliverable = _rows(
        warehouse,
        "select count(case when is_email_opted_in then 1 end), "
        "count(case when email_consent_event in ('unsubscribe', 'spam_complaint') then 1 end), "
        "count(case when is_email_undeliverable then 1 end) from marts.customer_consent",
    )[0]
    assert opted_in > 0 and unsubscribed > 0 and undeliverable > 0


def test_timeline_holds_every_resolved_record_once(built_warehouse):
    warehouse = built_warehouse.warehouse
    resolved = _scalar(warehouse, "select count(*) from marts.identity_record_map where customer_id is not null")
    assert _scalar(warehouse, "select count(*) from marts.customer_timeline") == resolved
    assert _scalar(warehouse, "select count(distinct interaction_key) from marts.customer_timeline") == resolved
    assert (
        _scalar(
            warehouse,
            "select count(*) from marts.customer_timeline "
            "where description is null or channel is null or event_type is null",
        )
        == 0
    )
    sources = {row[0] for row in _rows(warehouse, "select distinct source_name from marts.customer_timeline")}
    assert len(sources) >= 10, sources
    # the interactions, column by column, with their key as the timeline writes it (cdp_interaction_key)
    described = _rows(warehouse, "select column_name from (describe marts.customer_timeline)")
    columns = ", ".join(column for (column,) in described)
    interactions = (
        "(select source_name || ':' || record_key as interaction_key, * from intermediate.int_customer_interactions)"
    )
    differences = f"""
        select count(*) from (
            (select {columns} from marts.customer_timeline
            except all select {columns} from {interactions})
            union all
            (select {columns} from {interactions}
            except all select {columns} from marts.customer_timeline)
        )
    """
    assert _scalar(warehouse, differences) == 0


def test_traits_on_generated_data(built_warehouse):
    warehouse = built_warehouse.warehouse
    (
        customers, online_to_offline, qr_online_to_offline, abandoned, email_preferred, with_store, bad_logins,
    ) = _rows(
        warehouse,
        """
        select
            count(*),
            count(case when online_to_offline_purchase_count > 0 then 1 end),
            count(case when qr_online_to_offline_count > 0 then 1 end),
            count(case when abandoned_cart_count > 0 then 1 end),
            count(case when preferred_contact_channel = 'email' then 1 end),
            count(case when preferred_store_id is not null then 1 end),
            count(case when logins_per_week_4w <> round(logins_trailing_4w / 4.0, 2) then 1 end)
        from marts.customer_traits
        """,
    )[0]  # fmt: skip
    assert customers > 1000
    assert online_to_offline > 0 and qr_online_to_offline > 0 and abandoned > 0
    assert email_preferred > 0 and with_store > 0
    assert bad_logins == 0
    # the as-of date is the latest transaction (shop order or till receipt) in the data
    latest = _scalar(
        warehouse,
        """
        select cast(max(occurred_at) as date) from (
            select ordered_at as occurred_at from staging.stg_shop__orders
            union all select occurred_at from staging.stg_pos__transactions
        ) as activity
        """,
    )
    assert {row[0] for row in _rows(warehouse, "select distinct as_of_date from marts.customer_traits")} == {latest}
