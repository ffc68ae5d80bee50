"""Export destinations, declared in activation/destinations.yml and checked for shape before anything is exported."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import PROJECT_DIR
from ..errors import UserError

DESTINATIONS_FILE = PROJECT_DIR / "activation" / "destinations.yml"

FORMATS = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
# The consent column of marts.customer_consent each channel requires.
CHANNEL_CONSENT = {
    "email": "is_email_contactable",
    "sms": "is_sms_contactable",
    "push": "is_push_contactable",
    "advertising": "is_advertising_opted_in",
}
IDENTIFIERS = ("customer_id", "email", "phone")
HASHABLE = ("email", "phone")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class OutputColumn:
    source: str
    name: str
    hash: str | None = None
    is_identifier: bool = False


@dataclass(frozen=True)
class Destination:
    name: str
    description: str
    format: str
    folder: Path
    channel: str
    allow_raw_pii: bool
    columns: tuple[OutputColumn, ...]


def load_destinations(path: Path | None = None) -> dict[str, Destination]:
    """The destinations of `path` (activation/destinations.yml), checked for shape."""
    path = Path(path) if path else DESTINATIONS_FILE
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"cannot read the destinations file {path}: {error}") from error
    declared = document.get("destinations")
    if not isinstance(declared, dict):
        raise UserError(f"{path}: expected a mapping 'destinations:' of destination names to settings")
    return {name: _destination(name, settings, path) for name, settings in declared.items()}


def _destination(name: str, settings: object, path: Path) -> Destination:
    where = f"{path.name}: destination '{name}'"
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise UserError(f"{where}: names are lower case letters, digits and _")
    if not isinstance(settings, dict):
        raise UserError(f"{where}: expected a mapping of settings")
    unknown = set(settings) - {"description", "format", "folder", "channel", "allow_raw_pii", "identifiers", "columns"}
    if unknown:
        raise UserError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    fmt = settings.get("format")
    if fmt not in FORMATS:
        raise UserError(f"{where}: format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    channel = settings.get("channel")
    if channel not in CHANNEL_CONSENT:
        raise UserError(f"{where}: channel (the consent that applies) must be one of {', '.join(CHANNEL_CONSENT)}")
    if not isinstance(settings.get("allow_raw_pii"), bool):
        raise UserError(f"{where}: allow_raw_pii must be true or false")
    if not settings.get("folder"):
        raise UserError(f"{where}: folder is required")
    columns = [_identifier(item, where) for item in settings.get("identifiers") or []]
    if not columns:
        raise UserError(f"{where}: at least one identifier (customer_id, email or phone) is required")
    columns += [_column(item, where) for item in settings.get("columns") or []]
    names = [column.name for column in columns]
    used_twice = sorted({output for output in names if names.count(output) > 1})
    if used_twice:
        raise UserError(f"{where}: output column name(s) used twice: {', '.join(used_twice)}")
    return Destination(
        name=name,
        description=str(settings.get("description") or "").strip(),
        format=fmt,
        folder=(path.parent / str(settings["folder"])).resolve(),
        channel=channel,
        allow_raw_pii=settings["allow_raw_pii"],
        columns=tuple(columns),
    )


def _identifier(item: object, where: str) -> OutputColumn:
    if (
        not isinstance(item, dict)
        or item.get("identifier") not in IDENTIFIERS
        or set(item) - {"identifier", "as", "hash"}
    ):
        raise UserError(
            f"{where}: identifier {item!r}: expected {{identifier: customer_id|email|phone, as: NAME, hash: sha256}}"
        )
    hashing = item.get("hash")
    if hashing is not None and (hashing != "sha256" or item["identifier"] not in HASHABLE):
        raise UserError(f"{where}: identifier {item!r}: only email and phone can be hashed, with hash: sha256")
    return OutputColumn(item["identifier"], _output_name(item, item["identifier"], where), hashing, True)


def _column(item: object, where: str) -> OutputColumn:
    if not isinstance(item, dict) or not isinstance(item.get("column"), str) or set(item) - {"column", "as"}:
        raise UserError(f"{where}: column {item!r}: expected {{column: NAME, as: OUTPUT_NAME}}")
    return OutputColumn(item["column"], _output_name(item, item["column"], where))


def _output_name(item: dict, default: str, where: str) -> str:
    name = item.get("as") or default
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise UserError(f"{where}: output name {name!r}: lower case letters, digits and _")
    return name


def get_destination(name: str, path: Path | None = None, declared: dict[str, Destination] | None = None) -> Destination:
    """The destination `name` of the file `path` (`declared`: its destinations, when already read)."""
    destinations = load_destinations(path) if declared is None else declared
    if name not in destinations:
        known = ", ".join(sorted(destinations)) or "none"
        raise UserError(
            f"unknown destination '{name}' (declared in {(Path(path) if path else DESTINATIONS_FILE).name}: {known})"
        )
    return destinations[name]
