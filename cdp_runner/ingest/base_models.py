"""Staging's base models, written from the source contracts (contracts.py): one per source,
`models/staging/<system>/base/base_<system>__<entity>.sql`.

A base model keeps every raw row of its source: the loader's columns, each contract column cleaned and typed (the
delivered text beside every parsed value, `<column>_delivered`), the reason the row cannot be staged (the first
check that fails: `rejection_reason`) and its delivery rank. What differs between sources is said by the contract's
columns (type, required, case, accepted values, pattern, bounds, header source) and its sources' version column
and check order.
"""

from __future__ import annotations

from pathlib import Path

from .contracts import SOURCES_BY_NAME, Column, Source

MAX_LINE = 120  # .sqlfluff's max_line_length: longer checks are wrapped
# The parsing macro of each contract type other than string, which is cleaned text
PARSERS = {
    "timestamp": "cdp_to_utc_timestamp",
    "date": "cdp_parse_date",
    "decimal": "cdp_parse_decimal",
    "integer": "cdp_parse_integer",
    "boolean": "cdp_parse_boolean",
}
# Identifiers the base model already normalises (the same card is keyed and scanned in different forms)
NORMALISERS = {"loyalty_card": "cdp_normalize_loyalty_card"}
CHECKS = ("missing", "unparsed", "accepted", "pattern", "bounds", "header")


def base_model_path(source: Source) -> Path:
    return Path("models/staging") / source.system / "base" / f"{source.base_model}.sql"


def base_model_sql(source: Source, header_comment: str) -> str:
    header = _header_column(source)
    ctes = [_cte("source", f"    select * from {{{{ source('{source.system}', '{source.name}') }}}}")]
    if header:
        parent = SOURCES_BY_NAME[header.header_source or ""]
        ctes.append(
            _cte(
                _staged_cte(parent),
                f"    select {parent.key} from {{{{ ref('{parent.staged_model}') }}}}",
            )
        )
    typed = ["{{ cdp_load_columns() }}"] + [line for column in source.columns for line in _typed(column)]
    ctes.append(_cte("typed", "    select\n        " + ",\n        ".join(typed) + "\n    from source"))
    checked_from = "typed"
    if header:
        parent = SOURCES_BY_NAME[header.header_source or ""]
        staged = _staged_cte(parent)
        ctes.append(
            _cte(
                "with_parent",
                "    select\n"
                "        typed.*,\n"
                f"        {staged}.{parent.key} is not null as {_has_staged(parent)}\n"
                "    from typed\n"
                f"    left join {staged}\n"
                f"        on typed.{header.name} = {staged}.{parent.key}",
            )
        )
        checked_from = "with_parent"
    branches = "\n".join(f"            {_check_sql(source, check)}" for check in checks(source))
    ctes.append(
        _cte(
            "checked",
            "    select\n"
            "        *,\n"
            "        case\n"
            "            when parse_error is not null then parse_error\n"
            f"{branches}\n"
            "        end as rejection_reason\n"
            f"    from {checked_from}",
        )
    )
    rank_arguments = ", ".join(f"'{column}'" for column in (source.key, source.version_column) if column)
    ctes.append(
        _cte(
            "final",
            "    select\n"
            "        *,\n"
            f"        {{{{ cdp_delivery_rank({rank_arguments}) }}}} as delivery_rank\n"
            "    from checked",
            last=True,
        )
    )
    return header_comment + "with\n\n" + "\n\n".join(ctes) + "\n\nselect * from final\n"


def _cte(name: str, body: str, last: bool = False) -> str:
    return f"{name} as (\n{body}\n)" + ("" if last else ",")


def _header_column(source: Source) -> Column | None:
    headers = [column for column in source.columns if column.header_source]
    return headers[0] if headers else None


def _staged_cte(parent: Source) -> str:
    return f"staged_{parent.entity}"


def _has_staged(parent: Source) -> str:
    return f"has_staged_{parent.entity.removesuffix('s')}"


# --- the typed columns -------------------------------------------------------------------------------------------


def _typed(column: Column) -> list[str]:
    if column.type != "string":
        arguments = f"'{column.name}'" + "".join(f", {number}" for number in column.scale or ())
        return [
            f"{{{{ {PARSERS[column.type]}({arguments}) }}}} as {column.name}",
            f"{{{{ cdp_clean_string('{column.name}') }}}} as {column.name}_delivered",
        ]
    if column.identifier in NORMALISERS:
        return [f"{{{{ {NORMALISERS[column.identifier]}('{column.name}') }}}} as {column.staged_name}"]
    text = f"cdp_trim_whitespace('{column.name}')" if column.trim_whitespace else f"'{column.name}'"
    cleaned = f"{{{{ cdp_clean_string({text}) }}}}"
    if column.case:
        cleaned = f"{column.case}({cleaned})"
    return [f"{cleaned} as {column.staged_name}"]


# --- the checks --------------------------------------------------------------------------------------------------


def checks(source: Source) -> list[str]:
    """The base model's checks, "<check> <column>", in the order they run.

    Usually every required column's parsing and presence first (column by column), then the values: the optional
    columns' parsing, accepted values, patterns and bounds (column by column), then the header; a source's
    check_order says otherwise.
    """
    required = [f"{check} {column.name}" for column in source.columns if column.required for check in _presence(column)]
    values = [
        f"{check} {column.name}"
        for column in source.columns
        for check in _value_checks(column)
        if f"{check} {column.name}" not in required
    ]
    headers = [f"header {column.name}" for column in source.columns if column.header_source]
    usual = required + values + headers
    if not source.check_order:
        return usual
    if sorted(source.check_order) != sorted(usual):
        raise ValueError(
            f"contract of {source.name}: check_order must name each of its checks once: {', '.join(usual)}"
        )
    return list(source.check_order)


def _presence(column: Column) -> list[str]:
    return (["unparsed"] if column.type != "string" else []) + ["missing"]


def _value_checks(column: Column) -> list[str]:
    return [
        check
        for check, applies in (
            ("unparsed", column.type != "string"),
            ("accepted", bool(column.accepted)),
            ("pattern", bool(column.pattern)),
            ("bounds", bool(column.bounds)),
        )
        if applies
    ]


def _check_sql(source: Source, check: str) -> str:
    kind, name = check.split(" ")
    column = next(column for column in source.columns if column.name == name)
    staged = column.staged_name
    if kind == "missing":
        return f"{{{{ cdp_missing('{name}') }}}}" if staged == name else f"when {staged} is null then 'missing {name}'"
    if kind == "unparsed":
        return f"{{{{ cdp_unparsed('{name}') }}}}"
    if kind == "accepted":
        values = ", ".join(f"'{value}'" for value in column.accepted)
        one_line = f"{{{{ cdp_unknown_value('{name}', [{values}]) }}}}"
        if len(one_line) + 12 <= MAX_LINE:
            return one_line
        return f"{{{{ cdp_unknown_value('{name}', [\n                {values}\n            ]) }}}}"
    if kind == "pattern":
        return f"when not {{{{ cdp_regexp_like('{name}', '{column.pattern}') }}}} then 'invalid {name}: ' || {name}"
    if kind == "bounds":
        low, high = column.bounds or (0, None)
        if high is None:
            return f"when {name} < {low} then 'negative {name}: ' || {name}_delivered"
        condition = f"when {name} not between {low} and {high}"
        reason = f"then 'out-of-range {name}: ' || {name}_delivered"
        if len(condition) + len(reason) + 13 <= MAX_LINE:
            return f"{condition} {reason}"
        return f"{condition}\n                {reason}"
    header = SOURCES_BY_NAME[column.header_source or ""]
    return f"when not {_has_staged(header)} then '{name} not staged: ' || {name}"
