"""Purchases and the records around them: orders, till receipts, accounts, loyalty cards, CRM.

The purchase process is simulated first (BG/NBD with Gamma-Gamma spend); accounts, loyalty
membership and CRM accounts follow from it, so every identity record is consistent with what
the person actually did and when.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import reference as ref
from . import text as tx
from .block import (
    Block,
    Records,
    block_ids,
    card_numbers,
    crm_ids,
    explode,
    first_time,
    null_unless,
    typed_emails,
    typed_first_names,
    typed_last_names,
    typed_phones,
    typos,
    user_ids,
    valid,
    with_typos,
)
from .world import BROWSER, BUYER, CONTACT_ONLY, DAY, GENDERS, NEVER, World, postcodes

TICKET_DELAY_DAYS = 10  # a ticket about a purchase comes within this many days of it
STORE_ZONE = 0  # every store keeps UK time (Europe/London and Dublin share it)
EUR_PER_GBP = 1.17
EU_COUNTRIES = [1, 2, 3, 4, 5]  # indices into ref.COUNTRIES of customers who pay in euros online

# Local hour-of-day weights of online orders (evening peak) and till receipts (09:00-19:59).
ONLINE_HOURS = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3, 3.2, 3.4, 3.8, 3.6, 3.3, 3.2, 3.4, 3.8, 4.5, 5.5, 6, 5.5, 4, 2]
)
STORE_HOURS = np.array([0] * 9 + [2, 4, 5, 6, 6, 5, 5, 5, 5, 4, 2] + [0] * 4, dtype=float)


def simulate_purchases(
    rng: np.random.Generator, acquired_day: np.ndarray, rate: np.ndarray, dropout: np.ndarray, horizon_day: float
):
    """BG/NBD purchase times (in days) of buyers acquired at `acquired_day`.

    The first purchase is at acquisition. While active, purchases arrive at `rate`; after each
    repeat purchase the buyer drops out with probability `dropout` (the BG/NBD convention: no
    dropout straight after the first purchase). Returns (buyer, day) of every purchase before
    the horizon and each buyer's dropout day (NaN while still active).
    """
    n = len(acquired_day)
    owners, days = [np.arange(n)], [acquired_day.copy()]
    dropped_day = np.full(n, np.nan)
    clock = acquired_day.copy()
    active = np.arange(n)
    rate = np.maximum(rate, 1e-12)
    while active.size:
        following = clock[active] + rng.exponential(1.0, active.size) / rate[active]
        inside = following < horizon_day
        active = active[inside]
        clock[active] = following[inside]
        owners.append(active)
        days.append(clock[active])
        drops = rng.random(active.size) < dropout[active]
        dropped_day[active[drops]] = clock[active[drops]]
        active = active[~drops]
    return np.concatenate(owners), np.concatenate(days), dropped_day


@dataclass
class Lines:
    """Line items of a set of baskets (orders or receipts), grouped by basket in order."""

    basket: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    unit_cents: np.ndarray
    discount_cents: np.ndarray

    def take(self, rows: np.ndarray, basket: np.ndarray) -> Lines:
        return Lines(basket, self.product[rows], self.quantity[rows], self.unit_cents[rows], self.discount_cents[rows])

    def net_cents(self) -> np.ndarray:
        return self.quantity * self.unit_cents - self.discount_cents


@dataclass
class Purchases:
    person: np.ndarray  # local index, sorted by person then time
    at_s: np.ndarray
    online: np.ndarray
    value_cents: np.ndarray  # the process value z, GBP cents
    store: np.ndarray  # -1 for online purchases
    eur: np.ndarray  # paid in euros
    lines: Lines


def time_of_day(block: Block, day: np.ndarray, hours: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """A UTC instant on the simulated day at a local hour drawn from `hours` (the process's
    continuous time keeps its day; shops keep opening hours)."""
    rng, world = block.rng, block.world
    hour = rng.choice(24, size=len(day), p=hours / hours.sum())
    local = world.start_s + np.floor(day).astype(np.int64) * DAY + hour * 3600 + rng.integers(0, 3600, len(day))
    utc = world.clock.utc_from_local(local, zone)
    utc = np.where(utc >= world.end_s, utc - DAY, utc)
    return np.where(utc < world.start_s, utc + DAY, utc)


def _open_stores(block: Block, store: np.ndarray, at_s: np.ndarray) -> np.ndarray:
    """The chosen store where it was open at the time, else another open store of the same
    country; -1 where none was."""
    stores, rng = block.world.stores, block.rng
    in_ireland = np.asarray(pc.equal(stores.country, "IE"), dtype=bool).astype(int)
    store = store.copy()
    wanted = in_ireland[store]
    for _ in range(12):
        shut = (stores.opened_s[store] > at_s) | (stores.closed_s[store] <= at_s)
        if not shut.any():
            return store
        rows = np.flatnonzero(shut)
        for country in (0, 1):
            subset = rows[wanted[rows] == country]
            options = np.flatnonzero(in_ireland == country)
            store[subset] = options[rng.integers(0, len(options), len(subset))]
    shut = (stores.opened_s[store] > at_s) | (stores.closed_s[store] <= at_s)
    store[shut] = -1
    return store


def line_items(block: Block, value_cents: np.ndarray, day: np.ndarray, eur: np.ndarray) -> Lines:
    """Baskets of catalogue products whose lines add up to about each basket's value.

    Each line's share of the value is Dirichlet(1, ...); its product is one of those priced
    nearest to that share (per unit) that was on sale on the day.
    """
    rng, catalogue, world = block.rng, block.world.catalogue, block.world
    count = np.minimum(1 + rng.poisson(0.9, len(value_cents)), 6)
    basket, _ = explode(count)
    weight = rng.gamma(1.0, 1.0, len(basket))
    weight /= np.bincount(basket, weight)[basket]
    quantity = rng.choice([1, 2, 3], size=len(basket), p=[0.82, 0.14, 0.04])
    # Prices rose about 5% a year: an older basket's value buys more, at its older prices.
    years_ago = np.floor((world.end_s // DAY - day[basket]) / 365.0)
    inflation = 1 - 0.05 * years_ago
    target = value_cents[basket] * weight / quantity / inflation
    prices = catalogue.price_cents[catalogue.by_price]
    position = np.searchsorted(prices, target)
    line_day = day[basket]
    product = np.full(len(basket), -1)
    pending = np.arange(len(basket))
    for attempt in range(10):
        spread = 2 * (1 + attempt)
        candidate = catalogue.by_price[
            np.clip(position[pending] + rng.integers(-spread, spread + 1, len(pending)), 0, len(prices) - 1)
        ]
        on_sale = (catalogue.launched_day[candidate] <= line_day[pending]) & (
            line_day[pending] < catalogue.discontinued_day[candidate]
        )
        product[pending[on_sale]] = candidate[on_sale]
        pending = pending[~on_sale]
        if not pending.size:
            break
    for row in pending.tolist():  # nothing near that price on sale then: the nearest that was
        on_sale = np.flatnonzero(
            (catalogue.launched_day <= line_day[row]) & (line_day[row] < catalogue.discontinued_day)
        )
        product[row] = on_sale[np.argmin(np.abs(catalogue.price_cents[on_sale] - target[row]))]
    list_cents = catalogue.price_cents[product]
    unit_cents = np.maximum(1, np.floor(list_cents // 100 * inflation)).astype(np.int64) * 100 + list_cents % 100
    euro = eur[basket]
    unit_cents[euro] = np.floor(unit_cents[euro] * EUR_PER_GBP / 100).astype(np.int64) * 100 + unit_cents[euro] % 100
    percent = np.where(rng.random(len(basket)) < 0.10, rng.choice([10, 20, 25, 30], len(basket)), 0)
    discount_cents = np.round(unit_cents * quantity * percent / 100).astype(np.int64)
    return Lines(basket, product, quantity, unit_cents, discount_cents)


def simulate_purchases_of_block(block: Block) -> Purchases:
    """Purchases of the block's buyers, with channel, store, value and basket."""
    world, rng = block.world, block.rng
    buyers = np.flatnonzero(block.people("segment") == BUYER)
    acquired_day = (block.people("acquired_s")[buyers] - world.start_s) / DAY
    horizon = (world.end_s - world.start_s) / DAY
    owner, day, dropped_day = simulate_purchases(
        rng, acquired_day, block.people("purchase_rate")[buyers], block.people("dropout_p")[buyers], horizon
    )
    return purchases_on_days(block, buyers, owner, day, dropped_day)


def purchases_on_days(
    block: Block, buyers: np.ndarray, owner: np.ndarray, day: np.ndarray, dropped_day: np.ndarray
) -> Purchases:
    """The purchases of `simulate_purchases` (owner: index into buyers; days since the period's start) with
    channel, store, value and basket; the block's purchase facts."""
    world, rng, params = block.world, block.rng, block.world.params
    n = block.n
    person = buyers[owner]
    order = np.lexsort((day, person))
    person, day = person[order], day[order]
    home_store = block.household("home_store", person)
    online = (rng.random(len(person)) < block.people("online_share", person)) | (home_store < 0)
    zone = np.where(online, block.people("zone", person), STORE_ZONE)
    at_s = np.where(online, time_of_day(block, day, ONLINE_HOURS, zone), time_of_day(block, day, STORE_HOURS, zone))
    store = np.where(online, -1, home_store)
    elsewhere = ~online & (rng.random(len(person)) < 0.2)  # now and then another store of the chain
    store[elsewhere] = rng.integers(0, len(world.stores), int(elsewhere.sum()))
    store[~online] = _open_stores(block, store[~online], at_s[~online])
    online |= store < 0
    value = rng.gamma(params.spend.p, 1.0, len(person)) / block.people("spend_nu", person)
    value_cents = np.maximum(100, np.round(value * 100)).astype(np.int64)
    store_in_eur = np.asarray(pc.equal(world.stores.currency, "EUR"), dtype=bool)
    eur = np.where(online, np.isin(block.people("country", person), EU_COUNTRIES), store_in_eur[np.maximum(store, 0)])
    lines = line_items(block, value_cents, at_s // DAY, eur)

    dropped_s = np.full(n, NEVER, dtype=np.int64)
    has_dropped = ~np.isnan(dropped_day)
    dropped_s[buyers[has_dropped]] = world.start_s + (dropped_day[has_dropped] * DAY).astype(np.int64)
    last_purchase_s = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_purchase_s, person, at_s)
    block.facts.update(
        purchases=np.bincount(person, minlength=n),
        dropped_s=dropped_s,
        first_online_s=first_time(person[online], at_s[online], n),
        first_store_s=first_time(person[~online], at_s[~online], n),
        last_purchase_s=last_purchase_s,
        spend_cents=np.bincount(person, weights=value_cents, minlength=n).astype(np.int64),
    )
    return Purchases(person, at_s, online, value_cents, store, eur, lines)


# --- accounts, loyalty, CRM ----------------------------------------------------------------


def decide_memberships(block: Block) -> None:
    """Who has a shop account (and when they signed up), a loyalty card, CRM accounts."""
    world, rng, facts = block.world, block.rng, block.facts
    accounts = world.params.accounts
    n = block.n
    segment = block.people("segment")
    acquired = block.people("acquired_s")
    first_online, first_store = facts["first_online_s"], facts["first_store_s"]
    online_buyer = first_online < NEVER
    store_buyer = first_store < NEVER
    store_only = store_buyer & ~online_buyer
    shares = accounts.account_share
    share = np.select(
        [online_buyer, store_only, segment == BROWSER],
        [shares["online_buyer"], shares["store_only_buyer"], shares["browser"]],
        shares["contact_only"],
    )
    has_account = rng.random(n) < share
    at_checkout = rng.random(n) < accounts.signup_at_checkout_share
    lead = rng.exponential(accounts.signup_lead_days_mean * DAY, n).astype(np.int64)
    signup = np.where(
        online_buyer,
        np.where(at_checkout, first_online - rng.integers(120, 900, n), first_online - lead),
        np.where(
            store_only,
            first_store + rng.exponential(60 * DAY, n).astype(np.int64),
            acquired + rng.exponential(30 * DAY, n).astype(np.int64),
        ),
    )
    signup = np.maximum(signup, world.start_s + 60)
    has_account &= signup < world.end_s
    second = has_account & valid(block.people("email2")) & (rng.random(n) < accounts.second_account_share)
    signup2 = signup + rng.integers(30, 500, n) * DAY
    second &= signup2 < world.end_s
    facts["signup_s"] = np.stack([np.where(has_account, signup, NEVER), np.where(second, signup2, NEVER)], axis=1)
    facts["signup_at_checkout"] = has_account & online_buyer & at_checkout

    loyalty = accounts.loyalty_share
    share = np.select(
        [store_buyer, online_buyer], [loyalty["store_buyer"], loyalty["online_only_buyer"]], loyalty["other"]
    )
    share = np.where(block.household("home_store") < 0, 0.0, share)  # a UK scheme
    member = rng.random(n) < share
    at_till = store_buyer & (rng.random(n) < 0.7)
    join = np.where(
        at_till,
        first_store - rng.integers(30, 300, n),
        np.where(store_buyer, first_store, acquired) + rng.exponential(75 * DAY, n).astype(np.int64),
    )
    join = np.maximum(join, world.start_s + 60)
    member &= join < world.end_s
    replaced = member & (rng.random(n) < accounts.loyalty_card_replacement_share)
    replaced_s = join + rng.integers(60, 700, n) * DAY
    replaced &= replaced_s < world.end_s
    facts["joined_s"] = np.where(member, join, NEVER)
    facts["card_replaced_s"] = np.where(replaced, replaced_s, NEVER)

    receipt_signup = store_buyer & ~has_account & (rng.random(n) < accounts.crm_share_store_buyers_without_account)
    created = np.minimum.reduce(
        [
            facts["signup_s"][:, 0],
            facts["joined_s"],
            np.where(segment == CONTACT_ONLY, acquired, NEVER),
            np.where(receipt_signup, first_store, NEVER),
        ]
    )
    has_crm = created < world.end_s
    duplicate = has_crm & ((rng.random(n) < accounts.crm_duplicate_share) | second)
    created2 = np.where(second, signup2, created + rng.integers(30, 700, n) * DAY)
    duplicate &= created2 < world.end_s
    facts["crm_created_s"] = np.stack([np.where(has_crm, created, NEVER), np.where(duplicate, created2, NEVER)], axis=1)


@dataclass
class CrmAccounts:
    person: np.ndarray  # local
    account: np.ndarray  # 0 = first CRM account of the person, 1 = the duplicate
    created_s: np.ndarray
    updated_s: np.ndarray
    consent_s: np.ndarray
    email: pa.Array
    phone: pa.Array
    email_opt_in: np.ndarray
    sms_opt_in: np.ndarray


def crm_records(block: Block) -> tuple[Records, CrmAccounts]:
    world, rng, facts = block.world, block.rng, block.facts
    accounts = world.params.accounts
    created_all = facts["crm_created_s"]
    person, account = np.nonzero(created_all < NEVER)
    order = np.lexsort((account, created_all[person, account]))
    person, account = person[order], account[order]
    m = len(person)
    created = created_all[person, account]
    duplicate = account == 1
    updated = np.minimum(created + rng.exponential(200 * DAY, m).astype(np.int64), world.end_s - 1)
    changed_s = block.people("mobile_changed_s", person)
    # A phone change reported to the CRM makes the account's last update at least that late.
    reported = (changed_s > created) & (changed_s < world.end_s) & (rng.random(m) < 0.6)
    updated = np.where(reported, np.maximum(updated, changed_s + rng.integers(0, 30 * DAY, m)), updated)
    updated = np.minimum(updated, world.end_s - 1)
    consent = np.where(rng.random(m) < 0.7, created, created + ((updated - created) * rng.random(m)).astype(np.int64))

    signup = facts["signup_s"]
    linked_account = np.where(
        duplicate, np.where(signup[person, 1] < NEVER, 1, -1), np.where(signup[person, 0] < NEVER, 0, -1)
    )
    user_id = null_unless(linked_account >= 0, user_ids(block.global_index(person), np.maximum(linked_account, 0)))

    first = typed_first_names(block, person, nickname_share=0.0)
    nickname_dup = duplicate & (rng.random(m) < 0.6) & valid(block.people("nickname", person))
    first = pc.if_else(pa.array(nickname_dup), block.people("nickname", person), first)
    typo_dup = duplicate & ~nickname_dup & (rng.random(m) < 0.7)
    if typo_dup.any():
        first = tx.replace_rows(
            first, typo_dup, typos(rng, pc.filter(block.people("first_name", person), pa.array(typo_dup)).to_pylist())
        )
    last = typed_last_names(block, person)
    last_typo = duplicate & (rng.random(m) < 0.3)
    if last_typo.any():
        last = tx.replace_rows(
            last, last_typo, typos(rng, pc.filter(block.people("last_name", person), pa.array(last_typo)).to_pylist())
        )

    # The duplicate usually came with the second address; the first account rarely has it.
    second = np.where(duplicate, rng.random(m) < 0.7, rng.random(m) < 0.05)
    email = typed_emails(block, person, second=second)
    email = tx.null_where(rng.random(m) < 0.03, email)
    phone_at = np.where(duplicate | ~reported, created, updated)
    phone = null_unless(rng.random(m) < 0.75, typed_phones(block, person, phone_at))
    # Contact-less accounts (a till, a phone call, an old system's import): only the person's details.
    contactless = rng.random(m) < np.where(
        duplicate, accounts.crm_contactless_share["duplicate"], accounts.crm_contactless_share["first"]
    )
    email = tx.null_where(contactless, email)
    phone = tx.null_where(contactless, phone)
    user_id = tx.null_where(contactless, user_id)
    gender = null_unless(rng.random(m) < 0.8, tx.pick(GENDERS, block.people("gender", person)))
    has_address = rng.random(m) < 0.8
    # A duplicate registered after a move: another household's address of the block stands in for the new one.
    moved = duplicate & (rng.random(m) < accounts.crm_moved_share)
    at_address = np.where(moved, rng.integers(0, block.n, m), person)
    postcode = block.household("postcode", at_address)
    postcode = with_typos(rng, postcode, accounts.crm_postcode_typo_share)
    squashed = rng.random(m) < 0.1  # typed without the space, in lower case
    postcode = tx.where(squashed, pc.utf8_lower(pc.replace_substring(postcode, " ", "")), postcode)
    city = tx.pick([c[0] for c in ref.CITIES], block.household("city", at_address))
    birth_day = typed_birth_days(rng, block.people("birth_day", person), accounts.crm_birth_date_slips)
    country = tx.pick([c[0] for c in ref.COUNTRIES], block.people("country", person))
    email_opt_in = rng.random(m) < email_opt_in_shares(block.world, block.global_index(person))
    sms_opt_in = valid(phone) & (rng.random(m) < accounts.sms_opt_in_share)
    boolean = ("false", "true")
    columns = {
        "crm_customer_id": crm_ids(block.global_index(person), account),
        "user_id": user_id,
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "birth_date": null_unless(rng.random(m) < 0.65, tx.dates(birth_day)),
        "gender": gender,
        "street_address": null_unless(has_address, block.household("street", at_address)),
        "postcode": null_unless(has_address, postcode),
        "city": null_unless(has_address, city),
        "country": null_unless(has_address | (rng.random(m) < 0.5), country),
        "marital_status": null_unless(
            rng.random(m) < 0.55, tx.pick(ref.MARITAL_STATUSES, rng.choice(4, m, p=[0.38, 0.47, 0.1, 0.05]))
        ),
        "occupation": null_unless(
            rng.random(m) < 0.45, tx.pick(ref.OCCUPATIONS, rng.integers(0, len(ref.OCCUPATIONS), m))
        ),
        "income_band": null_unless(
            rng.random(m) < 0.35, tx.pick(ref.INCOME_BANDS, rng.choice(5, m, p=[0.2, 0.35, 0.25, 0.15, 0.05]))
        ),
        "email_opt_in": tx.pick(boolean, email_opt_in.astype(int)),
        "sms_opt_in": tx.pick(boolean, sms_opt_in.astype(int)),
        "consent_updated_at": tx.timestamps(consent, "space"),
        "created_at": tx.timestamps(created, "space"),
        "updated_at": tx.timestamps(updated, "space"),
    }
    crm = CrmAccounts(person, account, created, updated, consent, email, phone, email_opt_in, sms_opt_in)
    return block.records(columns, person), crm


def email_opt_in_shares(world: World, person: np.ndarray) -> np.ndarray:
    """Chance of a CRM account opting in to e-mail: contacts signed up for the newsletter, mostly."""
    contact = world.people.segment[person] == CONTACT_ONLY
    return np.where(contact, 0.9, world.params.accounts.email_opt_in_share)


def typed_birth_days(rng: np.random.Generator, birth_day: np.ndarray, slips: dict) -> np.ndarray:
    """Birth dates as typed: day and month swapped (when the day could be a month), or a day off by one."""
    dates = np.asarray(birth_day, dtype=np.int64).astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    months = (dates.astype("datetime64[M]") - years).astype(np.int64) + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    draw = rng.random(len(dates))
    swap = (draw < slips["day_month_swapped"]) & (days <= 12) & (days != months)
    swapped = (years + (days - 1).astype("timedelta64[M]")).astype("datetime64[D]") + (months - 1)
    off_by_one = (draw >= slips["day_month_swapped"]) & (draw < slips["day_month_swapped"] + slips["day_off_by_one"])
    typed = np.where(swap, swapped.astype(np.int64), birth_day)
    return np.where(off_by_one, typed + np.where(days < 28, 1, -1), typed)


def loyalty_records(block: Block, purchases: Purchases) -> Records:
    rng, facts = block.rng, block.facts
    joined, replaced = facts["joined_s"], facts["card_replaced_s"]
    person = np.flatnonzero(joined < NEVER)
    person = np.concatenate([person, np.flatnonzero(replaced < NEVER)])
    card = np.concatenate(
        [np.zeros(np.sum(joined < NEVER), dtype=np.int64), np.ones(np.sum(replaced < NEVER), dtype=np.int64)]
    )
    valid_from = np.where(card == 0, joined[person], replaced[person])
    valid_to = np.where(card == 0, replaced[person], NEVER)
    order = np.argsort(valid_from, kind="stable")
    person, card, valid_from, valid_to = person[order], card[order], valid_from[order], valid_to[order]
    m = len(person)
    # Spend on each card: purchases while it was the member's card.
    row_of = np.full((block.n, 2), -1)
    row_of[person, card] = np.arange(m)
    buyer = purchases.person
    holding = purchases.at_s >= joined[buyer]
    row = row_of[buyer, (purchases.at_s >= replaced[buyer]).astype(int)]
    counted = holding & (row >= 0)
    spend_cents = np.bincount(row[counted], weights=purchases.value_cents[counted], minlength=m)
    pounds = spend_cents / 100
    tier = np.digitize(pounds, [250, 750, 2000])
    redeemed = np.floor(pounds * rng.uniform(0, 0.8, m) / 500) * 500
    closed = (card == 0) & (valid_to < NEVER) | ((block.facts["dropped_s"][person] < NEVER) & (rng.random(m) < 0.3))
    points = np.where(closed & (valid_to < NEVER), 0, np.maximum(0, pounds - redeemed)).astype(np.int64)
    link = rng.choice(3, m, p=[0.5, 0.2, 0.3])  # e-mail only, phone only, both
    phone = typed_phones(block, person, valid_from)
    link = np.where(~valid(phone), 0, link)
    columns = {
        "loyalty_card_number": card_numbers(block.global_index(person), card),
        "email": null_unless(link != 1, typed_emails(block, person)),
        "phone": null_unless(link != 0, phone),
        "first_name": typed_first_names(block, person, nickname_share=0.15),
        "last_name": typed_last_names(block, person),
        "tier": tx.pick(("bronze", "silver", "gold", "platinum"), tier),
        "joined_at": tx.timestamps(valid_from, "space_offset"),
        "points_balance": tx.digits(points),
        "status": tx.pick(("active", "closed"), closed.astype(int)),
    }
    return block.records(columns, person)


def loyalty_card_at(block: Block, person: np.ndarray, at_s: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """Whether the person held a card at the time, and its number."""
    joined, replaced = block.facts["joined_s"][person], block.facts["card_replaced_s"][person]
    holds = joined <= at_s
    card = (replaced <= at_s).astype(np.int64)
    return holds, card_numbers(block.global_index(person), card)


# --- online orders ----------------------------------------------------------------------


ORDER_STATUSES = ("completed", "returned", "partially_refunded", "refunded", "cancelled")
COMPLETED, RETURNED, PARTIALLY_REFUNDED, REFUNDED, CANCELLED = range(5)


@dataclass
class Orders:
    person: np.ndarray
    at_s: np.ndarray
    cancelled: np.ndarray
    eur: np.ndarray
    lines: Lines
    order_id: pa.Array
    intended_account: np.ndarray  # account the buyer means to use, -1 for a guest checkout
    status: np.ndarray  # index into ORDER_STATUSES
    account_used: np.ndarray  # set by the web/app simulation: the account logged in at checkout
    in_app: np.ndarray  # set by the app simulation


def build_orders(block: Block, purchases: Purchases) -> Orders:
    """Online purchases as orders, plus attempts cancelled shortly before the real order."""
    rng, world = block.rng, block.world
    activity, accounts = world.params.activity, world.params.accounts
    real = np.flatnonzero(purchases.online)
    attempt = real[rng.random(len(real)) < activity.cancelled_order_share]
    source = np.concatenate([real, attempt])
    at_s = np.concatenate([purchases.at_s[real], purchases.at_s[attempt] - rng.integers(600, 2 * DAY, len(attempt))])
    at_s = np.maximum(at_s, world.start_s)
    cancelled = np.concatenate([np.zeros(len(real), dtype=bool), np.ones(len(attempt), dtype=bool)])
    order = np.argsort(at_s, kind="stable")
    source, at_s, cancelled = source[order], at_s[order], cancelled[order]
    person = purchases.person[source]
    lines = _lines_of(purchases.lines, source)
    signup = block.facts["signup_s"][person]
    intended = np.where(at_s >= signup[:, 0], 0, -1)
    intended = np.where((at_s >= signup[:, 1]) & (rng.random(len(person)) < 0.4), 1, intended)
    intended[rng.random(len(person)) < accounts.guest_checkout_share] = -1
    ids = tx.join(
        "HW", tx.digits(block_ids(block, "orders", len(person), 10_000_000_000, 738_349_891, 4_839_201_557), 10)
    )
    # Outcomes; an order of the last few days cannot have come back yet.
    shares = activity.order_status_shares
    status = np.array([ORDER_STATUSES.index(name) for name in shares])[
        rng.choice(len(shares), size=len(person), p=list(shares.values()))
    ]
    status[at_s > world.end_s - 5 * DAY] = COMPLETED
    status[cancelled] = CANCELLED
    return Orders(
        person,
        at_s,
        cancelled,
        purchases.eur[source],
        lines,
        ids,
        intended,
        status,
        np.full(len(person), -1),
        np.zeros(len(person), dtype=bool),
    )


def _lines_of(lines: Lines, baskets: np.ndarray) -> Lines:
    """The lines of the given baskets (in that order), renumbered 0, 1, ... by position."""
    starts = np.searchsorted(lines.basket, baskets)
    counts = np.searchsorted(lines.basket, baskets, side="right") - starts
    owner, position = explode(counts)
    return lines.take(starts[owner] + position, owner)


def _basket_sums(lines: Lines, values: np.ndarray, count: int) -> np.ndarray:
    return np.bincount(lines.basket, weights=values, minlength=count).astype(np.int64)


def order_records(block: Block, orders: Orders) -> tuple[Records, Records]:
    """Order headers and order lines."""
    rng, world = block.rng, block.world
    activity = world.params.activity
    m, lines = len(orders.person), orders.lines
    subtotal = _basket_sums(lines, lines.net_cents(), m)
    voucher = rng.random(m) < 0.08
    discount = np.where(voucher, np.where(subtotal >= 3000, 500, np.round(subtotal * 0.1)), 0).astype(np.int64)
    free_from, fee = np.where(orders.eur, 6000, 5000), np.where(orders.eur, 499, 399)
    shipping = np.where(subtotal - discount < free_from, fee, 0)
    total = subtotal - discount + shipping
    status = orders.status
    returned_quantity = np.zeros(len(lines.basket), dtype=np.int64)
    line_status = status[lines.basket]
    returned_quantity[line_status == RETURNED] = lines.quantity[line_status == RETURNED]
    # A partial refund takes back part of one line.
    partial = np.flatnonzero(status == PARTIALLY_REFUNDED)
    first_line = np.searchsorted(lines.basket, partial)
    line_count = np.searchsorted(lines.basket, partial, side="right") - first_line
    chosen = first_line + (rng.random(len(partial)) * line_count).astype(np.int64)
    returned_quantity[chosen] = 1 + (rng.random(len(partial)) * lines.quantity[chosen]).astype(np.int64)
    line_refund = np.round(returned_quantity * (lines.unit_cents - lines.discount_cents / lines.quantity)).astype(
        np.int64
    )
    refunded = np.select(
        [status == RETURNED, status == PARTIALLY_REFUNDED, status == REFUNDED],
        [subtotal - discount, np.minimum(_basket_sums(lines, line_refund, m), subtotal - discount), total],
        0,
    )

    guest = orders.account_used < 0
    # Guests type their address; account holders' checkouts show the account's e-mail.
    email = typed_emails(block, orders.person, second=orders.account_used == 1, junk_share=0.0)
    typed = typed_emails(block, orders.person, second=rng.random(m) < 0.1)
    email = pc.if_else(pa.array(guest), typed, email)
    email = tx.null_where(guest & (rng.random(m) < 0.05), email)
    phone = null_unless(
        rng.random(m) < np.where(guest, activity.guest_phone_share, 0.5),
        typed_phones(block, orders.person, orders.at_s),
    )
    elsewhere = rng.random(m) < 0.1  # a gift or a work address
    city = np.where(elsewhere, rng.integers(0, 30, m), block.household("city", orders.person))
    postcode = tx.replace_rows(
        block.household("postcode", orders.person), elsewhere, postcodes(block.rng, city[elsewhere])
    )
    postcode = tx.where(rng.random(m) < 0.08, pc.utf8_upper(pc.replace_substring(postcode, " ", "")), postcode)
    country = [c[1] for c in ref.CITIES]
    headers = {
        "order_id": orders.order_id,
        "user_id": null_unless(~guest, user_ids(block.global_index(orders.person), np.maximum(orders.account_used, 0))),
        "email": email,
        "phone": phone,
        "ordered_at": tx.timestamps(orders.at_s, "z"),
        "status": tx.pick(ORDER_STATUSES, status),
        "currency": tx.pick(("GBP", "EUR"), orders.eur.astype(int)),
        "subtotal_amount": tx.money(subtotal),
        "discount_amount": tx.money(discount),
        "shipping_amount": tx.money(shipping),
        "total_amount": tx.money(total),
        "refunded_amount": tx.money(refunded),
        "shipping_postcode": postcode,
        "shipping_city": tx.pick([c[0] for c in ref.CITIES], city),
        "shipping_country": tx.pick(country, city),
    }
    _, number = explode(np.bincount(lines.basket, minlength=m))
    line_columns = {
        "order_line_id": tx.join(pc.take(orders.order_id, pa.array(lines.basket)), "-", tx.digits(number + 1)),
        "order_id": pc.take(orders.order_id, pa.array(lines.basket)),
        "product_sku": pc.take(world.catalogue.sku, pa.array(lines.product)),
        "quantity": tx.digits(lines.quantity),
        "unit_price": tx.money(lines.unit_cents),
        "discount_amount": tx.money(lines.discount_cents),
        "returned_quantity": tx.digits(returned_quantity),
    }
    return block.records(headers, orders.person), block.records(line_columns, orders.person[lines.basket])


# --- till receipts ---------------------------------------------------------------------------


@dataclass
class Receipts:
    person: np.ndarray
    at_s: np.ndarray
    store: np.ndarray
    is_return: np.ndarray
    eur: np.ndarray
    lines: Lines
    transaction_id: pa.Array
    sale: np.ndarray  # for returns, the receipt of the sale; -1 for sales


def build_receipts(block: Block, purchases: Purchases) -> Receipts:
    """Store purchases as till receipts, plus returns brought back to a store later."""
    rng, world = block.rng, block.world
    sales = np.flatnonzero(~purchases.online)
    k = len(sales)
    back = rng.random(k) < world.params.activity.store_return_share
    return_at = purchases.at_s[sales] + rng.integers(1, 28, k) * DAY + rng.integers(-3 * 3600, 3 * 3600, k)
    back &= return_at < world.end_s
    store = purchases.store[sales]
    return_store = _open_stores(block, store[back], return_at[back])
    kept = return_store >= 0
    returned = np.flatnonzero(back)[kept]
    # Returns give back one or more lines of the sale, in full.
    sale_lines = _lines_of(purchases.lines, sales)
    line_back = np.isin(sale_lines.basket, returned) & (rng.random(len(sale_lines.basket)) < 0.7)
    first_line = np.searchsorted(sale_lines.basket, returned)
    line_back[first_line] = True
    return_lines = sale_lines.take(
        np.flatnonzero(line_back), np.searchsorted(returned, sale_lines.basket[line_back]) + k
    )
    return_lines.quantity = -return_lines.quantity
    return_lines.discount_cents = -return_lines.discount_cents
    at_s = np.concatenate([purchases.at_s[sales], return_at[returned]])
    order = np.argsort(at_s, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    lines = Lines(
        np.concatenate([rank[sale_lines.basket], rank[return_lines.basket]]),
        np.concatenate([sale_lines.product, return_lines.product]),
        np.concatenate([sale_lines.quantity, return_lines.quantity]),
        np.concatenate([sale_lines.unit_cents, return_lines.unit_cents]),
        np.concatenate([sale_lines.discount_cents, return_lines.discount_cents]),
    )
    by_basket = np.argsort(lines.basket, kind="stable")
    lines = lines.take(by_basket, lines.basket[by_basket])
    person = np.concatenate([purchases.person[sales], purchases.person[sales][returned]])[order]
    ids = tx.join(
        "R", tx.digits(block_ids(block, "receipts", len(order), 10_000_000_000, 812_763_407, 7_310_448_219), 10)
    )
    sale = np.concatenate([np.full(k, -1), rank[returned]])[order]
    return Receipts(
        person,
        at_s[order],
        np.concatenate([store, return_store[kept]])[order],
        np.concatenate([np.zeros(k, bool), np.ones(len(returned), bool)])[order],
        np.concatenate([purchases.eur[sales], purchases.eur[sales][returned]])[order],
        lines,
        ids,
        sale,
    )


def receipt_records(block: Block, receipts: Receipts) -> tuple[Records, Records]:
    rng, world, activity = block.rng, block.world, block.world.params.activity
    m, lines = len(receipts.person), receipts.lines
    total = _basket_sums(lines, lines.net_cents(), m)
    holds, card = loyalty_card_at(block, receipts.person, receipts.at_s)
    shown = holds & (rng.random(m) < world.params.accounts.loyalty_card_presented_share)
    keyed = rng.random(m) < 0.03  # typed in by the cashier, in groups of four
    card = tx.where(
        keyed,
        tx.join(
            pc.utf8_slice_codeunits(card, 0, 4),
            " ",
            pc.utf8_slice_codeunits(card, 4, 8),
            " ",
            pc.utf8_slice_codeunits(card, 8, 12),
        ),
        card,
    )
    email = null_unless(rng.random(m) < activity.receipt_email_share, typed_emails(block, receipts.person))
    offsets = world.clock.offsets(receipts.at_s, 0)
    headers = {
        "transaction_id": receipts.transaction_id,
        "store_id": pc.take(world.stores.store_id, pa.array(receipts.store)),
        "occurred_at": tx.timestamps(receipts.at_s, "offset", offsets),
        "loyalty_card_number": null_unless(shown, card),
        "receipt_email": email,
        "transaction_type": tx.pick(("sale", "return"), receipts.is_return.astype(int)),
        "payment_method": tx.pick(("card", "cash", "mobile"), rng.choice(3, m, p=[0.72, 0.1, 0.18])),
        "currency": tx.pick(("GBP", "EUR"), receipts.eur.astype(int)),
        "total_amount": tx.money(total),
    }
    _, number = explode(np.bincount(lines.basket, minlength=m))
    transaction = pc.take(receipts.transaction_id, pa.array(lines.basket))
    line_columns = {
        "transaction_line_id": tx.join(transaction, "-", tx.digits(number + 1, 2)),
        "transaction_id": transaction,
        "product_sku": pc.take(world.catalogue.sku, pa.array(lines.product)),
        "quantity": pc.cast(pa.array(lines.quantity), pa.string()),
        "unit_price": tx.money(lines.unit_cents),
        "discount_amount": tx.money(lines.discount_cents),
    }
    return block.records(headers, receipts.person), block.records(line_columns, receipts.person[lines.basket])


# --- customer service -------------------------------------------------------------------------


def ticket_records(block: Block, orders: Orders, receipts: Receipts, since_s: int | None = None) -> Records:
    """Help-desk tickets: mostly about orders and returns, some from people who never bought (for days after the
    history, only those raised from since_s on)."""
    rng, world, facts = block.rng, block.world, block.facts
    activity = world.params.activity
    about_return = np.isin(orders.status, [RETURNED, PARTIALLY_REFUNDED, REFUNDED])
    share = np.where(about_return, activity.ticket_share_per_return, activity.ticket_share_per_purchase)
    from_orders = np.flatnonzero(~orders.cancelled & (rng.random(len(orders.person)) < share))
    share = np.where(receipts.is_return, activity.ticket_share_per_return / 2, activity.ticket_share_per_purchase / 2)
    from_receipts = np.flatnonzero(rng.random(len(receipts.person)) < share)
    crm_since = facts["crm_created_s"][:, 0]
    others = np.flatnonzero(
        (block.people("segment") != BUYER)
        & (crm_since < NEVER)
        & (rng.random(block.n) < activity.ticket_share_non_buyer)
    )
    person = np.concatenate([orders.person[from_orders], receipts.person[from_receipts], others])
    base = np.concatenate(
        [
            orders.at_s[from_orders],
            receipts.at_s[from_receipts],
            crm_since[others] + (rng.random(len(others)) * (world.end_s - crm_since[others])).astype(np.int64),
        ]
    )
    created = base + rng.integers(3600, TICKET_DELAY_DAYS * DAY, len(person))
    topic = np.concatenate(
        [
            np.where(
                about_return[from_orders],
                rng.choice([2, 3], len(from_orders)),
                rng.choice([0, 1, 4], len(from_orders), p=[0.4, 0.4, 0.2]),
            ),
            np.where(receipts.is_return[from_receipts], 3, rng.choice([4, 7], len(from_receipts))),
            rng.choice([4, 5, 6, 7], len(others)),
        ]
    )
    inside = created < world.end_s
    if since_s is not None:
        inside &= created >= since_s
    keep = np.flatnonzero(inside)
    keep = keep[np.argsort(created[keep], kind="stable")]
    person, created, topic = person[keep], created[keep], topic[keep]
    k = len(person)
    channel = rng.choice(3, k, p=[0.45, 0.25, 0.30])  # email, phone, web_form
    solved = created + 3600 + rng.exponential(2 * DAY, k).astype(np.int64)
    recent = created > world.end_s - 7 * DAY
    is_solved = (solved < world.end_s) & ~(recent & (rng.random(k) < 0.5))
    status = np.where(is_solved, np.where(rng.random(k) < 0.6, 2, 3), np.where(rng.random(k) < 0.5, 0, 1))
    rated = is_solved & (rng.random(k) < 0.35)
    score = rng.choice([1, 2, 3, 4, 5], k, p=[0.1, 0.08, 0.12, 0.3, 0.4])
    first = typed_first_names(block, person, nickname_share=0.25)
    name = tx.where(rng.random(k) < 0.7, tx.join(first, " ", block.people("last_name", person)), first)
    name = tx.where(rng.random(k) < 0.05, pc.utf8_lower(name), name)
    columns = {
        "ticket_id": tx.join(
            "TK", tx.digits(block_ids(block, "tickets", k, 1_000_000_000, 512_927_357, 318_775_402), 9)
        ),
        "requester_email": null_unless((channel != 1) | (rng.random(k) < 0.3), typed_emails(block, person)),
        "requester_phone": null_unless((channel == 1) | (rng.random(k) < 0.15), typed_phones(block, person, created)),
        "requester_name": name,
        "channel": tx.pick(("email", "phone", "web_form"), channel),
        "category": tx.pick(ref.TICKET_CATEGORIES, topic),
        "status": tx.pick(("open", "pending", "solved", "closed"), status),
        "satisfaction_score": null_unless(rated, tx.digits(score)),
        "created_at": tx.timestamps(created, "z"),
        "solved_at": null_unless(is_solved, tx.timestamps(solved, "z")),
    }
    return block.records(columns, person)
