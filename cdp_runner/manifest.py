"""What dbt knows about the project's models, read from its manifest (target/manifest.json), never from the yml.

Every dbt command writes the manifest; when it is missing, `dbt parse` writes it first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .dbt import run_dbt, target_dir
from .errors import UserError


def project_models(*, warehouse: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The project's model nodes by name, as dbt parsed them (config, meta, columns, access)."""
    manifest = _read_manifest(warehouse)
    project = manifest.get("metadata", {}).get("project_name")
    return {
        node["name"]: node
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and node.get("package_name") == project
    }


def column_pii_tags(model: dict[str, Any]) -> dict[str, bool]:
    """{column: tagged pii} for the documented columns of a model (meta or config.meta, as dbt accepts both)."""
    tags = {}
    for name, column in (model.get("columns") or {}).items():
        meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
        tags[name] = bool(meta.get("pii"))
    return tags


def properties_file(node: dict[str, Any]) -> Path:
    """The yml file that declares a node's properties, relative to the project (its name for messages)."""
    patch_path = node.get("patch_path") or node.get("original_file_path") or ""
    return Path(patch_path.split("://", 1)[-1])


def _read_manifest(warehouse: str | Path | None) -> dict[str, Any]:
    path = target_dir() / "manifest.json"
    if not path.exists():
        run_dbt(["parse"], warehouse=warehouse)
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise UserError(f"cannot read dbt's manifest {path}: {' '.join(str(error).split())}") from None
