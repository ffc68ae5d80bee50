"""The mobile app: installs (own phones and shared household tablets) and app analytics events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import reference as ref
from . import text as tx
from .block import Block, Records, explode, session_clock, uniform_times, user_ids
from .commerce import ONLINE_HOURS, Orders, time_of_day
from .world import DAY, NEVER, random_ips

APP_EVENT_TYPES = ("app_open", "screen_view", "product_view", "add_to_cart", "login", "push_open")
IOS_SHARE = 0.55  # of phones with the app
APP_OPEN, SCREEN_VIEW, PRODUCT_VIEW, ADD_TO_CART, LOGIN, PUSH_OPEN = range(6)


@dataclass
class Installs:
    person: np.ndarray  # local
    device_id: pa.Array
    push_token: pa.Array  # null without push permission
    platform: pa.Array
    start_s: np.ndarray
    end_s: np.ndarray  # when it was replaced by a reinstall, else NEVER
    shared: np.ndarray  # the household tablet, used by several people
    version_lag: np.ndarray  # how many releases behind the user keeps the app

    def __len__(self) -> int:
        return len(self.person)


def _push_tokens(rng: np.random.Generator, ios: np.ndarray) -> pa.Array:
    """APNs tokens (64 hex) on iOS, FCM-style registration tokens on Android."""
    n = len(ios)
    apns = tx.hex_text(rng.integers(0, 256, (n, 32), dtype=np.uint8))
    fcm = tx.join(
        tx.hex_text(rng.integers(0, 256, (n, 6), dtype=np.uint8)),
        ":APA91b",
        tx.hex_text(rng.integers(0, 256, (n, 40), dtype=np.uint8)),
    )
    return tx.where(ios, apns, fcm)


def decide_installs(block: Block) -> Installs:
    world, rng, facts = block.world, block.rng, block.facts
    accounts = world.params.accounts
    n = block.n
    signup = facts["signup_s"][:, 0]
    has_account = signup < NEVER
    first_start = signup + rng.exponential(60 * DAY, n).astype(np.int64)
    has_app = has_account & (rng.random(n) < accounts.app_share) & (first_start < world.end_s)
    reinstall_s = first_start + rng.integers(30, 400, n) * DAY
    reinstalls = has_app & (rng.random(n) < accounts.app_reinstall_share) & (reinstall_s < world.end_s)
    own = np.flatnonzero(has_app)
    again = np.flatnonzero(reinstalls)
    person = np.concatenate([own, again])
    start = np.concatenate([first_start[own], reinstall_s[again]])
    end = np.concatenate([np.where(reinstalls[own], reinstall_s[own], NEVER), np.full(len(again), NEVER)])
    ios = (rng.random(n) < IOS_SHARE)[person]  # people keep their platform across reinstalls
    permitted = rng.random(len(person)) < accounts.push_permission_share
    token = tx.null_where(~permitted, _push_tokens(rng, ios))
    # People of a household with a shared tablet use it too, logging in as themselves.
    tablet_start = np.maximum(signup, block.people("acquired_s")) + rng.exponential(30 * DAY, n).astype(np.int64)
    on_tablet = np.flatnonzero(
        has_account
        & block.household("has_tablet")
        & (rng.random(n) < accounts.shared_tablet_use_share)
        & (tablet_start < world.end_s)
    )
    count_own, count_tablet = len(person), len(on_tablet)
    own_installs = np.full((n, 2), -1)
    own_installs[own, 0] = np.arange(len(own))
    own_installs[again, 1] = len(own) + np.arange(len(again))
    facts["own_installs"] = own_installs
    installs = Installs(
        person=np.concatenate([person, on_tablet]),
        device_id=pa.concat_arrays([tx.uuids(rng, count_own), block.household("tablet_device_id", on_tablet)]),
        push_token=pa.concat_arrays([token, block.household("tablet_push_token", on_tablet)]),
        platform=pa.concat_arrays(
            [tx.pick(("android", "ios"), ios.astype(int)), block.household("tablet_platform", on_tablet)]
        ),
        start_s=np.concatenate([start, tablet_start[on_tablet]]),
        end_s=np.concatenate([end, np.full(count_tablet, NEVER)]),
        shared=np.concatenate([np.zeros(count_own, bool), np.ones(count_tablet, bool)]),
        version_lag=rng.choice(3, count_own + count_tablet, p=[0.6, 0.3, 0.1]),
    )
    return installs


def own_install_at(block: Block, installs: Installs, person: np.ndarray, at_s: np.ndarray) -> np.ndarray:
    """Index of the person's own (not shared) install in use at the time, -1 if none."""
    if not len(installs):
        return np.full(len(person), -1)
    first, second = block.facts["own_installs"][person].T
    candidate = np.where((second >= 0) & (installs.start_s[second] <= at_s), second, first)
    in_use = (candidate >= 0) & (installs.start_s[candidate] <= at_s) & (at_s < installs.end_s[candidate])
    return np.where(in_use, candidate, -1)


def choose_app_orders(block: Block, installs: Installs, orders: Orders) -> None:
    """Some orders of people with the app installed are placed in the app, logged in."""
    install = own_install_at(block, installs, orders.person, orders.at_s)
    # The order during which the buyer signs up is placed on the site, where the sign-up is.
    signs_up = block.facts["signup_at_checkout"][orders.person] & (
        orders.at_s == block.facts["first_online_s"][orders.person]
    )
    in_app = (install >= 0) & ~signs_up & (block.rng.random(len(install)) < block.world.params.activity.app_order_share)
    orders.in_app = in_app
    orders.account_used = np.where(in_app, 0, orders.account_used)
    block.facts["order_install"] = np.where(in_app, install, -1)


def app_records(
    block: Block,
    installs: Installs,
    orders: Orders,
    push_install: np.ndarray,
    push_at_s: np.ndarray,
    since_s: int | None = None,
) -> Records:
    """App analytics events: regular sessions, sessions that end in an order, push opens.

    since_s: for days after the history, where installs made earlier carry on: nothing before it happens (no first
    session of an install made earlier), and everyone runs the latest release their lag allows."""
    world, rng, facts = block.world, block.rng, block.facts
    activity = world.params.activity
    catalogue = world.catalogue
    until = np.minimum(installs.end_s, facts["interest_until_s"][installs.person])
    until = np.minimum(until, world.end_s)
    rate = activity.app_sessions_rate_factor * facts["browse_rate"][installs.person]
    lo = installs.start_s + 600 if since_s is None else np.maximum(installs.start_s + 600, since_s)
    regular_install, regular_at = uniform_times(rng, lo, until, rate)
    zone = block.people("zone", installs.person[regular_install])
    regular_at = np.maximum(
        time_of_day(block, (regular_at - world.start_s) / DAY, ONLINE_HOURS, zone),
        installs.start_s[regular_install] + 600,
    )
    # The first session of every install logs in: on a person's own phone after installing, on the shared tablet
    # when the person starts using it (the app binds the push token to whoever logs in, so no one receives
    # pushes on a tablet without having logged in there).
    opening = np.arange(len(installs)) if since_s is None else np.flatnonzero(installs.start_s >= since_s)
    ordered = np.flatnonzero(orders.in_app)
    order_install = facts["order_install"][ordered]
    # Sessions: (install, start, kind); kinds: 0 regular, 1 first after install, 2 ends in an order, 3 push open.
    install = np.concatenate([regular_install, opening, order_install, push_install]).astype(np.int64)
    kind = np.concatenate(
        [np.zeros(len(regular_install)), np.ones(len(opening)), np.full(len(ordered), 2), np.full(len(push_install), 3)]
    ).astype(np.int64)
    anchor = np.concatenate(
        [regular_at, installs.start_s[opening] + rng.integers(5, 300, len(opening)), orders.at_s[ordered], push_at_s]
    )
    order_of_session = np.concatenate(
        [np.full(len(regular_install) + len(opening), -1), ordered, np.full(len(push_install), -1)]
    )
    shared = installs.shared[install]
    logs_in = (kind == 1) | (shared & (kind != 3))
    browsing = np.where(
        kind == 3, rng.integers(0, 3, len(kind)), 1 + rng.geometric(activity.browse_events_geometric_p, len(kind))
    )
    lines = orders.lines
    first_line = np.searchsorted(lines.basket, np.maximum(order_of_session, 0))
    line_count = np.where(
        order_of_session >= 0,
        np.searchsorted(lines.basket, np.maximum(order_of_session, 0), side="right") - first_line,
        0,
    )
    carts = np.minimum(line_count, 3)
    count = 1 + logs_in + browsing + carts
    session, position = explode(count)
    elapsed, duration = session_clock(rng, session, position, mean_gap_s=30)
    start = np.where(kind == 2, anchor - duration, anchor)
    at_s = start[session] + elapsed

    browse = rng.choice(3, len(session), p=[0.5, 0.4, 0.1])
    event = np.select([browse == 1, browse == 2], [PRODUCT_VIEW, ADD_TO_CART], SCREEN_VIEW)
    is_login = logs_in[session] & (position == 1)
    cart_position = position - (count[session] - carts[session])
    in_cart = cart_position >= 0
    event[is_login] = LOGIN
    event[in_cart] = ADD_TO_CART
    event[position == 0] = np.where(kind[session[position == 0]] == 3, PUSH_OPEN, APP_OPEN)
    product = rng.choice(len(catalogue), len(session), p=catalogue.popularity)
    product[in_cart] = lines.product[first_line[session[in_cart]] + cart_position[in_cart]]
    has_product = (event == PRODUCT_VIEW) | (event == ADD_TO_CART)

    person = installs.person[install]
    # Own installs stay logged in after the first login; on a shared tablet each session logs in.
    signed_in = np.where(shared[session], (position >= 1) & logs_in[session], ~((kind[session] == 1) & (position == 0)))
    signed_in &= at_s >= facts["signup_s"][person[session], 0]
    keep = at_s < world.end_s
    releases = len(ref.APP_VERSIONS)
    if since_s is None:
        released = np.floor((at_s - world.start_s) / (world.end_s - world.start_s) * releases).astype(np.int64)
    else:
        keep &= at_s >= since_s
        released = np.full(len(at_s), releases - 1)
    version = released - installs.version_lag[install[session]]
    version = np.clip(version, 0, releases - 1)
    home = rng.random(len(kind)) < 0.6
    ip = tx.where(
        home[session],
        block.household("home_ip", person[session]),
        random_ips(rng, "mobile", len(kind)).take(pa.array(session)),
    )
    millis = at_s * 1000 + rng.integers(0, 1000, len(session))
    order = np.argsort(millis[keep], kind="stable")
    rows = np.flatnonzero(keep)[order]
    take = pa.array(rows)
    columns = {
        "event_id": tx.uuids(rng, len(rows)),
        "event_type": tx.pick(APP_EVENT_TYPES, event[rows]),
        "occurred_at": pa.array(millis[rows], pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "device_id": pc.take(installs.device_id, pa.array(install[session[rows]])),
        "app_user_id": tx.null_where(~signed_in[rows], user_ids(block.global_index(person[session[rows]]), 0)),
        "push_token": pc.take(installs.push_token, pa.array(install[session[rows]])),
        "platform": pc.take(installs.platform, pa.array(install[session[rows]])),
        "app_version": tx.pick(ref.APP_VERSIONS, version[rows]),
        "product_sku": tx.null_where(~has_product[rows], pc.take(catalogue.sku, pa.array(product[rows]))),
        "ip_address": pc.take(ip, take),
    }
    return block.records(columns, person[session[rows]])
