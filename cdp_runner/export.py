"""Consent-aware exports of segments to declared destinations, and the public marts as Parquet for BI tools.

Guarantees (docs/audiences-and-exports.md):
- consent: only customers opted in (and contactable, for e-mail, SMS and push) for the destination's channel are
  exported, read from marts.customer_consent at export time, whatever the segment's own conditions say;
- privacy: a destination that does not allow raw personal data gets no column tagged `meta: {pii: true}` in the
  models' yml, except e-mail and phone hashed with SHA-256; a destination breaking that is refused before anything
  is read or written;
- determinism: rows sorted, columns in declared order, and the manifest names the build by the warehouse's build
  time, not the wall clock: the same export of the same build gives byte-identical files;
- atomicity: every file is written to a temporary file in the target folder, fsynced and renamed; the manifest last;
- diff mode: additions and removals against the last export of the same segment to the same destination, from state
  kept in the warehouse (cdp_meta.export_state, with a customer_id column so erasure can find it).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import yaml

from .config import META_SCHEMA, PROJECT_DIR, warehouse_path
from .errors import UserError
from .segments import get_segment
from .warehouse import connect, scalar

DESTINATIONS_FILE = PROJECT_DIR / "activation" / "destinations.yml"
MODELS_DIR = PROJECT_DIR / "models"

FORMATS = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
MODES = ("full", "diff")
# The consent column of marts.customer_consent each channel requires.
CHANNEL_CONSENT = {
    "email": "is_email_contactable",
    "sms": "is_sms_contactable",
    "push": "is_push_contactable",
    "advertising": "is_advertising_opted_in",
}
IDENTIFIERS = ("customer_id", "email", "phone")
HASHABLE = ("email", "phone")
# Exported columns come from the wide customer view; member_since_date from the segment membership itself.
PROFILE_MODEL = "customer_profile"
MEMBERSHIP_MODEL = "segment_membership"
MEMBERSHIP_COLUMNS = ("member_since_date",)
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

STATE_DDL = f"""
create table if not exists {META_SCHEMA}.export_state (
    destination varchar not null,
    segment_name varchar not null,
    customer_id varchar not null,
    row_json varchar not null,
    built_at timestamp not null
)
"""


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


@dataclass
class ExportResult:
    segment: str
    destination: str
    mode: str
    file: Path
    manifest: Path
    rows: int
    added: int
    removed: int
    sha256: str
    build_time: str


@dataclass
class MartsResult:
    folder: Path
    manifest: Path
    tables: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------------------------------


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
    duplicates = sorted({output for output in names if names.count(output) > 1})
    if duplicates:
        raise UserError(f"{where}: output column name(s) used twice: {', '.join(duplicates)}")
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
    if not isinstance(item, dict) or item.get("identifier") not in IDENTIFIERS or set(item) - {"identifier", "as", "hash"}:
        raise UserError(f"{where}: identifier {item!r}: expected {{identifier: customer_id|email|phone, as: NAME, hash: sha256}}")
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


def get_destination(name: str, path: Path | None = None) -> Destination:
    destinations = load_destinations(path)
    if name not in destinations:
        known = ", ".join(sorted(destinations)) or "none"
        raise UserError(f"unknown destination '{name}' (declared in {(Path(path) if path else DESTINATIONS_FILE).name}: {known})")
    return destinations[name]


# --------------------------------------------------------------------------------------------------------------------
# Governance: what the models' yml says about columns
# --------------------------------------------------------------------------------------------------------------------


def model_properties(models_dir: Path = MODELS_DIR) -> dict[str, dict]:
    """Every model's properties from the project's yml files, by model name (the same files dbt reads)."""
    models: dict[str, dict] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for model in document.get("models") or []:
            if isinstance(model, dict) and model.get("name"):
                models[model["name"]] = model
    return models


def column_pii_tags(model: dict) -> dict[str, bool]:
    """{column: tagged pii} for the documented columns of a model (meta or config.meta, as dbt accepts both)."""
    tags = {}
    for column in model.get("columns") or []:
        meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
        tags[column["name"]] = bool(meta.get("pii"))
    return tags


def check_policy(destination: Destination, models: dict[str, dict] | None = None) -> None:
    """Refuse (UserError) a destination that would receive a raw PII column it is not allowed, or an undocumented one."""
    models = model_properties() if models is None else models
    documented = column_pii_tags(models.get(PROFILE_MODEL, {}))
    membership = column_pii_tags(models.get(MEMBERSHIP_MODEL, {}))
    documented.update({name: membership[name] for name in MEMBERSHIP_COLUMNS if name in membership})
    for column in destination.columns:
        if column.source not in documented:
            raise UserError(
                f"destination '{destination.name}': column '{column.source}' is not a documented column of "
                f"{PROFILE_MODEL} (or {', '.join(MEMBERSHIP_COLUMNS)}), so whether it holds personal data is unknown"
            )
        if documented[column.source] and column.hash is None and not destination.allow_raw_pii:
            raise UserError(
                f"destination '{destination.name}' does not allow raw personal data, but would receive "
                f"'{column.source}' (tagged pii in {PROFILE_MODEL}) as '{column.name}': hash it (hash: sha256, "
                f"e-mail and phone only) or remove it; nothing was written"
            )


# --------------------------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------------------------


def sha256_email(email: str | None) -> str | None:
    """SHA-256 hex of the e-mail lower-cased and trimmed (what advertising platforms match on)."""
    if email is None or not email.strip():
        return None
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def sha256_phone(phone: str | None) -> str | None:
    """SHA-256 hex of the phone in E.164 (+ and digits only); None when it is not E.164."""
    if phone is None:
        return None
    compact = re.sub(r"[\s().-]", "", phone)
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", compact):
        return None
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()


HASHERS = {"email": sha256_email, "phone": sha256_phone}


def _plain(value: object) -> object:
    """A value as JSON and CSV carry it: dates as ISO text, decimals as numbers."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _sort_key(values: Iterable[object]) -> tuple:
    return tuple((value is None, str(value)) for value in values)


# --------------------------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------------------------


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """write(temporary path) in the target folder, fsync, then rename over `path`: readers see all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _write_rows(path: Path, fmt: str, names: list[str], rows: list[tuple]) -> None:
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            for row in rows:
                writer.writerow(["" if value is None else _csv_text(value) for value in row])
    elif fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as handle:
            for row in rows:
                record = {name: _plain(value) for name, value in zip(names, row)}
                handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {name: [row[index] for row in rows] for index, name in enumerate(names)}
        pq.write_table(pa.table(columns), path)


def _csv_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    plain = _plain(value)
    return str(plain)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(path: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


# --------------------------------------------------------------------------------------------------------------------
# Export a segment
# --------------------------------------------------------------------------------------------------------------------


def export_segment(
    segment_name: str,
    destination_name: str,
    *,
    mode: str = "full",
    warehouse: str | Path | None = None,
    destinations_file: Path | None = None,
    out_dir: Path | None = None,
) -> ExportResult:
    """Write SEGMENT for DESTINATION (all checks first: a refusal writes nothing)."""
    if mode not in MODES:
        raise UserError(f"mode must be one of {', '.join(MODES)}, not '{mode}'")
    segment = get_segment(segment_name)
    destination = get_destination(destination_name, destinations_file)
    check_policy(destination)
    database = warehouse_path(warehouse)
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run 'cdp load' and 'cdp build' first")

    folder = Path(out_dir).resolve() if out_dir else destination.folder
    data_file = folder / f"{segment.name}.{mode}{FORMATS[destination.format]}"
    manifest_file = folder / f"{segment.name}.{mode}.manifest.json"
    names = [column.name for column in destination.columns]

    with connect(database) as con:
        build_time = _build_time(con, segment.name)
        current = _current_rows(con, segment.name, destination)
        con.execute(STATE_DDL)
        if mode == "full":
            # Customers sharing an e-mail give identical hashed rows: a destination gets each row once.
            rows = sorted(set(current.values()), key=_sort_key)
            added, removed = len(rows), 0
        else:
            baseline = _baseline_rows(con, destination.name, segment.name, build_time)
            additions = [("added", *row) for key, row in current.items() if key not in baseline]
            removals = [("removed", *row) for key, row in baseline.items() if key not in current]
            rows = sorted(set(additions + removals), key=_sort_key)
            names = ["change", *names]
            added, removed = len(set(additions)), len(set(removals))

        atomic_write(data_file, lambda temporary: _write_rows(temporary, destination.format, names, rows))
        checksum = _file_sha256(data_file)
        _write_manifest(
            manifest_file,
            {
                "segment": segment.name,
                "segment_owner": segment.owner,
                "destination": destination.name,
                "consent_channel": destination.channel,
                "mode": mode,
                "format": destination.format,
                "file": data_file.name,
                "columns": names,
                "rows": len(rows),
                "added": added,
                "removed": removed,
                "sha256": checksum,
                "build_time": build_time.isoformat(sep=" "),
            },
        )
        _save_state(con, destination.name, segment.name, build_time, current)

    return ExportResult(
        segment=segment.name,
        destination=destination.name,
        mode=mode,
        file=data_file,
        manifest=manifest_file,
        rows=len(rows),
        added=added,
        removed=removed,
        sha256=checksum,
        build_time=build_time.isoformat(sep=" "),
    )


def _build_time(con: duckdb.DuckDBPyConnection, segment_name: str) -> dt.datetime:
    try:
        built = con.execute(
            "select max(built_at), count(*) filter (where segment_name = ?) from marts.audience_segments", [segment_name]
        ).fetchall()[0]
    except duckdb.Error as error:
        raise UserError("the warehouse has no segments yet: run 'cdp build' first") from error
    if not built[1]:
        raise UserError(f"segment '{segment_name}' is declared but not built into the warehouse yet: run 'cdp build'")
    return built[0]


def _current_rows(con: duckdb.DuckDBPyConnection, segment_name: str, destination: Destination) -> dict[tuple, tuple]:
    """{(customer_id, row as JSON): output row} of the consenting members with at least one identifier."""
    sources = sorted({column.source for column in destination.columns})
    select = ", ".join(
        f"membership.{source}" if source in MEMBERSHIP_COLUMNS else f"profile.{source}" for source in sources
    )
    sql = f"""
        select membership.customer_id as _customer_id, {select}
        from marts.segment_membership as membership
        inner join marts.customer_consent as consent
            on membership.customer_id = consent.customer_id
        inner join marts.{PROFILE_MODEL} as profile
            on membership.customer_id = profile.customer_id
        where membership.segment_name = ? and consent.{CHANNEL_CONSENT[destination.channel]}
    """
    try:
        records = con.execute(sql, [segment_name]).fetchall()
    except duckdb.Error as error:
        raise UserError(f"cannot read segment '{segment_name}' for destination '{destination.name}': {error}") from error
    rows: dict[tuple, tuple] = {}
    for record in records:
        values = dict(zip(sources, record[1:]))
        row = tuple(
            HASHERS[column.source](values[column.source]) if column.hash else values[column.source]
            for column in destination.columns
        )
        if all(value is None for value, column in zip(row, destination.columns) if column.is_identifier):
            continue
        rows[(record[0], _row_json(row))] = row
    return rows


def _row_json(row: tuple) -> str:
    return json.dumps([_plain(value) for value in row], ensure_ascii=False, separators=(",", ":"))


def _baseline_rows(con, destination: str, segment_name: str, build_time: dt.datetime) -> dict[tuple, tuple]:
    """Rows of the last export of this segment to this destination made from an earlier build: exporting the same
    build again diffs against the same baseline, so it rewrites the same file."""
    records = con.execute(
        f"""
        select customer_id, row_json from {META_SCHEMA}.export_state
        where destination = ? and segment_name = ? and built_at = (
            select max(built_at) from {META_SCHEMA}.export_state
            where destination = ? and segment_name = ? and built_at < ?
        )
        """,
        [destination, segment_name, destination, segment_name, build_time],
    ).fetchall()
    return {(customer_id, row_json): tuple(json.loads(row_json)) for customer_id, row_json in records}


def _save_state(con, destination: str, segment_name: str, build_time: dt.datetime, rows: dict[tuple, tuple]) -> None:
    """Keep this build's rows and the baseline they were compared with; older generations are dropped."""
    con.execute("begin transaction")
    try:
        con.execute(
            f"""
            delete from {META_SCHEMA}.export_state
            where destination = ? and segment_name = ? and (
                built_at = ? or built_at < coalesce((
                    select max(built_at) from {META_SCHEMA}.export_state
                    where destination = ? and segment_name = ? and built_at < ?
                ), ?)
            )
            """,
            [destination, segment_name, build_time, destination, segment_name, build_time, build_time],
        )
        if rows:
            con.executemany(
                f"insert into {META_SCHEMA}.export_state values (?, ?, ?, ?, ?)",
                [[destination, segment_name, customer_id, row_json, build_time] for customer_id, row_json in sorted(rows)],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


# --------------------------------------------------------------------------------------------------------------------
# Public marts as Parquet
# --------------------------------------------------------------------------------------------------------------------


def public_marts(models: dict[str, dict] | None = None) -> list[str]:
    """Models declared `access: public` in their yml (the marts BI tools may read)."""
    models = model_properties() if models is None else models
    return sorted(
        name
        for name, model in models.items()
        if (model.get("config") or {}).get("access", model.get("access")) == "public"
    )


def export_marts(
    out_dir: Path,
    *,
    warehouse: str | Path | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> MartsResult:
    """Every public mart built in the warehouse as DIR/<mart>.parquet, atomically, then DIR/_manifest.json."""
    database = warehouse_path(warehouse)
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run 'cdp load' and 'cdp build' first")
    folder = Path(out_dir).resolve()
    result = MartsResult(folder=folder, manifest=folder / "_manifest.json")
    with connect(database, read_only=True) as con:
        built = {row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()}
        marts = [name for name in public_marts() if name in built]
        if not marts:
            raise UserError(f"no public marts in {database}: run 'cdp build' first")
        build_time = scalar(con, "select max(built_at) from marts.audience_segments") if "audience_segments" in built else None
        entries = {}
        for index, name in enumerate(marts):
            target = folder / f"{name}.parquet"
            atomic_write(
                target,
                lambda temporary, name=name: con.execute(
                    f"copy (select * from marts.{name}) to '{temporary}' (format parquet)"
                ),
            )
            rows = scalar(con, f"select count(*) from marts.{name}")
            entries[name] = {"file": target.name, "rows": rows, "sha256": _file_sha256(target)}
            result.tables[name] = rows
            if on_progress:
                on_progress(index + 1, len(marts), name)
    _write_manifest(
        result.manifest,
        {"build_time": build_time.isoformat(sep=" ") if build_time else None, "tables": entries},
    )
    return result


# --------------------------------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------------------------------


def print_export(result: ExportResult) -> None:
    from .report import console

    change = f" ({result.added:,} added, {result.removed:,} removed)" if result.mode == "diff" else ""
    console.print(
        f"exported {result.rows:,} rows{change} of segment {result.segment} to {result.destination} "
        f"(build {result.build_time}): {result.file}"
    )
    console.print(f"manifest: {result.manifest}")


def print_marts(result: MartsResult) -> None:
    from rich.table import Table

    from .report import console

    table = Table(title=f"Public marts written to {result.folder}", show_edge=False)
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for name, rows in result.tables.items():
        table.add_row(f"{name}.parquet", f"{rows:,}")
    console.print(table)
    console.print(f"manifest: {result.manifest}")
