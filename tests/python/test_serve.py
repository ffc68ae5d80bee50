"""cdp serve without a browser: the copy of the warehouse, the look-up and its API, the roles, the access log, the
audiences' reach, all checked against the marts of the shared test warehouse (tests/python/session_build.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from cdp_runner.activation.segment_export import export_segment
from cdp_runner.cli import main
from cdp_runner.errors import UserError
from cdp_runner.identifiers import phone_spellings
from cdp_runner.lookup.profile import customer_profile
from cdp_runner.serve.access import Principal, check_binding, load_tokens, token_hash
from cdp_runner.serve.app import create_app
from cdp_runner.serve.lookup import Found, find
from cdp_runner.serve.snapshot import TIMELINE_LIMIT, Snapshot, SnapshotHolder, WarehouseNotReady, take_snapshot

SERVICE_TOKEN = "service-token-for-the-tests-0001"
MARKETING_TOKEN = "marketing-token-for-the-tests-01"


# --------------------------------------------------------------------------------------------------------------------
# Without a warehouse
# --------------------------------------------------------------------------------------------------------------------


def test_phone_spellings_of_one_uk_number_agree():
    for typed in ("447141733709", "+44 7141 733709", "07141 733709", "0044 7141 733709", "+44 (0)7141 733709"):
        assert "+447141733709" in phone_spellings(typed), typed
    assert phone_spellings("07141 733709") == ["+447141733709"]


def test_tokens_file_shapes(tmp_path: Path):
    good = tmp_path / "tokens.yml"
    good.write_text(
        f"tokens:\n  - {{name: till, role: service, sha256: {token_hash(SERVICE_TOKEN)}}}\n"
        f"  - {{name: crm, role: marketing, token: {MARKETING_TOKEN}}}\n"
    )
    tokens = load_tokens(good)
    assert tokens.principal(SERVICE_TOKEN) == Principal("till", "service")
    assert tokens.principal(MARKETING_TOKEN) == Principal("crm", "marketing")
    assert tokens.principal("not-a-token-of-the-file") is None and tokens.principal(None) is None
    for text, message in (
        ("tokens: []", "expected 'tokens:'"),
        ("tokens:\n  - {name: a, role: boss, token: 0123456789abcdef}", "role must be one of"),
        ("tokens:\n  - {name: a, role: service, token: short}", "at least 16"),
        ("tokens:\n  - {name: a, role: service, sha256: abc}", "64 hexadecimal"),
        ("tokens:\n  - {name: a, role: service}", "either sha256 or token"),
    ):
        bad = tmp_path / "bad.yml"
        bad.write_text(text)
        with pytest.raises(UserError, match=message):
            load_tokens(bad)


def test_only_loopback_without_tokens():
    check_binding("127.0.0.1", None)
    check_binding("::1", None)
    check_binding("localhost", None)
    with pytest.raises(UserError, match="only with a tokens file"):
        check_binding("0.0.0.0", None)


def test_a_missing_warehouse_is_not_ready(tmp_path: Path):
    with pytest.raises(WarehouseNotReady, match="no warehouse"):
        take_snapshot(tmp_path / "none.duckdb")


# --------------------------------------------------------------------------------------------------------------------
# Over the built warehouse
# --------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(built_warehouse):
    return built_warehouse


@pytest.fixture(scope="module")
def holder(built) -> SnapshotHolder:
    holder = SnapshotHolder(built.warehouse, refresh_seconds=0)
    assert holder.refresh(), holder.last_error
    return holder


@pytest.fixture(scope="module")
def tokens_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "tokens.yml"
    path.write_text(
        "tokens:\n"
        f"  - {{name: till-1, role: service, token: {SERVICE_TOKEN}}}\n"
        f"  - {{name: crm-1, role: marketing, sha256: {token_hash(MARKETING_TOKEN)}}}\n"
    )
    return path


@pytest.fixture(scope="module")
def client(holder, tokens_file) -> TestClient:
    return TestClient(create_app(holder, tokens=load_tokens(tokens_file)))


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _customer_with(marts, identifier_type: str, like: str = "%") -> tuple[str, str]:
    """(customer_id, identifier value) of the customer in most segments that has an identifier of that type."""
    rows = marts(
        """
        select map.customer_id, map.identifier_value from marts.identity_map as map
        left join marts.segment_membership as membership on map.customer_id = membership.customer_id
        where map.identifier_type = ? and map.customer_id is not null and map.identifier_value like ?
        group by all order by count(membership.segment_name) desc, map.customer_id limit 1
        """,
        [identifier_type, like],
    )
    assert rows, f"no customer with a {identifier_type} in the test warehouse"
    return rows[0]


def test_the_copy_leaves_the_warehouse_free_for_a_writer(built, holder):
    con = duckdb.connect(str(built.warehouse))  # read-write: fails if the app still held the file
    con.close()
    assert holder.snapshot is not None and holder.snapshot.customers > 0


def test_a_refresh_while_a_writer_holds_the_warehouse_keeps_the_previous_copy(built, holder):
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(60)", str(built.warehouse)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ok"
        before = holder.snapshot
        assert not holder.refresh()
        assert "in use by a writer" in (holder.last_error or "")
        assert holder.snapshot is before
    finally:
        writer.kill()
        writer.wait()
    assert holder.refresh()


def test_every_customer_and_identifier_is_copied(holder, marts):
    snapshot = holder.snapshot
    assert snapshot.customers == marts("select count(*) from marts.dim_customers")[0][0]
    assert (
        len(snapshot.identifiers)
        == marts("select count(*) from marts.identity_map where customer_id is not null")[0][0]
    )


def test_api_lookup_by_email_as_typed_matches_the_marts(client, marts):
    customer_id, email = _customer_with(marts, "email")
    response = client.post("/api/v1/lookup", json={"identifier": f"  {email.upper()} "}, headers=_as(SERVICE_TOKEN))
    assert response.status_code == 200
    body = response.json()
    assert body["matched"] == {"identifier_type": "email"}
    document = body["profile"]
    assert document["customer_id"] == customer_id
    golden = marts(
        "select first_name, last_name, loyalty_tier from marts.dim_customers where customer_id = ?", [customer_id]
    )
    assert (
        document["attributes"]["first_name"]["value"],
        document["attributes"]["last_name"]["value"],
        document["attributes"]["loyalty_tier"]["value"],
    ) == golden[0]
    segments = [row[0] for row in marts(
        "select segment_name from marts.segment_membership where customer_id = ? order by segment_name", [customer_id]
    )]  # fmt: skip
    assert [segment["segment_name"] for segment in document["segments"]] == segments
    value = marts(
        """
        select tier.value_tier, churn.churn_risk_band, rfm.rfm_segment, ltv.predicted_clv
        from marts.customer_value_tier as tier
        inner join marts.customer_churn_risk as churn using (customer_id)
        inner join marts.customer_rfm as rfm using (customer_id)
        inner join marts.customer_ltv as ltv using (customer_id)
        where customer_id = ?
        """,
        [customer_id],
    )[0]
    assert (
        document["value"]["value_tier"],
        document["value"]["churn_risk_band"],
        document["value"]["rfm_segment"],
    ) == (value[:3])
    assert document["value"]["predicted_clv"] == pytest.approx(float(value[3]) if value[3] is not None else None)
    consent = marts(
        "select is_email_opted_in, is_sms_opted_in, is_advertising_opted_in, is_email_contactable "
        "from marts.customer_consent where customer_id = ?",
        [customer_id],
    )[0]
    assert (
        document["consent"]["email"]["opted_in"],
        document["consent"]["sms"]["opted_in"],
        document["consent"]["advertising"]["opted_in"],
        document["consent"]["email"]["contactable"],
    ) == tuple(bool(flag) for flag in consent)
    latest = marts(
        "select count(*), max(occurred_at) from marts.customer_timeline where customer_id = ?", [customer_id]
    )[0]
    assert len(document["timeline"]) == min(latest[0], TIMELINE_LIMIT)
    if latest[0]:
        # the document carries the time as the warehouse renders it in JSON (milliseconds without padding)
        assert dt.datetime.fromisoformat(document["timeline"][0]["occurred_at"]) == latest[1]


def test_api_and_cdp_profile_agree(client, built, marts):
    customer_id, email = _customer_with(marts, "email")
    api = client.get(f"/api/v1/customers/{customer_id}", headers=_as(SERVICE_TOKEN)).json()
    cli = customer_profile(email, warehouse=built.warehouse)
    assert api["sources"] == cli["sources"]
    assert {name: [entry["value"] for entry in entries] for name, entries in api["identities"].items()} == {
        name: [entry["value"] for entry in entries] for name, entries in cli["identities"].items() if entries
    }
    assert {name: attribute["value"] for name, attribute in api["attributes"].items()} == pytest.approx(
        {name: attribute["value"] for name, attribute in cli["attributes"].items()}
    )
    assert {channel: flags["opted_in"] for channel, flags in api["consent"].items()} == {
        channel: flags["opted_in"] for channel, flags in cli["consent"].items()
    }
    assert [segment["segment_name"] for segment in api["segments"]] == [
        segment["segment_name"] for segment in cli["segments"]
    ]


def test_phone_in_every_common_spelling_finds_the_same_customer(holder, built, marts):
    customer_id, phone = _customer_with(marts, "phone", "+44%")
    national = "0" + phone[3:]
    for typed in (phone, phone[1:], f"{national[:5]} {national[5:]}", "0044 " + phone[3:], f"+44 (0){phone[3:]}"):
        found = find(holder.snapshot, typed)
        assert found is not None and found.customer_id == customer_id, typed
        assert customer_profile(typed, warehouse=built.warehouse)["customer_id"] == customer_id, typed


def test_loyalty_card_and_customer_id_are_found(holder, marts):
    customer_id, card = _customer_with(marts, "loyalty_card")
    spaced = " ".join(card[index : index + 4] for index in range(0, len(card), 4)).lower()
    assert find(holder.snapshot, spaced) == Found(customer_id, "loyalty_card")
    assert find(holder.snapshot, customer_id) == Found(customer_id, "customer_id")
    assert find(holder.snapshot, "nobody-at-all@example.org") is None


def test_without_a_token_nothing_is_shown(client, marts):
    customer_id, email = _customer_with(marts, "email")
    for method, path, body in (
        ("POST", "/api/v1/lookup", {"identifier": email}),
        ("GET", f"/api/v1/customers/{customer_id}", None),
        ("GET", f"/customers/{customer_id}", None),
        ("GET", "/dashboard", None),
        ("GET", "/audiences", None),
    ):
        for headers in ({}, _as("a-token-nobody-was-given-0000")):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert customer_id not in response.text and email not in response.text
            assert "first_name" not in response.text


def test_roles_see_only_their_pages(client, marts):
    customer_id, email = _customer_with(marts, "email")
    marketing, service = _as(MARKETING_TOKEN), _as(SERVICE_TOKEN)
    for path in (f"/api/v1/customers/{customer_id}", f"/customers/{customer_id}", "/lookup"):
        response = client.get(path, headers=marketing)
        assert response.status_code == 403, path
        assert customer_id not in response.text
    assert client.post("/api/v1/lookup", json={"identifier": email}, headers=marketing).status_code == 403
    for path in ("/dashboard", "/audiences"):
        assert client.get(path, headers=marketing).status_code == 200
        assert client.get(path, headers=service).status_code == 403
    assert client.get(f"/customers/{customer_id}", headers=service).status_code == 200
    assert client.get("/health").json() == {"ready": True}


def test_sign_in_sets_a_cookie_the_pages_accept(client):
    refused = client.post("/login", data={"token": "wrong-token-000000000"}, follow_redirects=False)
    assert refused.status_code == 401
    signed_in = client.post("/login", data={"token": MARKETING_TOKEN}, follow_redirects=False)
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/dashboard").status_code == 200
    client.cookies.clear()
    assert client.get("/dashboard").status_code == 401


def test_the_access_log_holds_no_identifier(client, marts, caplog):
    customer_id, email = _customer_with(marts, "email")
    _, phone = _customer_with(marts, "phone")
    with caplog.at_level(logging.INFO, logger="cdp.serve.access"):
        client.post("/api/v1/lookup", json={"identifier": email}, headers=_as(SERVICE_TOKEN))
        client.post("/lookup", data={"identifier": phone}, headers=_as(SERVICE_TOKEN), follow_redirects=True)
        client.get(f"/api/v1/customers/{customer_id}?email={email}", headers=_as(SERVICE_TOKEN))
        client.get(f"/customers/{customer_id}", headers=_as("a-token-nobody-was-given-0000"))
    lines = [record.getMessage() for record in caplog.records if record.name == "cdp.serve.access"]
    assert len(lines) >= 5
    text = "\n".join(lines)
    for secret in (customer_id, email, phone, phone[1:], SERVICE_TOKEN):
        assert secret not in text
    assert "till-1 POST /api/v1/lookup 200" in text
    assert "till-1 GET /customers/{customer_id} 200" in text
    assert "- GET /customers/{customer_id} 401" in text


def test_audience_reach_is_what_an_export_sends(holder, built, marts, tmp_path):
    reach = {row["segment_name"]: row for row in holder.snapshot.audiences["reach"]}
    sizes = dict(marts("select segment_name, member_count from marts.audience_segments"))
    assert {name: row["members"] for name, row in reach.items()} == sizes
    # the demo's exports: one per destination
    for segment, destination in (("loyal_buyers_email", "crm_email"), ("repeat_buyers_advertising", "ads_platform")):
        result = export_segment(segment, destination, warehouse=built.warehouse, out_dir=tmp_path / destination)
        assert result.members == reach[segment]["members"]
        assert result.members - result.without_consent == reach[segment]["destinations"][destination]
        assert result.rows <= result.members - result.without_consent - result.without_identifier


def test_dashboard_figures_match_the_marts(holder, marts):
    dashboard = holder.snapshot.dashboard
    assert {row["value_tier"]: row["customers"] for row in dashboard["value_tiers"]} == dict(
        marts("select value_tier, count(*) from marts.customer_value_tier group by all")
    )
    assert (
        sum(row["customers"] for row in dashboard["rfm_grid"])
        == marts("select count(*) from marts.customer_rfm where has_purchased")[0][0]
    )
    assert {row["unresolved_reason"]: row["records"] for row in dashboard["unresolved"]} == dict(
        marts(
            "select unresolved_reason, count(*) from marts.identity_record_map where customer_id is null group by all"
        )
    )
    assert (
        sum(row["row_count"] for row in dashboard["quarantine"])
        == marts("select count(*) from audit.audit_quarantined_rows")[0][0]
    )
    assert {row["source_name"] for row in dashboard["freshness"]} == {
        row[0] for row in marts("select distinct source_name from cdp_meta.load_ledger")
    }
    assert sum(row["customers"] for row in dashboard["clv_histogram"]) == dashboard["clv_customers"]


def test_pages_render_for_a_local_user(holder, marts):
    local = TestClient(create_app(holder, tokens=None))
    customer_id, _ = _customer_with(marts, "email")
    first_name = marts("select first_name from marts.dim_customers where customer_id = ?", [customer_id])[0][0]
    page = local.get(f"/customers/{customer_id}")
    assert page.status_code == 200 and (first_name or "Unnamed") in page.text
    assert page.headers["cache-control"] == "no-store"
    for path in ("/dashboard", "/audiences", "/lookup"):
        assert local.get(path).status_code == 200, path
    charts = local.get("/dashboard").text
    specs = json.loads(charts.split('<script type="application/json" id="charts">')[1].split("</script>")[0])
    assert {"rfm_grid", "clv", "value_tiers", "churn_bands", "quarantine"} <= set(specs)
    assert local.get("/static/plotly.min.js").headers["content-encoding"] == "gzip"


def test_cdp_segments_lists_sizes_and_reach(built, holder):
    result = CliRunner().invoke(main, ["segments", "--warehouse", str(built.warehouse)])
    assert result.exit_code == 0, result.output
    for row in holder.snapshot.audiences["reach"]:
        line = next(line for line in result.output.splitlines() if line.strip().startswith(row["segment_name"]))
        assert f"{row['members']:,}" in line
    assert "crm_email" in result.output and "consent channel" in result.output


def test_before_the_first_copy_pages_say_not_ready(tmp_path: Path):
    holder = SnapshotHolder(tmp_path / "missing.duckdb", refresh_seconds=0)
    assert not holder.refresh() and "no warehouse" in (holder.last_error or "")
    client = TestClient(create_app(holder, tokens=None))
    assert client.get("/health").json() == {"ready": False}
    assert client.get("/dashboard").status_code == 503
    assert client.post("/api/v1/lookup", json={"identifier": "someone@example.com"}).status_code == 503


def test_a_changed_warehouse_is_copied_again_once_quiet(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_text("first build")
    copies: list[float] = []

    def loader(path: Path) -> Snapshot:
        copies.append(path.stat().st_mtime)
        return Snapshot(path, dt.datetime.now(), 0.0, 0.0, path.stat().st_mtime, {}, {})

    holder = SnapshotHolder(warehouse, refresh_seconds=0.05, quiet_seconds=0.3, loader=loader)
    assert holder.refresh() and len(copies) == 1
    holder.start()
    try:
        time.sleep(0.5)
        assert len(copies) == 1  # unchanged: no copy
        os.utime(warehouse, (time.time(), time.time()))
        time.sleep(0.15)
        assert len(copies) == 1  # changed, not quiet yet (a build between two steps)
        deadline = time.monotonic() + 5
        while len(copies) == 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(copies) == 2
    finally:
        holder.stop()
