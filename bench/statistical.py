"""`make bench`, statistical matching: cdp's person-record matching and Splink's on the same records, F1 and time.

    python -m bench.statistical --records 10000 --splink-python .build/splink-venv/bin/python

1. person records (bench/person_records.py): CRM accounts with no e-mail, phone or login, about 40% of them a
   person's second or third account, with the truth;
2. cdp: loaded into a fresh warehouse, staging built, then the identity stage in full (timed: the whole stage, and
   the seconds of the statistical models of models/intermediate/identity/statistical summed, dbt's start and parse
   excluded), scored with `cdp evaluate`'s pairwise figures; those models run again alone (their wall clock, as
   Splink runs alone); then the stage once more with the setting address_needs_personal_evidence at 1 (less
   recall, more precision);
3. Splink (DuckDB backend) on the same file with bench/splink_match.py, in the virtualenv `--splink-python` names:
   `make bench` creates it (.build/splink-venv); Splink is never a dependency of cdp. Without it this step is
   skipped and said so.

Figures go to the console and to <workdir>/statistical-<records>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import time
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


def _cdp(data_dir: Path, warehouse: Path) -> dict:
    warehouse.unlink(missing_ok=True)
    load_path(data_dir / "crm_customers.csv", warehouse=warehouse)
    with connect(warehouse):
        pass  # the runner's own tables (the identity salt) exist before dbt runs, as `cdp build` ensures
    _build(["path:seeds"], warehouse, "seed")
    _build(STAGING_SELECTION, warehouse)
    figures = {"default": _identity_stage(data_dir, warehouse)}
    figures["default"]["seconds"]["statistical_models_alone"] = _statistical_alone(warehouse)
    # the same records with the one setting that trades recall for precision (docs/identity.md, "Tuning the
    # thresholds"), changed in the warehouse's copy of the seed
    with connect(warehouse) as con:
        (schema,) = con.execute(
            "select table_schema from information_schema.tables where table_name = 'identity_match_settings'"
        ).fetchall()[0]
        con.execute(
            f"update {schema}.identity_match_settings set value = 1 where setting = 'address_needs_personal_evidence'"
        )
    figures["address_needs_personal_evidence_1"] = _identity_stage(data_dir, warehouse)
    return figures


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


def run(records: int, seed: int, workdir: Path, splink_python: Path | None) -> dict:
    data_dir, warehouse = workdir / f"records-{records}", workdir / f"warehouse-{records}.duckdb"
    shutil.rmtree(data_dir, ignore_errors=True)
    written = person_records(records, seed, data_dir)
    print(
        f"    {written['records']:,} person records of {written['people']:,} people"
        f" ({written['duplicates']:,} duplicates)"
    )
    figures: dict = {"records": written, "cdp": _cdp(data_dir, warehouse)}
    if splink_python is not None and splink_python.exists():
        figures["splink"] = _splink(splink_python, data_dir, workdir / f"splink-{records}.json", _threshold())
    else:
        print(f"    Splink: skipped (no interpreter at {splink_python}; `make bench` creates it)")
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
        splink = figures["splink"]
        print(
            f"    {'Splink, same threshold':<34}{splink['precision']:>10.4f}{splink['recall']:>9.4f}"
            f"{splink['f1']:>8.4f}"
            f"{splink['seconds']['total']:>9.1f}"
            f"   (train {splink['seconds']['train']:.1f} s, predict and cluster"
            f" {splink['seconds']['predict_and_cluster']:.1f} s)"
        )
        best_threshold, best = max(splink["by_threshold"].items(), key=lambda item: item[1]["f1"])
        print(
            f"    {'Splink, best threshold':<34}{best['precision']:>10.4f}{best['recall']:>9.4f}{best['f1']:>8.4f}"
            f"{'':>9}   (threshold {best_threshold}, chosen with the truth)"
        )
        # the same run's figures only: the machine's load moves both
        figures["cdp_over_splink_seconds"] = round(
            figures["cdp"]["default"]["seconds"]["statistical_models"] / splink["seconds"]["total"], 2
        )
        alone = figures["cdp"]["default"]["seconds"]["statistical_models_alone"]
        figures["cdp_alone_over_splink_seconds"] = round(alone["wall_clock"] / splink["seconds"]["total"], 2)
        print(
            f"    cdp's seconds / Splink's: {figures['cdp_over_splink_seconds']:.2f} in the identity stage;"
            f" {figures['cdp_alone_over_splink_seconds']:.2f} for the statistical models run alone"
            f" ({alone['wall_clock']:.1f} s wall clock, {alone['summed']:.1f} s summed over the models)"
        )
    ceiling = figures["cdp"]["default"]["recall_ceiling"]
    print(f"    recall ceiling (cdp's candidate pairs and shared identifiers): {ceiling:.4f}")
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.statistical", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=PROJECT_DIR / ".build" / "bench" / "statistical")
    parser.add_argument("--splink-python", type=Path, default=PROJECT_DIR / ".build" / "splink-venv" / "bin" / "python")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    figures = run(args.records, args.seed, args.workdir, args.splink_python)
    out = args.workdir / f"statistical-{args.records}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"figures written to {out}")


if __name__ == "__main__":
    main()
