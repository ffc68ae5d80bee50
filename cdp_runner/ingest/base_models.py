"""Staging's base models, written from the source contracts (contracts.py): one per source,
`models/staging/<system>/base/base_<system>__<entity>.sql`.

A base model keeps every raw row of its source: the loader's columns, each contract column cleaned and typed (the
delivered text beside every parsed value, `<column>_delivered`) and the reason the row cannot be staged (the first
check that fails: `rejection_reason`). Everything in it is a function of the row alone, so it is built incrementally,
load by load (macros/staging/cdp_loads_to_stage.sql); the staging model picks each record's newest delivery. The
exception is a source whose rows are checked against another source's staged rows (order lines against orders): a
line rejected today is staged once its order arrives, so that base model is rebuilt whole. What differs between
sources is said by the contract's columns (type, required, case, accepted values, currency code, bounds, header
source) and its check order.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from ..config import PROJECT_DIR
from .contracts import SOURCES_BY_NAME, TYPES, Column, Source


def _lint_settings() -> configparser.SectionProxy:
    """The SQL linter's settings (.sqlfluff), which the written models keep to."""
    config = configparser.ConfigParser()
    config.read(PROJECT_DIR / ".sqlfluff")
    return config["sqlfluff"]


_LINT_SETTINGS = _lint_settings()
MAX_LINE = int(_LINT_SETTINGS["max_line_length"])  # longer checks are wrapped
# sqlfluff's layout rules, which a base model leaves out (a line at its top says so). sqlfluff lays out the SQL dbt
# renders, and a base model renders to about ten times its own text (the cleaning and parsing macros of every column):
# these four rules took three quarters of a base model's lint, and what they find in rendered macro text sqlfluff
# drops as templated. The file's own layout is this module's fixed text; its line length is tested
# (tests/python/test_contracts.py).
LAYOUT_RULES = ("LT01", "LT02", "LT05", "LT14")
LINT_DIRECTIVE = (
    "-- sqlfluff:exclude_rules:"
    + ",".join([*(rule.strip() for rule in _LINT_SETTINGS["exclude_rules"].split(",")), *LAYOUT_RULES])
    + "\n"
)
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


def base_model_path(source: Source) -> Path:
    return Path("models/staging") / source.system / "base" / f"{source.base_model}.sql"


def base_model_sql(source: Source, header_comment: str) -> str:
    header = _header_column(source)
    raw = f"source('{source.system}', '{source.name}')"
    source_sql = f"    select * from {{{{ {raw} }}}}"
    if not header:
        source_sql += (
            "\n    {% if is_incremental() %}\n"
            f"        where _load_id in ({{{{ cdp_loads_to_stage({raw}, this) }}}})\n"
            "    {% endif %}"
        )
    ctes = [_cte("source", source_sql)]
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
    branches = "\n".join(f"            {_check_sql(source, check)}" for check in source.checks)
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
    ctes.append(_cte("final", "    select * from checked", last=True))
    config = "" if header else _incremental_config(raw)
    return header_comment + LINT_DIRECTIVE + config + "with\n\n" + "\n\n".join(ctes) + "\n\nselect * from final\n"


def _incremental_config(raw: str) -> str:
    """Incremental by load; the post-hook removes the loads an erasure emptied."""
    return (
        "{{ config(\n"
        "    on_schema_change='fail',\n"
        "    post_hook=[\n"
        '        "{% if is_incremental() %}"\n'
        f'        ~ "{{{{ cdp_prune_unloaded(this, {raw}) }}}}"\n'
        '        ~ "{% endif %}"\n'
        "    ],\n"
        "    **cdp_incremental_by_load_config('load_id')\n"
        ") }}\n\n"
    )


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
    """The column's typed value, and beside a value that is parsed or may be nulled its delivered text."""
    delivered = [f"{{{{ cdp_clean_string('{column.name}') }}}} as {column.name}_delivered"]
    if column.type != "string":
        arguments = f"'{column.name}'" + "".join(f", {number}" for number in column.scale or ())
        parsed = f"{PARSERS[column.type]}({arguments})"
        if column.bounds and column.nulled_when_invalid:
            return [_valid_or_null(parsed, _bounds_condition(column.bounds), column.name)] + delivered
        return [f"{{{{ {parsed} }}}} as {column.name}"] + delivered
    if column.identifier in NORMALISERS:
        return [f"{{{{ {NORMALISERS[column.identifier]}('{column.name}') }}}} as {column.staged_name}"]
    if column.currency_code:
        if column.nulled_when_invalid:
            return [f"{{{{ cdp_parse_currency_code('{column.name}') }}}} as {column.name}"] + delivered
        return [f"upper({{{{ cdp_clean_string('{column.name}') }}}}) as {column.name}"]
    text = f"cdp_trim_whitespace('{column.name}')" if column.trim_whitespace else f"'{column.name}'"
    if column.accepted and column.nulled_when_invalid:
        cleaned = f"cdp_clean_string({text})"
        expression = f"'{column.case}(' ~ {cleaned} ~ ')'" if column.case else cleaned
        values = ", ".join(f"'{value}'" for value in column.accepted)
        return [_valid_or_null(expression, f'"in ({values})"', column.name)] + delivered
    cleaned = f"{{{{ cdp_clean_string({text}) }}}}"
    if column.case:
        cleaned = f"{column.case}({cleaned})"
    return [f"{cleaned} as {column.staged_name}"]


def _valid_or_null(expression: str, condition: str, name: str) -> str:
    one_line = f"{{{{ cdp_valid_or_null({expression}, {condition}) }}}} as {name}"
    if len(one_line) + len("        ,") <= MAX_LINE:
        return one_line
    return f"{{{{ cdp_valid_or_null(\n            {expression}, {condition}\n        ) }}}} as {name}"


def _bounds_condition(bounds: tuple[int, int | None]) -> str:
    low, high = bounds
    return f"'>= {low}'" if high is None else f"'between {low} and {high}'"


# --- the checks --------------------------------------------------------------------------------------------------


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
    if kind == "currency_code":
        return f"when not {{{{ cdp_regexp_like('{name}', '^[A-Z]{{3}}$') }}}} then 'invalid {name}: ' || {name}"
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


# --- the documentation -------------------------------------------------------------------------------------------

# The loader's columns as cdp_load_columns() renames them, with their descriptions and tests
LOAD_COLUMNS = (
    ("load_id", "Load that delivered the row.", True),
    ("source_row_number", "Position of the row in its file.", True),
    ("loaded_at", "When the row was loaded (UTC).", False),
    ("file_name", "File the row came from.", False),
    ("parse_error", "The loader's reason when it could not split the record into columns.", False),
)
CHECK_WORDS = {
    "unparsed": "unparseable {}",
    "missing": "missing {}",
    "accepted": "unknown {}",
    "currency_code": "invalid {}",
    "bounds": "out-of-range {}",
    "header": "{} not staged",
}


def base_yml_path(system: str) -> Path:
    return Path("models/staging") / system / "base" / f"_{system}__base.yml"


def base_model_entry(source: Source) -> dict:
    """The base model's dbt properties: its description and every column's."""
    header = _header_column(source)
    lines = (
        f" A line whose {header.name} is not in {SOURCES_BY_NAME[header.header_source or ''].staged_model} is rejected "
        "too, so every staged line has a staged header."
        if header
        else ""
    )
    columns = [_entry(name, description, not_null=not_null) for name, description, not_null in LOAD_COLUMNS]
    for column in source.columns:
        columns.append(_entry(column.staged_name, f"{column.description} {_how(column)}", pii=column.pii))
        if column.type != "string" or column.nulled_when_invalid:
            delivered = f"{column.name} as delivered (cleaned text), beside the typed value."
            columns.append(_entry(f"{column.name}_delivered", delivered, pii=column.pii))
    if header:
        parent = SOURCES_BY_NAME[header.header_source or ""]
        columns.append(_entry(_has_staged(parent), f"Whether the line's {header.name} is in {parent.staged_model}."))
    reasons = ", ".join(CHECK_WORDS[check.split()[0]].format(check.split()[1]) for check in source.checks)
    columns += [
        _entry(
            "rejection_reason", f"Why the row cannot be staged, the first that applies of: {reasons}; null when it can."
        ),
    ]
    built = (
        " Rebuilt whole on every build, since a line's check depends on the staged headers."
        if header
        else " Built incrementally, load by load: a build takes in the new loads and rewrites those an erasure changed."
    )
    return {
        "name": source.base_model,
        "description": (
            f"{source.description} Every raw row of {source.name}, typed, with the reason it cannot be staged (null "
            f"when it can).{lines}{built} Feeds {source.staged_model} (which keeps each {source.key}'s newest valid "
            "delivery), the quarantine and the reconciliation."
        ),
        "columns": columns,
    }


def _entry(name: str, description: str, *, pii: bool | None = None, not_null: bool = False) -> dict:
    entry: dict = {"name": name, "description": description}
    if pii is not None:
        entry["meta"] = {"pii": pii}
    if not_null:
        entry["data_tests"] = ["not_null"]
    return entry


def _how(column: Column) -> str:
    """How the base model keeps the value, for its description."""
    nulled = "; null when the delivered text is not one staging accepts" if column.nulled_when_invalid else ""
    if column.type != "string":
        scale = f" ({column.scale[0]}, {column.scale[1]})" if column.scale else ""
        bounds = _bounds_text(column.bounds) if column.bounds else ""
        utc = " in UTC" if column.type == "timestamp" else ""
        return f"Parsed: {TYPES[column.type].label}{scale}{utc}{bounds}{nulled}."
    if column.identifier in NORMALISERS:
        return "Upper-cased without separators, as everywhere the card appears."
    if column.staged_name == f"{column.name}_delivered":
        return "As delivered, trimmed" + (" of spaces, tabs and line breaks." if column.trim_whitespace else ".")
    case = f", {column.case} case" if column.case else ""
    accepted = f"; one of {', '.join(column.accepted)}" if column.accepted else ""
    currency = ", upper case; three letters" if column.currency_code else ""
    return f"Trimmed{case}{currency}{accepted}{nulled}."


def _bounds_text(bounds: tuple[int, int | None]) -> str:
    low, high = bounds
    return f", at least {low}" if high is None else f", from {low} to {high}"
