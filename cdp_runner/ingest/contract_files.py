"""The files written from the source contracts (contracts.py), and the command that writes or checks them:

    python -m cdp_runner.ingest.contract_files --write   # make contracts: after changing a contract
    python -m cdp_runner.ingest.contract_files --check   # exit 1 naming each file that differs

- models/staging/<system>/_<system>__sources.yml: the dbt sources (schema raw), one per system;
- macros/staging/cdp_staged_sources.sql: `cdp_staged_sources()`, the staged-source registry the audit and identity
  models read (each source's system, base and staging model, key and identity markers);
- macros/staging/cdp_optional_values.sql: `cdp_optional_values()`, per source the optional columns staging checks,
  whose bad values it nulls and audit_nulled_fields records;
- models/staging/<system>/base/base_<system>__<entity>.sql and _<system>__base.yml: each source's base model
  (every raw row typed and checked) and its documentation (base_models.py);
- docs/sources.md: the contracts for people who deliver files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click
import yaml

from ..config import PROJECT_DIR
from .base_models import base_model_entry, base_model_path, base_model_sql, base_yml_path
from .contracts import (
    FORMAT_NOTES,
    FORMATS,
    IDENTIFIER_TYPES,
    LOAD_COLUMNS,
    PHONE_FORMAT,
    SOURCES,
    SYSTEMS,
    TYPES,
    Column,
    Source,
    System,
)

CONTRACTS_FILE = "cdp_runner/ingest/contracts.py"
COMMAND = "python -m cdp_runner.ingest.contract_files --write"
# The first lines of every written file, as the file's comment syntax wraps them
WRITTEN_BY = (
    f"Written by `{COMMAND}` (make contracts) from",
    f"{CONTRACTS_FILE}: change the contract there, not this file.",
)
REGISTRY_FILE = Path("macros/staging/cdp_staged_sources.sql")
OPTIONAL_VALUES_FILE = Path("macros/staging/cdp_optional_values.sql")
DOCS_FILE = Path("docs/sources.md")
# The width the yml was first written with (PyYAML folds long descriptions there)
YAML_WIDTH = 110


def sources_yml_path(system: System) -> Path:
    return Path("models/staging") / system.name / f"_{system.name}__sources.yml"


def generated_files() -> dict[Path, str]:
    """Every file written from the contracts (paths relative to the project) with its content."""
    files = {sources_yml_path(system): sources_yml(system) for system in SYSTEMS}
    sql_header = f"{{#- {WRITTEN_BY[0]}\n    {WRITTEN_BY[1]} -#}}\n"
    files |= {base_model_path(source): base_model_sql(source, sql_header) for source in SOURCES}
    files |= {base_yml_path(system.name): base_yml(system) for system in SYSTEMS}
    files[REGISTRY_FILE] = staged_sources_macro()
    files[OPTIONAL_VALUES_FILE] = optional_values_macro()
    files[DOCS_FILE] = sources_doc()
    return files


# --- the dbt sources ---------------------------------------------------------------------------------------------


def sources_yml(system: System) -> str:
    document = {
        "sources": [
            {
                "name": system.name,
                "description": f"{system.description} Loaded by `cdp load`; the contract lives in {CONTRACTS_FILE}.",
                "schema": "raw",
                "loaded_at_field": "_loaded_at",
                "tables": [_source_table(source) for source in SOURCES if source.system == system.name],
            }
        ]
    }
    return _yml_header() + _yml(document)


def base_yml(system: System) -> str:
    document = {"models": [base_model_entry(source) for source in SOURCES if source.system == system.name]}
    return _yml_header() + _yml(document)


def _yml_header() -> str:
    return "".join(f"# {line}\n" for line in WRITTEN_BY)


def _yml(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, width=YAML_WIDTH, allow_unicode=True, default_flow_style=False)


def _source_table(source: Source) -> dict:
    return {
        "name": source.name,
        "description": (
            f"{source.description} Raw as delivered: every value is text; one row per delivered record. "
            f"Key: {source.key}. Default file: {source.default_file}."
        ),
        "meta": {"key": source.key, "default_format": source.default_format, "has_person": source.has_person},
        "columns": [_contract_column(column) for column in source.columns]
        + [_load_column(column) for column in LOAD_COLUMNS],
    }


def _contract_column(column: Column) -> dict:
    required = "required" if column.required else "optional"
    entry: dict = {
        "name": column.name,
        "description": f"{column.description} Contract: {TYPES[column.type].label}, {required}.",
        "meta": {"contract_type": column.type, "required": column.required, "pii": column.pii},
    }
    if column.pii:
        entry["tags"] = ["pii"]
    return entry


def _load_column(column) -> dict:
    entry: dict = {
        "name": column.name,
        "description": f"Added by the loader: {column.description}",
        "meta": {"loader_column": True, "pii": column.pii},
    }
    if column.not_null:
        entry["data_tests"] = ["not_null"]
    if column.pii:
        entry["tags"] = ["pii"]
    return entry


# --- the staged-source registry ----------------------------------------------------------------------------------


def staged_sources_macro() -> str:
    entries = []
    for source in SOURCES:
        # the keys in the order the identity stage's fingerprint has always hashed them
        lines = [
            f"'source': {_jinja(source.name)}, 'base': {_jinja(source.base_model)},",
            f"'staged': {_jinja(source.staged_model)}, 'key': {_jinja(source.key)},",
        ]
        if source.markers:
            lines.append("'markers': [" + ", ".join(_jinja(marker) for marker in source.markers) + "],")
        lines.append(f"'system': {_jinja(source.system)}")
        entries.append("        {" + "\n            ".join(lines) + "},")
    return (
        f"{{#- {WRITTEN_BY[0]}\n    {WRITTEN_BY[1]}\n"
        "    Every staged source: its raw table, its base model, its staging model, its key, for sources that carry\n"
        "    identity markers the marker types its staging model fills (`markers`: cdp_identity_markers checks them,\n"
        "    and the identity stage reads only those columns), and its system. The quarantine and reconciliation\n"
        "    models are built from this list; the identity stage's fingerprint hashes it as it is written here. -#}\n"
        "{% macro cdp_staged_sources() -%}\n"
        "    {{ return([\n" + "\n".join(entries) + "\n    ]) }}\n"
        "{%- endmacro %}\n"
        "\n"
        "{#- The identity marker types, in the order of the marker_<type> columns every person-bearing staging model\n"
        "    ends with (cdp_identity_markers writes them; the identity stage reads them by name). -#}\n"
        "{% macro cdp_identity_marker_types() -%}\n"
        "    {{ return([" + ", ".join(_jinja(marker) for marker in IDENTIFIER_TYPES) + "]) }}\n"
        "{%- endmacro %}\n"
    )


def type_problem(type_name: str) -> str:
    """What audit_nulled_fields says of a value that is not of its type ('not a YYYY-MM-DD date')."""
    label = TYPES[type_name].label
    return f"not {'an' if label[0].lower() in 'aeio' else 'a'} {label}"


def optional_values_macro() -> str:
    entries = []
    for source in SOURCES:
        columns = [column for column in source.columns if column.nulled_when_invalid]
        if not columns:
            continue
        items = [
            f"{{'column': {_jinja(column.name)}, 'type': {_jinja(column.type)}, 'type_problem': "
            + (_jinja(type_problem(column.type)) if column.type != "string" else "none")
            + "}"
            for column in columns
        ]
        entries.append(f"        {_jinja(source.name)}: [\n            " + ",\n            ".join(items) + "],")
    return (
        f"{{#- {WRITTEN_BY[0]}\n    {WRITTEN_BY[1]}\n"
        "    Per source, the optional columns staging checks (every column that is not text, and text columns the\n"
        "    contract marks checked): a bad value is nulled and the record kept. Each base model gives such a column\n"
        "    as <column> (null when the value failed) beside <column>_delivered (the text); audit_nulled_fields lists\n"
        "    the fields where the text is there and the value is not: type_problem when the text is not even of the\n"
        "    column's type, else the value is not one staging accepts. -#}\n"
        "{% macro cdp_optional_values() -%}\n"
        "    {{ return({\n" + "\n".join(entries) + "\n    }) }}\n"
        "{%- endmacro %}\n"
    )


def _jinja(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# --- the documentation -------------------------------------------------------------------------------------------


def sources_doc() -> str:
    lines = [
        "# Source contracts",
        "",
        f"<!-- {WRITTEN_BY[0]} {WRITTEN_BY[1]} -->",
        "",
        "What each source file must or may carry. Name each file after its source (`crm_customers.csv`,",
        "`web_events_2026-05.jsonl`, …: the longest source name the file name starts with wins) and run `cdp load`;",
        "[loading.md](loading.md) explains the ledger, idempotency, quarantine and column-mapping files.",
        "",
        "A column's *identifier* is the identity marker type its value is: staging fills the marker from it, and",
        "`cdp forget` finds a person's rows by it (IP addresses aside: identity never gives them to a person).",
        "*key of* marks the parent record of a line: an erased order takes its lines with it.",
        "",
        "## Accepted formats",
        "",
        "- Files: " + ", ".join(_format_text(file_format) for file_format in dict.fromkeys(FORMATS.values())) + ".",
        *(f"- {contract_type.name}: {contract_type.accepted}" for contract_type in TYPES.values()),
        f"- phone (the columns whose identifier is `phone`): {PHONE_FORMAT}",
        "",
        "## Sources",
        "",
        "| source | system | default file | key | staging model | identity markers |",
        "|---|---|---|---|---|---|",
        *(
            f"| [`{source.name}`](#{source.name}) | {source.system} | `{source.default_file}` | `{source.key}` | "
            f"`{source.staged_model}` | {', '.join(source.markers) or '-'} |"
            for source in SOURCES
        ),
    ]
    for source in SOURCES:
        lines += _source_section(source)
    lines += [
        "",
        "## Adding a source",
        "",
        f"A source is defined once, by its entry in `{CONTRACTS_FILE}`; `make contracts` writes from it the dbt",
        "source (`_<system>__sources.yml`), the base model that types and checks every raw row",
        "(`base/base_<system>__<entity>.sql`, documented in `base/_<system>__base.yml`), the staged-source registry",
        "and this page. Adding a source touches three files:",
        "",
        f"1. its contract entry in `{CONTRACTS_FILE}` (columns, key, identity markers, and what staging checks:",
        "   case, accepted values, currency code, bounds, header source), then `make contracts`;",
        "2. its staging model `models/staging/<system>/stg_<system>__<entity>.sql`: the newest valid delivery from",
        "   the base model (`cdp_latest_delivery`, with the source's version column if it has one), normalised,",
        "   ending with its identity markers;",
        "3. that model's entry in `models/staging/<system>/_<system>__models.yml`.",
        "",
        "Quarantine, reconciliation, identity and erasure pick the source up from the registry.",
        "",
        "## Columns the loader adds",
        "",
        "Every raw table has, after the contract's columns:",
        "",
        "| column | type | personal data | meaning |",
        "|---|---|---|---|",
        *(
            f"| `{column.name}` | {column.type} | {'yes' if column.pii else ''} | {column.description} |"
            for column in LOAD_COLUMNS
        ),
    ]
    return "\n".join(lines) + "\n"


def _format_text(file_format: str) -> str:
    extensions = " / ".join(f"`{extension}`" for extension, name in FORMATS.items() if name == file_format)
    note = FORMAT_NOTES[file_format]
    return f"{extensions} ({note})" if note else extensions


def _source_section(source: Source) -> list[str]:
    staging = f"Staged by `{source.base_model}` and `{source.staged_model}`"
    markers = f"; identity markers: {', '.join(source.markers)}." if source.markers else "; no identity markers."
    return [
        "",
        f"### `{source.name}`",
        "",
        f"{source.system}; default file `{source.default_file}`; key `{source.key}`. {source.description}",
        "",
        staging + markers,
        "",
        "| column | type | required | personal data | identifier | meaning |",
        "|---|---|---|---|---|---|",
        *(
            f"| `{column.name}` | {column.type} | {'yes' if column.required else ''} | {'yes' if column.pii else ''} | "
            f"{_identifier_text(column)} | {column.description} |"
            for column in source.columns
        ),
    ]


def _identifier_text(column: Column) -> str:
    if column.parent:
        return f"key of `{column.parent}`"
    if column.identifier and column.country_column:
        return f"{column.identifier} (country: `{column.country_column}`)"
    return column.identifier or ""


# --- the command -------------------------------------------------------------------------------------------------


def differing_files(project_dir: Path = PROJECT_DIR) -> list[Path]:
    """The generated files whose content on disk is not what the contracts give (missing ones included)."""
    return [
        path
        for path, content in generated_files().items()
        if not (project_dir / path).exists() or (project_dir / path).read_text() != content
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cdp_runner.ingest.contract_files", description=__doc__.splitlines()[0]
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="write every file that differs")
    action.add_argument("--check", action="store_true", help="exit 1 if a file differs")
    args = parser.parse_args(argv)
    differing = differing_files()
    if args.check:
        for path in differing:
            click.echo(f"{path}: differs from the contracts; run `make contracts`")
        return 1 if differing else 0
    files = generated_files()
    for path in differing:
        (PROJECT_DIR / path).parent.mkdir(parents=True, exist_ok=True)
        (PROJECT_DIR / path).write_text(files[path])
        click.echo(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
