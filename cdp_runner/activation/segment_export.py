"""Consent-aware exports of segments to declared destinations.

Guarantees (docs/audiences-and-exports.md):
- consent: only customers opted in (and contactable, for e-mail, SMS and push) for the destination's channel are
  exported, read from marts.customer_consent at export time, whatever the segment's own conditions say;
- privacy: a destination that does not allow raw personal data gets no column tagged `meta: {pii: true}` (read from
  dbt's manifest), except e-mail and phone hashed with SHA-256; a destination breaking that is refused before anything
  is read or written;
- determinism: rows sorted, columns in declared order, and the manifest names the build by the warehouse's build
  time, not the wall clock: the same export of the same build gives byte-identical files;
- atomicity: every file is written to a temporary file in the target folder, fsynced and renamed; the manifest last;
- diff mode: additions and removals against the last export of the same segment to the same destination, from state
  kept in the warehouse (state.py: keys and hashes of the rows sent, never the rows);
- erasure: people erased since the last export are sent as deletions (rows `erased` in a diff, a companion file
  `<segment>.full.erasures.<ext>` beside a full export), then forgotten by the state too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..config import warehouse_path
from ..errors import UserError
from ..manifest import column_pii_tags, project_models
from ..warehouse import connect
from . import state
from .destinations import CHANNEL_CONSENT, FORMATS, Destination, get_destination, load_destinations
from .files import atomic_write, file_sha256, write_manifest, write_rows
from .segments import get_segment
from .state import HASHERS, sha256_email, sha256_phone

__all__ = ["ExportResult", "check_policy", "export_segment", "sha256_email", "sha256_phone"]

MODES = ("full", "diff")
# Exported columns come from the wide customer view; member_since_date from the segment membership itself.
PROFILE_MODEL = "customer_profile"
MEMBERSHIP_MODEL = "segment_membership"
MEMBERSHIP_COLUMNS = ("member_since_date",)
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


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
    erased: int = 0  # deletions of erased people sent (diff: rows 'erased', counted in removed; full: erasures_file)
    erasures_file: Path | None = None
    # Why members are not in the file: the segment's members, those without the channel's consent, those left without
    # any identifier (e.g. no e-mail or phone to hash), and rows that were identical once hashed
    members: int = 0
    without_consent: int = 0
    without_identifier: int = 0
    channel_consent: str = ""
    identifier_sources: tuple[str, ...] = ()
    consenting_customers: int = 0  # customers of the whole warehouse with the channel's consent


def check_policy(destination: Destination, models: dict[str, dict[str, Any]]) -> None:
    """Refuse (UserError) a destination that would receive a raw PII column it is not allowed, or an undocumented one;
    `models` are the manifest's models, whose columns carry the pii tags."""
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


def _sort_key(values: Iterable[object]) -> tuple:
    return tuple((value is None, str(value)) for value in values)


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
    models = project_models(warehouse=warehouse)
    segment = get_segment(segment_name, models)
    destinations = load_destinations(destinations_file)
    destination = get_destination(destination_name, destinations_file, destinations)
    check_policy(destination, models)
    database = warehouse_path(warehouse)
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run 'cdp load' and 'cdp build' first")

    folder = Path(out_dir).resolve() if out_dir else destination.folder
    extension = FORMATS[destination.format]
    data_file = folder / f"{segment.name}.{mode}{extension}"
    manifest_file = folder / f"{segment.name}.{mode}.manifest.json"
    erasures_file = folder / f"{segment.name}.{mode}.erasures{extension}"
    names = [column.name for column in destination.columns]
    keys = {column.name: form for column in destination.columns if (form := state.key_form(column))}

    with connect(database) as con:
        build_time = _build_time(con, segment.name)
        current, counts = _current_rows(con, segment.name, destination)
        state.prepare(con, destinations)
        sent = [state.sent_row(customer_id, destination, row) for customer_id, row in current]
        erased = sorted(set(state.pending_notices(con, destination.name, segment.name)), key=_sort_key)
        details: dict[str, object] = {}
        if mode == "full":
            # Customers sharing an e-mail give identical hashed rows: a destination gets each row once.
            rows = sorted({row for _, row in current}, key=_sort_key)
            added, removed = len(rows), 0
            if erased:
                atomic_write(erasures_file, lambda temporary: write_rows(temporary, destination.format, names, erased))
                details = {"erasures_file": erasures_file.name, "erasures_sha256": file_sha256(erasures_file)}
        else:
            previous = state.baseline(con, destination.name, segment.name, build_time)
            before = {(row.customer_id, row.row_sha256) for row in previous}
            now = {(row.customer_id, row.row_sha256) for row in sent}
            additions = {
                ("added", *row)
                for (_, row), entry in zip(current, sent, strict=True)
                if (entry.customer_id, entry.row_sha256) not in before
            }
            removals = {("removed", *row.keys) for row in previous if (row.customer_id, row.row_sha256) not in now}
            erasures = {("erased", *keys) for keys in erased}
            rows = sorted(additions | removals | erasures, key=_sort_key)
            names = ["change", *names]
            added, removed = len(additions), len(removals) + len(erasures)
        details["keys"] = keys

        atomic_write(data_file, lambda temporary: write_rows(temporary, destination.format, names, rows))
        checksum = file_sha256(data_file)
        if mode == "full" and not erased:
            erasures_file.unlink(missing_ok=True)  # an earlier export's notices, delivered then
        write_manifest(
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
                "erased": len(erased),
                "sha256": checksum,
                "build_time": build_time.isoformat(sep=" "),
                **details,
            },
        )
        state.save(con, destination.name, segment.name, build_time, sent)

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
        erased=len(erased),
        erasures_file=erasures_file if mode == "full" and erased else None,
        members=counts.members,
        without_consent=counts.without_consent,
        without_identifier=counts.without_identifier,
        channel_consent=CHANNEL_CONSENT[destination.channel],
        identifier_sources=tuple(column.source for column in destination.columns if column.is_identifier),
        consenting_customers=counts.consenting_customers,
    )


@dataclass(frozen=True)
class MemberCounts:
    members: int
    without_consent: int
    without_identifier: int
    consenting_customers: int


def _build_time(con: duckdb.DuckDBPyConnection, segment_name: str) -> dt.datetime:
    try:
        built = con.execute(
            "select max(built_at), count(*) filter (where segment_name = ?) from marts.audience_segments",
            [segment_name],
        ).fetchall()[0]
    except duckdb.Error as error:
        raise UserError("the warehouse has no segments yet: run 'cdp build' first") from error
    if not built[1]:
        raise UserError(f"segment '{segment_name}' is declared but not built into the warehouse yet: run 'cdp build'")
    return built[0]


def _current_rows(
    con: duckdb.DuckDBPyConnection, segment_name: str, destination: Destination
) -> tuple[list[tuple[str, tuple]], MemberCounts]:
    """(customer_id, output row) of the consenting members with at least one identifier, each pair once, and
    how many members the consent and the identifiers left out."""
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
        raise UserError(
            f"cannot read segment '{segment_name}' for destination '{destination.name}': {error}"
        ) from error
    rows: dict[tuple[str, str], tuple[str, tuple]] = {}
    without_identifier = 0
    members = con.execute(
        "select count(*) from marts.segment_membership where segment_name = ?", [segment_name]
    ).fetchall()[0][0]
    consenting = con.execute(
        f"select count(*) from marts.customer_consent where {CHANNEL_CONSENT[destination.channel]}"
    ).fetchall()[0][0]
    for record in records:
        values = dict(zip(sources, record[1:], strict=True))
        row = tuple(
            HASHERS[column.source](values[column.source]) if column.hash else values[column.source]
            for column in destination.columns
        )
        if all(value is None for value, column in zip(row, destination.columns, strict=True) if column.is_identifier):
            without_identifier += 1
            continue
        rows[(record[0], state.row_json(row))] = (record[0], row)
    return [rows[key] for key in sorted(rows)], MemberCounts(
        members, members - len(records), without_identifier, consenting
    )
