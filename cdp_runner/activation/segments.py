"""The segment declarations, as dbt parsed them: `config.meta.segments` of the model `audience_segments` in dbt's
manifest (see docs/audiences-and-exports.md; the marketer edits them in that model's yml). dbt checks their
conditions against the columns of int_audience_customer_attributes when it builds; the runner only needs their names,
descriptions and owners, to refuse an unknown segment before touching anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..manifest import project_models, properties_file

CATALOGUE_MODEL = "audience_segments"


@dataclass(frozen=True)
class Segment:
    name: str
    description: str
    owner: str
    conditions: list


def load_segments(
    models: dict[str, dict[str, Any]] | None = None, *, warehouse: str | Path | None = None
) -> dict[str, Segment]:
    """Declared segments by name, in declaration order; `models` are the manifest's models (read when not given)."""
    models = project_models(warehouse=warehouse) if models is None else models
    model = models.get(CATALOGUE_MODEL)
    if model is None:
        raise UserError(f"dbt's manifest has no model {CATALOGUE_MODEL}, which holds the segments")
    declared = ((model.get("config") or {}).get("meta") or {}).get("segments") or []
    segments: dict[str, Segment] = {}
    for entry in declared:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise UserError(f"{properties_file(model)}: a segment has no name: {entry!r}")
        segments[name] = Segment(
            name=name,
            description=str(entry.get("description") or "").strip(),
            owner=str(entry.get("owner") or "").strip(),
            conditions=list(entry.get("conditions") or []),
        )
    return segments


def get_segment(
    name: str, models: dict[str, dict[str, Any]] | None = None, *, warehouse: str | Path | None = None
) -> Segment:
    """The declared segment called `name`; a UserError listing the declared ones otherwise."""
    models = project_models(warehouse=warehouse) if models is None else models
    segments = load_segments(models)
    if name not in segments:
        known = ", ".join(sorted(segments)) or "none"
        declared_in = properties_file(models[CATALOGUE_MODEL]).name
        raise UserError(f"unknown segment '{name}' (declared in {declared_in}: {known})")
    return segments[name]
