"""cdp serve as people use it: the real server (`cdp serve --tokens`) over the shared test warehouse, driven in
Debian's Chromium (/usr/bin/chromium, installed by `make browser`) by Playwright. What the pages show is compared
with the marts."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdp_runner.serve.snapshot import TIMELINE_LIMIT

CHROMIUM = os.environ.get("CDP_CHROMIUM", "/usr/bin/chromium")
SERVICE_TOKEN = "browser-service-token-000000001"
MARKETING_TOKEN = "browser-marketing-token-0000001"
# Chromium as root needs --no-sandbox; the rest keeps it off the network (nothing but the app is reachable here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_warehouse, tmp_path_factory):
    """`cdp serve` on a free loopback port with a service and a marketing token; its base URL."""
    folder = tmp_path_factory.mktemp("serve-browser")
    tokens = folder / "tokens.yml"
    tokens.write_text(
        "tokens:\n"
        f"  - {{name: till, role: service, token: {SERVICE_TOKEN}}}\n"
        f"  - {{name: crm, role: marketing, token: {MARKETING_TOKEN}}}\n"
    )
    port = _free_port()
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "cdp_runner.cli", "serve", "--warehouse", str(built_warehouse.warehouse),
         "--port", str(port), "--tokens", str(tokens), "--refresh-seconds", "0"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, (folder / "serve.log").read_text()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if json.loads(connection.getresponse().read())["ready"]:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "cdp serve did not become ready"
        time.sleep(0.3)
    yield f"http://127.0.0.1:{port}", folder / "serve.log"
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make browser' (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _sign_in(page, base: str, token: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#token", token)
    page.click("button[type=submit]")


def test_refused_without_a_token(browser, server):
    base, _ = server
    page = browser.new_page()
    page.context.clear_cookies()
    response = page.goto(f"{base}/dashboard")
    assert response is not None and response.status == 401
    assert page.locator("#token").is_visible()
    assert page.locator("[data-chart]").count() == 0
    page.fill("#token", "not-the-right-token-000000")
    page.click("button[type=submit]")
    assert page.locator("text=A valid access token is needed").is_visible()
    page.close()


def test_search_by_phone_and_open_the_profile(browser, server, marts):
    base, log = server
    customer_id, phone = marts(
        """
        select map.customer_id, map.identifier_value from marts.identity_map as map
        inner join marts.segment_membership as membership on map.customer_id = membership.customer_id
        where map.identifier_type = 'phone' and map.identifier_value like '+44%'
        group by all order by count(*) desc, map.customer_id limit 1
        """
    )[0]
    national = "0" + phone[3:]
    typed = f"{national[:5]} {national[5:]}"  # as the customer says it at the till
    page = browser.new_page()
    _sign_in(page, base, SERVICE_TOKEN)
    page.wait_for_url(f"{base}/lookup")
    page.fill("#identifier", typed)
    page.press("#identifier", "Enter")
    page.wait_for_url(f"{base}/customers/{customer_id}")

    assert page.text_content("#customer-id") == customer_id
    first_name, last_name = marts(
        "select first_name, last_name from marts.dim_customers where customer_id = ?", [customer_id]
    )[0]
    assert (
        page.text_content("#customer-name").strip() == " ".join(name for name in (first_name, last_name) if name)
        or "Unnamed customer"
    )
    segments = [row[0] for row in marts(
        "select segment_name from marts.segment_membership where customer_id = ? order by 1", [customer_id]
    )]  # fmt: skip
    assert page.eval_on_selector_all("#segments li[data-segment]", "items => items.map(i => i.dataset.segment)") == (
        segments
    )
    tier, band = marts(
        "select tier.value_tier, churn.churn_risk_band from marts.customer_value_tier as tier "
        "inner join marts.customer_churn_risk as churn using (customer_id) where customer_id = ?",
        [customer_id],
    )[0]
    assert page.text_content("[data-field=value_tier]").strip() == f"value tier: {tier}"
    assert page.text_content("[data-field=churn_risk_band]").strip() == f"churn risk: {band}"
    consent = dict(marts(
        "unpivot (select is_email_opted_in as email, is_sms_opted_in as sms, is_push_opted_in as push, "
        "is_advertising_opted_in as advertising from marts.customer_consent where customer_id = ?) "
        "on email, sms, push, advertising into name channel value opted_in",
        [customer_id],
    ))  # fmt: skip
    for channel, opted_in in consent.items():
        shown = page.text_content(f"#consent tr[data-channel={channel}] td:nth-child(2)").strip()
        assert shown == ("yes" if opted_in else "no"), channel
    sources = dict(marts(
        "select source_name, count(*) from marts.identity_record_map where customer_id = ? group by all",
        [customer_id],
    ))  # fmt: skip
    shown_sources = page.eval_on_selector_all("#sources [data-source]", "items => items.map(i => i.dataset.source)")
    assert sorted(shown_sources) == sorted(sources)
    events = marts("select count(*) from marts.customer_timeline where customer_id = ?", [customer_id])[0][0]
    assert page.locator("#timeline tbody tr").count() == min(events, TIMELINE_LIMIT)
    assert phone not in log.read_text() and phone[1:] not in log.read_text() and customer_id not in log.read_text()
    page.close()


def test_marketing_sees_the_charts_and_not_the_people(browser, server, marts):
    base, _ = server
    page = browser.new_page()
    _sign_in(page, base, MARKETING_TOKEN)
    page.wait_for_url(f"{base}/dashboard")
    page.wait_for_selector("[data-chart=value_tiers][data-rendered=true]", timeout=30_000)
    assert page.locator("[data-chart=rfm_grid] .main-svg").count() > 0
    shown = page.evaluate(
        "() => { const t = document.querySelector('[data-chart=value_tiers]').data[0];"
        " return Object.fromEntries(t.x.map((x, i) => [x, t.y[i]])); }"
    )
    assert shown == dict(marts("select value_tier, count(*) from marts.customer_value_tier group by all"))
    assert page.text_content("#figure-customers").replace(",", "") == str(
        marts("select count(*) from marts.dim_customers")[0][0]
    )
    assert page.locator("[data-rendered=true]").count() == page.locator("[data-chart]").count()

    page.goto(f"{base}/audiences")
    page.wait_for_selector("[data-chart=overlap][data-rendered=true]", timeout=30_000)
    for segment, members in marts("select segment_name, member_count from marts.audience_segments"):
        cell = page.text_content(f"#segments tr[data-segment={segment}] [data-field=members]")
        assert cell.replace(",", "") == str(members), segment

    response = page.goto(f"{base}/lookup")
    assert response is not None and response.status == 403
    assert page.locator("#identifier").count() == 0
    page.close()
