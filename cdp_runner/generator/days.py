"""Days after a generated history: the same people carry on, and new people join.

`continue_world(previous, days, out_dir)` reads what a run of `cdp generate` wrote in `previous/_truth/`, rebuilds
its world (the history's people from (customers, seed, first end date), then the people every later run added, each
from its own stream), and simulates the `days` days after the previous end date:

- people of earlier days: purchases (active buyers keep their BG/NBD rate and dropout probability), online orders and
  till receipts, a few shop sign-ups, loyalty cards and CRM accounts, web and app sessions, e-mail, SMS and push
  campaigns, tickets, chats and QR scans, all from the first instant after the previous end date;
- people who join during those days, simulated as the history simulates everyone, from their acquisition on.

Only the days' records are written (every source with people, the reference files are not re-delivered); order,
receipt and ticket numbers continue from the previous run's, account, CRM and card numbers are those of each person
and account, so no key collides with an earlier day's. The truth in `_truth/` is cumulative: the previous ground
truth and then the days' rows, every person as of the new end date, and generator_params.json with the runs so far.
See docs/generator.md ("Days after the history") for what is simplified.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import UserError
from ..ingest.contracts import SOURCES
from . import text as tx
from .app import IOS_SHARE, Installs, choose_app_orders
from .block import Block, Records, user_ids, valid
from .commerce import (
    TICKET_DELAY_DAYS,
    CrmAccounts,
    Orders,
    Receipts,
    build_orders,
    build_receipts,
    crm_records,
    email_opt_in_shares,
    loyalty_records,
    purchases_on_days,
    simulate_purchases,
    ticket_records,
)
from .generate import (
    BLOCK_PEOPLE,
    PERSON_SCHEMA,
    TRUTH_DIR,
    Commerce,
    Output,
    activity_records,
    card_numbers,
    concat_records,
    crm_ids,
    present_lists,
    simulate_people,
    take_records,
    utc_instants,
    write_params,
)
from .params import DailyActivity, GeneratorParams
from .web import decide_interest
from .world import (
    BUYER,
    DAY,
    NEVER,
    STREAM_DAYS,
    STREAM_DAYS_STABLE,
    World,
    add_people,
    build_world,
    calendars,
    stack_rows,
    stream,
)

PARAMS_FILE = "generator_params.json"
SERIAL_KINDS = ("orders", "receipts", "tickets")
# Parts of a run's stream, keyed (STREAM_DAYS, first day, part, ...).
NEW_PEOPLE, CALENDARS, ACTIVITY, DELIVERY = range(4)
# Per-person draws that stay the same every day, keyed (STREAM_DAYS_STABLE, what).
EMAIL_OPT_IN, SMS_OPT_IN, DEVICE, PUSH_PERMISSION, PUSH_TOKEN, PLATFORM = range(6)
BOOLEAN = ("false", "true")
DAILY_SOURCES = [source for source in SOURCES if source.name not in ("products", "stores")]


def _epoch_s(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


@dataclass
class Chain:
    """What a folder written by `cdp generate` says about the world it continues."""

    customers: int
    seed: int
    first_end_date: date  # end of the history
    end_date: date  # last day written so far
    runs: list[dict]  # days written after the history, run by run: first_day, days, new_people
    serials: dict[str, int]  # next order, receipt and ticket numbers


def read_chain(previous: Path) -> Chain:
    if not previous.is_dir():
        raise UserError(f"cannot continue from {previous}: no such folder")
    params_file = previous / TRUTH_DIR / PARAMS_FILE
    persons_file = previous / TRUTH_DIR / "persons.parquet"
    if not params_file.is_file() or not persons_file.is_file():
        raise UserError(
            f"cannot continue from {previous}: not a folder 'cdp generate' wrote "
            f"(no {TRUTH_DIR}/{PARAMS_FILE} and {TRUTH_DIR}/persons.parquet)"
        )
    try:
        document = json.loads(params_file.read_text())
        customers, seed, end_date = int(document["customers"]), int(document["seed"]), document["end_date"]
        continuation = document.get("continuation") or {}
        blocks = -(-customers // int(document["block_people"]))
        return Chain(
            customers,
            seed,
            date.fromisoformat(continuation.get("first_end_date", end_date)),
            date.fromisoformat(end_date),
            list(continuation.get("runs", [])),
            dict(continuation.get("next_serials") or dict.fromkeys(SERIAL_KINDS, blocks * 1_000_000)),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(f"cannot continue from {previous}: {params_file} is not the generator's ({error})") from None


def join_people(world: World, customers: int, first_day: date, days: int) -> tuple[World, int]:
    """The world with the people who join in the `days` days from first_day (a Poisson number of them)."""
    population = world.params.population
    rng = stream(world.seed, STREAM_DAYS, _epoch_s(first_day) // DAY, NEW_PEOPLE)
    # The history's acquisitions, history_days * U ** skew, reach customers / (skew * history_days) a day at its end.
    count = int(rng.poisson(customers * days / (population.acquisition_skew * population.history_days)))
    start_s = _epoch_s(first_day)
    return add_people(world, count, rng, start_s, start_s + days * DAY), count


def window_world(world: World, start_s: int, days: int) -> World:
    """The world seen from the days [start_s, start_s + days): their campaign calendars and clock; the share of
    people scanning a code without coming in is that of the days, not of the whole history."""
    end_s = start_s + days * DAY
    email, sms, push = calendars(stream(world.seed, STREAM_DAYS, start_s // DAY, CALENDARS), start_s, end_s)
    activity = world.params.activity
    share = activity.qr_browse_scan_share * days / world.params.population.history_days
    first, last = (datetime.fromtimestamp(t, tz=timezone.utc).year for t in (start_s, end_s))
    return replace(
        world,
        start_s=start_s,
        end_s=end_s,
        clock=tx.Clock(first, last),
        email_calendar=email,
        sms_calendar=sms,
        push_calendar=push,
        params=replace(world.params, activity=replace(activity, qr_browse_scan_share=share)),
    )


@dataclass
class State:
    """Per person of earlier days (global index), as of the previous end date; updated by the days simulated."""

    dropped_s: np.ndarray  # when the buyer dropped out, NEVER if active (or never a buyer)
    purchases: np.ndarray
    signup_s: np.ndarray  # first shop account, NEVER if none
    accounts: np.ndarray  # shop accounts (0, 1, 2); CRM accounts and cards likewise
    crm: np.ndarray
    cards: np.ndarray
    has_app: np.ndarray


def _seconds(values: pa.ChunkedArray) -> np.ndarray:
    """Epoch seconds of timestamps (Parquet gives them back in milliseconds), NEVER for null."""
    seconds = pc.cast(pc.cast(values, pa.timestamp("s", tz="UTC")), pa.int64()).to_numpy(zero_copy_only=False)
    return np.where(np.isnan(seconds.astype(float)), NEVER, np.nan_to_num(seconds)).astype(np.int64)


def read_state(persons: pa.Table, people: int) -> tuple[State, np.ndarray]:
    """The state of the `people` people of earlier days, and the global index of every row (bots: -1)."""
    is_bot = persons["is_bot"].to_numpy(zero_copy_only=False)
    index = np.full(persons.num_rows, -1)
    index[~is_bot] = (
        pc.cast(pc.utf8_slice_codeunits(persons["person_id"].filter(pa.array(~is_bot)), 1), pa.int64()).to_numpy() - 1
    )
    if sorted(index[~is_bot].tolist()) != list(range(people)):
        raise UserError("persons.parquet does not hold the people of its generator_params.json")
    rows = np.empty(people, dtype=np.int64)
    rows[index[~is_bot]] = np.flatnonzero(~is_bot)
    take = pa.array(rows)

    def column(name: str) -> pa.ChunkedArray:
        return persons[name].take(take)

    def counts(name: str) -> np.ndarray:
        return pc.list_value_length(column(name)).to_numpy(zero_copy_only=False).astype(np.int64)

    state = State(
        dropped_s=_seconds(column("churned_at")),
        purchases=column("purchases").to_numpy(zero_copy_only=False).astype(np.int64),
        signup_s=_seconds(column("signed_up_at")),
        accounts=counts("user_ids"),
        crm=counts("crm_customer_ids"),
        cards=counts("loyalty_card_numbers"),
        has_app=column("has_app").to_numpy(zero_copy_only=False).astype(bool),
    )
    return state, index


def updated_persons(persons: pa.Table, index: np.ndarray, state: State) -> pa.Table:
    """persons.parquet of earlier days with each person's state as of the new end date."""
    n = len(state.purchases)
    glob = np.arange(n)
    is_bot = index < 0
    take = pa.array(np.maximum(index, 0))
    columns = {
        "churned_at": utc_instants(state.dropped_s),
        "purchases": pa.array(state.purchases),
        "signed_up_at": utc_instants(state.signup_s),
        "user_ids": present_lists([user_ids(glob, 0), user_ids(glob, 1)], [state.accounts >= 1, state.accounts >= 2]),
        "crm_customer_ids": present_lists([crm_ids(glob, 0), crm_ids(glob, 1)], [state.crm >= 1, state.crm >= 2]),
        "loyalty_card_numbers": present_lists(
            [card_numbers(glob, 0), card_numbers(glob, 1)], [state.cards >= 1, state.cards >= 2]
        ),
    }
    for name, values in columns.items():
        field = persons.schema.field(name)
        values = pc.take(values.cast(field.type), take)
        values = pc.if_else(pa.array(is_bot), pa.nulls(len(index), field.type), values)
        persons = persons.set_column(persons.schema.get_field_index(name), field, values)
    return persons.cast(PERSON_SCHEMA)  # Parquet names list items "element"


@dataclass
class Stable:
    """Per-person draws that are the same every day (prefixes of streams do not depend on their length)."""

    email_opt_in: np.ndarray
    sms_opt_in: np.ndarray
    device_id: pa.Array
    push_permission: np.ndarray
    push_token: pa.Array
    ios: np.ndarray

    @staticmethod
    def draw(seed: int, n: int) -> Stable:
        def uniforms(what: int) -> np.ndarray:
            return stream(seed, STREAM_DAYS_STABLE, what).random(n)

        token = stream(seed, STREAM_DAYS_STABLE, PUSH_TOKEN).integers(0, 256, (n, 32), dtype=np.uint8)
        return Stable(
            uniforms(EMAIL_OPT_IN),
            uniforms(SMS_OPT_IN),
            tx.uuids(stream(seed, STREAM_DAYS_STABLE, DEVICE), n),
            uniforms(PUSH_PERMISSION),
            tx.hex_text(token),
            uniforms(PLATFORM) < IOS_SHARE,
        )


def _opt_ins(world: World, stable: Stable, person: np.ndarray, phone: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """E-mail and SMS opt-ins of CRM accounts (global person index) after the history: the person's stable draw, so
    that later days know them without reading earlier days' files."""
    email = stable.email_opt_in[person] < email_opt_in_shares(world, person)
    return email, valid(phone) & (stable.sms_opt_in[person] < world.params.accounts.sms_opt_in_share)


def _stable_opt_ins(world: World, stable: Stable, crm: Records) -> None:
    """The opt-in columns of CRM records made after the history, from the stable draws."""
    email, sms = _opt_ins(world, stable, crm.person, crm.columns["phone"])
    crm.columns["email_opt_in"] = tx.pick(BOOLEAN, email.astype(int))
    crm.columns["sms_opt_in"] = tx.pick(BOOLEAN, sms.astype(int))


def _earlier_crm(block: Block, state_rows: np.ndarray, stable: Stable, start_s: int) -> CrmAccounts:
    """The e-mail and SMS subscriptions of CRM accounts of earlier days, as the ESP and SMS gateway hold them now:
    the person's address and mobile, subscribed from the first instant of the days on."""
    m = len(state_rows)
    mobile = block.people("mobile", state_rows)
    crm = CrmAccounts(
        person=state_rows,
        account=np.zeros(m, dtype=np.int64),
        created_s=np.full(m, start_s),
        updated_s=np.full(m, start_s),
        consent_s=np.full(m, start_s),
        email=block.people("email", state_rows),
        phone=tx.null_where(~valid(mobile), tx.e164(block.people("calling_code", state_rows), mobile)),
        email_opt_in=np.zeros(m, dtype=bool),
        sms_opt_in=np.zeros(m, dtype=bool),
    )
    crm.email_opt_in, crm.sms_opt_in = _opt_ins(block.world, stable, block.global_index(state_rows), crm.phone)
    return crm


def _earlier_installs(block: Block, has_app: np.ndarray, stable: Stable, start_s: int) -> Installs:
    """Own app installs of people of earlier days, in use since before the days (stable device and token)."""
    who = np.flatnonzero(has_app)
    glob = pa.array(block.global_index(who))
    k = len(who)
    block.facts["own_installs"] = np.full((block.n, 2), -1)
    block.facts["own_installs"][who, 0] = np.arange(k)
    permitted = stable.push_permission[block.global_index(who)] < block.world.params.accounts.push_permission_share
    return Installs(
        person=who,
        device_id=pc.take(stable.device_id, glob),
        push_token=tx.null_where(~permitted, pc.take(stable.push_token, glob)),
        platform=tx.pick(("android", "ios"), stable.ios[block.global_index(who)].astype(int)),
        start_s=np.full(k, start_s - 1),
        end_s=np.full(k, NEVER),
        shared=np.zeros(k, dtype=bool),
        version_lag=block.rng.choice(3, k, p=[0.6, 0.3, 0.1]),
    )


def _purchases_before(block: Block, buyers: np.ndarray) -> tuple[Orders, Receipts]:
    """Orders and till receipts of the buyers in the TICKET_DELAY_DAYS before the days, drawn again from their
    process (the files of earlier days are not read): only tickets about them are written, and a ticket names no
    order. Their numbers are drawn from the block's, so a ticket's number is never an earlier one."""
    world = block.world
    before = Block(
        replace(world, start_s=world.start_s - TICKET_DELAY_DAYS * DAY),
        block.number,
        block.lo,
        block.hi,
        block.rng,
        facts={"signup_s": block.facts["signup_s"]},
        serials=block.serials,
    )
    owner, day, dropped_day = simulate_purchases(
        block.rng,
        np.zeros(len(buyers)),
        block.people("purchase_rate")[buyers],
        block.people("dropout_p")[buyers],
        TICKET_DELAY_DAYS,
    )
    purchases = purchases_on_days(before, buyers, owner[len(buyers) :], day[len(buyers) :], dropped_day)
    return build_orders(before, purchases), build_receipts(before, purchases)


def _tickets(
    block: Block, orders: Orders, receipts: Receipts, earlier_orders: Orders, earlier_receipts: Receipts
) -> Records:
    """Tickets raised in the days: about their purchases, the purchases just before them, or nothing bought."""
    start_s = block.world.start_s
    tickets = ticket_records(block, orders, receipts, since_s=start_s)
    crm_created = block.facts["crm_created_s"]
    block.facts["crm_created_s"] = np.full_like(crm_created, NEVER)  # those who never bought are in `tickets`
    earlier = ticket_records(block, earlier_orders, earlier_receipts, since_s=start_s)
    block.facts["crm_created_s"] = crm_created
    both = concat_records(tickets, earlier)
    return take_records(both, np.asarray(pc.sort_indices(both.columns["created_at"])))


def continue_block(block: Block, state: State, stable: Stable, daily: DailyActivity) -> dict[str, Records]:
    """What people of earlier days do in the block's days; updates their state."""
    world, rng, facts = block.world, block.rng, block.facts
    n, start_s = block.n, world.start_s
    own = slice(block.lo, block.hi)
    dropped_before = state.dropped_s[own]

    # Purchases: the process of active buyers starts afresh (its opening event at the start is no purchase).
    buyers = np.flatnonzero((block.people("segment") == BUYER) & (dropped_before >= NEVER) & (state.purchases[own] > 0))
    owner, day, dropped_day = simulate_purchases(
        rng,
        np.zeros(len(buyers)),
        block.people("purchase_rate")[buyers],
        block.people("dropout_p")[buyers],
        (world.end_s - start_s) / DAY,
    )
    purchases = purchases_on_days(block, buyers, owner[len(buyers) :], day[len(buyers) :], dropped_day)
    facts["dropped_s"] = np.minimum(facts["dropped_s"], dropped_before)
    first_online, first_store = facts["first_online_s"], facts["first_store_s"]

    # Sign-ups at checkout, cards at the till, and a CRM account for those who had none.
    accounts, crm, cards = state.accounts[own], state.crm[own], state.cards[own]
    signs_up = (accounts == 0) & (first_online < NEVER) & (rng.random(n) < daily.signup_at_checkout_share)
    signup = np.where(signs_up, np.maximum(first_online - rng.integers(120, 900, n), start_s), state.signup_s[own])
    facts["signup_s"] = np.stack([signup, np.where(accounts >= 2, start_s - DAY, NEVER)], axis=1)
    facts["signup_at_checkout"] = signs_up
    joins = (
        (cards == 0)
        & (first_store < NEVER)
        & (block.household("home_store") >= 0)
        & (rng.random(n) < daily.loyalty_join_share)
    )
    joined = np.maximum(first_store - rng.integers(30, 300, n), start_s)
    new_crm = (crm == 0) & (signs_up | joins)
    created = np.minimum(np.where(signs_up, signup, NEVER), np.where(joins, joined, NEVER))
    facts["crm_created_s"] = np.stack([np.where(new_crm, created, NEVER), np.full(n, NEVER)], axis=1)
    crm_rows, new_accounts = crm_records(block)
    _stable_opt_ins(world, stable, crm_rows)
    new_accounts.email_opt_in, new_accounts.sms_opt_in = _opt_ins(world, stable, crm_rows.person, new_accounts.phone)
    facts["joined_s"], facts["card_replaced_s"] = np.where(joins, joined, NEVER), np.full(n, NEVER)
    loyalty = loyalty_records(block, purchases)
    facts["joined_s"] = np.where(cards >= 1, start_s - DAY, facts["joined_s"])
    facts["card_replaced_s"] = np.where(cards >= 2, start_s - DAY, NEVER)
    # Tickets from people who never bought come at a random time of their CRM account's life: since acquisition.
    acquired = block.people("acquired_s")
    facts["crm_created_s"][:, 0] = np.where(crm >= 1, acquired, facts["crm_created_s"][:, 0])

    earlier_orders, earlier_receipts = _purchases_before(block, buyers)
    orders = build_orders(block, purchases)
    receipts = build_receipts(block, purchases)
    decide_interest(block)
    installs = _earlier_installs(block, state.has_app[own], stable, start_s)
    choose_app_orders(block, installs, orders)
    subscribers = stack_rows(_earlier_crm(block, np.flatnonzero(crm >= 1), stable, start_s), new_accounts)
    records = activity_records(
        block,
        Commerce(crm_rows, subscribers, loyalty, orders, receipts, installs),
        lambda: _tickets(block, orders, receipts, earlier_orders, earlier_receipts),
        start_s,
    )
    state.dropped_s[own] = facts["dropped_s"]
    state.purchases[own] += facts["purchases"]
    state.signup_s[own] = signup
    state.accounts[own] = np.maximum(accounts, signs_up.astype(np.int64))
    state.crm[own] = np.maximum(crm, new_crm.astype(np.int64))
    state.cards[own] = np.maximum(cards, joins.astype(np.int64))
    return records


def continue_world(
    previous: Path,
    days: int,
    out_dir: Path,
    on_block: Callable[[int, int], None] | None = None,
    customers: int | None = None,
    seed: int | None = None,
) -> dict:
    """Write the `days` days after the end of the run that wrote `previous` into `out_dir` (see the module doc).

    customers and seed, when given, must be those of `previous`. Returns the summary `generate` returns, plus
    "first_day" and "new_people"."""
    started = time.perf_counter()
    previous, out = Path(previous), Path(out_dir)
    if days < 1:
        raise UserError(f"--days must be at least 1, not {days}")
    chain = read_chain(previous)
    for name, given, found in (("customers", customers, chain.customers), ("seed", seed, chain.seed)):
        if given is not None and given != found:
            raise UserError(f"--{name} {given} does not match {previous}, which has {found}: leave it out")
    if out.resolve() == previous.resolve():
        raise UserError(f"the days after {previous} must go to another folder than {previous}")

    world = build_world(chain.customers, chain.seed, chain.first_end_date, GeneratorParams())
    for run in chain.runs:
        world, count = join_people(world, chain.customers, date.fromisoformat(run["first_day"]), run["days"])
        if count != run["new_people"]:
            raise UserError(f"cannot continue from {previous}: its runs do not match its customers and seed")
    first_day = chain.end_date + timedelta(days=1)
    start_s = _epoch_s(first_day)
    earlier = len(world.people)
    persons = pq.read_table(previous / TRUTH_DIR / "persons.parquet")
    state, index = read_state(persons, earlier)
    world, new_people = join_people(world, chain.customers, first_day, days)
    history = world
    world = window_world(world, start_s, days)
    stable = Stable.draw(chain.seed, len(world.people))
    daily = DailyActivity()
    serials = dict(chain.serials)
    key = (STREAM_DAYS, start_s // DAY)

    with Output(out, world, DAILY_SOURCES) as output:
        if on_block:
            on_block(0, -(-earlier // BLOCK_PEOPLE) + -(-new_people // BLOCK_PEOPLE))
        for batch in pq.ParquetFile(previous / TRUTH_DIR / "ground_truth.parquet").iter_batches(1_000_000):
            output.truth.write(pa.Table.from_batches([batch]))  # before any background write
        joined: list[pa.Table] = []  # the new people's truth comes after everyone else's
        spans = [(lo, min(lo + BLOCK_PEOPLE, earlier)) for lo in range(0, earlier, BLOCK_PEOPLE)]
        spans += [
            (lo, min(lo + BLOCK_PEOPLE, len(world.people))) for lo in range(earlier, len(world.people), BLOCK_PEOPLE)
        ]
        for number, (lo, hi) in enumerate(spans):
            block = Block(world, number, lo, hi, stream(chain.seed, *key, ACTIVITY, number), serials=serials)
            if lo < earlier:
                records = continue_block(block, state, stable, daily)
            else:
                records, people = simulate_people(block, since_s=start_s)
                _stable_opt_ins(world, stable, records["crm_customers"])
                joined.append(people)
            output.write_block(records, stream(chain.seed, *key, DELIVERY, number))
            if on_block:
                on_block(number + 1, len(spans))
        for people in [updated_persons(persons, index, state), *joined]:
            output.write_persons(people)
    end_date = chain.end_date + timedelta(days=days)
    runs = [*chain.runs, {"first_day": first_day.isoformat(), "days": days, "new_people": new_people}]
    continuation = {
        "first_end_date": chain.first_end_date.isoformat(),
        "runs": runs,
        "next_serials": serials,
        "persons": len(world.people),
        "daily": daily.as_dict(),
    }
    # A source without a record in those days has no file (the loader refuses an empty one: nothing to load).
    files = {name: rows for name, rows in output.files().items() if rows}
    for name in output.files().keys() - files.keys():
        (out / name).unlink()
    write_params(output.truth_dir / PARAMS_FILE, history, end_date, files, continuation)
    return {
        "out_dir": str(out),
        "customers": chain.customers,
        "seed": chain.seed,
        "end_date": end_date.isoformat(),
        "first_day": first_day.isoformat(),
        "new_people": new_people,
        "files": files,
        "truth_rows": output.truth.rows,
        "persons": output.persons.rows,
        "seconds": round(time.perf_counter() - started, 2),
    }
