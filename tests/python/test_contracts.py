"""The source contracts are written once (contracts.py); the dbt sources and the README must follow them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cdp_runner.config import PROJECT_DIR
from cdp_runner.ingest.contracts import LOAD_COLUMNS, SOURCES, format_for_file, source_for_file


def _declared_sources() -> dict[str, dict]:
    tables = {}
    for path in sorted((PROJECT_DIR / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            assert path.name == f"_{source['name']}__sources.yml", f"{path} declares source {source['name']}"
            for table in source["tables"]:
                tables[table["name"]] = {"system": source["name"], "schema": source["schema"], **table}
    return tables


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_sources_yml_follows_the_contract(source):
    declared = _declared_sources()[source.name]
    assert declared["system"] == source.system
    assert declared["schema"] == "raw"
    names = [column["name"] for column in declared["columns"]]
    assert names == source.column_names + [name for name, _, _ in LOAD_COLUMNS]
    by_name = {column["name"]: column for column in declared["columns"]}
    for column in source.columns:
        meta = by_name[column.name]["meta"]
        assert meta["contract_type"] == column.type
        assert meta["required"] == column.required
        assert meta["pii"] == column.pii, f"{source.name}.{column.name}: pii tag differs from the contract"


def test_no_source_is_declared_twice_or_missing():
    assert sorted(_declared_sources()) == sorted(source.name for source in SOURCES)


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_readme_documents_every_column(source):
    readme = (PROJECT_DIR / "README.md").read_text()
    heading = f"#### `{source.name}`"
    assert heading in readme
    section = readme.split(heading, 1)[1].split("####", 1)[0]
    for column in source.columns:
        assert f"| `{column.name}` | {column.type} |" in section, f"README lacks {source.name}.{column.name}"


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("shop_orders.csv", "shop_orders"),
        ("shop_order_lines.csv", "shop_order_lines"),
        ("pos_transaction_lines_2026-05.csv", "pos_transaction_lines"),
        ("pos_transactions.csv", "pos_transactions"),
        ("web_events_late.jsonl", "web_events"),
        ("WEB_EVENTS.JSONL", "web_events"),
        ("holiday_photos.csv", None),
        ("web.jsonl", None),
    ],
)
def test_file_names_map_to_sources(file_name, expected):
    source = source_for_file(file_name)
    assert (source.name if source else None) == expected


def test_formats_come_from_the_extension():
    assert format_for_file("a.csv") == "csv"
    assert format_for_file("a.NDJSON") == "jsonl"
    assert format_for_file("a.parquet") == "parquet"
    assert format_for_file("a.xlsx") is None


def test_every_source_has_a_required_key():
    for source in SOURCES:
        assert source.key in source.required_columns, source.name
        assert len(set(source.column_names)) == len(source.column_names), source.name
