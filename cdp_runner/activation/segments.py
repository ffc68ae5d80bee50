"""The segment declarations, read from the same YAML file dbt compiles them from.

Segments live in `config.meta.segments` of the model `audience_segments`, in
models/marts/audiences/_audiences__segments.yml (see docs/audiences-and-exports.md). dbt checks their conditions
against the columns of int_audience_customer_attributes when it builds; the runner only needs their names,
descriptions and owners, to refuse an unknown segment before touching anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import PROJECT_DIR
from ..errors import UserError

SEGMENTS_FILE = PROJECT_DIR / "models" / "marts" / "audiences" / "_audiences__segments.yml"
CATALOGUE_MODEL = "audience_segments"


@dataclass(frozen=True)
class Segment:
    name: str
    description: str
    owner: str
    conditions: list


def load_segments(path: Path = SEGMENTS_FILE) -> dict[str, Segment]:
    """Declared segments by name, in file order."""
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"cannot read the segment declarations {path}: {error}") from error
    model = next((item for item in document.get("models") or [] if item.get("name") == CATALOGUE_MODEL), None)
    if model is None:
        raise UserError(f"{path} does not declare the model {CATALOGUE_MODEL}, which holds the segments")
    declared = ((model.get("config") or {}).get("meta") or {}).get("segments") or []
    segments: dict[str, Segment] = {}
    for entry in declared:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise UserError(f"{path}: a segment has no name: {entry!r}")
        segments[name] = Segment(
            name=name,
            description=str(entry.get("description") or "").strip(),
            owner=str(entry.get("owner") or "").strip(),
            conditions=list(entry.get("conditions") or []),
        )
    return segments


def get_segment(name: str, path: Path = SEGMENTS_FILE) -> Segment:
    """The declared segment called `name`; a UserError listing the declared ones otherwise."""
    segments = load_segments(path)
    if name not in segments:
        known = ", ".join(sorted(segments)) or "none"
        raise UserError(f"unknown segment '{name}' (declared in {path.name}: {known})")
    return segments[name]
