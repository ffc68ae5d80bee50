"""`cdp load` against a plain DuckDB read of the same files into tables, side by side in one run.

    python -m bench.load_speed --customers 20000 [--seed 42] [--data DIR] [--workdir DIR] [--rounds N]

Generates the sample data (or reuses --data, or a folder under --workdir generated with the same customers and seed),
then times, on the same files:

- the baseline: one fresh DuckDB file, a CREATE TABLE AS per file of a plain read: CSV with `read_csv` (header, every
  column VARCHAR), JSON Lines with `read_json` (newline-delimited, every key the reader finds VARCHAR, so values are
  text as in raw), Parquet with `read_parquet`; malformed records are skipped (`ignore_errors`), not kept;
- `cdp load` of the folder into a fresh warehouse: the ledger, the checks, quarantine markers and all.

Prints rows, seconds and rows/s of each, per format and in total, and the ratio: load rows/s / baseline rows/s (the
target is >= 0.50 in total). The files are read once before the timings, so that both find them in the page cache.
With --rounds N the two run in turn N times, and the median of the rounds' ratios is printed: on a shared machine one
round's ratio moves with what else runs beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cdp_runner.config import PROJECT_DIR
from cdp_runner.generator.generate import generate
from cdp_runner.ingest.contracts import format_for_file
from cdp_runner.ingest.delivery import files_in
from cdp_runner.ingest.loader import LoadResult, load_path
from cdp_runner.warehouse import quote_literal

TARGET_RATIO = 0.5


@dataclass
class Timing:
    """Rows and seconds per format, and for the whole run (which includes what no single file pays for)."""

    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    total_seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the whole run, on all threads: less sensitive than wall time to a busy machine

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _plain_read(path: Path, file_format: str, con: duckdb.DuckDBPyConnection) -> str:
    file = quote_literal(path)
    if file_format == "csv":
        return f"read_csv({file}, header=true, all_varchar=true, ignore_errors=true)"
    if file_format == "jsonl":
        described = con.execute(f"describe select * from read_ndjson({file}, ignore_errors=true)").fetchall()
        keys = [row[0] for row in described]
        columns = ", ".join(f"{quote_literal(key)}: 'VARCHAR'" for key in keys)
        return f"read_ndjson({file}, columns={{{columns}}}, ignore_errors=true)"
    return f"read_parquet({file})"


def baseline(folder: Path, database: Path) -> Timing:
    """A plain DuckDB read of every data file of `folder` into a table of a fresh database."""
    database.unlink(missing_ok=True)
    timing = Timing()
    started, cpu_started = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(database))
    try:
        con.execute("set enable_progress_bar = false")
        for index, path in enumerate(files_in(folder)[0]):
            file_format = format_for_file(path.name) or ""
            file_started = time.perf_counter()
            con.execute(f"create table t{index} as select * from {_plain_read(path, file_format, con)}")
            timing.rows[file_format] += con.execute(f"select count(*) from t{index}").fetchall()[0][0]
            timing.seconds[file_format] += time.perf_counter() - file_started
    finally:
        con.close()
    timing.total_seconds = time.perf_counter() - started
    timing.cpu_seconds = time.process_time() - cpu_started
    database.unlink(missing_ok=True)
    return timing


def load_timing(results: list[LoadResult], seconds: float, cpu_seconds: float = 0.0) -> Timing:
    """`cdp load`'s figures from its results: per format the files' own seconds, in total the whole call's."""
    timing = Timing(total_seconds=seconds, cpu_seconds=cpu_seconds)
    for result in results:
        if result.status == "loaded":
            file_format = format_for_file(result.file_name) or ""
            timing.rows[file_format] += result.rows_read
            timing.seconds[file_format] += result.seconds
    return timing


def cdp_load(folder: Path, warehouse: Path) -> Timing:
    """`cdp load` of `folder` into a fresh warehouse."""
    for stale in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        stale.unlink(missing_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    results = load_path(folder, warehouse=warehouse)
    return load_timing(results, time.perf_counter() - started, time.process_time() - cpu_started)


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds else 0.0


def compare(load: Timing, base: Timing, indent: str = "") -> dict:
    """Print the side-by-side table; returns the figures (per format and total) for a JSON report."""
    figures: dict = {}
    columns = f"{'rows':>10} {'s':>7} {'rows/s':>9}"
    print(f"{indent}{'':8} baseline {columns}   cdp load {columns}   ratio")
    formats = sorted(set(base.rows) | set(load.rows))
    lines = [(name, base.rows[name], base.seconds[name], load.rows[name], load.seconds[name]) for name in formats]
    lines.append(("total", base.total_rows, base.total_seconds, load.total_rows, load.total_seconds))
    for name, base_rows, base_seconds, load_rows, load_seconds in lines:
        base_rate, load_rate = _rate(base_rows, base_seconds), _rate(load_rows, load_seconds)
        ratio = load_rate / base_rate if base_rate else 0.0
        figures[name] = {
            "baseline": {"rows": base_rows, "seconds": round(base_seconds, 2), "rows_per_second": round(base_rate)},
            "load": {"rows": load_rows, "seconds": round(load_seconds, 2), "rows_per_second": round(load_rate)},
            "ratio": round(ratio, 3),
        }
        print(
            f"{indent}{name:8}          {base_rows:>10,} {base_seconds:>7.1f} {base_rate:>9,.0f}            "
            f"{load_rows:>10,} {load_seconds:>7.1f} {load_rate:>9,.0f}   {ratio:.2f}"
        )
    if load.cpu_seconds and base.cpu_seconds:
        cpu_ratio = base.cpu_seconds / load.cpu_seconds * load.total_rows / base.total_rows
        figures["total"]["cpu_ratio"] = round(cpu_ratio, 3)
        print(
            f"{indent}CPU seconds (all threads): baseline {base.cpu_seconds:.1f}, cdp load {load.cpu_seconds:.1f}; "
            f"ratio of rows per CPU second {cpu_ratio:.2f}"
        )
    print(f"{indent}ratio = load rows/s / baseline rows/s (target >= {TARGET_RATIO:.2f} in total)", flush=True)
    return figures


def generated(data_dir: Path, customers: int, seed: int) -> bool:
    """Whether `data_dir` holds the generator's output for these customers and seed."""
    params = data_dir / "_truth" / "generator_params.json"
    if not params.exists():
        return False
    written = json.loads(params.read_text())
    return written.get("customers") == customers and written.get("seed") == seed


def side_by_side(results: list[LoadResult], seconds: float, folder: Path, workdir: Path) -> dict:
    """After a `cdp load` of `folder` that took `seconds`: the baseline on the same files, and the comparison."""
    base = baseline(folder, workdir / "baseline.duckdb")
    return compare(load_timing(results, seconds), base, indent="    ")


def warm(folder: Path) -> None:
    """Read every file once, so that neither side pays for the disk."""
    for path in files_in(folder)[0]:
        with path.open("rb") as stream:
            while stream.read(8 << 20):
                pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, default=None, help="a folder of files to load instead of generated data")
    parser.add_argument("--workdir", type=Path, default=PROJECT_DIR / ".build" / "bench-load")
    parser.add_argument("--rounds", type=int, default=1, help="the baseline and cdp load this many times, in turn")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    workdir = args.workdir / (f"data-{args.data.name}" if args.data else str(args.customers))
    workdir.mkdir(parents=True, exist_ok=True)
    folder = args.data or workdir / "data"
    if args.data is None and not generated(folder, args.customers, args.seed):
        shutil.rmtree(folder, ignore_errors=True)
        print(f"--- generate {args.customers} customers (seed {args.seed}) into {folder}", flush=True)
        generate(args.customers, args.seed, folder)
    warm(folder)
    rounds = []
    for number in range(1, args.rounds + 1):
        round_label = f", round {number} of {args.rounds}" if args.rounds > 1 else ""
        print(
            f"--- baseline: plain DuckDB read into tables (load average {os.getloadavg()[0]:.1f}{round_label})",
            flush=True,
        )
        base = baseline(folder, workdir / "baseline.duckdb")
        print(f"--- cdp load (load average {os.getloadavg()[0]:.1f}{round_label})", flush=True)
        load = cdp_load(folder, workdir / "warehouse.duckdb")
        rounds.append(compare(load, base))
    report: dict = {"folder": str(folder), "rounds": rounds}
    if args.rounds > 1:
        for key in ("ratio", "cpu_ratio"):
            values = [figures["total"][key] for figures in rounds]
            report[f"median_{key}"] = statistics.median(values)
            print(
                f"total {key.replace('_', ' ')} by round: {', '.join(f'{value:.3f}' for value in values)}; "
                f"median {report[f'median_{key}']:.3f}"
            )
    out = workdir / "load-speed.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"figures written to {out}")


if __name__ == "__main__":
    main()
