"""The raw zone: what dbt reads from the loader, published as Parquet files for engines other than DuckDB.

The loader keeps DuckDB for validation and its bookkeeping (ledger, suppression, erasure log, salt). For the Spark
target it also publishes, into a folder beside the warehouse (CDP_RAW_ZONE), what the models read:

    <zone>/raw/<source>/<load id>.parquet          one file per load, the load's rows as raw.<source> holds them
    <zone>/raw/<source>/00000000-schema.parquet    no rows: the table's columns, so an empty source has a schema
    <zone>/cdp_meta/<table>/data.parquet           load_ledger, erasure_log, suppressed_identifiers, identity_settings
    <zone>/<schema>/<table>/_cdp_published.json    the fingerprint of every file (Spark skips names starting with _)

The zone is a pure function of the DuckDB state: a file is written only when its rows' fingerprint (count and a sum
of row hashes) differs from the published one, so publishing again is a no-op, and after `cdp forget` exactly the
loads that lost rows are rewritten. Every file is written under a hidden name (Spark skips names starting with .)
and renamed into place, so a reader sees a load's rows all or none. Raw files go before the bookkeeping, so a
ledger row is never visible before its rows. Spark registers the folders as external Parquet tables at the start of
every dbt invocation (macros/spark/cdp_register_raw_zone.sql).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..config import META_SCHEMA, RAW_SCHEMA
from ..ingest.contracts import SOURCES
from ..warehouse import quote_identifier, quote_literal

# The cdp_meta tables the models and their tests read (dbt sources in schema cdp_meta). The erasure key is never
# published.
PUBLISHED_META_TABLES = ("load_ledger", "erasure_log", "suppressed_identifiers", "identity_settings")
MANIFEST = "_cdp_published.json"
SCHEMA_FILE = "00000000-schema.parquet"
WHOLE_TABLE = "data"


@dataclass
class PublishResult:
    zone: Path
    written: list[str] = field(default_factory=list)  # schema/table/file names written
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def publish_raw_zone(con: duckdb.DuckDBPyConnection, zone: Path) -> PublishResult:
    """Bring the raw zone in line with the warehouse; returns what changed (nothing when it was already in line)."""
    result = PublishResult(zone=zone)
    for source in SOURCES:
        _publish_table(con, zone, RAW_SCHEMA, source.name, "_load_id", result)
    for table in PUBLISHED_META_TABLES:
        _publish_table(con, zone, META_SCHEMA, table, None, result)
    return result


def _publish_table(
    con: duckdb.DuckDBPyConnection, zone: Path, schema: str, table: str, split_by: str | None, result: PublishResult
) -> None:
    folder = zone / schema / table
    folder.mkdir(parents=True, exist_ok=True)
    relation = f"{quote_identifier(schema)}.{quote_identifier(table)}"
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    # Spark's timestamp is an instant: written as one (UTC), it reads back as the same wall-clock time in UTC.
    select_list = ", ".join(
        f"{quote_identifier(name)} at time zone 'UTC' as {quote_identifier(name)}"
        if data_type == "TIMESTAMP"
        else quote_identifier(name)
        for name, data_type in columns
    )
    row_hash = "hash(" + ", ".join(quote_identifier(name) for name, _ in columns) + ")"
    part = quote_identifier(split_by) if split_by else f"'{WHOLE_TABLE}'"
    wanted = {
        str(name): f"{count}:{total}"
        for name, count, total in con.execute(
            f"select {part}, count(*), sum({row_hash}) from {relation} group by all"
        ).fetchall()
    }
    manifest_path = folder / MANIFEST
    published: dict[str, str] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    before = dict(published)
    if not (folder / SCHEMA_FILE).exists() or published.get(SCHEMA_FILE) != _schema_key(columns):
        _copy(con, f"select {select_list} from {relation} where false", folder / SCHEMA_FILE)
        published[SCHEMA_FILE] = _schema_key(columns)
        result.written.append(f"{schema}/{table}/{SCHEMA_FILE}")
    for name, fingerprint in sorted(wanted.items()):
        target = folder / f"{name}.parquet"
        if published.get(name) == fingerprint and target.exists():
            continue
        where = f"where {part} = {quote_literal(name)}" if split_by else ""
        order = "order by _row_number" if split_by else "order by all"
        _copy(con, f"select {select_list} from {relation} {where} {order}", target)
        published[name] = fingerprint
        result.written.append(f"{schema}/{table}/{target.name}")
    for name in sorted(set(published) - set(wanted) - {SCHEMA_FILE}):
        (folder / f"{name}.parquet").unlink(missing_ok=True)
        del published[name]
        result.removed.append(f"{schema}/{table}/{name}.parquet")
    if published != before or not manifest_path.exists():
        partial = folder / f".{MANIFEST}.partial"
        partial.write_text(json.dumps(published, indent=1, sort_keys=True))
        os.replace(partial, manifest_path)


def _schema_key(columns: list[tuple[str, str]]) -> str:
    return ",".join(f"{name} {data_type}" for name, data_type in columns)


def _copy(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> None:
    """COPY the query's rows to a hidden file beside `target`, then rename it into place (atomic)."""
    partial = target.with_name(f".{target.name}.partial")
    con.execute(f"copy ({sql}) to {quote_literal(str(partial))} (format parquet, compression zstd)")
    os.replace(partial, target)
