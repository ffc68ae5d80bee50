"""Compare two DuckDB warehouses table by table, row by row.

Used by the tests that promise "the same result two ways" (an incremental build against a full one, a renamed
layout against the old one), and by hand:

    python tests/python/warehouse_diff.py A.duckdb B.duckdb [--rename old_schema.old_table=new_schema.new_table ...]
        [--ignore-column name ...] [--only-schema marts ...]

Rows are compared as multisets (EXCEPT ALL both ways), so order does not matter and duplicates count. Columns whose
values depend on when or where a build ran (load times, build times, load ids) can be left out by name.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# Columns that record when or where a build or load happened, not what it computed.
VOLATILE_COLUMNS = frozenset(
    {
        "_loaded_at",
        "loaded_at",
        "built_at",
        "dbt_updated_at",
        "dbt_valid_from",
        "dbt_valid_to",
        "dbt_scd_id",
        "committed_at",
        "started_at",
        "finished_at",
        "build_started_at",
        "invocation_id",
        "changed_at",
        "merged_at",
        "recorded_at",
        "member_since_at",
        "fitted_at",
        "fit_seconds",
        # a surrogate numbered in an order that ties leave open
        "signature_id",
    }
)
# Schemas that hold bookkeeping rather than results.
SKIPPED_SCHEMAS = frozenset({"information_schema", "pg_catalog"})


@dataclass
class TableDiff:
    table: str
    counterpart: str
    problem: str


@dataclass
class WarehouseDiff:
    compared: list[str] = field(default_factory=list)
    differences: list[TableDiff] = field(default_factory=list)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.differences or self.only_in_a or self.only_in_b)

    def report(self) -> str:
        lines = [f"compared {len(self.compared)} tables"]
        lines += [f"only in A: {name}" for name in self.only_in_a]
        lines += [f"only in B: {name}" for name in self.only_in_b]
        lines += [f"differs: {d.table} vs {d.counterpart}: {d.problem}" for d in self.differences]
        return "\n".join(lines)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schemas: set[str] | None) -> dict[str, list[tuple]]:
    rows = con.execute(
        """
        select table_schema, table_name, column_name, data_type
        from information_schema.columns
        where table_catalog = ?
        order by table_schema, table_name, ordinal_position
        """,
        [catalog],
    ).fetchall()
    tables: dict[str, list[tuple]] = {}
    for schema, table, column, data_type in rows:
        if schema in SKIPPED_SCHEMAS or (schemas and schema not in schemas):
            continue
        tables.setdefault(f"{schema}.{table}", []).append((column, data_type))
    return tables


def compare(
    a: Path,
    b: Path,
    *,
    rename: dict[str, str] | None = None,
    ignore_columns: set[str] | frozenset[str] = VOLATILE_COLUMNS,
    schemas: set[str] | None = None,
    ignore_tables: set[str] | None = None,
    extra_in_b: bool = False,
) -> WarehouseDiff:
    """Every table of A against its counterpart in B (same name unless `rename` maps it).

    extra_in_b: tables only B has are allowed (a layout that adds intermediate models)."""
    rename = rename or {}
    ignore_tables = ignore_tables or set()
    con = duckdb.connect()
    try:
        con.execute(f"attach '{a}' as wa (read_only)")
        con.execute(f"attach '{b}' as wb (read_only)")
        tables_a = _tables(con, "wa", schemas)
        tables_b = _tables(con, "wb", None)
        result = WarehouseDiff()
        matched_b: set[str] = set()
        for name, columns_a in sorted(tables_a.items()):
            if name in ignore_tables:
                continue
            counterpart = rename.get(name, name)
            columns_b = tables_b.get(counterpart)
            if columns_b is None:
                result.only_in_a.append(name)
                continue
            matched_b.add(counterpart)
            result.compared.append(name)
            kept_a = [(c, t) for c, t in columns_a if c not in ignore_columns]
            kept_b = [(c, t) for c, t in columns_b if c not in ignore_columns]
            if sorted(kept_a) != sorted(kept_b):
                result.differences.append(
                    TableDiff(name, counterpart, f"columns differ: {sorted(set(kept_a) ^ set(kept_b))}")
                )
                continue
            column_list = ", ".join(f'"{c}"' for c, _ in sorted(kept_a))
            if not column_list:
                continue
            a_ref = "wa." + ".".join(f'"{part}"' for part in name.split(".", 1))
            b_ref = "wb." + ".".join(f'"{part}"' for part in counterpart.split(".", 1))
            only_a = con.execute(
                f"select count(*) from (select {column_list} from {a_ref} except all select {column_list} from {b_ref})"
            ).fetchall()[0][0]
            only_b = con.execute(
                f"select count(*) from (select {column_list} from {b_ref} except all select {column_list} from {a_ref})"
            ).fetchall()[0][0]
            if only_a or only_b:
                count_a = con.execute(f"select count(*) from {a_ref}").fetchall()[0][0]
                count_b = con.execute(f"select count(*) from {b_ref}").fetchall()[0][0]
                result.differences.append(
                    TableDiff(
                        name, counterpart, f"{only_a} rows only in A, {only_b} only in B ({count_a} vs {count_b})"
                    )
                )
        if not extra_in_b:
            result.only_in_b = sorted(
                name
                for name in tables_b
                if name not in matched_b
                and name not in ignore_tables
                and (not schemas or name.split(".", 1)[0] in schemas)
            )
        return result
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--rename", action="append", default=[], metavar="A_TABLE=B_TABLE")
    parser.add_argument("--ignore-column", action="append", default=[])
    parser.add_argument("--ignore-table", action="append", default=[])
    parser.add_argument("--only-schema", action="append", default=[])
    parser.add_argument("--extra-in-b", action="store_true", help="tables only B has are not a difference")
    args = parser.parse_args(argv)
    rename = dict(item.split("=", 1) for item in args.rename)
    diff = compare(
        args.a,
        args.b,
        rename=rename,
        ignore_columns=VOLATILE_COLUMNS | set(args.ignore_column),
        schemas=set(args.only_schema) or None,
        ignore_tables=set(args.ignore_table),
        extra_in_b=args.extra_in_b,
    )
    print(diff.report())
    return 0 if diff.identical else 1


if __name__ == "__main__":
    sys.exit(main())
