"""Segments: the declarations the runner reads are the ones dbt builds, a wrong condition stops dbt naming the
segment and the condition, and the membership history keeps entries and exits over builds."""

from __future__ import annotations

import copy
import json
import shutil

import duckdb
import pytest

from cdp_runner.activation.segments import CATALOGUE_MODEL, get_segment, load_segments
from cdp_runner.dbt import run_dbt
from cdp_runner.errors import UserError
from cdp_runner.manifest import project_models


def _rows(warehouse, sql, params=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_runner_reads_the_segments_dbt_built(built_warehouse):
    declared = load_segments()
    built = _rows(
        built_warehouse.warehouse, "select segment_name, segment_owner, condition_count from marts.audience_segments"
    )
    assert {name: (segment.owner, len(segment.conditions)) for name, segment in declared.items()} == {
        name: (owner, count) for name, owner, count in built
    }
    assert len(declared) >= 5


def test_declared_segments_select_what_their_conditions_say(built_warehouse):
    """The real declarations on the generated data, checked against the same conditions written by hand."""
    members = set(
        _rows(
            built_warehouse.warehouse,
            "select customer_id from marts.segment_membership where segment_name = 'lapsing_buyers_email'",
        )
    )
    expected = set(
        _rows(
            built_warehouse.warehouse,
            """select customer_id from intermediate.int_audience_customer_attributes
               where purchase_count >= 2 and days_since_last_purchase > 120 and is_email_contactable""",
        )
    )
    assert members == expected and len(members) > 20


def test_unknown_segment_is_a_user_error():
    assert get_segment("loyal_buyers_email").owner
    with pytest.raises(UserError, match="unknown segment 'no_such_segment'.*loyal_buyers_email"):
        get_segment("no_such_segment")


def _declarations() -> list[dict]:
    return copy.deepcopy(project_models()[CATALOGUE_MODEL]["config"]["meta"]["segments"])


BAD_CONDITIONS = [
    ({"column": "lifetime_spend", "operator": ">", "value": 100}, "unknown column 'lifetime_spend'"),
    ({"column": "purchase_count", "operator": "greater", "value": 3}, "unknown operator 'greater'"),
    ({"column": "purchase_count", "operator": ">=", "value": "three"}, "expected a number"),
    ({"column": "loyalty_tier", "operator": "between", "value": ["gold"]}, "needs a list of two values"),
    ({"column": "is_email_contactable", "operator": ">", "value": 1}, "is boolean"),
]


def test_invalid_conditions_fail_the_build_naming_each_segment_and_condition(tmp_path):
    """Copies of a real declaration, each with one condition broken, passed as var cdp_segments (the file stays
    intact): one compile reports every one of them."""
    segments = _declarations()
    broken = []
    for number, (condition, _) in enumerate(BAD_CONDITIONS):
        segment = copy.deepcopy(segments[1])
        segment["name"] = f"{segment['name']}_broken_{number}"
        segment["conditions"].append(condition)
        broken.append(segment)
    with pytest.raises(UserError) as raised:
        run_dbt(
            [
                "compile",
                "--select",
                "int_audience_segment_members",
                "--vars",
                json.dumps({"cdp_segments": segments + broken}),
            ],
            warehouse=tmp_path / "wh.duckdb",
        )
    message = str(raised.value)
    assert f"{len(BAD_CONDITIONS)} wrong segment condition(s)" in message
    for segment, (condition, reason) in zip(broken, BAD_CONDITIONS, strict=True):
        assert f"segment '{segment['name']}', condition {json.dumps(condition)}: " in message, condition
        problem = message.split(f"segment '{segment['name']}', condition ", 1)[1].split("; segment '", 1)[0]
        assert reason in problem, (reason, problem)
    for segment in segments:  # the valid declarations are not named
        assert f"segment '{segment['name']}'," not in message


def test_history_records_exits_and_entries_when_the_data_changes(built_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    before = {
        row[0]
        for row in _rows(
            warehouse, "select customer_id from marts.segment_membership where segment_name = 'loyal_buyers_email'"
        )
    }
    leaver = sorted(before)[0]
    joiner = _rows(
        warehouse,
        """select customer_id from intermediate.int_audience_customer_attributes
           where purchase_count >= 3 and not is_email_contactable and has_email order by customer_id limit 1""",
    )[0][0]
    # The customer withdraws e-mail consent; another becomes contactable (what a rebuild after new events gives).
    con = duckdb.connect(str(warehouse))
    con.execute("update marts.customer_consent set is_email_contactable = false where customer_id = ?", [leaver])
    con.execute("update marts.customer_consent set is_email_contactable = true where customer_id = ?", [joiner])
    con.close()

    outcome = run_dbt(
        ["build", "--select", "int_audience_customer_attributes+", "--exclude-resource-type", "unit_test"],
        warehouse=warehouse,
    )
    assert outcome.success, outcome.errors

    after = {
        row[0]
        for row in _rows(
            warehouse, "select customer_id from marts.segment_membership where segment_name = 'loyal_buyers_email'"
        )
    }
    assert after == (before - {leaver}) | {joiner}
    history = _rows(
        warehouse,
        """select customer_id, change_type from intermediate.int_audience_membership_history
           where segment_name = 'loyal_buyers_email' and customer_id in (?, ?) order by customer_id, changed_at""",
        [leaver, joiner],
    )
    assert [row for row in history if row[0] == leaver] == [(leaver, "entered"), (leaver, "exited")]
    assert [row for row in history if row[0] == joiner] == [(joiner, "entered")]
    latest = _rows(
        warehouse,
        """select customer_id, segment_name, change_type from marts.segment_membership_changes
           where is_latest_change order by customer_id, segment_name""",
    )
    assert (leaver, "loyal_buyers_email", "exited") in latest
    assert (joiner, "loyal_buyers_email", "entered") in latest
    assert all(segment != "loyal_buyers_email" or customer in (leaver, joiner) for customer, segment, _ in latest)
    # The member who stayed keeps the date of their first entry; the newcomer is a member since this build.
    since = dict(
        _rows(
            warehouse,
            "select customer_id, member_since_at from marts.segment_membership "
            "where segment_name = 'loyal_buyers_email'",
        )
    )
    stayer = sorted(before - {leaver})[0]
    assert since[stayer] < since[joiner]
