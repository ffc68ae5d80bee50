"""Pairwise identity metrics on a record map whose right answers are worked out by hand."""

from __future__ import annotations

import duckdb
import pytest

from cdp_runner.errors import UserError
from cdp_runner.evaluation.identity import evaluate_identity


def _write_truth(path, rows):
    con = duckdb.connect()
    con.execute("create table truth (source_name varchar, record_key varchar, person_id varchar)")
    con.executemany("insert into truth values (?, ?, ?)", rows)
    con.execute(f"copy truth to '{path}' (format parquet)")
    con.close()


def _write_record_map(warehouse, rows):
    """rows: (source_name, record_key, customer_id[, deterministic_customer_id]); without the last, the customer is
    deterministic."""
    con = duckdb.connect(str(warehouse))
    con.execute("create schema if not exists marts")
    con.execute(
        "create table marts.identity_record_map "
        "(source_name varchar, record_key varchar, customer_id varchar, deterministic_customer_id varchar)"
    )
    con.executemany("insert into marts.identity_record_map values (?, ?, ?, ?)", [(*row, row[2])[:4] for row in rows])
    con.close()


def test_metrics_match_a_hand_worked_example(tmp_path):
    # Truth: P1 = r1 r2 r3, P2 = r4 r5.  Map: C1 = r1 r2, C2 = r3 r4, r5 unassigned.
    # true pairs 3 + 1 = 4; predicted pairs 1 + 1 = 2; correct pairs: (r1, r2) only = 1.
    truth = tmp_path / "truth.parquet"
    _write_truth(
        truth, [("web", "r1", "P1"), ("web", "r2", "P1"), ("crm", "r3", "P1"), ("crm", "r4", "P2"), ("crm", "r5", "P2")]
    )
    warehouse = tmp_path / "wh.duckdb"
    _write_record_map(warehouse, [("web", "r1", "C1"), ("web", "r2", "C1"), ("crm", "r3", "C2"), ("crm", "r4", "C2")])

    quality = evaluate_identity(truth, warehouse=warehouse)

    assert (quality.true_pairs, quality.predicted_pairs, quality.correct_pairs) == (4, 2, 1)
    assert quality.precision == pytest.approx(0.5)
    assert quality.recall == pytest.approx(0.25)
    assert quality.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert quality.records_in_truth == 5
    assert quality.records_missing_from_map == 1
    assert quality.persons_split == 2
    assert quality.profiles_merging_persons == 1
    assert quality.profiles == 2


def test_figures_by_link_kind_match_a_hand_worked_example(tmp_path):
    # Truth: P1 = r1 r2 r3, P2 = r4. Deterministic customers D1 = r1 r2, D2 = r3, D3 = r4; statistical links join
    # them all into C1. Deterministic alone: 1 pair predicted, 1 correct. With the statistical links: 6 predicted,
    # 3 correct; the 5 pairs only statistical links made, 2 of them right (r1-r3, r2-r3).
    truth = tmp_path / "truth.parquet"
    _write_truth(truth, [("crm", "r1", "P1"), ("crm", "r2", "P1"), ("crm", "r3", "P1"), ("crm", "r4", "P2")])
    warehouse = tmp_path / "wh.duckdb"
    _write_record_map(
        warehouse,
        [("crm", "r1", "C1", "D1"), ("crm", "r2", "C1", "D1"), ("crm", "r3", "C1", "D2"), ("crm", "r4", "C1", "D3")],
    )

    quality = evaluate_identity(truth, warehouse=warehouse)

    assert (quality.predicted_pairs, quality.correct_pairs) == (6, 3)
    assert quality.deterministic is not None
    assert (quality.deterministic.predicted_pairs, quality.deterministic.correct_pairs) == (1, 1)
    assert quality.deterministic.recall == pytest.approx(1 / 3)
    assert (quality.statistical_pairs, quality.statistical_correct_pairs) == (5, 2)
    assert quality.statistical_precision == pytest.approx(0.4)
    assert quality.recall_ceiling is None  # no identity stage tables to find the evidence in


def test_a_perfect_map_scores_one(tmp_path):
    truth = tmp_path / "truth.parquet"
    rows = [("s", f"r{i}", f"P{i // 3}") for i in range(12)]
    _write_truth(truth, rows)
    warehouse = tmp_path / "wh.duckdb"
    _write_record_map(warehouse, [(source, key, person.replace("P", "C")) for source, key, person in rows])
    quality = evaluate_identity(truth, warehouse=warehouse)
    assert quality.precision == 1.0 and quality.recall == 1.0
    assert quality.persons_split == 0 and quality.profiles_merging_persons == 0


def test_missing_record_map_is_a_user_error(tmp_path):
    truth = tmp_path / "truth.parquet"
    _write_truth(truth, [("s", "r1", "P1")])
    duckdb.connect(str(tmp_path / "wh.duckdb")).close()
    with pytest.raises(UserError, match="identity_record_map does not exist"):
        evaluate_identity(truth, warehouse=tmp_path / "wh.duckdb")


def test_missing_truth_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no ground truth"):
        evaluate_identity(tmp_path / "nowhere.parquet", warehouse=tmp_path / "wh.duckdb")
