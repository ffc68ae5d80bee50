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
  kept in the warehouse (cdp_meta.export_state, with a customer_id column so erasure can find it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..config import META_SCHEMA, warehouse_path
from ..errors import UserError
from ..manifest import column_pii_tags, project_models
from ..warehouse import connect, plain_value
from .destinations import CHANNEL_CONSENT, FORMATS, Destination, get_destination
from .files import atomic_write, file_sha256, write_manifest, write_rows
from .segments import get_segment

MODES = ("full", "diff")
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
    destination = get_destination(destination_name, destinations_file)
    check_policy(destination, models)
    database = warehouse_path(warehouse)
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run 'cdp load' and 'cdp build' first")

    folder = Path(out_dir).resolve() if out_dir else destination.folder
    data_file = folder / f"{segment.name}.{mode}{FORMATS[destination.format]}"
    manifest_file = folder / f"{segment.name}.{mode}.manifest.json"
    names = [column.name for column in destination.columns]

    with connect(database) as con:
        build_time = _build_time(con, segment.name)
        current, counts = _current_rows(con, segment.name, destination)
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

        atomic_write(data_file, lambda temporary: write_rows(temporary, destination.format, names, rows))
        checksum = file_sha256(data_file)
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
) -> tuple[dict[tuple, tuple], MemberCounts]:
    """{(customer_id, row as JSON): output row} of the consenting members with at least one identifier, and how many
    members the consent and the identifiers left out."""
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
    members = con.execute(
        "select count(*) from marts.segment_membership where segment_name = ?", [segment_name]
    ).fetchall()[0][0]
    consenting = con.execute(
        f"select count(*) from marts.customer_consent where {CHANNEL_CONSENT[destination.channel]}"
    ).fetchall()[0][0]
    rows: dict[tuple, tuple] = {}
    without_identifier = 0
    for record in records:
        values = dict(zip(sources, record[1:], strict=True))
        row = tuple(
            HASHERS[column.source](values[column.source]) if column.hash else values[column.source]
            for column in destination.columns
        )
        if all(value is None for value, column in zip(row, destination.columns, strict=True) if column.is_identifier):
            without_identifier += 1
            continue
        rows[(record[0], _row_json(row))] = row
    return rows, MemberCounts(members, members - len(records), without_identifier, consenting)


def _row_json(row: tuple) -> str:
    return json.dumps([plain_value(value) for value in row], ensure_ascii=False, separators=(",", ":"))


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
                [
                    [destination, segment_name, customer_id, row_json, build_time]
                    for customer_id, row_json in sorted(rows)
                ],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
