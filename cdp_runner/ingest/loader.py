"""Load delivered files into the raw tables: every record as delivered, each content once.

A call works in two passes, so that a bad file stops the call before anything is written:

1. check: for every file, find its source and format, hash it and - unless the ledger already
   holds the same content - read it completely inside DuckDB into temp tables (reading.py), writing nothing.
   The hashes are computed ahead, on a thread of their own, while DuckDB reads the files before them.
2. load: per file, one transaction inserts its rows, from its temp tables, and its ledger row.

Each file is read once: the temp tables hold its rows from the check to the load (so a call holds its files' rows,
which DuckDB spills to disk beside the warehouse beyond its memory limit).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from ..config import RAW_SCHEMA, warehouse_path
from ..errors import UserError
from ..privacy.suppression import suppression_filter
from ..spark.publish import publish_for_target
from ..warehouse import connect, drop_temp_tables, scalar, utc_now
from .delivery import DeliveredFile, Fingerprint, SkippedFile, files_in, fingerprint_file, identify, source_named
from .ledger import LedgerEntry, earlier_load, write_ledger
from .mapping import ColumnError, read_mapping
from .reading import Content, read_content
from .values import check_values

# on_progress(step, file name, bytes done, bytes in all): step is "checking" or "loading"; called before and after
# each file of the step.
LoadProgress = Callable[[str, str, int, int], None]


@dataclass(frozen=True)
class LoadResult:
    load_id: str
    source_name: str
    file_name: str
    status: str  # 'loaded' | 'already_loaded' | 'skipped' (a file of the folder that is not data: see `note`)
    rows_read: int  # records in the file; 0 when already loaded (nothing was read into the warehouse)
    rows_accepted: int  # records split into columns
    rows_rejected: int  # records kept with a _parse_error, for staging to quarantine
    seconds: float
    ignored_columns: tuple[str, ...] = ()
    original_file_name: str | None = None  # already_loaded: the file the content was first loaded from
    rows_suppressed: int = 0  # records of erased people (cdp forget), read but not stored
    note: str | None = None  # skipped: why
    # what staging will do with the split records, as far as the contract's types tell (values.py)
    rows_to_quarantine: int = 0  # with a missing required value or one not of its type
    fields_to_null: dict[str, int] = field(default_factory=dict)  # optional column: values not of its type


def _skipped(file: SkippedFile) -> LoadResult:
    return LoadResult(
        load_id="",
        source_name="",
        file_name=file.name,
        status="skipped",
        rows_read=0,
        rows_accepted=0,
        rows_rejected=0,
        seconds=0.0,
        note=file.reason,
    )


def load_path(
    path: str | Path,
    *,
    warehouse: str | Path | None = None,
    source: str | None = None,
    mapping_file: str | Path | None = None,
    on_progress: LoadProgress | None = None,
) -> list[LoadResult]:
    """Load a file, or every top-level file of a directory (sorted by name), into the raw tables.

    `source` is the source of every file, instead of the one each file's name says. Raises
    UserError, before writing anything, if any file of the call cannot be loaded.
    """
    renames = read_mapping(mapping_file) if mapping_file else {}
    forced = source_named(source) if source else None
    paths, skipped = files_in(Path(path))
    files = [identify(file_path, forced) for file_path in paths]
    total_bytes = sum(file.size for file in files)

    def progress(step: str, file: DeliveredFile, done: int) -> None:
        if on_progress:
            on_progress(step, file.name, done, total_bytes)

    with (
        connect(warehouse, create=True) as con,
        _scratch(warehouse) as scratch,
        _fingerprints_ahead(files) as fingerprints,
    ):
        con.execute("set enable_progress_bar = false")  # DuckDB's own bar would write over ours
        plans: list[_Plan] = []
        seen: set[tuple[str, str]] = set()
        done = 0
        # CSV and JSON Lines rows are numbered by the order read_csv returns them in (file order, with this).
        con.execute("set preserve_insertion_order = true")
        for index, file in enumerate(files):
            progress("checking", file, done)
            plans.append(
                _check(
                    con,
                    file,
                    fingerprints[index],
                    renames.get(file.source.name, {}),
                    f"_cdp_load_{index}",
                    seen,
                    scratch,
                )
            )
            done += file.size
            progress("checking", file, done)
        results = [_skipped(file) for file in skipped]
        done = 0
        # The rows carry their numbers: the raw tables need not keep their order, which costs a slow checkpoint.
        con.execute("set preserve_insertion_order = false")
        for plan in plans:
            progress("loading", plan.file, done)
            results.append(_load(con, plan))
            done += plan.file.size
            progress("loading", plan.file, done)
        # Spark reads the raw layer from the raw zone: published after every call, even one that loaded nothing
        # new, so that a call interrupted after its loads publishes when run again.
        publish_for_target(con, warehouse_path(warehouse))
        return results


@contextmanager
def _fingerprints_ahead(files: list[DeliveredFile]) -> Iterator[list[Future[Fingerprint]]]:
    """Each file's fingerprint (fingerprint_file), computed in file order on one thread while the caller has DuckDB
    read the files before it: hashing and counting lines run without the GIL, and DuckDB's reads release it. A call
    that stops early waits only for the file being hashed."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cdp-fingerprint")
    try:
        yield [pool.submit(fingerprint_file, file.path) for file in files]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _scratch(warehouse: str | Path | None) -> Iterator[Callable[[], Path]]:
    """A folder for repaired copies of files (made on first use, beside the warehouse, removed at the end)."""
    made: list[Path] = []

    def folder() -> Path:
        if not made:
            parent = warehouse_path(warehouse).parent
            made.append(Path(tempfile.mkdtemp(prefix=".cdp-load-", dir=parent)))
        return made[0]

    try:
        yield folder
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


@dataclass
class _Plan:
    file: DeliveredFile
    sha256: str
    prefix: str  # of the file's temp tables
    started_at: datetime
    check_seconds: float = 0.0
    content: Content | None = None  # None when the ledger (or an earlier file of the call) has the content
    suppressed: int = 0  # records _insert_rows left out because they belong to an erased person

    @property
    def load_id(self) -> str:
        return f"{self.file.source.name}-{self.sha256[:16]}"


def _check(
    con,
    file: DeliveredFile,
    fingerprinted: Future[Fingerprint],
    renames: Mapping[str, str],
    prefix: str,
    seen: set[tuple[str, str]],
    scratch: Callable[[], Path],
) -> _Plan:
    started, started_at = time.perf_counter(), utc_now()
    fingerprint = fingerprinted.result()
    plan = _Plan(file=file, sha256=fingerprint.sha256, prefix=prefix, started_at=started_at)
    key = (file.source.name, fingerprint.sha256)
    if key not in seen and earlier_load(con, *key) is None:
        seen.add(key)
        try:
            plan.content = read_content(con, file, renames, prefix, fingerprint, scratch)
        except ColumnError as error:
            raise file.problem(str(error)) from None
        except duckdb.Error as error:
            reason = fingerprint.why_unreadable() or _first_line(error)
            raise file.problem(f"cannot read it as {file.format}: {reason}") from None
    plan.check_seconds = time.perf_counter() - started
    return plan


# --- the load pass: one transaction per file -------------------------------------------------------


def _load(con, plan: _Plan) -> LoadResult:
    started = time.perf_counter()
    file = plan.file
    # Checked again here: an earlier file of this call may have had the same content.
    earlier = earlier_load(con, file.source.name, plan.sha256)
    if earlier is not None:
        return LoadResult(
            load_id=earlier[0],
            source_name=file.source.name,
            file_name=file.name,
            status="already_loaded",
            rows_read=0,
            rows_accepted=0,
            rows_rejected=0,
            seconds=plan.check_seconds + time.perf_counter() - started,
            original_file_name=earlier[1],
        )
    content = plan.content
    assert content is not None, "the check pass reads every content the ledger does not hold"
    con.execute("begin transaction")
    try:
        loaded_at = utc_now()
        inserted = _insert_rows(con, plan, content.rows_sql, loaded_at)
        if content.renumber:
            con.execute(
                f"""update {RAW_SCHEMA}.{file.source.name} as raw set _row_number = numbers.number
                    from {plan.prefix}_numbers as numbers
                    where raw._load_id = ? and raw._row_number = numbers.k""",
                [plan.load_id],
            )
        if content.held_back:
            held_back = (
                "select number as _row_number, parse_error as _parse_error, raw_record as _raw_record "
                f"from {plan.prefix}_rejects"
            )
            inserted += _insert_rows(con, plan, held_back, loaded_at)
        if inserted + plan.suppressed != content.records:
            raise file.problem(
                f"inserted {inserted} rows and suppressed {plan.suppressed} for {content.records} records; rolled back"
            )
        write_ledger(con, _ledger_entry(plan, content))
        con.execute("commit")
    except BaseException as error:
        con.execute("rollback")
        if isinstance(error, UserError) or not isinstance(error, Exception):
            raise
        raise file.problem(f"load failed and was rolled back: {_first_line(error)}") from error
    finally:
        drop_temp_tables(con, plan.prefix)
    values = check_values(con, file.source, plan.load_id)
    return LoadResult(
        load_id=plan.load_id,
        source_name=file.source.name,
        file_name=file.name,
        status="loaded",
        rows_read=content.records,
        rows_accepted=content.records - content.rejected,
        rows_rejected=content.rejected,
        seconds=plan.check_seconds + time.perf_counter() - started,
        ignored_columns=content.columns.ignored,
        rows_suppressed=plan.suppressed,
        rows_to_quarantine=values.rows_to_quarantine,
        fields_to_null=values.fields_to_null,
    )


def _insert_rows(con, plan: _Plan, rows_sql: str, loaded_at: datetime) -> int:
    """Insert rows into the file's raw table: the one place rows enter the warehouse.

    Erasure hooks in here: records of an erased person (cdp_meta.suppressed_identifiers, see
    cdp_runner/privacy/) are left out and counted in plan.suppressed.
    """
    kept_sql, suppressed_sql = suppression_filter(con, plan.file.source.name, rows_sql, plan.prefix)
    if suppressed_sql:
        plan.suppressed += scalar(con, f"select count(*) from ({suppressed_sql})")
    return scalar(
        con,
        f"""insert into {RAW_SCHEMA}.{plan.file.source.name} by name
            select *, ? as _load_id, ? as _loaded_at, ? as _file_name from ({kept_sql})""",
        [plan.load_id, loaded_at, plan.file.name],
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _ledger_entry(plan: _Plan, content: Content) -> LedgerEntry:
    return LedgerEntry(
        load_id=plan.load_id,
        source_name=plan.file.source.name,
        file_name=plan.file.name,
        file_path=str(plan.file.path),
        content_sha256=plan.sha256,
        file_format=plan.file.format,
        rows_read=content.records,
        rows_accepted=content.records - content.rejected,
        rows_rejected=content.rejected,
        column_mapping=content.columns.renamed,
        ignored_columns=content.columns.ignored,
        started_at=plan.started_at,
        rows_suppressed=plan.suppressed,
    )
