"""The website: devices and cookies, browsing sessions, tracking events, live chats, QR scans, bots.

Sessions are planned from what people do (orders, sign-ups, clicks on messages, QR scans,
plain browsing at a personal rate) and exploded into events. Identity on the site follows
the rules of a real tag: a cookie is anonymous until someone signs up or logs in on it, and
from then on its events carry that account's user_id until the cookie is cleared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import reference as ref
from . import text as tx
from .block import Block, Records, explode, session_clock, typed_emails, typed_first_names, uniform_times, user_ids
from .commerce import ONLINE_HOURS, Orders, Receipts, time_of_day
from .marketing import Visits
from .world import BROWSER, BUYER, DAY, NEVER, STREAM_BOTS, World, random_ips, stream

WEB_EVENT_TYPES = ("page_view", "product_view", "add_to_cart", "checkout", "signup", "login")
PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, CHECKOUT, SIGNUP, LOGIN = range(6)
BROWSE, PURCHASE, SIGNUP_SESSION = range(3)
DESKTOP, MOBILE, TABLET = range(3)
PAGE_PATHS = (
    "/",
    "/new-in",
    "/sale",
    "/c/womenswear",
    "/c/menswear",
    "/c/footwear",
    "/c/home",
    "/c/beauty",
    "/c/accessories",
    "/c/kids",
    "/search?q=dress",
    "/search?q=trainers",
    "/search?q=gift",
    "/stores",
    "/help/delivery",
    "/help/returns",
    "/wishlist",
)
SESSION_TIMEOUT_S = 1800
_KEY = 2**36  # room for seconds (relative to a base) in combined integer sort keys


def decide_interest(block: Block) -> None:
    """How often and over which period each person browses (web; the app scales from it)."""
    world, rng, facts = block.world, block.rng, block.facts
    activity = world.params.activity
    n = block.n
    segment = block.people("segment")
    acquired = block.people("acquired_s")
    dropped = facts["dropped_s"]
    fading = dropped + rng.exponential(activity.interest_after_dropout_days * DAY, n).astype(np.int64)
    buyer_rate = activity.web_sessions_base_rate + activity.web_sessions_per_purchase * block.people("purchase_rate")
    browser_rate = rng.gamma(2.0, activity.browser_sessions_rate_mean / 2, n)
    facts["browse_rate"] = np.select(
        [segment == BUYER, segment == BROWSER], [buyer_rate, browser_rate], 0.1 * activity.web_sessions_base_rate
    )
    facts["interest_from_s"] = np.maximum(world.start_s, np.where(segment == BUYER, acquired - 30 * DAY, acquired))
    until = np.where(
        segment == BUYER,
        np.where(dropped < NEVER, fading, world.end_s),
        np.where(segment == BROWSER, acquired + rng.exponential(365 * DAY, n).astype(np.int64), world.end_s),
    )
    facts["interest_until_s"] = np.minimum(until, world.end_s)


@dataclass
class Devices:
    """Up to three browsers per person (slots): slot 0 is the main one, then the other of
    desktop/mobile, then a tablet. Cookies are cleared now and then: a new anonymous_id."""

    count: np.ndarray
    kind: np.ndarray  # (people, 3) device type per slot
    agent: pa.Array  # user agent per (person * 3 + slot)
    rotation_key: np.ndarray  # sorted (person * 3 + slot) * _KEY + seconds of each cookie reset
    base_s: int

    def slot_of_kind(self, person: np.ndarray, kind: int) -> np.ndarray:
        """A slot with that kind of device, else the main one."""
        match = (self.kind[person] == kind) & (np.arange(3) < self.count[person][:, None])
        return np.where(match.any(axis=1), match.argmax(axis=1), 0)

    def choose(self, rng: np.random.Generator, person: np.ndarray) -> np.ndarray:
        """A slot for a visit: the main device most often."""
        u = rng.random(len(person))
        count = self.count[person]
        return np.select([count == 1, u < 0.6, (count == 2) | (u < 0.88)], [0, 0, 1], 2)

    def cookie(self, person: np.ndarray, slot: np.ndarray, at_s: np.ndarray) -> np.ndarray:
        """An integer naming the cookie the device held at the time."""
        device = person * 3 + slot
        resets = np.searchsorted(
            self.rotation_key, device * _KEY + (at_s - self.base_s), side="right"
        ) - np.searchsorted(self.rotation_key, device * _KEY)
        return device * 1024 + np.minimum(resets, 1023)


def decide_devices(block: Block) -> Devices:
    world, rng = block.world, block.rng
    n = block.n
    count = rng.choice([1, 2, 3], size=n, p=[0.35, 0.45, 0.2])
    main_is_mobile = rng.random(n) < 0.5
    kind = np.stack(
        [np.where(main_is_mobile, MOBILE, DESKTOP), np.where(main_is_mobile, DESKTOP, MOBILE), np.full(n, TABLET)],
        axis=1,
    )
    agents = [ref.USER_AGENTS[name] for name in ref.DEVICE_TYPES]
    flat_kind = kind.ravel()
    offsets = np.cumsum([0] + [len(a) for a in agents])[:-1]
    sizes = np.array([len(a) for a in agents])
    agent = tx.pick(
        [ua for group in agents for ua in group],
        offsets[flat_kind] + (rng.random(3 * n) * sizes[flat_kind]).astype(np.int64),
    )
    base_s = world.start_s - 400 * DAY
    span = world.end_s - base_s
    resets = rng.poisson(span / DAY / world.params.activity.cookie_lifetime_days, 3 * n)
    device, _ = explode(resets)
    rotation_key = np.sort(device * _KEY + (rng.random(len(device)) * span).astype(np.int64))
    return Devices(count, kind, agent, rotation_key, base_s)


@dataclass
class QrPlan:
    person: np.ndarray
    online_s: np.ndarray
    product: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    receipt: np.ndarray  # till receipt of the in-store rescan, -1 if never rescanned
    in_store_s: np.ndarray
    code: pa.Array


def plan_qr(block: Block, receipts: Receipts) -> QrPlan:
    """QR journeys: a scan online (poster, shelf label) and, for some, the rescan at the till."""
    world, rng, facts = block.world, block.rng, block.facts
    activity = world.params.activity
    sales = np.flatnonzero(~receipts.is_return)
    journeys = sales[rng.random(len(sales)) < activity.qr_journey_share]
    online_s = np.maximum(receipts.at_s[journeys] - rng.integers(3600, 7 * DAY, len(journeys)), world.start_s)
    first_line = np.searchsorted(receipts.lines.basket, journeys)
    city = world.stores.city[receipts.store[journeys]]
    segment = block.people("segment")
    scanners = np.flatnonzero(
        ((segment == BUYER) | (segment == BROWSER)) & (rng.random(block.n) < activity.qr_browse_scan_share)
    )
    lo, hi = facts["interest_from_s"][scanners], facts["interest_until_s"][scanners]
    scanners, browse_s = scanners[hi > lo], (lo + rng.random(len(scanners)) * (hi - lo)).astype(np.int64)[hi > lo]
    product = np.concatenate(
        [
            receipts.lines.product[first_line],
            rng.choice(len(world.catalogue), len(scanners), p=world.catalogue.popularity),
        ]
    )
    city = np.concatenate([city, block.household("city", scanners)])
    k = len(city)
    latitude = np.array([c[4] for c in ref.CITIES])[city] + rng.normal(0, 0.03, k)
    longitude = np.array([c[5] for c in ref.CITIES])[city] + rng.normal(0, 0.05, k)
    return QrPlan(
        person=np.concatenate([receipts.person[journeys], scanners]),
        online_s=np.concatenate([online_s, browse_s]),
        product=product,
        latitude=latitude,
        longitude=longitude,
        receipt=np.concatenate([journeys, np.full(len(scanners), -1)]),
        in_store_s=np.concatenate(
            [receipts.at_s[journeys] - rng.integers(10, 120, len(journeys)), np.full(len(scanners), NEVER)]
        ),
        code=tx.join("QR-", pc.utf8_upper(tx.hex_text(rng.integers(0, 256, (k, 6), dtype=np.uint8)))),
    )


class SessionPlan:
    """Sessions to simulate, added group by group; missing fields take their defaults."""

    DEFAULTS = {
        "kind": BROWSE,
        "order": -1,
        "signup_account": -1,
        "login_account": -1,
        "login_if_needed": False,
        "landing_sku": -1,
        "ends_at_anchor": False,
        "ends_at_s": NEVER,
    }

    def __init__(self):
        self.groups: list[dict] = []
        self.size = 0

    def add(
        self,
        person: np.ndarray,
        anchor_s: np.ndarray,
        slot: np.ndarray,
        utm: tuple | None = None,
        landing_path: pa.Array | None = None,
        **fields,
    ) -> slice:
        m = len(person)
        group = {
            "person": np.asarray(person),
            "anchor_s": np.asarray(anchor_s, dtype=np.int64),
            "slot": np.asarray(slot),
        }
        for name, default in self.DEFAULTS.items():
            group[name] = np.broadcast_to(np.asarray(fields.get(name, default)), m)
        source, medium, campaign = utm if utm else (None, None, None)
        group["utm_source"] = _text_column(source, m)
        group["utm_medium"] = _text_column(medium, m)
        group["utm_campaign"] = _text_column(campaign, m)
        group["landing_path"] = _text_column(landing_path, m)
        self.groups.append(group)
        self.size += m
        return slice(self.size - m, self.size)

    def build(self) -> dict:
        out = {}
        for name in self.groups[0]:
            parts = [group[name] for group in self.groups]
            out[name] = pa.concat_arrays(parts) if isinstance(parts[0], pa.Array) else np.concatenate(parts)
        return out


def _text_column(value, m: int) -> pa.Array:
    if value is None:
        return pa.nulls(m, pa.string())
    if isinstance(value, str):
        return tx.pick((value,), np.zeros(m, dtype=np.int64))
    return value


@dataclass
class WebResult:
    records: Records
    chats: Records
    qr_cookie: pa.Array  # anonymous_id of each QR landing (QrPlan order)


def plan_sessions(
    block: Block, devices: Devices, orders: Orders, receipts: Receipts, visits: list[Visits], qr: QrPlan
) -> tuple[SessionPlan, slice]:
    world, rng, facts = block.world, block.rng, block.facts
    activity = world.params.activity
    plan = SessionPlan()
    signup = facts["signup_s"]

    # Orders placed on the site; a sign-up during the first checkout happens in that session.
    web_orders = np.flatnonzero(~orders.in_app)
    person = orders.person[web_orders]
    at_checkout = (
        facts["signup_at_checkout"][person]
        & (orders.at_s[web_orders] == facts["first_online_s"][person])
        & ~orders.cancelled[web_orders]
    )
    plan.add(
        person,
        orders.at_s[web_orders],
        np.where(at_checkout, 0, devices.choose(rng, person)),
        kind=PURCHASE,
        order=web_orders,
        ends_at_anchor=True,
        signup_account=np.where(at_checkout, 0, -1),
        ends_at_s=np.where(at_checkout, orders.at_s[web_orders], NEVER),
        login_account=np.where(at_checkout, -1, orders.intended_account[web_orders]),
        login_if_needed=True,
    )
    # Sign-ups on their own (the main browser for the first account, another for a second),
    # after some anonymous browsing on the same cookie.
    for account in (0, 1):
        who = np.flatnonzero((signup[:, account] < NEVER) & ~(facts["signup_at_checkout"] & (account == 0)))
        slot = np.zeros(len(who), dtype=np.int64) if account == 0 else np.minimum(1, devices.count[who] - 1)
        plan.add(who, signup[who, account], slot, kind=SIGNUP_SESSION, signup_account=account, ends_at_anchor=True)
    who = np.flatnonzero(signup[:, 0] < NEVER)
    count = (rng.random(len(who)) < 0.8) + rng.poisson(activity.pre_signup_sessions_mean - 0.8, len(who))
    owner = np.repeat(who, count)
    before = signup[owner, 0] - rng.integers(1800, 30 * DAY, len(owner))
    keep = before >= world.start_s
    plan.add(owner[keep], before[keep], np.zeros(int(keep.sum()), dtype=np.int64))

    # Browsing at the person's own rate over their period of interest, at local waking hours.
    owner, at = uniform_times(rng, facts["interest_from_s"], facts["interest_until_s"], facts["browse_rate"])
    at = time_of_day(block, (at - world.start_s) / DAY, ONLINE_HOURS, block.people("zone", owner))
    tagged = rng.random(len(owner)) < activity.utm_share
    tag = rng.integers(0, len(ref.UTM_TAGS), len(owner))
    utm = tuple(tx.null_where(~tagged, tx.pick([t[i] for t in ref.UTM_TAGS], tag)) for i in range(3))
    # Signed-up people sometimes log in of their own accord, with their second account now and then.
    after_signup = at > signup[owner, 0] + 3600
    second = (at > signup[owner, 1] + 3600) & (rng.random(len(owner)) < 0.4)
    voluntary = after_signup & (rng.random(len(owner)) < activity.voluntary_login_share)
    plan.add(owner, at, devices.choose(rng, owner), utm=utm, login_account=np.where(voluntary, second.astype(int), -1))

    for visit in visits:  # clicks in e-mails and text messages, read on the phone more often than not
        on_phone = rng.random(len(visit.person)) < (0.9 if visit.medium == "sms" else 0.55)
        slot = np.where(on_phone, devices.slot_of_kind(visit.person, MOBILE), devices.choose(rng, visit.person))
        plan.add(
            visit.person,
            visit.at_s,
            slot,
            utm=(visit.source, visit.medium, visit.campaign_id),
            landing_path=visit.landing_path,
        )
    qr_sessions = plan.add(
        qr.person,
        qr.online_s + rng.integers(2, 10, len(qr.person)),
        devices.slot_of_kind(qr.person, MOBILE),
        utm=("qr", "offline", "in_store_qr"),
        landing_sku=qr.product,
    )
    sales = np.flatnonzero(~receipts.is_return)
    research = sales[rng.random(len(sales)) < activity.store_research_session_share]
    at = receipts.at_s[research] - rng.integers(3600, 5 * DAY, len(research))
    keep = at >= world.start_s
    plan.add(receipts.person[research][keep], at[keep], devices.choose(rng, receipts.person[research][keep]))
    return plan, qr_sessions


def web_records(
    block: Block, devices: Devices, orders: Orders, plan: SessionPlan, qr_sessions: slice, since_s: int | None = None
) -> WebResult:
    """Events of the planned sessions within the period, and live chats (since_s: see _chats)."""
    world, rng, facts = block.world, block.rng, block.facts
    activity, catalogue = world.params.activity, world.catalogue
    s = plan.build()
    person, kind = s["person"], s["kind"]
    m = len(person)
    order = s["order"]
    lines = orders.lines
    first_line = np.searchsorted(lines.basket, np.maximum(order, 0))
    carts = np.where(
        order >= 0, np.minimum(3, np.searchsorted(lines.basket, np.maximum(order, 0), side="right") - first_line), 0
    )
    has_signup = s["signup_account"] >= 0
    has_login = (s["login_account"] >= 0) & ~has_signup
    browsing = np.minimum(1 + rng.geometric(activity.browse_events_geometric_p, m), 25)
    tail = np.select([kind == PURCHASE, kind == SIGNUP_SESSION], [carts + 1, 0], 0) + has_signup
    count = browsing + has_login + tail
    session, position = explode(count)
    elapsed, duration = session_clock(rng, session, position, mean_gap_s=45)

    # Event types by position: landing, optional login, browsing, then the session's tail.
    last = count - 1
    tail_position = position - (count - tail)[session]
    event = rng.choice(3, len(session), p=[0.45, 0.45, 0.10])  # page_view, product_view, add_to_cart
    landing_product = s["landing_sku"] >= 0
    event[position == 0] = np.where(landing_product[session[position == 0]], PRODUCT_VIEW, PAGE_VIEW)
    event[has_login[session] & (position == 1)] = LOGIN
    is_purchase = kind[session] == PURCHASE
    signup_position = np.where(kind == SIGNUP_SESSION, last, count - tail)  # first tail event of a checkout sign-up
    event[(tail_position >= 0) & is_purchase] = ADD_TO_CART
    event[is_purchase & (position == last[session])] = CHECKOUT
    event[has_signup[session] & (position == signup_position[session])] = SIGNUP
    cart_index = tail_position - has_signup[session]
    in_cart = is_purchase & (cart_index >= 0) & (position < last[session])

    # Times: browsing starts at the anchor; orders and sign-ups end at it; a sign-up during
    # checkout happens at the sign-up time with the basket filled until the order.
    pivot = np.where(s["ends_at_anchor"], last, 0)
    pivot = np.where(s["ends_at_s"] < NEVER, signup_position, pivot)
    pivot_s = np.where(s["ends_at_s"] < NEVER, facts["signup_s"][person, 0], s["anchor_s"])
    offset = elapsed - elapsed[(np.cumsum(count) - count)[session] + pivot[session]]
    at_s = pivot_s[session] + offset
    stretched = (s["ends_at_s"] < NEVER)[session] & (position > pivot[session])
    if stretched.any():
        room = (s["ends_at_s"] - pivot_s)[session[stretched]]
        span = np.maximum(1, (duration - elapsed[(np.cumsum(count) - count) + pivot])[session[stretched]])
        at_s[stretched] = pivot_s[session[stretched]] + offset[stretched] * room // span
    start_s = at_s[np.cumsum(count) - count]

    cookie_key = devices.cookie(person, s["slot"], start_s)
    cookies, cookie = np.unique(cookie_key, return_inverse=True)
    cookie_id = tx.uuids(rng, len(cookies))
    event_cookie = cookie[session]

    # Logins: voluntary ones happen; those of a checkout only when the cookie is not signed in.
    account = np.where(event == SIGNUP, s["signup_account"][session], s["login_account"][session])
    is_auth = (event == SIGNUP) | (event == LOGIN)
    is_auth &= at_s >= facts["signup_s"][person[session], np.maximum(account, 0)]
    conditional = (event == LOGIN) & s["login_if_needed"][session]
    settled = is_auth & ~conditional
    signed_in_since = np.full(len(cookies), NEVER, dtype=np.int64)
    np.minimum.at(signed_in_since, event_cookie[settled], at_s[settled])
    needed = conditional & is_auth & (signed_in_since[event_cookie] > at_s)
    first_needed = np.full(len(cookies), NEVER, dtype=np.int64)
    np.minimum.at(first_needed, event_cookie[needed], at_s[needed])
    needed &= at_s == first_needed[event_cookie]
    is_auth = settled | needed
    keep = ((event != LOGIN) | is_auth) & (at_s < world.end_s) & (at_s >= world.start_s)

    # Each event carries the account of the latest sign-up or login on its cookie.
    auth = np.flatnonzero(is_auth & keep)
    auth_key = event_cookie[auth] * _KEY + (at_s[auth] - devices.base_s)
    by_key = np.argsort(auth_key, kind="stable")
    auth, auth_key = auth[by_key], auth_key[by_key]
    latest = np.searchsorted(auth_key, event_cookie * _KEY + (at_s - devices.base_s), side="right") - 1
    found = latest >= 0
    found[found] &= event_cookie[auth[latest[found]]] == event_cookie[found]
    # (a block of a few days may have no sign-up or login at all)
    event_account = np.where(found, account[auth[np.maximum(latest, 0)]], -1) if len(auth) else np.full(len(at_s), -1)
    checkout = np.flatnonzero(keep & (event == CHECKOUT))
    orders.account_used[order[session[checkout]]] = event_account[checkout]

    # Sessions as the tag sees them: a cookie's events with less than 30 minutes between them.
    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((at_s[rows], event_cookie[rows]))]
    gap = np.diff(at_s[rows], prepend=at_s[rows[0]] - SESSION_TIMEOUT_S - 1) if len(rows) else np.zeros(0, np.int64)
    new_cookie = np.diff(event_cookie[rows], prepend=-1) != 0
    tag_session = np.cumsum(new_cookie | (gap > SESSION_TIMEOUT_S)) - 1
    session_id = tx.hex_text(rng.integers(0, 256, (int(tag_session[-1]) + 1 if len(rows) else 0, 8), dtype=np.uint8))
    rows_order = np.argsort(at_s[rows], kind="stable")
    tag_session, rows = tag_session[rows_order], rows[rows_order]

    owner = person[session[rows]]
    slot = s["slot"][session[rows]]
    device = devices.kind[owner, slot]
    product = rng.choice(len(catalogue), len(rows), p=catalogue.popularity)
    is_landing_product = (position[rows] == 0) & landing_product[session[rows]]
    product[is_landing_product] = s["landing_sku"][session[rows][is_landing_product]]
    cart_rows = in_cart[rows]
    product[cart_rows] = lines.product[first_line[session[rows][cart_rows]] + cart_index[rows][cart_rows]]
    event_type = event[rows]
    sku = pc.take(catalogue.sku, pa.array(product))
    has_product = (event_type == PRODUCT_VIEW) | (event_type == ADD_TO_CART)
    path = tx.pick(PAGE_PATHS, rng.integers(0, len(PAGE_PATHS), len(rows)))
    path = pc.if_else(pa.array(has_product), tx.join("/p/", pc.utf8_lower(sku)), path)
    path = pc.if_else(pa.array(event_type == CHECKOUT), "/checkout/confirmation", path)
    path = pc.if_else(pa.array(event_type == SIGNUP), "/account/register", path)
    path = pc.if_else(pa.array(event_type == LOGIN), "/account/login", path)
    landing_path = pc.take(s["landing_path"], pa.array(session[rows]))
    is_landing = position[rows] == 0
    path = pc.if_else(pa.array(is_landing & np.asarray(pc.is_valid(landing_path), dtype=bool)), landing_path, path)
    utm_source = tx.null_where(~is_landing, pc.take(s["utm_source"], pa.array(session[rows])))
    utm_medium = tx.null_where(~is_landing, pc.take(s["utm_medium"], pa.array(session[rows])))
    utm_campaign = tx.null_where(~is_landing, pc.take(s["utm_campaign"], pa.array(session[rows])))
    query = tx.join("?utm_source=", utm_source, "&utm_medium=", utm_medium, "&utm_campaign=", utm_campaign)
    has_query = np.asarray(pc.is_valid(query), dtype=bool)
    url = tx.join(ref.SHOP_URL, path)
    url = pc.if_else(
        pa.array(has_query & ~np.asarray(pc.match_substring(path, "?"), dtype=bool)), tx.join(url, query), url
    )
    account_of_row = event_account[rows]
    signed_in = account_of_row >= 0
    typed = (event_type == SIGNUP) | (event_type == LOGIN)
    email = tx.replace_rows(
        pa.nulls(len(rows), pa.string()),
        typed,
        typed_emails(block, owner[typed], second=account_of_row[typed] == 1, junk_share=0.0),
    )
    # Desktops and tablets mostly browse from home; phones half the time on the mobile network.
    at_home = rng.random(m) < np.where(devices.kind[person, s["slot"]] == MOBILE, 0.45, 0.85)
    session_ip = tx.where(at_home, block.household("home_ip", person), random_ips(rng, "mobile", m))
    offsets = world.clock.offsets(at_s[rows], block.people("zone", owner))
    columns = {
        "event_id": tx.uuids(rng, len(rows)),
        "event_type": tx.pick(WEB_EVENT_TYPES, event_type),
        "occurred_at": tx.timestamps(at_s[rows], "offset", offsets),
        "anonymous_id": pc.take(cookie_id, pa.array(event_cookie[rows])),
        "user_id": tx.null_where(~signed_in, user_ids(block.global_index(owner), np.maximum(account_of_row, 0))),
        "email": email,
        "session_id": pc.take(session_id, pa.array(tag_session)),
        "page_url": url,
        "product_sku": tx.null_where(~has_product, sku),
        "device_type": tx.pick(ref.DEVICE_TYPES, device),
        "ip_address": pc.take(session_ip, pa.array(session[rows])),
        "user_agent": pc.take(devices.agent, pa.array(owner * 3 + slot)),
        "utm_source": utm_source,
        "utm_medium": utm_medium,
        "utm_campaign": utm_campaign,
    }
    records = block.records(columns, owner)
    session_cookie = pc.take(cookie_id, pa.array(cookie))
    chats = _chats(block, person, start_s, duration, session_cookie, since_s)
    return WebResult(records, chats, session_cookie[qr_sessions])


def _chats(
    block: Block,
    person: np.ndarray,
    start_s: np.ndarray,
    duration: np.ndarray,
    cookie: pa.Array,
    since_s: int | None = None,
) -> Records:
    """Live chats opened from some sessions through the site's widget (for days after the history, only those
    opened from since_s on: sessions planned before it, like the browsing before a sign-up, wrote nothing)."""
    world, rng = block.world, block.rng
    chosen = np.flatnonzero(rng.random(len(person)) < world.params.activity.chat_share_per_session)
    who = person[chosen]
    k = len(chosen)
    started = start_s[chosen] + (rng.random(k) * (duration[chosen] + 1)).astype(np.int64)
    keep = started < world.end_s - 3600
    if since_s is not None:
        keep &= started >= since_s
    chosen, who, started = chosen[keep], who[keep], started[keep]
    k = len(chosen)
    missed = rng.random(k) < 0.12
    messages = np.where(missed, 1, 3 + rng.poisson(7, k))
    ended = np.minimum(
        started + np.where(missed, rng.integers(60, 300, k), messages * rng.integers(30, 120, k)), world.end_s - 1
    )
    rated = ~missed & (rng.random(k) < 0.3)
    score = rng.choice([1, 2, 3, 4, 5], k, p=[0.06, 0.06, 0.13, 0.3, 0.45])
    first = typed_first_names(block, who, nickname_share=0.3)
    full = tx.join(first, " ", block.people("last_name", who))
    name = tx.where(rng.random(k) < 0.4, full, first)
    zone = block.people("zone", who)
    order = np.argsort(started, kind="stable")
    take = pa.array(order)
    columns = {
        "chat_id": tx.uuids(rng, k),
        "anonymous_id": pc.take(cookie, pa.array(chosen[order])),
        "visitor_email": pc.take(tx.null_where(rng.random(k) >= 0.35, typed_emails(block, who)), take),
        "visitor_name": pc.take(tx.null_where(rng.random(k) >= 0.45, name), take),
        "status": tx.pick(("completed", "missed"), missed[order].astype(int)),
        "message_count": tx.digits(messages[order]),
        "satisfaction_score": tx.null_where(~rated[order], tx.digits(score[order])),
        "started_at": tx.timestamps(started[order], "offset", world.clock.offsets(started[order], zone[order])),
        "ended_at": tx.timestamps(ended[order], "offset", world.clock.offsets(ended[order], zone[order])),
    }
    return block.records(columns, who[order])


def qr_records(block: Block, qr: QrPlan, receipts: Receipts, cookie: pa.Array) -> Records:
    world, rng = block.world, block.rng
    k = len(qr.person)
    rescanned = np.flatnonzero(qr.receipt >= 0)
    receipt = qr.receipt[rescanned]
    online_offsets = world.clock.offsets(qr.online_s, block.people("zone", qr.person))
    at_s = np.concatenate([qr.online_s, qr.in_store_s[rescanned]])
    in_store = np.concatenate([np.zeros(k, bool), np.ones(len(rescanned), bool)])
    offsets = np.concatenate([online_offsets, world.clock.offsets(qr.in_store_s[rescanned], 0)])
    source = np.concatenate([np.arange(k), rescanned])
    order = np.argsort(at_s, kind="stable")
    at_s, in_store, offsets, source = at_s[order], in_store[order], offsets[order], source[order]
    online = ~in_store
    store = np.full(k, -1)
    store[rescanned] = receipts.store[receipt]
    transaction = tx.replace_rows(
        pa.nulls(k, pa.string()), qr.receipt >= 0, pc.take(receipts.transaction_id, pa.array(receipt))
    )
    take = pa.array(source)
    columns = {
        "scan_id": tx.uuids(rng, len(source)),
        "qr_code_id": pc.take(qr.code, take),
        "scan_type": tx.pick(("online", "in_store"), in_store.astype(int)),
        "anonymous_id": tx.null_where(in_store, pc.take(cookie, take)),
        "latitude": tx.null_where(in_store, tx.decimals(qr.latitude[source], 5)),
        "longitude": tx.null_where(in_store, tx.decimals(qr.longitude[source], 5)),
        "store_id": tx.null_where(online, pc.take(world.stores.store_id, pa.array(np.maximum(store[source], 0)))),
        "transaction_id": tx.null_where(online, pc.take(transaction, take)),
        "product_sku": pc.take(world.catalogue.sku, pa.array(qr.product[source])),
        "scanned_at": tx.timestamps(at_s, "offset", offsets),
    }
    return block.records(columns, qr.person[source])


def bot_records(world: World) -> Records:
    """Crawlers and scrapers: bursts of page views from data-centre addresses, never logged in."""
    rng = stream(world.seed, STREAM_BOTS)
    activity = world.params.activity
    bots = world.bots
    visits = 1 + rng.poisson(activity.bot_visits_mean - 1, bots)
    bot, _ = explode(visits)
    low, high = activity.bot_pages_per_visit
    pages = rng.integers(low, high, len(bot))
    visit, position = explode(pages)
    start = rng.integers(world.start_s, world.end_s - DAY, len(bot))
    gaps = rng.integers(1, 6, len(visit))
    gaps[position == 0] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[np.flatnonzero(position == 0)][visit]
    at_s = start[visit] + elapsed
    keep = np.flatnonzero(at_s < world.end_s)
    keep = keep[np.argsort(at_s[keep], kind="stable")]
    who = bot[visit[keep]]
    n = len(keep)
    # Half of the bots never keep a cookie: every request looks like a new visitor.
    cookieless = rng.random(bots) < 0.5
    visit_cookie = tx.uuids(rng, len(bot))
    cookie = tx.where(cookieless[who], tx.uuids(rng, n), pc.take(visit_cookie, pa.array(visit[keep])))
    product_view = rng.random(n) < 0.15
    product = rng.integers(0, len(world.catalogue), n)
    sku = pc.take(world.catalogue.sku, pa.array(product))
    path = tx.where(
        product_view, tx.join("/p/", pc.utf8_lower(sku)), tx.pick(PAGE_PATHS, rng.integers(0, len(PAGE_PATHS), n))
    )
    agent = rng.integers(0, len(ref.BOT_USER_AGENTS), bots)
    visit_ip = random_ips(rng, "datacentre", len(bot))
    columns = {
        "event_id": tx.uuids(rng, n),
        "event_type": tx.pick(WEB_EVENT_TYPES, product_view.astype(int)),
        "occurred_at": tx.timestamps(at_s[keep], "offset", np.zeros(n, dtype=np.int64)),
        "anonymous_id": cookie,
        "user_id": pa.nulls(n, pa.string()),
        "email": pa.nulls(n, pa.string()),
        "session_id": pc.take(tx.hex_text(rng.integers(0, 256, (len(bot), 8), dtype=np.uint8)), pa.array(visit[keep])),
        "page_url": tx.join(ref.SHOP_URL, path),
        "product_sku": tx.null_where(~product_view, sku),
        "device_type": tx.pick(("desktop",), np.zeros(n, dtype=np.int64)),
        "ip_address": pc.take(visit_ip, pa.array(visit[keep])),
        "user_agent": tx.pick(ref.BOT_USER_AGENTS, agent[who]),
        "utm_source": pa.nulls(n, pa.string()),
        "utm_medium": pa.nulls(n, pa.string()),
        "utm_campaign": pa.nulls(n, pa.string()),
    }
    return Records(columns, -1 - who)
