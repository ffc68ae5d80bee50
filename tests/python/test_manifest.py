"""The runner reads what dbt knows about the models (pii tags, access, segment declarations) from dbt's manifest."""

from __future__ import annotations

import pytest

from cdp_runner.errors import UserError
from cdp_runner.manifest import column_pii_tags, project_models, properties_file


def test_a_missing_manifest_is_written_by_dbt_parse_first(tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    models = project_models(warehouse=tmp_path / "warehouse.duckdb")
    assert (tmp_path / "target" / "manifest.json").exists()
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
