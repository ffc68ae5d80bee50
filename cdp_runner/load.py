"""Load delivered files into the raw tables: every record as delivered, each content once.

A call works in two passes, so that a bad file stops the call before anything is written:

1. check: for every file, find its source and format, hash it and - unless the ledger already
   holds the same content - read it completely inside DuckDB: its columns against the contract
   (after the mapping file), the records that cannot be split into columns, and an independent
   count of its records, so that no record can go missing silently.
2. load: per file, one transaction inserts its rows and its ledger row.

Record numbers. `_row_number` is the position of a record among the data records of its file.
DuckDB's readers return rows in file order, so the k-th row returned is numbered k - except that
they hold back the records they reject (a CSV line with a wrong field count, ...), reporting those
by line instead, and blank lines are not records. For such files the loader works in *units*, the
line numbering (after the header) that DuckDB reports rejects in: each record, even one spanning
several lines inside quotes, is one unit, and so is each blank line. Then

    k -> unit:      the k-th unit the reader returned, stepping over the units it held back
                    ("gaps": rejected records, and for CSV the blank lines it skips)
    unit -> number: the unit minus the blank lines before it

Rows are inserted numbered k and renumbered by one UPDATE, which on tens of millions of rows is
far cheaper than joining the numbers in while inserting. Files without rejected records or blank
lines between records - nearly all - skip all of this.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Mapping

import duckdb
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from .config import META_SCHEMA, RAW_SCHEMA
from .contracts import FORMATS, SOURCES_BY_NAME, Source, format_for_file, source_for_file
from .errors import UserError
from .forget import suppression_filter
from .mapping import ColumnError, ColumnPlan, plan_columns, read_mapping
from .warehouse import connect, scalar

HASH_CHUNK_BYTES = 8 << 20
# Longest record DuckDB will split: its default, stated so that the parse error can quote it.
MAX_RECORD_BYTES = 2_000_000
# The CSV dialect is fixed, never sniffed: a sniffer that guesses wrong loads garbage silently.
CSV_DIALECT = "header=true, auto_detect=false, delim=',', quote='\"', escape='\"'"
# JSON Lines are read as one text column: no quoting, and as separator four control characters,
# which valid JSON cannot contain unescaped: a line is never split. (Not one character: DuckDB
# silently drops empty fields after the last column, which would cut it off the end of a line.)
JSONL_DIALECT = (
    "header=false, auto_detect=false, delim=chr(31) || chr(30) || chr(29) || chr(28), quote='', escape=''"
)
BLANK_LINE = "(line is null or trim(line, ' ' || chr(9)) = '')"
# Whether `doc`, valid JSON or null, is an object: its first non-blank character tells, and that is
# cheaper than json_type, which parses the document again.
IS_OBJECT = "coalesce(starts_with(ltrim(doc, ' ' || chr(9) || chr(10) || chr(13)), '{'), false)"

# _parse_error texts; DuckDB's reject types map onto them.
WRONG_COLUMN_COUNT = "wrong column count: expected {expected} fields, found {found}"
MALFORMED_JSON = "malformed JSON"
NOT_AN_OBJECT = "not a JSON object"
PARSE_ERRORS = {
    "UNQUOTED VALUE": "malformed quoting",
    "INVALID ENCODING": "invalid UTF-8",
    "LINE SIZE OVER MAXIMUM": f"record longer than {MAX_RECORD_BYTES} bytes",
}


@dataclass(frozen=True)
class LoadResult:
    load_id: str
    source_name: str
    file_name: str
    status: str  # 'loaded' | 'already_loaded'
    rows_read: int  # records in the file; 0 when already loaded (nothing was read into the warehouse)
    rows_accepted: int  # records split into columns
    rows_rejected: int  # records kept with a _parse_error, for staging to quarantine
    seconds: float
    ignored_columns: tuple[str, ...] = ()
    original_file_name: str | None = None  # already_loaded: the file the content was first loaded from
    rows_suppressed: int = 0  # records of erased people (cdp forget), read but not stored


def load_path(
    path: str | Path,
    *,
    warehouse: str | Path | None = None,
    source: str | None = None,
    mapping_file: str | Path | None = None,
    progress: bool = False,
) -> list[LoadResult]:
    """Load a file, or every top-level file of a directory (sorted by name), into the raw tables.

    `source` is the source of every file, instead of the one each file's name says. Raises
    UserError, before writing anything, if any file of the call cannot be loaded.
    """
    renames = read_mapping(mapping_file) if mapping_file else {}
    forced = _source_named(source) if source else None
    files = [_identify(file_path, forced) for file_path in _files_in(Path(path))]
    total_bytes = sum(file.size for file in files)
    with connect(warehouse) as con, _progress_bar(progress) as bar:
        # CSV and JSON Lines rows are numbered by the order read_csv returns them in: file order, with this.
        con.execute("set preserve_insertion_order = true")
        con.execute("set enable_progress_bar = false")  # DuckDB's own bar would write over ours
        checking = bar.add_task("checking", total=total_bytes)
        plans: list[_Plan] = []
        seen: set[tuple[str, str]] = set()
        for index, file in enumerate(files):
            bar.update(checking, description=f"checking {file.name}")
            plans.append(_check(con, file, renames.get(file.source.name, {}), f"_cdp_load_{index}", seen))
            bar.advance(checking, file.size)
        loading = bar.add_task("loading", total=total_bytes)
        results = []
        for plan in plans:
            bar.update(loading, description=f"loading {plan.file.name}")
            results.append(_load(con, plan))
            bar.advance(loading, plan.file.size)
        return results


# --- which files, which source, which format ----------------------------------------------------


@dataclass(frozen=True)
class _File:
    path: Path
    source: Source
    format: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    def problem(self, message: str) -> UserError:
        return UserError(f"{self.name}: {message}")


def _files_in(path: Path) -> list[Path]:
    """The file, or a folder's top-level regular files; subfolders (like _truth/) and hidden files are skipped."""
    if path.is_dir():
        files = [entry for entry in path.iterdir() if entry.is_file() and not entry.name.startswith(".")]
        if not files:
            raise UserError(f"{path}: no files to load (subdirectories and hidden files are skipped)")
        return sorted(files, key=lambda entry: entry.name)
    if not path.is_file():
        raise UserError(f"{path}: no such file or directory")
    return [path]


def _source_named(name: str) -> Source:
    if name not in SOURCES_BY_NAME:
        raise UserError(f"unknown source {name!r} (sources: {', '.join(SOURCES_BY_NAME)})")
    return SOURCES_BY_NAME[name]


def _identify(path: Path, forced: Source | None) -> _File:
    source = forced or source_for_file(path.name)
    if source is None:
        raise UserError(
            f"{path.name}: cannot tell the source from the file name; name it <source>[_anything].<ext> "
            f"or give the source (sources: {', '.join(SOURCES_BY_NAME)})"
        )
    file_format = format_for_file(path.name)
    if file_format is None:
        raise UserError(f"{path.name}: unsupported file type (expected {', '.join(FORMATS)})")
    return _File(path=path.absolute(), source=source, format=file_format, size=path.stat().st_size)


# --- the check pass: read everything, write nothing (temp tables only) ---------------------------


@dataclass(frozen=True)
class _Fingerprint:
    sha256: str
    lines: int  # physical lines, counting a last line without a line break
    trailing_blank_lines: int  # blank lines at the very end (as far as the last chunk read shows)
    binary: bool  # has NUL bytes
    mixed_line_ends: bool  # has CRLF and bare LF line ends (inside or outside quoted values)

    def why_unreadable(self) -> str | None:
        """A likely reason why DuckDB's reader gave up on the file, in the user's terms."""
        if self.binary:
            return "binary content (NUL bytes), not a text file"
        if self.mixed_line_ends:
            return "some lines end in CRLF and others in LF; convert the file to one kind of line end"
        return None


@dataclass
class _Content:
    """What reading a file found, and how to insert it (SQL over the file and the plan's temp tables)."""

    columns: ColumnPlan
    records: int
    rejected: int  # records with a _parse_error
    rows_sql: str  # the rows the reader returns: contract columns, _row_number (k), _parse_error, _raw_record
    renumber: bool = False  # <prefix>_numbers(k, number) corrects _row_number after the insert
    held_back: bool = False  # <prefix>_rejects(number, parse_error, raw_record): records the reader held back
    ordered: bool = True  # rows_sql numbers rows by the order DuckDB returns them in


@dataclass
class _Plan:
    file: _File
    sha256: str
    prefix: str  # of the file's temp tables
    started_at: datetime
    check_seconds: float = 0.0
    content: _Content | None = None  # None when the ledger (or an earlier file of the call) has the content
    suppressed: int = 0  # records _insert_rows left out because they belong to an erased person

    @property
    def load_id(self) -> str:
        return f"{self.file.source.name}-{self.sha256[:16]}"


def _check(con, file: _File, renames: Mapping[str, str], prefix: str, seen: set[tuple[str, str]]) -> _Plan:
    started, started_at = time.perf_counter(), _utc_now()
    fingerprint = _fingerprint(file.path)
    plan = _Plan(file=file, sha256=fingerprint.sha256, prefix=prefix, started_at=started_at)
    key = (file.source.name, fingerprint.sha256)
    if key not in seen and _ledger_entry(con, *key) is None:
        seen.add(key)
        reader = {"csv": _check_csv, "jsonl": _check_jsonl, "parquet": _check_parquet}[file.format]
        try:
            plan.content = reader(con, file, renames, prefix, fingerprint)
        except ColumnError as error:
            raise file.problem(str(error)) from None
        except duckdb.Error as error:
            reason = fingerprint.why_unreadable() or _first_line(error)
            raise file.problem(f"cannot read it as {file.format}: {reason}") from None
    plan.check_seconds = time.perf_counter() - started
    return plan


def _fingerprint(path: Path) -> _Fingerprint:
    """Hash the file in chunks, counting line breaks on the way (next to free while hashing)."""
    digest = hashlib.sha256()
    newlines = crlfs = 0
    binary = False
    last = b""
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            crlfs += chunk.count(b"\r\n") + (last.endswith(b"\r") and chunk.startswith(b"\n"))
            binary = binary or b"\0" in chunk
            last = chunk
    ending = last[len(last.rstrip(b"\r\n")) :]
    return _Fingerprint(
        sha256=digest.hexdigest(),
        lines=newlines + (1 if last and not last.endswith(b"\n") else 0),
        trailing_blank_lines=max(ending.count(b"\n") - 1, 0),
        binary=binary,
        mixed_line_ends=0 < crlfs < newlines,
    )


def _check_csv(con, file: _File, renames, prefix: str, fingerprint: _Fingerprint) -> _Content:
    header = _csv_header(file)
    columns = plan_columns(file.source, header, renames)
    width = len(header)
    # DuckDB checks UTF-8 only in the columns a query reads: read the ones the insert will read.
    loaded = ", ".join(f"count(c{index})" for index in columns.positions.values())
    accepted = scalar(con, f"select count(*), {loaded} from {_read_csv(file, width, _store_rejects(prefix))}")
    # The reject log's own counts leave out empty surplus fields, so count commas outside quoted values.
    unquoted = """regexp_replace(record, '"([^"]|"")*"', '', 'g')"""
    fields = f"length({unquoted}) - length(replace({unquoted}, ',', '')) + 1"
    count_problem = _literal(WRONG_COLUMN_COUNT.format(expected=width, found="")) + f" || ({fields})"
    rejected = _collect_rejects(con, prefix, header_lines=1, column_count_problem=count_problem)

    blanks: list[int] = []
    if accepted + rejected != fingerprint.lines - 1 - fingerprint.trailing_blank_lines:
        # Blank lines, or records spanning lines inside quotes: count the records another way.
        records, blanks = _count_csv_records(file)
        if accepted + rejected != records:
            raise file.problem(
                f"DuckDB read {accepted} records and rejected {rejected}, but the file has {records}; "
                "not loading a file whose records cannot all be accounted for"
            )

    select = ", ".join(f"c{index} as {_ident(name)}" for name, index in columns.positions.items())
    numbered = f"select row_number() over () as k, * from {_read_csv(file, width, 'ignore_errors=true')}"
    content = _Content(
        columns=columns,
        records=accepted + rejected,
        rejected=rejected,
        rows_sql=f"select {select}, k as _row_number from ({numbered})",
    )
    if rejected or blanks:
        # The reader skips blank lines as well as rejected records: both are gaps in k.
        con.execute(f"create temp table {prefix}_blanks as select unnest(?::bigint[]) as unit", [blanks])
        _prepare_numbers(
            con,
            prefix,
            rows=accepted,
            gaps=f"select unit from {prefix}_rejects union all select unit from {prefix}_blanks",
            blanks=f"select unit from {prefix}_blanks",
        )
        content.renumber, content.held_back = True, rejected > 0
    return content


def _store_rejects(prefix: str) -> str:
    """Reader options that log rejected records in <prefix>_duckdb_rejects instead of failing."""
    return f"store_rejects=true, rejects_table='{prefix}_duckdb_rejects', rejects_scan='{prefix}_duckdb_scans'"


def _read_csv(file: _File, width: int, options: str) -> str:
    # Columns are named by position: header names may repeat, be empty or be anything.
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv({_literal(file.path)}, columns={{{columns}}}, {CSV_DIALECT}, "
        f"max_line_size={MAX_RECORD_BYTES}, {options})"
    )


def _csv_header(file: _File) -> list[str]:
    """The header's fields: exactly the first line, which is what DuckDB skips as the header."""
    with file.path.open("rb") as stream:
        line = stream.readline(MAX_RECORD_BYTES + 1)
    if not line:
        raise file.problem("empty file (a CSV file starts with a header line)")
    if len(line) > MAX_RECORD_BYTES or b"\0" in line:
        raise file.problem("binary content or no line breaks: not a CSV file")
    try:
        text = line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise file.problem("the header line is not UTF-8 text: not a CSV file, or another encoding") from None
    return next(csv.reader([text]), [])


def _count_csv_records(file: _File) -> tuple[int, list[int]]:
    """Records, and the units of blank lines between records, as Python's csv module reads the file."""
    limit = csv.field_size_limit(sys.maxsize)
    records, last_record, blanks = 0, 0, []
    try:
        with file.path.open(newline="", encoding="utf-8-sig", errors="replace") as stream:
            rows = csv.reader(stream)
            next(rows, None)
            for unit, row in enumerate(rows, start=1):
                if row:
                    records, last_record = records + 1, unit
                else:
                    blanks.append(unit)
    except csv.Error as error:
        raise file.problem(f"cannot count its records ({error})") from None
    finally:
        csv.field_size_limit(limit)
    return records, [unit for unit in blanks if unit < last_record]


def _check_jsonl(con, file: _File, renames, prefix: str, fingerprint: _Fingerprint) -> _Content:
    kinds = f"""(
        select k, doc, case when {BLANK_LINE} then 'blank' when doc is null then 'malformed'
                            when {IS_OBJECT} then 'object' else 'other' end as kind
        from {_jsonl_lines(file, _store_rejects(prefix))})"""
    counts = {"blank": 0, "malformed": 0, "object": 0, "other": 0}
    keys: set[str] = set()
    first_blank = last_record = 0
    summary = f"select kind, case when kind = 'object' then json_keys(doc) end, count(*), min(k), max(k) from {kinds}"
    for kind, kind_keys, count, first_k, last_k in con.execute(summary + " group by all").fetchall():
        counts[kind] += count
        keys.update(kind_keys or ())
        if kind == "blank":
            first_blank = first_k
        else:
            last_record = max(last_record, last_k)
    held_back = _collect_rejects(con, prefix, header_lines=0, column_count_problem=_literal(MALFORMED_JSON))
    lines_read = sum(counts.values())
    if lines_read + held_back != fingerprint.lines:
        raise file.problem(
            f"DuckDB read {lines_read} lines and rejected {held_back}, but the file has {fingerprint.lines}; "
            "not loading a file whose records cannot all be accounted for"
        )
    if lines_read + held_back == counts["blank"]:
        raise file.problem("no records (the file is empty)")
    if not counts["object"]:
        raise file.problem("no line is a JSON object (JSON Lines expected: one object per line)")

    delivered = sorted(keys)
    columns = plan_columns(file.source, delivered, renames)
    paths = ", ".join(_literal(_json_path(delivered[index])) for index in columns.positions.values())
    select = ", ".join(f"v[{i}] as {_ident(name)}" for i, name in enumerate(columns.positions, start=1))
    rows_sql = f"""
        select {select}, k as _row_number,
               case when doc is null then {_literal(MALFORMED_JSON)}
                    when not is_object then {_literal(NOT_AN_OBJECT)} end as _parse_error,
               case when not is_object then line end as _raw_record
        from (select *, case when is_object then json_extract_string(doc, [{paths}]) end as v
              from (select *, {IS_OBJECT} as is_object
                    from {_jsonl_lines(file, "ignore_errors=true")}))
        where not {BLANK_LINE}"""
    content = _Content(
        columns=columns,
        records=lines_read - counts["blank"] + held_back,
        rejected=counts["malformed"] + counts["other"] + held_back,
        rows_sql=rows_sql,
    )
    if held_back or 0 < first_blank < last_record:
        # Blank lines are rows of this reader (they take a k): only the lines it held back are gaps.
        con.execute(f"create temp table {prefix}_blank_k as select k from {kinds} where kind = 'blank'")
        _prepare_numbers(
            con,
            prefix,
            rows=lines_read,
            gaps=f"select unit from {prefix}_rejects",
            blanks=f"select unit from {prefix}_units where k in (select k from {prefix}_blank_k)",
        )
        content.renumber, content.held_back = True, held_back > 0
    return content


def _jsonl_lines(file: _File, options: str) -> str:
    """The file's lines numbered k, with `doc`: the line if it is valid JSON, else null.

    JSON functions raise on malformed JSON. A CASE on json_valid guards them in DuckDB 2.0, but they
    are only ever given `doc`, so that no evaluation order can hand them a malformed line.
    """
    lines = (
        f"select row_number() over () as k, line from read_csv({_literal(file.path)}, "
        f"columns={{'line': 'VARCHAR'}}, {JSONL_DIALECT}, max_line_size={MAX_RECORD_BYTES}, {options})"
    )
    return f"(select k, line, case when json_valid(line) then line end as doc from ({lines}))"


def _check_parquet(con, file: _File, renames, prefix: str, fingerprint: _Fingerprint) -> _Content:
    scan = f"read_parquet({_literal(file.path)}, file_row_number=true)"
    schema = [
        (name, type_)
        for name, type_, *_ in con.execute(f"describe select * from {scan}").fetchall()
        if name != "file_row_number"
    ]
    columns = plan_columns(file.source, [name for name, _ in schema], renames)
    positions = columns.positions.items()
    select = ", ".join(f"{_parquet_text(*schema[index])} as {_ident(name)}" for name, index in positions)
    # Decoding the columns to load finds a corrupt file before anything is written; hashing the
    # values forces the decoding (a plain count is answered from the file's metadata).
    loaded = ", ".join(f"bit_xor(hash({_ident(schema[index][0])}))" for index in columns.positions.values())
    return _Content(
        columns=columns,
        records=scalar(con, f"select count(*), {loaded} from {scan}"),
        rejected=0,
        rows_sql=f"select {select}, file_row_number + 1 as _row_number from {scan}",
        ordered=False,
    )


def _parquet_text(name: str, type_: str) -> str:
    """A Parquet column as text; timestamps in ISO 8601 ('T' separator; instants in UTC, marked 'Z')."""
    column = _ident(name)
    if type_ == "TIMESTAMP WITH TIME ZONE":
        return f"replace(cast(timezone('UTC', {column}) as varchar), ' ', 'T') || 'Z'"
    if type_.startswith("TIMESTAMP"):
        return f"replace(cast({column} as varchar), ' ', 'T')"
    return f"cast({column} as varchar)"


def _collect_rejects(con, prefix: str, *, header_lines: int, column_count_problem: str) -> int:
    """Turn DuckDB's reject log into <prefix>_rejects(unit, parse_error, raw_record), one row per record.

    The log has a row per problem, and several for a record with a wrong field count (one per
    missing or extra field). `column_count_problem` is SQL over `record`, the record's text.
    """
    problems = " ".join(f"when '{error_type}' then {_literal(text)}" for error_type, text in PARSE_ERRORS.items())
    con.execute(f"""
        create temp table {prefix}_rejects as
        select line - {header_lines} as unit,
               string_agg(distinct problem, '; ' order by problem) as parse_error,
               any_value(record) as raw_record
        from (select line, record,
                     case when error_type in ('TOO MANY COLUMNS', 'MISSING COLUMNS') then {column_count_problem}
                          else case error_type {problems} else lower(error_type) end end as problem
              -- DuckDB's copy of the record starts with the line break(s) before it
              from (select line, error_type::varchar as error_type, trim(csv_line, chr(13) || chr(10)) as record
                    from {prefix}_duckdb_rejects))
        group by line""")
    return scalar(con, f"select count(*) from {prefix}_rejects")


def _prepare_numbers(con, prefix: str, *, rows: int, gaps: str, blanks: str) -> None:
    """Record numbers for the reader's rows 1..`rows` and for the held-back records (module docstring).

    `gaps` and `blanks` are queries yielding units. Leaves <prefix>_numbers(k, number) for the rows
    whose number is not k, and renumbers <prefix>_rejects by record number.
    """
    con.execute(f"""
        create temp table {prefix}_units as
        with gaps as (select unit - row_number() over (order by unit) as returned_before,
                             row_number() over (order by unit) as gaps_so_far
                      from ({gaps})),
             steps as (select returned_before, max(gaps_so_far) as gaps_so_far from gaps group by returned_before)
        select k, k + coalesce(steps.gaps_so_far, 0) as unit
        from (select range as k from range(1, {rows} + 1)) as positions
        asof left join steps on positions.k > steps.returned_before""")
    con.execute(f"""
        create temp table {prefix}_blank_ranks as
        select unit, row_number() over (order by unit) as blanks_so_far from ({blanks})""")
    con.execute(f"""
        create temp table {prefix}_numbers as
        select k, number
        from (select k, units.unit - coalesce(blank.blanks_so_far, 0) as number
              from {prefix}_units as units asof left join {prefix}_blank_ranks as blank on units.unit > blank.unit)
        where number <> k""")
    con.execute(f"""
        create or replace temp table {prefix}_rejects as
        select rejects.unit - coalesce(blank.blanks_so_far, 0) as number, parse_error, raw_record
        from {prefix}_rejects as rejects asof left join {prefix}_blank_ranks as blank on rejects.unit > blank.unit""")


# --- the load pass: one transaction per file -------------------------------------------------------


def _load(con, plan: _Plan) -> LoadResult:
    started = time.perf_counter()
    file = plan.file
    # Checked again here: an earlier file of this call may have had the same content.
    earlier = _ledger_entry(con, file.source.name, plan.sha256)
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
    # Keeping the order costs a slow checkpoint after Parquet inserts; their numbers come from the file.
    con.execute(f"set preserve_insertion_order = {str(content.ordered).lower()}")
    con.execute("begin transaction")
    try:
        loaded_at = _utc_now()
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
        _write_ledger(con, plan)
        con.execute("commit")
    except BaseException as error:
        con.execute("rollback")
        if isinstance(error, UserError) or not isinstance(error, Exception):
            raise
        raise file.problem(f"load failed and was rolled back: {_first_line(error)}") from error
    finally:
        _drop_temp_tables(con, plan.prefix)
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
    )


def _insert_rows(con, plan: _Plan, rows_sql: str, loaded_at: datetime) -> int:
    """Insert rows into the file's raw table: the one place rows enter the warehouse.

    Erasure hooks in here: records of an erased person (cdp_meta.suppressed_identifiers, see
    cdp_runner/forget.py) are left out and counted in plan.suppressed.
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


def _write_ledger(con, plan: _Plan) -> None:
    content = plan.content
    columns = content.columns
    con.execute(
        f"""insert into {META_SCHEMA}.load_ledger (
                load_id, source_name, file_name, file_path, content_sha256, file_format, rows_read, rows_accepted,
                rows_rejected, column_mapping, ignored_columns, started_at, finished_at, rows_suppressed)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            plan.load_id,
            plan.file.source.name,
            plan.file.name,
            str(plan.file.path),
            plan.sha256,
            plan.file.format,
            content.records,
            content.records - content.rejected,
            content.rejected,
            json.dumps(columns.renamed, ensure_ascii=False) if columns.renamed else None,
            json.dumps(list(columns.ignored), ensure_ascii=False) if columns.ignored else None,
            plan.started_at,
            _utc_now(),
            plan.suppressed,
        ],
    )


def _ledger_entry(con, source_name: str, sha256: str) -> tuple[str, str] | None:
    """(load_id, file_name) of the load that brought this content for this source, if any."""
    rows = con.execute(
        f"select load_id, file_name from {META_SCHEMA}.load_ledger "
        "where source_name = ? and content_sha256 = ? order by started_at limit 1",
        [source_name, sha256],
    ).fetchall()
    return rows[0] if rows else None


def _drop_temp_tables(con, prefix: str) -> None:
    names = con.execute(
        "select table_name from duckdb_tables() where temporary and starts_with(table_name, ?)", [prefix + "_"]
    ).fetchall()
    for (name,) in names:
        con.execute(f"drop table temp.{_ident(name)}")


# --- small helpers ---------------------------------------------------------------------------------


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Progress]:
    """A progress bar on stderr; inert unless asked for and stderr is a terminal (pipes, CI, pytest)."""
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not (enabled and console.is_terminal),
    )
    with bar:
        yield bar


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _json_path(key: str) -> str:
    """A JSON path for exactly this key (dots, quotes and a leading $ in keys are not path syntax)."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
