"""Person records for the statistical-matching bench: CRM accounts with no e-mail, phone or login, many of them
duplicates, written as a `crm_customers.csv` that `cdp load` takes, with the truth beside it.

The people are the generator's world (cdp_runner/generator/world.py): households sharing a surname and an address,
twins, common names. Each person has one account; a share of them a second or third, typed as people type them
again: nicknames, slips in names and postcodes, day and month of birth swapped, a later address, fields left
empty. `_truth/ground_truth.parquet` maps every account to its person, as the generator's truth does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from cdp_runner.generator import reference as ref
from cdp_runner.generator import text as tx
from cdp_runner.generator.block import with_typos
from cdp_runner.generator.commerce import typed_birth_days
from cdp_runner.generator.params import GeneratorParams
from cdp_runner.generator.world import DAY, build_world, stream
from cdp_runner.ingest.contracts import SOURCES_BY_NAME

END = date(2026, 6, 30)


def person_records(records: int, seed: int, out_dir: Path, duplicate_share: float = 0.4) -> dict:
    """Writes about `records` accounts, `duplicate_share` of them second or third accounts of a person."""
    people = int(records * (1 - duplicate_share))
    params = GeneratorParams()
    world = build_world(people, seed, END, params)
    rng = stream(seed, 7_001)
    n = len(world.people)
    extra = rng.poisson(duplicate_share / (1 - duplicate_share), n).clip(0, 2)
    person = np.repeat(np.arange(n), 1 + extra)
    copy = np.concatenate([np.arange(k + 1) for k in extra])
    duplicate = copy > 0
    m = len(person)

    def take(values, rows):
        return pc.take(values, pa.array(rows)) if isinstance(values, pa.Array) else values[rows]

    first = take(world.people.first_name, person)
    nickname = take(world.people.nickname, person)
    use_nickname = duplicate & (rng.random(m) < 0.3) & np.asarray(pc.is_valid(nickname), dtype=bool)
    first = pc.if_else(pa.array(use_nickname), nickname, first)
    first = tx.where(duplicate & ~use_nickname, with_typos(rng, first, 0.25), first)
    last = take(world.people.last_name, person)
    last = tx.where(duplicate, with_typos(rng, last, 0.12), last)
    household = take(world.people.household, person)
    moved = duplicate & (rng.random(m) < 0.25)
    address_of = np.where(moved, rng.integers(0, len(world.households.city), m), household)
    postcode = with_typos(rng, take(world.households.postcode, address_of), 0.02)
    squashed = rng.random(m) < 0.1
    postcode = tx.where(squashed, pc.utf8_lower(pc.replace_substring(postcode, " ", "")), postcode)
    has_address = rng.random(m) < 0.85
    birth_day = typed_birth_days(
        rng, take(world.people.birth_day, person), {"day_month_swapped": 0.03, "day_off_by_one": 0.02}
    )
    created = (world.start_s + rng.random(m) * (world.end_s - world.start_s)).astype(np.int64)
    columns = {column: pa.nulls(m, pa.string()) for column in SOURCES_BY_NAME["crm_customers"].column_names}
    columns.update(
        {
            "crm_customer_id": tx.join("PR", tx.digits(np.arange(1, m + 1) * 7 + seed % 7, 9)),
            "first_name": first,
            "last_name": last,
            "birth_date": tx.null_where(rng.random(m) >= 0.75, tx.dates(birth_day)),
            "street_address": tx.null_where(~has_address, take(world.households.street, address_of)),
            "postcode": tx.null_where(~has_address, postcode),
            "city": tx.null_where(
                ~has_address, tx.pick([c[0] for c in ref.CITIES], take(world.households.city, address_of))
            ),
            "created_at": tx.timestamps(created, "space"),
            "updated_at": tx.timestamps(created + DAY, "space"),
        }
    )
    order = rng.permutation(m)
    table = pa.table({name: pc.take(values, pa.array(order)) for name, values in columns.items()})
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "_truth").mkdir(exist_ok=True)
    pa_csv.write_csv(table, out_dir / "crm_customers.csv")
    truth = pa.table(
        {
            "source_name": pa.array(["crm_customers"] * m),
            "record_key": table["crm_customer_id"],
            "person_id": pc.take(tx.join("P", tx.digits(person + 1, 8)), pa.array(order)),
        }
    )
    pq.write_table(truth, out_dir / "_truth" / "ground_truth.parquet")
    return {"records": m, "people": n, "duplicates": int(duplicate.sum())}
