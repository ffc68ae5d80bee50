"""Identity quality against the generator's ground truth.

Pairwise over source records: two records form a *true pair* when the ground truth gives them the same
person, and a *predicted pair* when the record map gives them the same customer_id.

- precision = true pairs predicted / predicted pairs
- recall    = true pairs predicted / true pairs
- F1        = harmonic mean of the two

Both counts come from the contingency table of (person, customer) without enumerating pairs:
sum over cells of n(n-1)/2. Ground-truth records missing from the record map (quarantined rows, or
records that reached no profile) count as singletons: they can only lower recall.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import UserError
from ..warehouse import connect

RECORD_MAP = "marts.identity_record_map"


@dataclass(frozen=True)
class IdentityQuality:
    records_in_truth: int
    records_evaluated: int
    records_missing_from_map: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    true_persons: int
    profiles: int
    persons_split: int
    profiles_merging_persons: int

    def as_dict(self) -> dict:
        return asdict(self)


def _truth_file(path: Path) -> Path:
    candidate = path / "_truth" / "ground_truth.parquet" if path.is_dir() else path
    if candidate.is_dir():
        candidate = candidate / "ground_truth.parquet"
    if not candidate.exists():
        raise UserError(f"no ground truth at {candidate}: pass the file, or the folder 'cdp generate' wrote")
    return candidate


def evaluate_identity(truth: Path, *, warehouse: str | Path | None = None) -> IdentityQuality:
    truth_file = _truth_file(Path(truth))
    with connect(warehouse, read_only=True) as con:
        has_map = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'identity_record_map'"
        ).fetchall()[0][0]
        if not has_map:
            raise UserError(f"{RECORD_MAP} does not exist: run 'cdp build' first")
        try:
            con.execute(
                "create temp table truth as select distinct source_name, record_key, person_id "
                "from read_parquet(?) where record_key is not null",
                [str(truth_file)],
            )
        except Exception as error:  # duckdb raises several types for unreadable files
            raise UserError(f"cannot read ground truth {truth_file}: {' '.join(str(error).split())}") from None
        con.execute(
            f"""
            create temp table assigned as
            select
                truth.person_id,
                coalesce(record_map.customer_id, 'unassigned:' || truth.source_name || ':' || truth.record_key)
                    as customer_id,
                record_map.customer_id is null as is_missing
            from truth
            left join {RECORD_MAP} as record_map
                on truth.source_name = record_map.source_name
                and truth.record_key = record_map.record_key
            """
        )
        row = con.execute(
            """
            with
            cells as (select person_id, customer_id, count(*) as n from assigned group by all),
            persons as (
                select person_id, count(*) as n, count(distinct customer_id) as profiles from assigned group by all
            ),
            customers as (
                select customer_id, count(*) as n, count(distinct person_id) as persons from assigned group by all
            )
            select
                (select count(*) from truth),
                (select count(*) from assigned where not is_missing),
                (select count(*) from assigned where is_missing),
                (select coalesce(sum(n * (n - 1) // 2), 0) from persons),
                (select coalesce(sum(n * (n - 1) // 2), 0) from customers),
                (select coalesce(sum(n * (n - 1) // 2), 0) from cells),
                (select count(*) from persons),
                (select count(*) from customers where not customer_id like 'unassigned:%'),
                (select count(*) from persons where profiles > 1),
                (select count(*) from customers where persons > 1)
            """
        ).fetchall()[0]
    (
        records_in_truth,
        records_evaluated,
        records_missing,
        true_pairs,
        predicted_pairs,
        correct_pairs,
        true_persons,
        profiles,
        persons_split,
        profiles_merging,
    ) = (int(value) for value in row)
    if records_in_truth == 0:
        raise UserError(f"ground truth {truth_file} holds no records")
    precision = correct_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = correct_pairs / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return IdentityQuality(
        records_in_truth=records_in_truth,
        records_evaluated=records_evaluated,
        records_missing_from_map=records_missing,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct_pairs,
        precision=precision,
        recall=recall,
        f1=f1,
        true_persons=true_persons,
        profiles=profiles,
        persons_split=persons_split,
        profiles_merging_persons=profiles_merging,
    )
