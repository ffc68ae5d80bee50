"""Reading a delivered file completely inside DuckDB, writing nothing but temp tables: its columns against the
contract (after the mapping file), the records that cannot be split into columns, and an independent count of its
records, so that no record can go missing silently. The result says how the loader inserts the rows.

The file is read once, into the temp table <prefix>_rows (CSV: the columns that load; JSON Lines: the lines; Parquet:
the columns that load, as text): the checks and the insert read that table. Reading it needs no window function, so
DuckDB reads the file on every core; the k-th row returned is the row with rowid k - 1, as a table filled by one
insert in order (preserve_insertion_order, which the loader sets) numbers its rows.

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
import dataclasses
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..warehouse import quote_identifier, quote_literal, scalar
from .csv_repair import repair_csv
from .delivery import BINARY_CONTENT, CARRIAGE_RETURN, DeliveredFile, Fingerprint
from .mapping import ColumnPlan, plan_columns

# Longest record DuckDB will split: its default, stated so that the parse error can quote it.
MAX_RECORD_BYTES = 2_000_000
# The CSV dialect is fixed, never sniffed: a sniffer that guesses wrong loads garbage silently.
CSV_DIALECT = "header=true, auto_detect=false, delim=',', quote='\"', escape='\"'"
# JSON Lines are read as one text column: no quoting, and as separator four control characters,
# which valid JSON cannot contain unescaped: a line is never split. (Not one character: DuckDB
# silently drops empty fields after the last column, which would cut it off the end of a line.)
JSONL_DIALECT = "header=false, auto_detect=false, delim=chr(31) || chr(30) || chr(29) || chr(28), quote='', escape=''"
# Whether a JSON Lines line is blank (spaces and tabs only), and whether its first non-blank character is `{` (for a
# valid line: whether it is an object, cheaper than json_type, which parses it again). The first character (ascii() of
# '' is 0) decides for nearly every line; a regular expression for the rest (trim() would copy the whole line).
BLANK_LINE = (
    "(case when line is null then true when ascii(line) in (0, 9, 32) then regexp_full_match(line, '[ \\t]*') "
    "else false end)"
)
OPENS_OBJECT = (
    "(case when ascii(line) = 123 then true when ascii(line) in (9, 10, 13, 32) "
    "then regexp_matches(line, '^[ \\t\\n\\r]*[{]') else false end)"
)

# _parse_error texts; DuckDB's reject types map onto them.
WRONG_COLUMN_COUNT = "wrong column count: expected {expected} fields, found {found}"
MALFORMED_JSON = "malformed JSON"
NOT_AN_OBJECT = "not a JSON object"
PARSE_ERRORS = {
    "UNQUOTED VALUE": "malformed quoting",
    "INVALID ENCODING": "invalid UTF-8",
    "LINE SIZE OVER MAXIMUM": f"record longer than {MAX_RECORD_BYTES} bytes",
}


@dataclass
class Content:
    """What reading a file found, and how to insert it (SQL over the plan's temp tables)."""

    columns: ColumnPlan
    records: int
    rejected: int  # records with a _parse_error
    rows_sql: str  # the rows the reader returned: contract columns, _row_number (k), _parse_error, _raw_record
    renumber: bool = False  # <prefix>_numbers(k, number) corrects _row_number after the insert
    held_back: bool = False  # <prefix>_rejects(number, parse_error, raw_record): records the reader held back


def read_content(
    con: duckdb.DuckDBPyConnection,
    file: DeliveredFile,
    renames: Mapping[str, str],
    prefix: str,
    fingerprint: Fingerprint,
    scratch: Callable[[], Path],
) -> Content:
    """Read the file in its format; its temp tables start with `prefix`, and `scratch()` is a folder for a repaired
    copy of a CSV file (csv_repair.py). Raises ColumnError (columns that do not fit the contract), duckdb.Error (the
    reader gave up) or the file's UserError."""
    if fingerprint.binary and file.format == "jsonl":
        raise file.problem(BINARY_CONTENT)
    if file.format == "csv":
        return _check_csv(con, file, renames, prefix, fingerprint, scratch)
    reader = {"jsonl": _check_jsonl, "parquet": _check_parquet}[file.format]
    return reader(con, file, renames, prefix, fingerprint)


def _check_csv(con, file: DeliveredFile, renames, prefix: str, fingerprint: Fingerprint, scratch) -> Content:
    header = _csv_header(file)
    if fingerprint.binary:
        raise file.problem(BINARY_CONTENT)
    columns = plan_columns(file.source, header, renames)
    width = len(header)
    # DuckDB checks UTF-8 only in the columns a query reads: the ones that load.
    loaded = ", ".join(f"c{index}" for index in columns.positions.values())

    def count_read(source: DeliveredFile, rejects: str) -> int:
        con.execute(
            f"create or replace temp table {prefix}_rows as "
            f"select {loaded} from {_read_csv(source, width, _store_rejects(rejects))}"
        )
        return scalar(con, f"select count(*) from {prefix}_rows")

    # A rejected record spanning lines, or a reader that gives up on a carriage return, means records the reader
    # cannot find on its own: the file is scanned, and read again as a copy with those records set apart.
    accepted: int | None = None
    try:
        accepted = count_read(file, prefix)
        spanning = scalar(con, f"select count(*) from {prefix}_duckdb_rejects where {_SPANS_LINES}")
    except duckdb.Error:
        if not fingerprint.bare_carriage_returns:
            raise
        spanning = 1
    repair = repair_csv(file.path, width, scratch(), max_bytes=MAX_RECORD_BYTES) if spanning else None
    rejects = prefix
    if repair is not None:
        file, rejects = dataclasses.replace(file, path=repair.path), f"{prefix}_repaired"
        units = sorted(repair.records)
        con.execute(
            f"create temp table {prefix}_set_apart as select unnest(?::bigint[]) as unit, "
            "unnest(?::varchar[]) as parse_error, unnest(?::varchar[]) as raw_record",
            [units, [repair.records[unit][0] for unit in units], [repair.records[unit][1] for unit in units]],
        )
        accepted = count_read(file, rejects)
    elif accepted is None:
        accepted = count_read(file, f"{prefix}_again")  # raises the reader's error again, for the caller to explain
    # The reject log's own counts leave out empty surplus fields, so count commas outside quoted values.
    unquoted = """regexp_replace(record, '"([^"]|"")*"', '', 'g')"""
    fields = f"length({unquoted}) - length(replace({unquoted}, ',', '')) + 1"
    count_problem = quote_literal(WRONG_COLUMN_COUNT.format(expected=width, found="")) + f" || ({fields})"
    rejected = _collect_rejects(
        con, prefix, header_lines=1, column_count_problem=count_problem, rejects=rejects, csv=True
    )
    if repair is not None:
        _keep_set_apart_records(con, file, prefix)

    blanks: list[int] = []
    if accepted + rejected != fingerprint.lines - 1 - fingerprint.trailing_blank_lines:
        # Blank lines, or records spanning lines inside quotes: count the records another way.
        records, blanks = _count_csv_records(file)
        if accepted + rejected != records:
            raise file.problem(
                f"DuckDB read {accepted} records and rejected {rejected}, but the file has {records}; "
                "not loading a file whose records cannot all be accounted for"
            )

    select = ", ".join(f"c{index} as {quote_identifier(name)}" for name, index in columns.positions.items())
    content = Content(
        columns=columns,
        records=accepted + rejected,
        rejected=rejected,
        rows_sql=f"select {select}, rowid + 1 as _row_number from {prefix}_rows",
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


# A rejected record whose text holds a line break: the reader took more than one line into it.
_SPANS_LINES = "contains(trim(csv_line, chr(13) || chr(10)), chr(10))"


def _keep_set_apart_records(con, file: DeliveredFile, prefix: str) -> None:
    """The records the scan set apart keep their own text and reason (the copy holds a stand-in line for each)."""
    con.execute(f"""
        update {prefix}_rejects as rejects set parse_error = apart.parse_error, raw_record = apart.raw_record
        from {prefix}_set_apart as apart where rejects.unit = apart.unit""")
    missed = scalar(
        con, f"select count(*) from {prefix}_set_apart where unit not in (select unit from {prefix}_rejects)"
    )
    if missed:
        raise file.problem("cannot split its records: the reader and the loader's scan disagree on its quoting")


def _store_rejects(name: str) -> str:
    """Reader options that log rejected records in <name>_duckdb_rejects instead of failing."""
    return f"store_rejects=true, rejects_table='{name}_duckdb_rejects', rejects_scan='{name}_duckdb_scans'"


def _read_csv(file: DeliveredFile, width: int, options: str) -> str:
    # Columns are named by position: header names may repeat, be empty or be anything.
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv({quote_literal(file.path)}, columns={{{columns}}}, {CSV_DIALECT}, "
        f"max_line_size={MAX_RECORD_BYTES}, {options})"
    )


def _csv_header(file: DeliveredFile) -> list[str]:
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
    if "\r" in text:
        raise file.problem(f"its header line holds a {CARRIAGE_RETURN}")
    try:
        return next(csv.reader([text]), [])
    except csv.Error as error:
        raise file.problem(f"cannot read its header line: {error}") from None


def _count_csv_records(file: DeliveredFile) -> tuple[int, list[int]]:
    """Records, and the units of blank lines (also lines of spaces and tabs) between records, as Python's csv module
    reads the file."""
    limit = csv.field_size_limit(sys.maxsize)
    records, last_record, blanks = 0, 0, []
    try:
        with file.path.open(newline="", encoding="utf-8-sig", errors="replace") as stream:
            rows = csv.reader(stream)
            next(rows, None)
            for unit, row in enumerate(rows, start=1):
                if row and not (len(row) == 1 and not row[0].strip(" \t")):
                    records, last_record = records + 1, unit
                else:
                    blanks.append(unit)
    except csv.Error as error:
        raise file.problem(f"cannot count its records ({error})") from None
    finally:
        csv.field_size_limit(limit)
    return records, [unit for unit in blanks if unit < last_record]


def _check_jsonl(con, file: DeliveredFile, renames, prefix: str, fingerprint: Fingerprint) -> Content:
    lines = _jsonl_lines(con, file, prefix)
    kinds = f"""(
        select k, doc, case when blank then 'blank' when doc is null then 'malformed'
                            when is_object then 'object' else 'other' end as kind
        from {lines})"""
    counts = {"blank": 0, "malformed": 0, "object": 0, "other": 0}
    keys: set[str] = set()
    first_blank = last_record = 0
    # The key lists grouped as JSON text (one text for one list), which groups faster than the lists themselves.
    keys_text = "case when kind = 'object' then to_json(json_keys(doc)) end"
    summary = f"select kind, {keys_text}, count(*), min(k), max(k) from {kinds}"
    for kind, kind_keys, count, first_k, last_k in con.execute(summary + " group by all").fetchall():
        counts[kind] += count
        keys.update(json.loads(kind_keys) if kind_keys else ())
        if kind == "blank":
            first_blank = first_k
        else:
            last_record = max(last_record, last_k)
    held_back = _collect_rejects(con, prefix, header_lines=0, column_count_problem=quote_literal(MALFORMED_JSON))
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
    paths = ", ".join(quote_literal(_json_path(delivered[index])) for index in columns.positions.values())
    select = ", ".join(f"v[{i}] as {quote_identifier(name)}" for i, name in enumerate(columns.positions, start=1))
    rows_sql = f"""
        select {select}, k as _row_number,
               case when doc is null then {quote_literal(MALFORMED_JSON)}
                    when not is_object then {quote_literal(NOT_AN_OBJECT)} end as _parse_error,
               case when not is_object then line end as _raw_record
        from (select *, case when is_object then json_extract_string(doc, [{paths}]) end as v from {lines})
        where not blank"""
    content = Content(
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


def _jsonl_lines(con, file: DeliveredFile, prefix: str) -> str:
    """Read the file's lines into <prefix>_rows; returns them numbered k, with `blank`, `doc` (the line if it is valid
    JSON, else null) and `is_object`.

    JSON functions raise on malformed JSON. A CASE on json_valid guards them in DuckDB 2.0, but they
    are only ever given `doc`, so that no evaluation order can hand them a malformed line.
    """
    # What a line is, kept beside it: the check and the insert both need it, and json_valid costs a parse.
    con.execute(
        f"create temp table {prefix}_rows as "
        f"select line, coalesce(json_valid(line), false) as valid, {BLANK_LINE} as blank, {OPENS_OBJECT} as opens "
        f"from read_csv({quote_literal(file.path)}, columns={{'line': 'VARCHAR'}}, {JSONL_DIALECT}, "
        f"max_line_size={MAX_RECORD_BYTES}, {_store_rejects(prefix)})"
    )
    return (
        "(select rowid + 1 as k, line, blank, case when valid then line end as doc, valid and opens as is_object "
        f"from {prefix}_rows)"
    )


def _check_parquet(con, file: DeliveredFile, renames, prefix: str, fingerprint: Fingerprint) -> Content:
    scan = f"read_parquet({quote_literal(file.path)}, file_row_number=true)"
    schema = [
        (name, type_)
        for name, type_, *_ in con.execute(f"describe select * from {scan}").fetchall()
        if name != "file_row_number"
    ]
    columns = plan_columns(file.source, [name for name, _ in schema], renames)
    positions = columns.positions.items()
    select = ", ".join(f"{_parquet_text(*schema[index])} as {quote_identifier(name)}" for name, index in positions)
    # Decoding the columns that load into the temp table finds a corrupt file before anything is written.
    con.execute(f"create temp table {prefix}_rows as select {select}, file_row_number + 1 as _row_number from {scan}")
    return Content(
        columns=columns,
        records=scalar(con, f"select count(*) from {prefix}_rows"),
        rejected=0,
        rows_sql=f"select * from {prefix}_rows",
    )


def _parquet_text(name: str, type_: str) -> str:
    """A Parquet column as text; timestamps in ISO 8601 ('T' separator; instants in UTC, marked 'Z')."""
    column = quote_identifier(name)
    if type_ == "TIMESTAMP WITH TIME ZONE":
        return f"replace(cast(timezone('UTC', {column}) as varchar), ' ', 'T') || 'Z'"
    if type_.startswith("TIMESTAMP"):
        return f"replace(cast({column} as varchar), ' ', 'T')"
    return f"cast({column} as varchar)"


def _collect_rejects(
    con, prefix: str, *, header_lines: int, column_count_problem: str, rejects: str | None = None, csv: bool = False
) -> int:
    """Turn DuckDB's reject log (<rejects>_duckdb_rejects, by default <prefix>'s) into <prefix>_rejects(unit,
    parse_error, raw_record), one row per record, and count them.

    The log has a row per problem, and several for a record with a wrong field count (one per
    missing or extra field). `column_count_problem` is SQL over `record`, the record's text. For CSV, a
    line of spaces and tabs is a blank line, not a record (the reader rejects it as too short).
    """
    problems = " ".join(f"when '{error_type}' then {quote_literal(text)}" for error_type, text in PARSE_ERRORS.items())
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
                    from {rejects or prefix}_duckdb_rejects))
        group by line""")
    if csv:
        con.execute(f"delete from {prefix}_rejects where trim(raw_record, ' ' || chr(9)) = ''")
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


def _json_path(key: str) -> str:
    """A JSON path for exactly this key (dots, quotes and a leading $ in keys are not path syntax)."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
