"""Governance rules a reviewer relies on, checked on the built warehouse and dbt's manifest:

- every model, seed and snapshot, and every column it really has in the warehouse, carries a description;
- every column whose name looks personal (name, e-mail, phone, address, birth date, IP, device) is tagged
  `meta: {pii: true}` (or, after review, an explicit `pii: false`), in models, seeds, snapshots and sources;
- what BI reads (the models behind the dashboard exposures) is public with an enforced contract (where each layer
  lives and who may read it: tests/python/test_layout.py);
- every delivered source (schema raw) and the load ledger have a freshness rule on a load-time column.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

# Words that make a column personal, and words that make it a fact *about* personal data (its source, time,
# count, rate, consent flag) rather than the data itself.
PERSONAL = re.compile(
    r"(^|_)(first_name|last_name|full_name|customer_name|email|e_mail|phone|address|street|postcode|zip|"
    r"birth|ip|device_id|push_token)($|_)"
)
ABOUT_PERSONAL = re.compile(
    r"(^(is|has|uses)_)|(_(source|sources|at|date_source|count|rate|share|type|kind|status|reason|rank|hash|"
    r"consent_event|consent_source|consent_record_key|delivered_count|opted_in|contactable|undeliverable|"
    r"opt_in|opt_in_delivered|event_id)$)"
    r"|(^(emails|devices|phones)_)|(^email_(consent|last_withdrawn|undeliverable|open|click))"
)


def looks_personal(column: str) -> bool:
    return bool(PERSONAL.search(column)) and not ABOUT_PERSONAL.search(column)


def test_the_personal_column_rule_on_known_names():
    for name in (
        "email",
        "first_name",
        "marker_email",
        "phone",
        "street_address",
        "postcode",
        "birth_date",
        "ip_address",
        "ip_address_delivered",
        "device_id",
        "push_token",
        "last_name",
    ):
        assert looks_personal(name), name
    for name in (
        "email_source",
        "email_observed_at",
        "is_email_opted_in",
        "device_count",
        "emails_opened_count",
        "email_open_rate",
        "source_name",
        "store_name",
        "product_name",
        "phone_source",
        "zip_code_type",
        "email_opt_in",
        "email_event_id",
    ):
        assert not looks_personal(name), name


@pytest.fixture(scope="module")
def manifest(built_warehouse) -> dict:
    return json.loads(built_warehouse.manifest.read_text())


@pytest.fixture(scope="module")
def warehouse_columns(built_warehouse) -> dict[tuple[str, str], list[str]]:
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns order by ordinal_position"
        ).fetchall()
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        columns.setdefault((schema, table), []).append(column)
    return columns


def _our_nodes(manifest: dict, *resource_types: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["package_name"] == "cdp" and node["resource_type"] in resource_types
    ]


def _is_tagged(column: dict) -> bool:
    """Tagged: `meta: {pii: true}`, or an explicit `pii: false` (a reviewed decision, e.g. a store's postcode)."""
    meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
    return meta.get("pii") in (True, False)


def test_every_model_seed_and_snapshot_and_each_of_its_columns_has_a_description(manifest, warehouse_columns):
    nodes = _our_nodes(manifest, "model", "seed", "snapshot")
    assert len(nodes) > 60
    missing = []
    for node in nodes:
        if not node["description"].strip():
            missing.append(f"{node['name']}: no description")
        documented = {name.lower(): column for name, column in node["columns"].items()}
        actual = warehouse_columns.get((node["schema"], node["alias"] or node["name"]))
        if actual is None:
            continue  # not built in this warehouse (e.g. disabled); the build itself is tested elsewhere
        for column in actual:
            if not (documented.get(column.lower()) or {}).get("description", "").strip():
                missing.append(f"{node['name']}.{column}: no description")
    assert not missing, "\n".join(missing)


def test_every_personal_looking_column_is_tagged_pii(manifest, warehouse_columns):
    untagged = []
    for node in _our_nodes(manifest, "model", "seed", "snapshot"):
        for name, column in node["columns"].items():
            if looks_personal(name) and not _is_tagged(column):
                untagged.append(f"{node['name']}.{name}")
    for source in manifest["sources"].values():
        for name, column in source["columns"].items():
            if looks_personal(name) and not _is_tagged(column):
                untagged.append(f"source {source['source_name']}.{source['name']}.{name}")
    assert not untagged, "personal-looking columns without meta pii: true:\n" + "\n".join(untagged)


def test_bi_reads_public_contracted_marts(manifest):
    dashboards = [exposure for exposure in manifest["exposures"].values() if exposure["type"] == "dashboard"]
    assert dashboards, "no dashboard exposure declared"
    for exposure in dashboards:
        for unique_id in exposure["depends_on"]["nodes"]:
            node = manifest["nodes"][unique_id]
            assert node["access"] == "public", (exposure["name"], node["name"])
            if node["config"]["materialized"] != "view":
                assert node["contract"]["enforced"], (exposure["name"], node["name"])


def test_every_delivered_source_has_a_freshness_rule(manifest):
    sources = [
        source
        for source in manifest["sources"].values()
        if source["schema"] == "raw" or source["unique_id"] == "source.cdp.cdp_meta.load_ledger"
    ]
    assert len(sources) == 16
    for source in sources:
        freshness = source.get("freshness") or {}
        assert source.get("loaded_at_field"), source["unique_id"]
        assert (freshness.get("warn_after") or {}).get("count"), source["unique_id"]
        assert (freshness.get("error_after") or {}).get("count"), source["unique_id"]


def test_every_not_null_constraint_is_also_checked_as_data(manifest):
    """Spark's Parquet tables do not enforce a contract's not_null constraint: the model's cdp_not_null_constraints
    test checks it there (and is empty where the engine enforces it)."""
    tested = {
        node["attached_node"]
        for node in _our_nodes(manifest, "test")
        if (node.get("test_metadata") or {}).get("name") == "cdp_not_null_constraints"
    }
    constrained = [
        node["unique_id"]
        for node in _our_nodes(manifest, "model")
        if any(c["type"] == "not_null" for column in node["columns"].values() for c in column.get("constraints", []))
    ]
    assert len(constrained) >= 10
    assert not [unique_id for unique_id in constrained if unique_id not in tested]


def test_a_staged_record_key_copies_a_column_tested_unique_and_not_null(manifest):
    """record_key carries no tests of its own in staging: it is a copy of the source's key column
    (cdp_identity_markers(record_key='<column>')), and that column is the one tested unique and not null."""
    tested: dict[str, set[tuple[str, str]]] = {}
    for node in _our_nodes(manifest, "test"):
        metadata = node.get("test_metadata") or {}
        if metadata.get("name") in ("unique", "not_null") and node.get("column_name"):
            tested.setdefault(node["attached_node"], set()).add((node["column_name"], metadata["name"]))
    copies = {}
    for node in _our_nodes(manifest, "model"):
        if node["name"].startswith("stg_") and "record_key" in node["columns"]:
            match = re.search(r"record_key='(\w+)'", node["raw_code"])
            assert match, f"{node['name']}: record_key is not a copy of one column"
            copies[node["unique_id"]] = match.group(1)
    assert len(copies) >= 10
    for unique_id, column in copies.items():
        assert {(column, "unique"), (column, "not_null")} <= tested.get(unique_id, set()), (unique_id, column)


def test_the_raw_zone_publishes_every_source_spark_reads(manifest):
    """The loader publishes (cdp_runner/spark/raw_zone.py) exactly the tables Spark registers from the raw zone:
    every source in schema raw or cdp_meta (macros/spark/cdp_register_raw_zone.sql)."""
    from cdp_runner.ingest.contracts import SOURCES
    from cdp_runner.spark.raw_zone import PUBLISHED_META_TABLES

    registered = {
        (source["schema"], source["identifier"])
        for source in manifest["sources"].values()
        if source["schema"] in ("raw", "cdp_meta")
    }
    published = {("raw", source.name) for source in SOURCES} | {("cdp_meta", name) for name in PUBLISHED_META_TABLES}
    assert registered == published


def test_the_docs_site_opens_on_the_project_overview_and_every_exposure_names_its_owner(manifest):
    overview = manifest["docs"]["doc.cdp.__overview__"]["block_contents"]
    assert "warehouse-native Customer Data Platform" in overview and "cdp serve" in overview
    exposures = [exposure for exposure in manifest["exposures"].values() if exposure["package_name"] == "cdp"]
    assert {"customer_lookup_service", "customer_value_dashboard"} <= {exposure["name"] for exposure in exposures}
    for exposure in exposures:
        assert exposure["owner"].get("name") and exposure["owner"].get("email"), exposure["name"]
