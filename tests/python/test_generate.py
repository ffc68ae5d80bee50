"""Tests of the synthetic data generator (cdp_runner.generator)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.special import hyp2f1

from cdp_runner.generator import generate as gen
from cdp_runner.generator.params import GeneratorParams
from cdp_runner.generator.world import build_world
from cdp_runner.ingest.contracts import SOURCES, SOURCES_BY_NAME, source_for_file

END = date(2026, 6, 30)
PERSON_SOURCES = [s for s in SOURCES if s.has_person]


# --- helpers ---------------------------------------------------------------------------------


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def csv_records(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows; rows are split line by line so a damaged line stays one row."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    return header, [next(csv.reader([line])) for line in lines[1:]]


def jsonl_records(path: Path) -> tuple[list[dict], list[str]]:
    """Parsed objects and the lines that are not valid JSON."""
    parsed, broken = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            broken.append(line)
    return parsed, broken


def file_keys(folder: Path, source) -> list[str]:
    """The key of every data line of a source's files as written (damaged lines included)."""
    keys = []
    for path in sorted(folder.glob(f"{source.name}*")):
        if source_for_file(path.name) is not source:
            continue
        if path.suffix == ".csv":
            header, rows = csv_records(path)
            keys += [row[header.index(source.key)] for row in rows]
        elif path.suffix == ".jsonl":
            pattern = re.compile(r'^\{"' + source.key + r'":(?:"((?:[^"\\]|\\.)*)"|null)')
            keys += [
                (m.group(1) or "") if (m := pattern.match(line)) else ""
                for line in path.read_text(encoding="utf-8").splitlines()
            ]
        else:
            keys += [k or "" for k in pq.read_table(path, columns=[source.key]).column(0).to_pylist()]
    return keys


def truth(folder: Path):
    return pq.read_table(folder / "_truth" / "ground_truth.parquet").to_pylist()


def bg_nbd_expected_repeats(t: np.ndarray, r: float, alpha: float, a: float, b: float) -> np.ndarray:
    """E[X(t)] of the BG/NBD model (Fader, Hardie & Lee 2005, eq. 9)."""
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    return folder, gen.generate(300, 11, folder, END)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    folder = tmp_path_factory.mktemp("medium")
    return folder, gen.generate(3000, 5, folder, END)


# --- determinism -----------------------------------------------------------------------------------


def test_same_arguments_give_identical_bytes(small, tmp_path):
    folder, _ = small
    blocks = []
    gen.generate(300, 11, tmp_path, END, on_block=lambda done, total: blocks.append((done, total)))
    assert blocks == [(0, 1), (1, 1)]
    assert digests(tmp_path) == digests(folder)


def test_identical_bytes_across_several_blocks(monkeypatch, tmp_path):
    """Blocks are simulated one after another while a thread writes the previous ones."""
    monkeypatch.setattr(gen, "BLOCK_PEOPLE", 70)
    first, second = tmp_path / "first", tmp_path / "second"
    summary = gen.generate(300, 7, first, END)
    gen.generate(300, 7, second, END)
    assert digests(first) == digests(second)
    persons = pq.read_table(first / "_truth" / "persons.parquet", columns=["person_id"]).column(0).to_pylist()
    assert persons[:300] == [f"P{i:08d}" for i in range(1, 301)] and summary["persons"] == len(persons)


def test_another_seed_gives_other_data(small, tmp_path):
    folder, _ = small
    gen.generate(300, 12, tmp_path, END)
    before, after = digests(folder), digests(tmp_path)
    changed = [name for name in before if before[name] != after[name]]
    assert "web_events.jsonl" in changed and "shop_orders.csv" in changed and "_truth/ground_truth.parquet" in changed


def test_blocks_do_not_depend_on_each_other(monkeypatch):
    """A block's records are a function of the world and its number alone, so blocks can be
    produced in any order or in parallel without changing the output."""
    monkeypatch.setattr(gen, "BLOCK_PEOPLE", 150)
    world = build_world(300, 3, END, GeneratorParams())
    second_first, _ = gen.simulate_block(world, 1)
    gen.simulate_block(world, 0)
    second_again, _ = gen.simulate_block(world, 1)
    for name, records in second_first.items():
        assert records.columns.keys() == second_again[name].columns.keys()
        for column, values in records.columns.items():
            assert values.equals(second_again[name].columns[column]), (name, column)


def test_scale_is_checked(tmp_path):
    with pytest.raises(ValueError):
        gen.generate(0, 1, tmp_path)
    with pytest.raises(ValueError):
        gen.generate(gen.MAX_CUSTOMERS + 1, 1, tmp_path)


# --- files and columns -------------------------------------------------------------------------------


def test_every_source_file_has_exactly_the_contract_columns(small):
    folder, summary = small
    top_level = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert top_level == sorted([gen.file_name(s) for s in SOURCES] + [gen.LATE_WEB_EVENTS])
    for source in SOURCES:
        path = folder / gen.file_name(source)
        assert path.suffix == "." + source.default_format
        if source.default_format == "csv":
            header, rows = csv_records(path)
            assert header == source.column_names
            assert Counter(len(row) for row in rows).most_common(1)[0][0] == len(header)
        elif source.default_format == "jsonl":
            parsed, _ = jsonl_records(path)
            assert parsed and all(list(obj) == source.column_names for obj in parsed), source.name
        else:
            assert pq.read_schema(path).names == source.column_names
    late, broken = jsonl_records(folder / gen.LATE_WEB_EVENTS)
    assert late and not broken and all(list(obj) == SOURCES_BY_NAME["web_events"].column_names for obj in late)


def test_summary_counts_the_rows_written(small):
    folder, summary = small
    for name, rows in summary["files"].items():
        path = folder / name
        if path.suffix == ".parquet":
            assert pq.read_metadata(path).num_rows == rows
        else:
            header_lines = 1 if path.suffix == ".csv" else 0
            assert len(path.read_bytes().splitlines()) - header_lines == rows, name
    assert summary["truth_rows"] == pq.read_metadata(folder / "_truth" / "ground_truth.parquet").num_rows


def test_truth_files_and_params(small):
    folder, summary = small
    params = json.loads((folder / "_truth" / "generator_params.json").read_text())
    assert params["seed"] == 11 and params["customers"] == 300 and params["end_date"] == END.isoformat()
    assert params["processes"]["purchase"] == {"r": 0.8, "alpha": 60.0, "a": 0.8, "b": 3.0}
    persons = pq.read_table(folder / "_truth" / "persons.parquet").to_pylist()
    people = [p for p in persons if not p["is_bot"]]
    bots = [p for p in persons if p["is_bot"]]
    assert len(people) == 300 and people[0]["person_id"] == "P00000001"
    assert bots and all(re.fullmatch(r"BOT\d{5}", b["person_id"]) for b in bots)
    assert all(p["emails"] and all(e == e.strip().lower() for e in p["emails"]) for p in people)
    assert all(re.fullmatch(r"\+\d{8,14}", phone) for p in people for phone in p["phones"])
    churned = [p for p in people if p["churned_at"] is not None]
    assert churned and all(p["segment"] == "buyer" and p["acquired_at"] <= p["churned_at"] for p in churned)


# --- ground truth ------------------------------------------------------------------------------------


def test_ground_truth_covers_every_keyed_record(small):
    folder, _ = small
    rows = truth(folder)
    by_source = defaultdict(set)
    for row in rows:
        by_source[row["source_name"]].add(row["record_key"])
    assert len({(r["source_name"], r["record_key"]) for r in rows}) == len(rows)  # one row per record
    assert set(by_source) == {s.name for s in PERSON_SOURCES}
    for source in PERSON_SOURCES:
        keys = {k.strip() for k in file_keys(folder, source)} - {""}
        assert keys == by_source[source.name], source.name
    person_ids = {p["person_id"] for p in pq.read_table(folder / "_truth" / "persons.parquet").to_pylist()}
    assert {r["person_id"] for r in rows} <= person_ids
    bot_events = [r for r in rows if r["person_id"].startswith("BOT")]
    assert bot_events and {r["source_name"] for r in bot_events} == {"web_events"}


def test_ground_truth_is_never_a_top_level_file(small):
    folder, _ = small
    for path in folder.iterdir():
        if path.is_file():
            assert source_for_file(path.name) is not None, path.name
    assert (folder / "_truth" / "ground_truth.parquet").exists()


# --- messiness ----------------------------------------------------------------------------------------


def test_malformed_rows_are_a_small_share(medium):
    folder, summary = medium
    bad_values = set(gen.BAD_DATES) | set(gen.BAD_NUMBERS)
    malformed = total = 0
    for source in SOURCES:
        if not source.has_person or source.default_format == "parquet":
            continue
        path = folder / gen.file_name(source)
        if source.default_format == "csv":
            header, rows = csv_records(path)
            for row in rows:
                total += 1
                malformed += (
                    len(row) != len(header) or row[header.index(source.key)] == "" or bool(bad_values & set(row))
                )
        else:
            parsed, broken = jsonl_records(path)
            total += len(parsed) + len(broken)
            malformed += len(broken) + sum(
                obj[source.key] == "" or bool(bad_values & set(obj.values())) for obj in parsed
            )
    share = malformed / total
    assert 0.001 < share < 0.006, share
    app = pq.read_table(folder / "app_events.parquet").to_pylist()
    assert any(row["event_id"] == "" for row in app)
    assert any(row["occurred_at"].year == 1970 for row in app)  # a device whose clock was never set


def test_broken_lines_of_every_kind(medium):
    folder, _ = medium
    _, broken = jsonl_records(folder / "web_events.jsonl")
    assert broken and all(line.startswith('{"event_id":"') for line in broken)
    too_few = too_many = 0
    for source in SOURCES:
        if source.default_format == "csv":
            header, rows = csv_records(folder / gen.file_name(source))
            too_few += sum(len(row) < len(header) for row in rows)
            too_many += sum(len(row) > len(header) for row in rows)
    assert too_few and too_many


def test_deliveries_are_duplicated(medium):
    folder, _ = medium
    for source in ("web_events", "shop_orders", "email_events"):
        keys = Counter(k for k in file_keys(folder, SOURCES_BY_NAME[source]) if k)
        assert any(count > 1 for count in keys.values()), source
    lines = Counter((folder / "web_events.jsonl").read_text().splitlines())
    assert any(count > 1 for count in lines.values())  # the exact same row, re-delivered


def test_late_events_occurred_before_their_delivery(small):
    folder, _ = small
    late, _ = jsonl_records(folder / gen.LATE_WEB_EVENTS)
    on_time, _ = jsonl_records(folder / "web_events.jsonl")
    first_on_time: dict[str, int] = {}
    for position, event in enumerate(on_time):
        first_on_time.setdefault(event["event_id"], position)
    redelivered = [event for event in late if event["event_id"] in first_on_time]
    assert 0 < len(redelivered) < len(late)


def test_junk_identifiers_are_shared_by_unrelated_people(medium):
    folder, _ = medium
    owner = {(r["source_name"], r["record_key"]): r["person_id"] for r in truth(folder)}
    people_by_value = defaultdict(set)
    for name, columns in (
        ("shop_orders", ("email", "phone")),
        ("crm_customers", ("email", "phone")),
        ("support_tickets", ("requester_email", "requester_phone")),
    ):
        source = SOURCES_BY_NAME[name]
        header, rows = csv_records(folder / gen.file_name(source))
        for row in rows:
            if len(row) != len(header):
                continue
            for column in columns:
                value = row[header.index(column)].strip().lower()
                person = owner.get((name, row[header.index(source.key)]))
                if value and person:
                    people_by_value[value].add(person)
    junk = {
        v: people
        for v, people in people_by_value.items()
        if v in {"test@test.com", "none", "unknown", "n/a", "0000000000"}
    }
    assert junk and max(len(people) for people in junk.values()) >= 3


def test_identifiers_are_spelled_in_many_ways(medium):
    folder, _ = medium
    orders = (folder / "shop_orders.csv").read_text()
    crm = (folder / "crm_customers.csv").read_text()
    text = orders + crm
    assert re.search(r",[A-Z][a-z]+\.[A-Z][a-z]+@[A-Z]", text)  # John.Smith@Gmail.Com
    assert re.search(r", +[^,@]+@|[^, ]@[^,]+ +,", text)  # surrounding blanks
    assert "@googlemail.com" in text and re.search(r"\+[a-z]+@gmail\.com", text)
    for style in (
        r",0\d{4} \d{6},",
        r",\+44 \d{4} \d{6},",
        r",0044 \d{4}-\d{3}-\d{3},",
        r",\(0\)\d{10},",
        r",\+(33|49|1|353|31|34)",
    ):
        assert re.search(style, text), style


def test_people_appear_with_different_markers(medium):
    """CRM duplicates with other names, shared household tablets, shared home IPs."""
    folder, _ = medium
    owner = {(r["source_name"], r["record_key"]): r["person_id"] for r in truth(folder)}
    header, rows = csv_records(folder / "crm_customers.csv")
    accounts = defaultdict(list)
    for row in rows:
        if len(row) == len(header) and (person := owner.get(("crm_customers", row[0]))):
            accounts[person].append(row[header.index("first_name")])
    duplicated = [names for names in accounts.values() if len(names) > 1]
    assert duplicated and any(len(set(names)) > 1 for names in duplicated)
    app = pq.read_table(folder / "app_events.parquet", columns=["event_id", "device_id", "app_user_id"]).to_pylist()
    users_by_device = defaultdict(set)
    for event in app:
        if event["app_user_id"]:
            users_by_device[event["device_id"]].add(owner.get(("app_events", event["event_id"])))
    assert any(len(users) > 1 for users in users_by_device.values())
    web, _ = jsonl_records(folder / "web_events.jsonl")
    people_by_ip = defaultdict(set)
    for event in web:
        people_by_ip[event["ip_address"]].add(owner.get(("web_events", event["event_id"])))
    assert any(len(people) > 1 for people in people_by_ip.values())


def test_web_timestamps_carry_offsets_and_nothing_is_in_the_future(small):
    folder, _ = small
    events, _ = jsonl_records(folder / "web_events.jsonl")
    stamps = [e["occurred_at"] for e in events if e["occurred_at"] not in gen.BAD_DATES]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in stamps)
    assert {"+00:00", "+01:00"} <= {s[-6:] for s in stamps}
    end = datetime(END.year, END.month, END.day, tzinfo=timezone.utc).timestamp() + 86_400
    assert max(datetime.fromisoformat(s).timestamp() for s in stamps) < end


def test_sign_up_comes_before_any_signed_in_event(medium):
    folder, _ = medium
    events, _ = jsonl_records(folder / "web_events.jsonl")
    first: dict[str, datetime] = {}
    signups = {}
    for e in events:
        if e["user_id"] and e["occurred_at"] not in gen.BAD_DATES:
            at = datetime.fromisoformat(e["occurred_at"])
            first[e["user_id"]] = min(first.get(e["user_id"], at), at)
            if e["event_type"] == "signup":
                signups[e["user_id"]] = at
    assert signups
    assert all(first[user] >= at for user, at in signups.items())


def test_qr_rescans_point_at_till_receipts(medium):
    folder, _ = medium
    scans, _ = jsonl_records(folder / "qr_scans.jsonl")
    header, rows = csv_records(folder / "pos_transactions.csv")
    receipts = {row[0] for row in rows}
    in_store = [s for s in scans if s["scan_type"] == "in_store"]
    online_codes = {s["qr_code_id"] for s in scans if s["scan_type"] == "online" and s["anonymous_id"]}
    assert in_store and all(s["transaction_id"] and s["store_id"] for s in in_store)
    # All but the receipts whose key a malformed row lost.
    assert sum(s["transaction_id"] in receipts for s in in_store) >= 0.97 * len(in_store)
    assert sum(s["qr_code_id"] in online_codes for s in in_store) >= 0.97 * len(in_store)


# --- the purchase process -------------------------------------------------------------------------


def test_purchases_follow_the_bg_nbd_process(medium):
    folder, _ = medium
    params = json.loads((folder / "_truth" / "generator_params.json").read_text())["processes"]["purchase"]
    persons = pq.read_table(folder / "_truth" / "persons.parquet").to_pylist()
    buyers = [p for p in persons if p["segment"] == "buyer"]
    end = datetime(END.year, END.month, END.day, tzinfo=timezone.utc).timestamp() + 86_400
    age_days = np.array([(end - p["acquired_at"].timestamp()) / 86_400 for p in buyers])
    expected = 1 + bg_nbd_expected_repeats(age_days, params["r"], params["alpha"], params["a"], params["b"])
    observed = np.array([p["purchases"] for p in buyers], dtype=float)
    standard_error = observed.std(ddof=1) / np.sqrt(len(observed))
    assert standard_error < 0.05 * expected.mean()  # the check below can fail
    assert abs(observed.mean() - expected.mean()) < 3.5 * standard_error, (observed.mean(), expected.mean())
    # Counts are heavy-tailed; the share of buyers without a repeat purchase is sharper:
    # P(X(t) = 0) = (alpha / (alpha + t))^r, as nobody drops out before a repeat purchase.
    no_repeat = np.mean((params["alpha"] / (params["alpha"] + age_days)) ** params["r"])
    share_error = np.sqrt(no_repeat * (1 - no_repeat) / len(observed))
    assert abs(np.mean(observed == 1) - no_repeat) < 3.5 * share_error, (np.mean(observed == 1), no_repeat)

    # The files hold those purchases: orders that were not cancelled and till sales.
    owner = {(r["source_name"], r["record_key"]): r["person_id"] for r in truth(folder)}
    recorded: Counter[str] = Counter()
    for name, keep in (
        ("shop_orders", lambda row, h: row[h.index("status")] != "cancelled"),
        ("pos_transactions", lambda row, h: row[h.index("transaction_type")] == "sale"),
    ):
        header, rows = csv_records(folder / gen.file_name(SOURCES_BY_NAME[name]))
        seen = set()
        for row in rows:
            key = row[0]
            if key and key not in seen and len(row) == len(header) and keep(row, header):
                seen.add(key)
                recorded[owner[(name, key)]] += 1
    true_total = observed.sum()
    assert 0.985 * true_total <= sum(recorded.values()) <= true_total


def test_spend_follows_the_gamma_gamma_process(medium):
    folder, _ = medium
    spend = json.loads((folder / "_truth" / "generator_params.json").read_text())["processes"]["spend"]
    expected = spend["p"] * spend["gamma"] / (spend["q"] - 1)
    persons = pq.read_table(folder / "_truth" / "persons.parquet", columns=["segment", "mean_spend_gbp"]).to_pylist()
    true_means = np.array([p["mean_spend_gbp"] for p in persons if p["segment"] == "buyer"])
    assert abs(true_means.mean() / expected - 1) < 0.08
    header, rows = csv_records(folder / "shop_order_lines.csv")
    baskets: defaultdict[str, float] = defaultdict(float)
    for row in rows:  # the contract's plain decimals only: malformed amounts are skipped
        if len(row) == len(header) and row[3].isdigit() and re.fullmatch(r"\d+\.\d\d", row[4]):
            baskets[row[1]] += int(row[3]) * float(row[4])
    header, rows = csv_records(folder / "shop_orders.csv")
    gbp = {row[0] for row in rows if len(row) == len(header) and row[header.index("currency")] == "GBP"}
    values = np.array([value for order, value in baskets.items() if order in gbp])
    assert abs(values.mean() / expected - 1) < 0.08, values.mean()
