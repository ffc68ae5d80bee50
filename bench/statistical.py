"""`make bench`, statistical matching: cdp's person-record matching and Splink's on the same records, F1 and time.

    python -m bench.statistical --records 10000 --splink-python .build/splink-venv/bin/python

1. person records (bench/person_records.py): CRM accounts with no e-mail, phone or login, about 40% of them a
   person's second or third account, with the truth;
2. cdp: loaded into a fresh warehouse, staging built, then the identity stage in full (timed: the whole stage, and
   the seconds of the statistical models of models/intermediate/identity/statistical summed, dbt's start and parse
   excluded), scored with `cdp evaluate`'s pairwise figures;
3. Splink (DuckDB backend) on the same file with bench/splink_match.py, in the virtualenv `--splink-python` names:
   `make bench` creates it (.build/splink-venv); Splink is never a dependency of cdp. Without it this step is
   skipped and said so;
4. speed: `--repeat` rounds, each cdp's statistical models run alone (their wall clock, as Splink runs alone) and
   then Splink, so a change in the shared machine's load moves both sides of a round; the ratio of each round, and
   their median;
5. cdp's identity stage once more with the setting address_needs_personal_evidence at 1 (less recall, more
   precision).

Figures go to the console and to <workdir>/statistical-<records>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from bench.person_records import person_records
from bench.scale import IDENTITY_MODELS, STAGING_SELECTION, _build, _model_seconds, _run
from cdp_runner.config import PROJECT_DIR
from cdp_runner.evaluation.identity import evaluate_identity
from cdp_runner.ingest.loader import load_path
from cdp_runner.warehouse import connect

THRESHOLD_SETTING = "person_record_min_probability"
STATISTICAL_PATH = "models/intermediate/identity/statistical"
STATISTICAL_MODELS = {path.stem for path in (PROJECT_DIR / STATISTICAL_PATH).glob("*.sql")}


def _cdp_warehouse(data_dir: Path, warehouse: Path) -> None:
    """A fresh warehouse with the records loaded and staging built."""
    warehouse.unlink(missing_ok=True)
    load_path(data_dir / "crm_customers.csv", warehouse=warehouse)
    with connect(warehouse):
        pass  # the runner's own tables (the identity salt) exist before dbt runs, as `cdp build` ensures
    _build(["path:seeds"], warehouse, "seed")
    _build(STAGING_SELECTION, warehouse)


def _require_personal_evidence_for_addresses(warehouse: Path) -> None:
    """The one setting that trades recall for precision (docs/identity.md, "Tuning the thresholds"), changed in the
    warehouse's copy of the seed."""
    with connect(warehouse) as con:
        (schema,) = con.execute(
            "select table_schema from information_schema.tables where table_name = 'identity_match_settings'"
        ).fetchall()[0]
        con.execute(
            f"update {schema}.identity_match_settings set value = 1 where setting = 'address_needs_personal_evidence'"
        )


def _identity_stage(data_dir: Path, warehouse: Path) -> dict:
    started = time.perf_counter()
    seconds_by_model = _build(IDENTITY_MODELS, warehouse, "run")
    stage_seconds = time.perf_counter() - started
    statistical = {name: seconds for name, seconds in seconds_by_model.items() if name in STATISTICAL_MODELS}
    quality = evaluate_identity(data_dir, warehouse=warehouse)
    return {
        "precision": quality.precision,
        "recall": quality.recall,
        "f1": quality.f1,
        "recall_ceiling": quality.recall_ceiling,
        "seconds": {
            "statistical_models": round(sum(statistical.values()), 2),
            "identity_stage": round(stage_seconds, 2),
            "by_statistical_model": {name: round(seconds, 2) for name, seconds in sorted(statistical.items())},
        },
    }


def _statistical_alone(warehouse: Path) -> dict:
    """The statistical models built again on their own, as Splink runs on its own: inside the identity stage other
    models share the two cores with them and their seconds, summed, count the time they overlap twice."""
    outcome = _run(["run", "--select", f"path:{STATISTICAL_PATH}"], warehouse)
    return {"wall_clock": round(outcome.seconds, 2), "summed": round(sum(_model_seconds(outcome).values()), 2)}


def _speed_rounds(warehouse: Path, splink: Callable[[], dict] | None, repeat: int) -> list[dict]:
    """`repeat` rounds of cdp's statistical models alone and then Splink (when there is one)."""
    rounds = []
    for _ in range(repeat):
        cdp = _statistical_alone(warehouse)
        seconds = {"cdp_alone": cdp["wall_clock"], "cdp_alone_summed": cdp["summed"]}
        if splink is not None:
            seconds["splink"] = splink()["seconds"]["total"]
            seconds["cdp_over_splink"] = round(seconds["cdp_alone"] / seconds["splink"], 2)
        rounds.append(seconds)
    return rounds


def _splink(splink_python: Path, data_dir: Path, out: Path, threshold: float) -> dict:
    started = time.perf_counter()
    subprocess.run(
        [
            str(splink_python),
            str(PROJECT_DIR / "bench" / "splink_match.py"),
            "--csv",
            str(data_dir / "crm_customers.csv"),
            "--truth",
            str(data_dir / "_truth" / "ground_truth.parquet"),
            "--out",
            str(out),
            "--threshold",
            str(threshold),
        ],
        check=True,
        capture_output=True,
    )
    result = json.loads(out.read_text())
    result["seconds"]["process"] = round(time.perf_counter() - started, 2)
    return result


def _threshold() -> float:
    """cdp's threshold for person records, from its seed: Splink clusters at the same one."""
    with (PROJECT_DIR / "seeds" / "identity" / "identity_match_settings.csv").open() as settings:
        return next(float(row["value"]) for row in csv.DictReader(settings) if row["setting"] == THRESHOLD_SETTING)


def run(records: int, seed: int, workdir: Path, splink_python: Path | None, repeat: int = 3) -> dict:
    data_dir, warehouse = workdir / f"records-{records}", workdir / f"warehouse-{records}.duckdb"
    shutil.rmtree(data_dir, ignore_errors=True)
    written = person_records(records, seed, data_dir)
    print(
        f"    {written['records']:,} person records of {written['people']:,} people"
        f" ({written['duplicates']:,} duplicates)"
    )
    _cdp_warehouse(data_dir, warehouse)
    figures: dict = {"records": written, "cdp": {"default": _identity_stage(data_dir, warehouse)}}
    splink = None
    if splink_python is not None and splink_python.exists():
        splink_out = workdir / f"splink-{records}.json"
        threshold = _threshold()

        def splink() -> dict:
            return _splink(splink_python, data_dir, splink_out, threshold)

        figures["splink"] = splink()
    else:
        print(f"    Splink: skipped (no interpreter at {splink_python}; `make bench` creates it)")
    figures["speed_rounds"] = _speed_rounds(warehouse, splink, repeat)
    _require_personal_evidence_for_addresses(warehouse)
    figures["cdp"]["address_needs_personal_evidence_1"] = _identity_stage(data_dir, warehouse)

    print(f"    {'':<34}{'precision':>10}{'recall':>9}{'F1':>8}{'seconds':>9}")
    for label, cdp in (
        ("cdp (statistical models)", figures["cdp"]["default"]),
        ("cdp, address evidence required", figures["cdp"]["address_needs_personal_evidence_1"]),
    ):
        print(
            f"    {label:<34}{cdp['precision']:>10.4f}{cdp['recall']:>9.4f}{cdp['f1']:>8.4f}"
            f"{cdp['seconds']['statistical_models']:>9.1f}"
            f"   (whole identity stage {cdp['seconds']['identity_stage']:.1f} s)"
        )
    if "splink" in figures:
        first = figures["splink"]
        print(
            f"    {'Splink, same threshold':<34}{first['precision']:>10.4f}{first['recall']:>9.4f}"
            f"{first['f1']:>8.4f}"
            f"{first['seconds']['total']:>9.1f}"
            f"   (train {first['seconds']['train']:.1f} s, predict and cluster"
            f" {first['seconds']['predict_and_cluster']:.1f} s)"
        )
        best_threshold, best = max(first["by_threshold"].items(), key=lambda item: item[1]["f1"])
        print(
            f"    {'Splink, best threshold':<34}{best['precision']:>10.4f}{best['recall']:>9.4f}{best['f1']:>8.4f}"
            f"{'':>9}   (threshold {best_threshold}, chosen with the truth)"
        )
        # the same round's figures only: the machine's load moves both
        ratios = [round_["cdp_over_splink"] for round_ in figures["speed_rounds"]]
        figures["cdp_alone_over_splink_seconds_median"] = statistics.median(ratios)
        print(
            f"    cdp's seconds / Splink's, statistical models run alone, {len(ratios)} rounds:"
            f" median {statistics.median(ratios):.2f} ("
            + ", ".join(f"{round_['cdp_alone']:.1f} s / {round_['splink']:.1f} s" for round_ in figures["speed_rounds"])
            + ")"
        )
    ceiling = figures["cdp"]["default"]["recall_ceiling"]
    print(f"    recall ceiling (cdp's candidate pairs and shared identifiers): {ceiling:.4f}")
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.statistical", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the speed comparison (cdp, then Splink)")
    parser.add_argument("--workdir", type=Path, default=PROJECT_DIR / ".build" / "bench" / "statistical")
    parser.add_argument("--splink-python", type=Path, default=PROJECT_DIR / ".build" / "splink-venv" / "bin" / "python")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    figures = run(args.records, args.seed, args.workdir, args.splink_python, args.repeat)
    out = args.workdir / f"statistical-{args.records}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"figures written to {out}")


if __name__ == "__main__":
    main()
