"""The values of a load checked against the contract's types, for `cdp load` to say what staging will do with them.

The loader stores every value as delivered; staging parses them (macros/normalize/) and decides: a required value
that is missing or not of its type quarantines its record, an optional one that is not of its type is nulled and the
record kept (audit.audit_nulled_fields). This module applies the same parsing rules to a load's rows in DuckDB, so
that `cdp load` can tell the user at once. The staging models stay the one authority, and check more than the types
(accepted values, ranges): `cdp build` reports what they did. tests/python/test_staging_outcomes.py checks that both
agree on the types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ..config import RAW_SCHEMA
from ..warehouse import quote_identifier
from .contracts import Source

# Each type's rule, as the staging macros parse it (cdp_parse_date, cdp_parse_decimal, cdp_parse_integer,
# cdp_parse_boolean, duckdb__cdp_to_utc_timestamp), over {value}: the text cleaned like cdp_clean_string, or {raw}:
# the text as delivered (cdp_parse_boolean trims spaces only).
_DECIMAL = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
_TIMESTAMP_WITH_OFFSET = r"[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_PARSES = {
    "date": "try_cast({value} as date) is not null",
    "decimal": f"regexp_matches({{value}}, '{_DECIMAL}') and try_cast({{value}} as decimal(18, 2)) is not null",
    "integer": "regexp_matches({value}, '^[+-]?[0-9]+$') and try_cast({value} as bigint) is not null",
    "boolean": "lower(trim({raw})) in ('true', 't', '1', 'yes', 'y', 'false', 'f', '0', 'no', 'n')",
    "timestamp": (
        "try_cast(case"
        f" when regexp_matches({{value}}, '{_TIMESTAMP_WITH_OFFSET}') then {{value}}"
        " when regexp_matches({value}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+$') then {value} || '+00:00'"
        " when regexp_matches({value}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') then {value} || 'T00:00:00+00:00'"
        " end as timestamptz) is not null"
    ),
}
# Timestamps as systems write them: no white space to clean, so the rule comes down to its cast (with an offset, the
# rule's first pattern matches; without one, its second). Tested first, they spare most values the cleaning and the
# rule's regular expressions.
_PLAIN_TIMESTAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?"
_PLAIN_OFFSET = "(Z|[+-][0-9]{2}:[0-9]{2})"
_PLAIN_CASTS = {1: "try_cast({raw} as timestamptz)", 2: "try_cast({raw} || '+00:00' as timestamptz)"}


def cleaned(column: str) -> str:
    """cdp_clean_string(column) in DuckDB SQL: the replace() calls of cdp_trim_whitespace, then trim()."""
    spaced = quote_identifier(column)
    for white in ("chr(9)", "chr(10)", "chr(13)", "chr(160)"):
        spaced = f"replace({spaced}, {white}, ' ')"
    trimmed = f"trim({spaced})"
    return f"(case when lower({trimmed}) in ('', 'null', 'nan') then null else {trimmed} end)"


# Whether cleaned(column) is null, without cleaning: white space around nothing, null or nan in any case (no other
# character lower-cases to n, u, l or a). White space is what cdp_trim_whitespace turns into spaces and what DuckDB's
# trim() removes: the Unicode space separators (category Zs).
_WHITE_SPACE = (9, 10, 13, 0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)
_WHITE = "[" + "".join(f"\\x{{{code:x}}}" for code in _WHITE_SPACE) + "]*"
_MISSING = f"{_WHITE}([nN][uU][lL][lL]|[nN][aA][nN])?{_WHITE}"
# The first characters a missing value can start with (ascii('') is 0): most values are ruled out by that alone.
_MISSING_STARTS = ", ".join(str(code) for code in (0, ord("n"), ord("N"), *_WHITE_SPACE))


def missing(column: str) -> str:
    """SQL: whether the column's value is missing for staging (cleaned(column) is null), without cleaning it."""
    name = quote_identifier(column)
    return (
        f"(case when {name} is null then true when ascii({name}) in ({_MISSING_STARTS}) "
        f"then regexp_full_match({name}, '{_MISSING}') else false end)"
    )


def _plain_timestamp(raw: str) -> str:
    """SQL over the delivered text `raw`: 1 for a plain timestamp with an offset, 2 for one without, else null."""
    return (
        f"(case when regexp_full_match({raw}, '{_PLAIN_TIMESTAMP}{_PLAIN_OFFSET}') then 1 "
        f"when regexp_full_match({raw}, '{_PLAIN_TIMESTAMP}') then 2 end)"
    )


def _parses(contract_type: str, value: str, raw: str, plain: str | None = None) -> str:
    """SQL: whether `value` (cleaned text) parses as the contract type; `raw` is the text as delivered. For a
    timestamp, `plain` is _plain_timestamp(raw) when already computed."""
    rule = _PARSES.get(contract_type)
    if rule is None:
        return "true"
    checked = f"coalesce({rule.replace('{value}', value).replace('{raw}', raw)}, false)"
    if contract_type != "timestamp":
        return checked
    casts = " ".join(f"when {kind} then {cast.format(raw=raw)} is not null" for kind, cast in _PLAIN_CASTS.items())
    return f"(case {plain or _plain_timestamp(raw)} {casts} else {checked} end)"


def parses(contract_type: str, column: str) -> str:
    """SQL: whether the column's delivered text parses as the contract type (always true for text)."""
    return _parses(contract_type, cleaned(column), quote_identifier(column))


@dataclass
class ValueCheck:
    """What staging will do with a load's values, as far as the contract's types tell."""

    rows_to_quarantine: int = 0  # split records with a missing required value or one not of its type
    fields_to_null: dict[str, int] = field(default_factory=dict)  # optional column: values not of its type

    @property
    def fields(self) -> int:
        return sum(self.fields_to_null.values())


def check_values(con: duckdb.DuckDBPyConnection, source: Source, load_id: str) -> ValueCheck:
    """The load's split records checked against the contract: one scan of its rows, each typed value cleaned once."""
    typed = [column for column in source.columns if column.type != "string"]
    # v<n>: the n-th typed column cleaned; the rules read it and the delivered text (for booleans) by name.
    # _cdp_plain_<n>: a timestamp column's _plain_timestamp (plain text is its own cleaned value), added beside the raw
    # table's columns under a name no contract column has (the loader's own start with an underscore).
    values = {column.name: f"v{index}" for index, column in enumerate(typed)}
    plain = {column.name: f"_cdp_plain_{index}" for index, column in enumerate(typed) if column.type == "timestamp"}

    def value(column) -> str:
        if column.name not in plain:
            return cleaned(column.name)
        raw = quote_identifier(column.name)
        return f"case when {plain[column.name]} is not null then {raw} else {cleaned(column.name)} end"

    inner = [f"{value(column)} as {values[column.name]}" for column in typed]
    inner += [quote_identifier(column.name) for column in typed] + list(plain.values())
    inner += [f"{missing(column.name)} as m{index}" for index, column in enumerate(source.columns) if column.required]

    def bad(column) -> str:
        raw = quote_identifier(column.name)
        return f"not {_parses(column.type, values[column.name], raw, plain.get(column.name))}"

    required = [
        f"m{index}" + (f" or {bad(column)}" if column.name in values else "")
        for index, column in enumerate(source.columns)
        if column.required
    ]
    optional = [column for column in typed if not column.required]
    counts = [f"count(*) filter (where {' or '.join(required)})"]
    counts += [f"count(*) filter (where {values[column.name]} is not null and {bad(column)})" for column in optional]
    rows = f"select * from {RAW_SCHEMA}.{source.name} where _load_id = ? and _parse_error is null"
    if plain:  # the flags first, for the cleaning to read
        flags = [f"{_plain_timestamp(quote_identifier(name))} as {flag}" for name, flag in plain.items()]
        rows = f"select *, {', '.join(flags)} from ({rows})"
    # Materialized: the optimizer would otherwise put the cleaning back into every place the rules read its result.
    row = con.execute(
        f"with checked as materialized (select {', '.join(inner)} from ({rows})) "
        f"select {', '.join(counts)} from checked",
        [load_id],
    ).fetchall()[0]
    return ValueCheck(
        rows_to_quarantine=row[0],
        fields_to_null={column.name: count for column, count in zip(optional, row[1:], strict=True) if count},
    )
