"""`cdp profile`: identifier normalisation (Python mirrors of the SQL macros) and the profile on a built warehouse."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cdp_runner import identifiers
from cdp_runner.cli import main
from cdp_runner.config import PROJECT_DIR, dbt_environment
from cdp_runner.ingest.contracts import IDENTIFIER_TYPES
from cdp_runner.lookup import profile
from cdp_runner.lookup.customers import find_customer

CASES_DIR = PROJECT_DIR / "seeds" / "test_cases"

# Inputs beyond the seed cases, for the parity of Python and SQL (each runs through every normaliser).
EXTRA_INPUTS = [
    "6330-1234-5678", " lc 6330 1234 5678 ", "lc.6330.1234.5678", "null", "NaN", "  ", "\t633012345678\n",
    "A.B.C+x+y@GoogleMail.com", "a@b@c.com", "x@y.z", "élodie@exemple.fr", "name@domain.co.uk\u00a0",
    "+44 (0) 20 7946 0958", "00 33 6 12 34 56 78", "(0)", "+", "++44 7700 900123", "0", "4477009001234567",
]  # fmt: skip


def _read_cases(name: str) -> list[dict[str, str]]:
    with (CASES_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _empty_to_none(value: str | None) -> str | None:
    return value if value not in ("", None) else None


# --- normalisation against the expected values of the seed cases ----------------------------------------------


@pytest.mark.parametrize("case", _read_cases("email_cases.csv"), ids=lambda case: f"email-{case['case_id']}")
def test_email_normalisation_matches_the_seed_cases(case):
    assert identifiers.normalize_email(case["delivered"]) == _empty_to_none(case["expected_address"])
    assert identifiers.canonical_email(case["delivered"]) == _empty_to_none(case["expected_canonical"])


@pytest.mark.parametrize("case", _read_cases("phone_cases.csv"), ids=lambda case: f"phone-{case['case_id']}")
def test_phone_normalisation_matches_the_seed_cases(case):
    expected = _empty_to_none(case["expected_e164"])
    country = _empty_to_none(case["country"])
    assert identifiers.normalize_phone(case["delivered"], country, default="GB") == expected
    if country is None:
        assert identifiers.normalize_phone(case["delivered"], default="GB") == expected


def test_loyalty_card_normalisation():
    assert identifiers.normalize_loyalty_card(" lc-6330 1234.5678 ") == "LC633012345678"
    assert identifiers.normalize_loyalty_card("6330 1234 5678") == "633012345678"
    assert identifiers.normalize_loyalty_card("null") is None
    assert identifiers.normalize_loyalty_card(" - ") is None


def test_default_country_comes_from_the_dbt_project():
    assert identifiers.default_country() == "GB"


def test_identifier_candidates_try_every_type_that_fits():
    by_type = dict(identifiers.identifier_candidates(" J.Smith+news@GoogleMail.com "))
    assert by_type == {"email": "jsmith@gmail.com"}
    digits = dict(identifiers.identifier_candidates("07700 900123"))
    assert digits["phone"] == "+447700900123"
    assert digits["loyalty_card"] == "07700900123"
    assert digits["user_id"] == "07700 900123"
    assert "email" not in digits
    assert "phone" not in dict(identifiers.identifier_candidates("f5228635-af52-4bca-b8dd-f84673d662a2"))
    assert identifiers.identifier_candidates("  ") == []


# --- Python and SQL agree -------------------------------------------------------------------------------------


def _sql_normalisation(inputs: list[tuple[str | None, str | None]], tmp_path: Path) -> list[tuple]:
    """Run the project's SQL macros (compiled by dbt for DuckDB) over (text, country) inputs."""
    inline = (
        "select case_id, "
        "{{ cdp_normalize_email('delivered') }} as address, "
        "{{ cdp_canonical_email('delivered') }} as canonical, "
        "{{ cdp_normalize_phone('delivered', 'GB', country_expression='country') }} as e164, "
        "{{ cdp_normalize_phone('delivered', 'GB') }} as e164_default, "
        "{{ cdp_normalize_loyalty_card('delivered') }} as loyalty_card "
        "from cases order by case_id"
    )
    dbt = Path(sys.executable).with_name("dbt")
    compiled = subprocess.run(
        [
            str(dbt if dbt.exists() else shutil.which("dbt")),
            "compile",
            "--quiet",
            "--inline",
            inline,
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
        ],
        cwd=PROJECT_DIR,
        env=dbt_environment(tmp_path / "compile.duckdb"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    con = duckdb.connect()
    try:
        con.execute("create table cases (case_id integer, delivered varchar, country varchar)")
        rows = [(case_id, text, country) for case_id, (text, country) in enumerate(inputs)]
        con.executemany("insert into cases values (?, ?, ?)", rows)
        return con.execute(compiled).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_python_and_sql_normalisation_agree(tmp_path):
    inputs: list[tuple[str | None, str | None]] = []
    inputs += [(case["delivered"], None) for case in _read_cases("email_cases.csv")]
    inputs += [(case["delivered"], _empty_to_none(case["country"])) for case in _read_cases("phone_cases.csv")]
    inputs += [(text, None) for text in EXTRA_INPUTS]
    inputs += [(None, None)]
    sql_rows = _sql_normalisation(inputs, tmp_path)
    assert len(sql_rows) == len(inputs)
    for (text, country), (case_id, address, canonical, e164, e164_default, loyalty_card) in zip(
        inputs, sql_rows, strict=True
    ):
        python = (
            identifiers.normalize_email(text),
            identifiers.canonical_email(text),
            identifiers.normalize_phone(text, country, default="GB"),
            identifiers.normalize_phone(text, default="GB"),
            identifiers.normalize_loyalty_card(text),
        )
        sql = (address, canonical, e164, e164_default, loyalty_card)
        assert python == sql, f"input {case_id}: {text!r} ({country})"


# --- the profile on a built warehouse -------------------------------------------------------------------------


def _one(warehouse: Path, sql: str, params: list | None = None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def rich_customer(built_warehouse):
    """A customer with records in many sources, an e-mail, a phone and a loyalty card."""
    rows = _one(
        built_warehouse.warehouse,
        """
        select customers.customer_id, customers.email, customers.phone, cards.identifier_value
        from marts.dim_customers as customers
        inner join marts.identity_map as cards
            on cards.customer_id = customers.customer_id and cards.identifier_type = 'loyalty_card'
        where customers.email is not null and customers.phone is not null and customers.source_count >= 4
        order by customers.source_count desc, customers.customer_id
        limit 1
        """,
    )
    assert rows, "the generated data should have a customer known to four sources with an e-mail, phone and card"
    customer_id, email, phone, card = rows[0]
    return {"customer_id": customer_id, "email": email, "phone": phone, "loyalty_card": card}


def _query(warehouse: Path, sql: str, params: list) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _cdp_profile(identifier: str, warehouse: Path, *options: str):
    return CliRunner().invoke(main, ["profile", identifier, "--warehouse", str(warehouse), *options])


def _profile_json(identifier: str, warehouse: Path) -> tuple[int, dict]:
    result = _cdp_profile(identifier, warehouse, "--json")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.slow
def test_profile_shows_identities_from_at_least_three_sources(built_warehouse, rich_customer):
    document = profile.customer_profile(
        rich_customer["email"], warehouse=built_warehouse.warehouse, timeline_limit=100_000
    )
    assert document["customer_id"] == rich_customer["customer_id"]
    assert len(document["sources"]) >= 3, document["sources"]
    linked_types = {identifier_type for identifier_type, values in document["identities"].items() if values}
    assert len(linked_types) >= 3, linked_types
    assert any(entry["value"] == rich_customer["loyalty_card"] for entry in document["identities"]["loyalty_card"])
    timeline_sources = {event["source_name"] for event in document["timeline"]}
    assert len(timeline_sources) >= 3, timeline_sources
    attribute_sources = {value["source"] for value in document["attributes"].values() if value["source"]}
    assert attribute_sources

    result = _cdp_profile(rich_customer["email"], built_warehouse.warehouse)
    printed = result.stdout
    assert result.exit_code == 0
    assert rich_customer["customer_id"] in printed
    for heading in ("Linked identities", "Golden attributes", "Consent", "Key traits", "Latest interactions"):
        assert heading in printed
    assert rich_customer["loyalty_card"] in printed
    assert "Records in " in printed


@pytest.mark.slow
def test_profile_finds_the_customer_by_any_identifier_as_a_person_would_type_it(built_warehouse, rich_customer):
    customer_id = rich_customer["customer_id"]
    email = rich_customer["email"]
    local, domain = email.split("@")
    phone = rich_customer["phone"]
    national_phone = "0" + phone[3:] if phone.startswith("+44") else phone
    card = rich_customer["loyalty_card"]
    typed = [
        f"  {email.upper()} ",
        f"{local}+newsletter@{domain}" if "+" not in local else email,
        national_phone,
        " ".join(card[i : i + 4] for i in range(0, len(card), 4)).lower(),
        customer_id,
    ]
    for identifier in typed:
        assert find_customer(identifier, warehouse=built_warehouse.warehouse) == customer_id, identifier


@pytest.mark.slow
def test_unknown_identifier_is_a_clear_error_with_exit_code_1(built_warehouse):
    result = _cdp_profile("nobody-at-all@nowhere.invalid", built_warehouse.warehouse)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no customer found for 'nobody-at-all@nowhere.invalid'")
    assert "Traceback" not in result.output
    assert find_customer("nobody-at-all@nowhere.invalid", warehouse=built_warehouse.warehouse) is None

    code, document = _profile_json("C-DOES-NOT-EXIST", built_warehouse.warehouse)
    assert code == 1
    assert document["error"].startswith("no customer found")


@pytest.mark.slow
def test_json_profile_is_a_stable_document(built_warehouse, rich_customer):
    code, document = _profile_json(rich_customer["customer_id"], built_warehouse.warehouse)
    assert code == 0
    assert list(document) == [
        "customer_id", "matched", "as_of_date", "sources", "identities", "attributes", "consent", "traits",
        "value", "segments_available", "segments", "timeline",
    ]  # fmt: skip
    assert document["matched"]["identifier_type"] == "customer_id"
    assert list(document["identities"]) == list(IDENTIFIER_TYPES)
    assert {"first_name", "last_name", "email", "phone", "birth_date", "postcode", "loyalty_tier", "age_years"} <= set(
        document["attributes"]
    )
    assert all(set(value) == {"value", "source", "observed_at"} for value in document["attributes"].values())
    assert list(document["consent"]) == ["email", "sms", "push", "advertising"]
    assert document["consent"]["advertising"]["opted_in"] is False
    assert {"first_seen_at", "channels_used", "email_open_rate", "abandoned_cart_count"} <= set(document["traits"])
    assert set(document["value"]) == {name for columns in profile.VALUE_COLUMNS.values() for name in columns}
    (net_revenue,) = _query(
        built_warehouse.warehouse,
        "select net_revenue from marts.customer_ltv where customer_id = ?",
        [rich_customer["customer_id"]],
    )[0]
    assert document["value"]["net_revenue"] == pytest.approx(float(net_revenue))
    members = _query(
        built_warehouse.warehouse,
        "select segment_name from marts.segment_membership where customer_id = ? order by segment_name",
        [rich_customer["customer_id"]],
    )
    assert document["segments_available"] is True
    assert [segment["segment_name"] for segment in document["segments"]] == [name for (name,) in members]
    assert 0 < len(document["timeline"]) <= 10
    times = [event["occurred_at"] for event in document["timeline"]]
    assert times == sorted(times, reverse=True)
    # the same identifier gives the same document
    again = _profile_json(rich_customer["customer_id"], built_warehouse.warehouse)[1]
    assert again == document


@pytest.mark.slow
def test_profile_lists_segments_when_the_table_exists(built_warehouse, rich_customer, tmp_path):
    copy = tmp_path / "with_segments.duckdb"
    shutil.copy(built_warehouse.warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("create or replace table marts.segment_membership (customer_id varchar, segment_name varchar)")
        con.execute(
            "insert into marts.segment_membership values (?, 'vip'), (?, 'app users'), ('someone-else', 'lapsed')",
            [rich_customer["customer_id"], rich_customer["customer_id"]],
        )
    finally:
        con.close()
    code, document = _profile_json(rich_customer["customer_id"], copy)
    assert code == 0
    assert document["segments_available"] is True
    assert [segment["segment_name"] for segment in document["segments"]] == ["app users", "vip"]
    assert "Segments: app users, vip" in _cdp_profile(rich_customer["customer_id"], copy).stdout


def test_profile_without_marts_says_what_to_do(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = _cdp_profile("someone@example.com", empty)
    assert result.exit_code == 1
    assert "run 'cdp build' first" in result.stderr
