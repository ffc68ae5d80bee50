"""Splink (Fellegi-Sunter, DuckDB backend) on the bench's person records, for bench/statistical.py.

Runs in the bench's own virtualenv (Splink is never a dependency of cdp; `make bench` creates it):

    V/bin/python bench/splink_match.py --csv D/crm_customers.csv --truth D/_truth/ground_truth.parquet --out R.json

The records get the same cleaning cdp gives them (names lower case and letters only, postcodes upper case), and a
model in the form of Splink's own examples: the same blocking rules as seeds/identity/identity_blocking_rules.csv,
Splink's name, date-of-birth and postcode comparisons (Jaro-Winkler, date differences, postcode sectors), term
frequencies for names; the prior from an exact rule, u from random pairs, m by EM on three training rules; clusters
at the same threshold as cdp's, and at a few others (the best of them is Splink's ceiling on this data: the truth
chose it). Street and city are left out: as comparisons of their own beside the postcode they count one shared home
three times, and household members then merge (F1 0.54 instead of 0.82 on 5,000 records). Writes the pairwise
precision, recall and F1 against the truth and the seconds each step took.
"""

from __future__ import annotations

import argparse
import json
import time

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--truth", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--threshold", type=float, default=0.995, help="cdp's threshold: the figures compared")
    parser.add_argument(
        "--also-thresholds",
        default="0.5,0.9,0.99,0.999,0.9999",
        help="further thresholds clustered and scored (the truth picks the best: Splink's ceiling on this data)",
    )
    args = parser.parse_args()

    # only in the bench's own virtualenv, which the project's type check does not see
    from splink import Linker, SettingsCreator, block_on  # type: ignore[import-not-found]
    from splink import comparison_library as cl
    from splink.backends.duckdb import DuckDBAPI  # type: ignore[import-not-found]

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        """
        create table people as
        with raw as (select * from read_csv(?, all_varchar = true))
        select
            crm_customer_id as unique_id,
            nullif(regexp_replace(lower(strip_accents(trim(first_name))), '[^a-z]', '', 'g'), '') as first_name,
            nullif(regexp_replace(lower(strip_accents(trim(last_name))), '[^a-z]', '', 'g'), '') as last_name,
            try_cast(birth_date as date) as birth_date,
            case
                when length(replace(upper(postcode), ' ', '')) >= 5
                    then left(replace(upper(postcode), ' ', ''), length(replace(upper(postcode), ' ', '')) - 3)
                    || ' ' || right(replace(upper(postcode), ' ', ''), 3)
            end as postcode
        from raw
        """,
        [args.csv],
    )
    db_api = DuckDBAPI(connection=con)
    records = db_api.register("people")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("birth_date", "postcode"),
            block_on("first_name", "birth_date"),
            block_on("first_name", "last_name"),
            block_on("last_name", "birth_date"),
            block_on("last_name", "postcode"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.PostcodeComparison("postcode"),
        ],
    )
    linker = Linker(records, settings)
    loaded = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "last_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("last_name", "birth_date"))
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, args.threshold)
    clusters.as_duckdbpyrelation().create("clusters")
    done = time.perf_counter()
    con.execute("create table truth as select record_key, person_id from read_parquet(?)", [args.truth])

    result = {
        **_scores(con, "clusters"),
        "threshold": args.threshold,
        "pairs_scored": predictions.as_duckdbpyrelation().count("*").fetchall()[0][0],
        "seconds": {
            "prepare": round(loaded - started, 2),
            "train": round(trained - loaded, 2),
            "predict_and_cluster": round(done - trained, 2),
            "total": round(done - started, 2),
        },
        "by_threshold": {},
    }
    for threshold in (float(value) for value in args.also_thresholds.split(",") if value):
        other = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        other.as_duckdbpyrelation().create(f"clusters_{len(result['by_threshold'])}")
        result["by_threshold"][str(threshold)] = _scores(con, f"clusters_{len(result['by_threshold'])}")
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)


def _scores(con: duckdb.DuckDBPyConnection, clusters: str) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the truth (as `cdp evaluate` counts them)."""
    true_pairs, predicted, correct = (
        int(value or 0)
        for value in con.execute(
            f"""
            with joined as (
                select truth.person_id, clusters.cluster_id
                from {clusters} as clusters inner join truth on clusters.unique_id = truth.record_key
            )
            select
                (select sum(n * (n - 1) // 2) from (select count(*) as n from joined group by person_id)),
                (select sum(n * (n - 1) // 2) from (select count(*) as n from joined group by cluster_id)),
                (select sum(n * (n - 1) // 2) from (select count(*) as n from joined group by person_id, cluster_id))
            """
        ).fetchall()[0]
    )
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


if __name__ == "__main__":
    main()
