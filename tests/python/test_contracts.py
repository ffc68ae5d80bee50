"""The source contracts are written once (cdp_runner/ingest/contracts.py); the dbt sources, the staging base
models, the staged-source registry macro, docs/sources.md and the erasure's identifier columns follow from them."""

from __future__ import annotations

import dataclasses

import pytest

from cdp_runner.config import PROJECT_DIR
from cdp_runner.ingest import contract_files
from cdp_runner.ingest.base_models import LINT_DIRECTIVE, MAX_LINE
from cdp_runner.ingest.contracts import (
    SOURCES,
    SOURCES_BY_NAME,
    Column,
    check_sources,
    format_for_file,
    source_for_file,
)
from cdp_runner.privacy.suppression import IDENTIFIER_COLUMNS


def test_the_written_files_are_what_the_contracts_give():
    differing = contract_files.differing_files()
    assert differing == [], f"{', '.join(map(str, differing))}: run `make contracts`"


def test_every_staging_sources_yml_is_written_from_the_contracts():
    on_disk = {path.relative_to(PROJECT_DIR) for path in (PROJECT_DIR / "models" / "staging").rglob("_*__sources.yml")}
    written = {path for path in contract_files.generated_files() if path.name.endswith("__sources.yml")}
    assert on_disk == written


def test_every_file_of_the_base_models_is_written_from_the_contracts():
    on_disk = {path.relative_to(PROJECT_DIR) for path in (PROJECT_DIR / "models" / "staging").glob("*/base/*")}
    written = {path for path in contract_files.generated_files() if path.parent.name == "base"}
    assert on_disk == written


def test_the_base_models_lines_fit_the_sql_linters_limit():
    """sqlfluff leaves its layout rules out on the base models (base_models.LAYOUT_RULES, by a line at the top of each
    file), so the line length it would check is checked here."""
    written = contract_files.generated_files().items()
    base_models = {path: text for path, text in written if path.parent.name == "base" and path.suffix == ".sql"}
    assert len(base_models) == len(SOURCES)
    for path, text in base_models.items():
        assert LINT_DIRECTIVE.strip() in text.splitlines()[:3], path
        too_long = [line for line in text.splitlines() if len(line) > MAX_LINE]
        assert too_long == [], f"{path}: {too_long}"


def test_a_base_model_checks_required_columns_first_unless_the_contract_orders_its_checks():
    assert SOURCES_BY_NAME["messaging_sends"].checks == [
        "missing message_event_id",
        "missing channel",
        "missing event_type",
        "unparsed occurred_at",
        "missing occurred_at",
        "accepted channel",
        "accepted event_type",
    ]
    orders = SOURCES_BY_NAME["shop_orders"]
    assert orders.checks[:5] == [
        "missing order_id",
        "unparsed ordered_at",
        "missing ordered_at",
        "missing status",
        "accepted status",
    ]
    assert SOURCES_BY_NAME["shop_order_lines"].checks[-1] == "header order_id"


def test_the_check_command_names_a_file_that_differs(tmp_path, monkeypatch):
    for path, content in contract_files.generated_files().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    assert contract_files.differing_files(tmp_path) == []
    (tmp_path / contract_files.DOCS_FILE).write_text("edited by hand\n")
    assert contract_files.differing_files(tmp_path) == [contract_files.DOCS_FILE]


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_every_source_has_its_staging_models(source):
    folder = PROJECT_DIR / "models" / "staging" / source.system
    assert (folder / "base" / f"{source.base_model}.sql").exists()
    assert (folder / f"{source.staged_model}.sql").exists()


def test_identity_markers_and_erased_columns_follow_the_columns():
    assert SOURCES_BY_NAME["web_events"].markers == ("anonymous_id", "user_id", "email", "ip_address")
    assert SOURCES_BY_NAME["shop_order_lines"].markers == ()
    # identity reads IP addresses, an erasure leaves them
    web = [(column.column, column.identifier_type) for column in IDENTIFIER_COLUMNS["web_events"]]
    assert web == [("anonymous_id", "anonymous_id"), ("user_id", "user_id"), ("email", "email"),
                   ("event_id", "record.web_events")]  # fmt: skip
    assert [(column.column, column.identifier_type) for column in IDENTIFIER_COLUMNS["shop_order_lines"]] == [
        ("order_id", "record.shop_orders")
    ]
    phone = next(column for column in IDENTIFIER_COLUMNS["shop_orders"] if column.identifier_type == "phone")
    assert phone.country_column == "shipping_country"
    assert "stores" not in IDENTIFIER_COLUMNS and "products" not in IDENTIFIER_COLUMNS


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"system": "mainframe"}, "unknown system 'mainframe'"),
        ({"markers": ("email",)}, "markers email are not the identifier types of its columns"),
        ({"key": "no_such_column"}, "key 'no_such_column' is not a required column"),
        ({"columns": (Column("a", "text", "A.", required=True),)}, "unknown type 'text'"),
        ({"columns": (Column("event_id", "string", "Id.", required=True, identifier="fax"),)}, "unknown identifier"),
        (
            {"columns": (Column("event_id", "string", "Id.", required=True, parent="orders"),)},
            "'orders' is not a source",
        ),
        (
            {"columns": (Column("event_id", "string", "Id.", required=True, country_column="land"),)},
            "country column 'land' is not a column",
        ),
        ({"check_order": ("missing event_id",)}, "check_order must name each of its checks once"),
        ({"name": "web:events"}, "is not lower-case letters, digits and underscores"),
        (
            {"columns": (Column("event_id", "string", "Id.", required=True, header="orders"),)},
            "header 'orders' is not a source",
        ),
        ({"columns": (Column("event_id", "string", "Id.", required=True, case="title"),)}, "neither lower nor upper"),
        ({"columns": (Column("event_id", "date", "Id.", required=True, case="lower"),)}, "need a string column"),
        ({"columns": (Column("event_id", "string", "Id.", required=True, bounds=(0, 1)),)}, "need a number column"),
    ],
)
def test_a_contract_that_does_not_fit_together_is_refused(change, problem):
    broken = dataclasses.replace(SOURCES_BY_NAME["web_events"], **change)
    with pytest.raises(ValueError, match=problem):
        check_sources((broken,))


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
