"""The runner reads what dbt knows about the models (pii tags, access, segment declarations) from dbt's manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdp_runner.dbt import run_dbt
from cdp_runner.errors import UserError
from cdp_runner.manifest import column_pii_tags, project_models, properties_file


def test_a_missing_manifest_is_written_by_dbt_parse_first(tmp_path, dbt_target):
    assert not (dbt_target / "manifest.json").exists()
    models = project_models(warehouse=tmp_path / "warehouse.duckdb")
    assert (dbt_target / "manifest.json").exists()
    assert models["customer_profile"]["access"] == "public"
    tags = column_pii_tags(models["customer_profile"])
    assert tags["email"] is True and tags["customer_id"] is False
    assert properties_file(models["audience_segments"]).name == "_audiences__segments.yml"
    assert all(name.startswith(("base_", "stg_")) for name in models if "__" in name)


def test_an_unreadable_manifest_is_a_one_line_error(tmp_path, monkeypatch):
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{not json")
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    with pytest.raises(UserError, match=r"^cannot read dbt's manifest .*manifest\.json: ") as raised:
        project_models()
    assert "\n" not in str(raised.value)


def test_a_command_with_vars_of_its_own_costs_the_next_command_no_full_parse(tmp_path, dbt_target, monkeypatch):
    """dbt parses the whole project again when the vars differ from its saved state's; the runner keeps a state per
    vars value (and dbt target), so that an as-of-date run does not make the next ordinary command parse in full."""
    logs = tmp_path / "logs"
    monkeypatch.setenv("DBT_LOG_PATH", str(logs))
    for args in (["parse"], ["parse", "--vars", "{as_of_date: '2025-01-01'}"], ["parse"]):
        assert run_dbt(args, warehouse=tmp_path / "warehouse.duckdb").success, args
    plain, with_vars, plain_again = _events_per_invocation(logs / "dbt.log")
    assert "UnableToPartialParse" in with_vars  # other vars than the saved state's: parsed in full
    assert "PartialParsingSkipParsing" in plain_again and "UnableToPartialParse" not in plain_again
    assert len(list(dbt_target.glob("partial_parse*.msgpack"))) == 2


def _events_per_invocation(log: Path) -> list[set[str]]:
    """The names of the events of each dbt invocation in a JSON log, in order."""
    invocations: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        info = json.loads(line)["info"]
        invocations.setdefault(info["invocation_id"], set()).add(info["name"])
    return list(invocations.values())
