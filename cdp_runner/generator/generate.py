"""Synthetic source files for a multi-channel retailer, with the truth about who is who.

`generate()` writes one file per source of `contracts.SOURCES` (in its default format) plus
`web_events_late.jsonl`, and the ground truth under `_truth/`: which person every record
belongs to, every person's true attributes and the parameters of the processes that made
the data. The output is a pure function of (customers, seed, end_date): people are simulated
in blocks of BLOCK_PEOPLE, each block with its own random stream, and written in block order.

See docs/generator.md for the model and its parameters.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import make_folder
from ..ingest.contracts import SOURCES, SOURCES_BY_NAME, Source
from . import reference as ref
from . import text as tx
from .app import Installs, app_records, choose_app_orders, decide_installs
from .block import Block, Records, card_numbers, crm_ids, user_ids
from .commerce import (
    CrmAccounts,
    Orders,
    Receipts,
    build_orders,
    build_receipts,
    crm_records,
    decide_memberships,
    loyalty_records,
    order_records,
    receipt_records,
    simulate_purchases_of_block,
    ticket_records,
)
from .marketing import email_records, messaging_records
from .output import (
    BAD_DATES,
    BAD_NUMBERS,
    TRUTH_SCHEMA,
    BackgroundWriter,
    ParquetSink,
    TextSink,
    arrow_schema,
    deliver,
    person_id_text,
)
from .params import GeneratorParams
from .web import bot_records, decide_devices, decide_interest, plan_qr, plan_sessions, qr_records, web_records
from .world import DAY, GENDERS, NEVER, SEGMENTS, STREAM_BLOCKS, STREAM_DELIVERY, World, build_world, stream

BLOCK_PEOPLE = 5_000
MAX_CUSTOMERS = 5_000_000  # ticket numbers (9 digits, a million per block) run out beyond
TRUTH_DIR = "_truth"
LATE_WEB_EVENTS = "web_events_late.jsonl"


def file_name(source: Source) -> str:
    return f"{source.name}.{source.default_format}"


# --- reference sources -----------------------------------------------------------------------------


def catalogue_records(world: World) -> Records:
    catalogue = world.catalogue
    n = len(catalogue)
    active = catalogue.discontinued_day >= NEVER
    columns = {
        "product_sku": catalogue.sku,
        "product_name": catalogue.name,
        "category": catalogue.category,
        "subcategory": catalogue.subcategory,
        "brand": catalogue.brand,
        "list_price": tx.money(catalogue.price_cents),
        "unit_cost": tx.null_where(catalogue.cost_cents < 0, tx.money(np.maximum(catalogue.cost_cents, 0))),
        "currency": tx.pick(("GBP",), np.zeros(n, dtype=np.int64)),
        "is_active": tx.pick(("0", "1"), active.astype(int)),
        "launched_on": tx.dates(catalogue.launched_day),
    }
    return Records(columns, np.zeros(n, dtype=np.int64))


def store_records(world: World) -> Records:
    stores = world.stores
    n = len(stores)
    columns = {
        "store_id": stores.store_id,
        "store_name": stores.name,
        "city": tx.pick([c[0] for c in ref.CITIES], stores.city),
        "postcode": stores.postcode,
        "country": stores.country,
        "opened_on": tx.dates(stores.opened_s // DAY),
        "closed_on": tx.null_where(
            stores.closed_s >= NEVER, tx.dates(np.where(stores.closed_s >= NEVER, 0, stores.closed_s) // DAY)
        ),
    }
    return Records(columns, np.zeros(n, dtype=np.int64))


# --- truth about people ----------------------------------------------------------------------------

PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("is_bot", pa.bool_()),
        ("segment", pa.string()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("gender", pa.string()),
        ("birth_date", pa.date32()),
        ("emails", pa.list_(pa.string())),
        ("phones", pa.list_(pa.string())),
        ("household_id", pa.string()),
        ("country", pa.string()),
        ("city", pa.string()),
        ("postcode", pa.string()),
        ("acquired_at", pa.timestamp("s", tz="UTC")),
        ("purchase_rate_per_day", pa.float64()),
        ("dropout_probability", pa.float64()),
        ("spend_nu", pa.float64()),
        ("mean_spend_gbp", pa.float64()),
        ("online_share", pa.float64()),
        ("email_engagement", pa.float64()),
        ("purchases", pa.int64()),
        ("churned_at", pa.timestamp("s", tz="UTC")),
        ("signed_up_at", pa.timestamp("s", tz="UTC")),
        ("user_ids", pa.list_(pa.string())),
        ("crm_customer_ids", pa.list_(pa.string())),
        ("loyalty_card_numbers", pa.list_(pa.string())),
        ("has_app", pa.bool_()),
    ]
)


def present_lists(candidates: list[pa.Array], present: list[np.ndarray]) -> pa.Array:
    """Per row, the candidates that are present, as a list."""
    n = len(candidates[0])
    mask = np.stack(present, axis=1)
    index = (np.arange(len(candidates))[None, :] * n + np.arange(n)[:, None])[mask]
    values = pa.concat_arrays([c.cast(pa.string()) for c in candidates]).take(pa.array(index))
    offsets = np.concatenate([[0], np.cumsum(mask.sum(axis=1))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def utc_instants(seconds: np.ndarray) -> pa.Array:
    """UTC timestamps, null where the time is NEVER."""
    seconds = np.asarray(seconds, dtype=np.int64)
    never = seconds >= NEVER
    values = pa.array(np.where(never, 0, seconds), pa.int64()).cast(pa.timestamp("s", tz="UTC"))
    return pc.if_else(pa.array(never), pa.scalar(None, values.type), values)


def person_truth(block: Block, has_app: np.ndarray) -> pa.Table:
    """True attributes of the block's people (persons.parquet)."""
    facts, params = block.facts, block.world.params
    n = block.n
    glob = block.global_index(np.arange(n))
    email2 = block.people("email2")
    mobile, old_mobile = block.people("mobile"), block.people("old_mobile")
    landline = block.household("landline")
    code = block.people("calling_code")
    phones = present_lists(
        [tx.e164(code, mobile), tx.e164(code, old_mobile), tx.e164(pa.array(["44"] * n), landline)],
        [np.asarray(pc.is_valid(v), dtype=bool) for v in (mobile, old_mobile, landline)],
    )
    signup, crm, joined, replaced = (
        facts["signup_s"],
        facts["crm_created_s"],
        facts["joined_s"],
        facts["card_replaced_s"],
    )
    nu = block.people("spend_nu")
    columns = {
        "person_id": block.people("person_id"),
        "is_bot": pa.array(np.zeros(n, dtype=bool)),
        "segment": tx.pick(SEGMENTS, block.people("segment")),
        "first_name": block.people("first_name"),
        "last_name": block.people("last_name"),
        "gender": tx.pick(GENDERS, block.people("gender")),
        "birth_date": pa.array(block.people("birth_day").astype(np.int32), pa.int32()).cast(pa.date32()),
        "emails": present_lists(
            [block.people("email"), email2], [np.ones(n, dtype=bool), np.asarray(pc.is_valid(email2), dtype=bool)]
        ),
        "phones": phones,
        "household_id": tx.numbered("H", block.people("household") + 1, 8),
        "country": tx.pick([c[0] for c in ref.COUNTRIES], block.people("country")),
        "city": tx.pick([c[0] for c in ref.CITIES], block.household("city")),
        "postcode": block.household("postcode"),
        "acquired_at": utc_instants(block.people("acquired_s")),
        "purchase_rate_per_day": pa.array(block.people("purchase_rate")),
        "dropout_probability": pa.array(block.people("dropout_p")),
        "spend_nu": pa.array(nu),
        "mean_spend_gbp": pa.array(params.spend.p / nu),
        "online_share": pa.array(block.people("online_share")),
        "email_engagement": pa.array(block.people("engagement")),
        "purchases": pa.array(facts["purchases"].astype(np.int64)),
        "churned_at": utc_instants(facts["dropped_s"]),
        "signed_up_at": utc_instants(signup[:, 0]),
        "user_ids": present_lists([user_ids(glob, 0), user_ids(glob, 1)], [signup[:, 0] < NEVER, signup[:, 1] < NEVER]),
        "crm_customer_ids": present_lists([crm_ids(glob, 0), crm_ids(glob, 1)], [crm[:, 0] < NEVER, crm[:, 1] < NEVER]),
        "loyalty_card_numbers": present_lists(
            [card_numbers(glob, 0), card_numbers(glob, 1)], [joined < NEVER, replaced < NEVER]
        ),
        "has_app": pa.array(has_app),
    }
    return pa.table(columns, schema=PERSON_SCHEMA)


def bot_truth(world: World) -> pa.Table:
    bots = np.arange(world.bots)
    columns = {name: pa.nulls(world.bots, PERSON_SCHEMA.field(name).type) for name in PERSON_SCHEMA.names}
    columns["person_id"] = person_id_text(world, -1 - bots)
    columns["is_bot"] = pa.array(np.ones(world.bots, dtype=bool))
    columns["segment"] = tx.pick(("bot",), np.zeros(world.bots, dtype=np.int64))
    return pa.table(columns, schema=PERSON_SCHEMA)


# --- the generator ------------------------------------------------------------------------------


def simulate_block(world: World, number: int) -> tuple[dict[str, Records], pa.Table]:
    """Everything the people of one block did, as records per source, and their truth."""
    lo = number * BLOCK_PEOPLE
    block = Block(world, number, lo, min(lo + BLOCK_PEOPLE, world.customers), stream(world.seed, STREAM_BLOCKS, number))
    return simulate_people(block)


def simulate_people(block: Block, since_s: int | None = None) -> tuple[dict[str, Records], pa.Table]:
    """Everything the people of a block did from their acquisition on, as records per source, and their truth
    (since_s: the first instant of days after the history, for people who join then; see app_records)."""
    purchases = simulate_purchases_of_block(block)
    decide_memberships(block)
    crm, accounts = crm_records(block)
    loyalty = loyalty_records(block, purchases)
    orders = build_orders(block, purchases)
    receipts = build_receipts(block, purchases)
    decide_interest(block)
    installs = decide_installs(block)
    choose_app_orders(block, installs, orders)
    records = activity_records(
        block,
        Commerce(crm, accounts, loyalty, orders, receipts, installs),
        lambda: ticket_records(block, orders, receipts, since_s),
        since_s,
    )
    has_app = np.zeros(block.n, dtype=bool)
    has_app[installs.person] = True
    return records, person_truth(block, has_app)


@dataclass
class Commerce:
    """A block's accounts, purchases and installs, and the records of its CRM and loyalty cards."""

    crm: Records
    accounts: CrmAccounts
    loyalty: Records
    orders: Orders
    receipts: Receipts
    installs: Installs


def activity_records(
    block: Block, commerce: Commerce, tickets: Callable[[], Records], since_s: int | None
) -> dict[str, Records]:
    """Marketing, web and app activity around the block's commerce, and every source's records (tickets from
    `tickets`, called in its turn: every part draws from the block's stream in a fixed order)."""
    orders, receipts, installs = commerce.orders, commerce.receipts, commerce.installs
    emails, email_visits = email_records(block, commerce.accounts)
    messages, sms_visits, push_install, push_at = messaging_records(block, commerce.accounts, installs)
    devices = decide_devices(block)
    qr = plan_qr(block, receipts)
    plan, qr_sessions = plan_sessions(block, devices, orders, receipts, [email_visits, sms_visits], qr)
    web = web_records(block, devices, orders, plan, qr_sessions, since_s)
    app = app_records(block, installs, orders, push_install, push_at, since_s)
    order_headers, order_lines = order_records(block, orders)
    tills, till_lines = receipt_records(block, receipts)
    return {
        "web_events": web.records,
        "app_events": app,
        "shop_orders": order_headers,
        "shop_order_lines": order_lines,
        "pos_transactions": tills,
        "pos_transaction_lines": till_lines,
        "crm_customers": commerce.crm,
        "loyalty_members": commerce.loyalty,
        "email_events": emails,
        "messaging_sends": messages,
        "support_tickets": tickets(),
        "live_chats": web.chats,
        "qr_scans": qr_records(block, qr, receipts, web.qr_cookie),
    }


def concat_records(first: Records, second: Records) -> Records:
    return Records(
        {name: pa.concat_arrays([first.columns[name], second.columns[name]]) for name in first.columns},
        np.concatenate([first.person, second.person]),
    )


def take_records(records: Records, rows: np.ndarray) -> Records:
    index = pa.array(rows)
    return Records({name: pc.take(values, index) for name, values in records.columns.items()}, records.person[rows])


def generate(
    customers: int,
    seed: int,
    out_dir: Path,
    end_date: date = date(2026, 6, 30),
    on_block: Callable[[int, int], None] | None = None,
) -> dict:
    """Write synthetic source files for `customers` people into `out_dir` (see the module doc).

    Returns a summary: {"out_dir", "customers", "seed", "end_date", "files": {file name: rows},
    "truth_rows", "seconds"}. The same arguments always give byte-identical files. on_block(blocks done, blocks)
    is called before the first block and after each.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS:,}")
    if seed < 0:
        raise ValueError("seed must not be negative")
    started = time.perf_counter()
    out = Path(out_dir)
    world = build_world(customers, seed, end_date, GeneratorParams())
    blocks = -(-customers // BLOCK_PEOPLE)
    bots = bot_records(world)
    bot_block = (-1 - bots.person) % blocks

    with Output(out, world, SOURCES) as output:
        if on_block:
            on_block(0, blocks)
        rng = stream(seed, STREAM_DELIVERY, blocks)
        output.write("products", catalogue_records(world), rng)
        output.write("stores", store_records(world), rng)
        for number in range(blocks):
            records, people = simulate_block(world, number)
            records["web_events"] = concat_records(
                records["web_events"], take_records(bots, np.flatnonzero(bot_block == number))
            )
            output.write_block(records, stream(seed, STREAM_DELIVERY, number))
            output.write_persons(people)
            if on_block:
                on_block(number + 1, blocks)
        output.write_persons(bot_truth(world))

    write_params(output.truth_dir / "generator_params.json", world, end_date, output.files())
    return {
        "out_dir": str(out),
        "customers": customers,
        "seed": seed,
        "end_date": end_date.isoformat(),
        "files": output.files(),
        "truth_rows": output.truth.rows,
        "persons": output.persons.rows,
        "seconds": round(time.perf_counter() - started, 2),
    }


class Output:
    """The files of one run: a sink per source written, late web events, the truth; written in the background.

    Sinks are closed when the `with` block ends, after every write submitted has been done."""

    def __init__(self, out: Path, world: World, sources: Sequence[Source]):
        self.world, self.sources = world, sources
        self.truth_dir = out / TRUTH_DIR
        make_folder(self.truth_dir)
        self._stack = ExitStack()
        self.sinks: dict[str, TextSink | ParquetSink] = {}
        for source in sources:
            path = out / file_name(source)
            self.sinks[source.name] = (
                ParquetSink(path, arrow_schema(source))
                if source.default_format == "parquet"
                else TextSink(path, source)
            )
        self.late = TextSink(out / LATE_WEB_EVENTS, SOURCES_BY_NAME["web_events"])
        self.truth = ParquetSink(self.truth_dir / "ground_truth.parquet", TRUTH_SCHEMA)
        self.persons = ParquetSink(self.truth_dir / "persons.parquet", PERSON_SCHEMA)
        for sink in [*self.sinks.values(), self.late, self.truth, self.persons]:
            self._stack.callback(sink.close)
        self.writer = BackgroundWriter()
        self._stack.callback(self.writer.close)  # closed before the sinks: callbacks run last-in first-out

    def __enter__(self) -> Output:
        return self

    def __exit__(self, *error) -> None:
        self._stack.__exit__(*error)

    def write(self, name: str, records: Records, rng: np.random.Generator) -> None:
        """The records of one source as a flawed export delivers them, with their truth."""
        delivery = deliver(SOURCES_BY_NAME[name], records, rng, self.world)
        self.writer.submit(self.sinks[name].write, delivery.table, delivery.broken)
        if delivery.late is not None:
            self.writer.submit(self.late.write, delivery.late)
        if delivery.truth is not None:
            self.writer.submit(self.truth.write, delivery.truth)

    def write_block(self, records: dict[str, Records], rng: np.random.Generator) -> None:
        """A block's records, source by source in the contracts' order."""
        for source in self.sources:
            if source.name in records:
                self.write(source.name, records[source.name], rng)

    def write_persons(self, people: pa.Table) -> None:
        self.writer.submit(self.persons.write, people)

    def files(self) -> dict[str, int]:
        """Data rows per file written."""
        return {file_name(source): self.sinks[source.name].rows for source in self.sources} | {
            LATE_WEB_EVENTS: self.late.rows
        }


def write_params(path: Path, world: World, end_date: date, files: dict, continuation: dict | None = None) -> None:
    """generator_params.json; `continuation` describes the days written after the history (docs/generator.md)."""
    params = world.params
    purchase, spend = params.purchase, params.spend
    document = {
        "seed": world.seed,
        "customers": world.customers,
        "bots": world.bots,
        "end_date": end_date.isoformat(),
        "history_start": datetime.fromtimestamp(world.start_s, tz=timezone.utc).date().isoformat(),
        "block_people": BLOCK_PEOPLE,
        "products": len(world.catalogue),
        "stores": len(world.stores),
        "processes": params.as_dict(),
        "derived": {
            "mean_purchase_rate_per_day": purchase.r / purchase.alpha,
            "mean_dropout_probability": purchase.a / (purchase.a + purchase.b),
            "mean_spend_per_purchase_gbp": spend.p * spend.gamma / (spend.q - 1),
        },
        "malformed_rows": {
            "share": params.messiness.malformed_share,
            "kinds": "equally likely among those that fit the source: bad_date, bad_number, missing_key, broken_line "
            "(CSV: a field too many or too few; JSON lines: cut short after the key; not in Parquet)",
            "dates": list(BAD_DATES),
            "numbers": list(BAD_NUMBERS),
            "parquet_bad_timestamp": "1970-01-01T00:00:00Z",
        },
        "junk_identifiers": {"emails": list(ref.JUNK_EMAILS), "phones": list(ref.JUNK_PHONES)},
        "files": files,
    }
    if continuation is not None:
        document["continuation"] = continuation
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
