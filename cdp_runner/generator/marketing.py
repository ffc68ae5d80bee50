"""Marketing sends and their outcomes: e-mail (ESP events), SMS and push notifications.

Subscriptions come from the CRM (opt-ins, as typed there) and from app installs (push
tokens). Each subscriber receives a share of the campaign calendar; opens and clicks follow
the person's engagement, which is higher while they are an active buyer. Clicks lead to web
sessions and push opens to app events, so the channels agree on who did what when.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import reference as ref
from . import text as tx
from .app import Installs
from .block import Block, Records, phone_numbers, valid
from .commerce import CrmAccounts
from .world import BUYER, DAY, NEVER, Calendar

EMAIL_EVENT_TYPES = ("sent", "delivered", "open", "click", "bounce", "unsubscribe", "spam_complaint")
MESSAGE_EVENT_TYPES = ("sent", "delivered", "clicked", "failed", "opted_out")


@dataclass
class Visits:
    """Web visits caused by a message: who, when, from which campaign, landing where."""

    person: np.ndarray  # local
    at_s: np.ndarray
    source: str
    medium: str
    campaign_id: pa.Array
    landing_path: pa.Array


def campaign_sends(
    rng: np.random.Generator, calendar: Calendar, start_s: np.ndarray, end_s: np.ndarray, rate_per_day: float
) -> tuple[np.ndarray, np.ndarray]:
    """(subscription, campaign) of each send: every subscription gets a random share of the
    campaigns between its start and end, about `rate_per_day` of them."""
    lo = np.searchsorted(calendar.sent_s, start_s)
    hi = np.searchsorted(calendar.sent_s, end_s)
    available = np.maximum(hi - lo, 0)
    count = np.minimum(rng.poisson(rate_per_day * np.maximum(end_s - start_s, 0) / DAY), available)
    subscription = np.repeat(np.arange(len(lo)), count)
    campaign = lo[subscription] + (rng.random(len(subscription)) * available[subscription]).astype(np.int64)
    pair = np.unique(subscription * (len(calendar.sent_s) + 1) + campaign)
    return pair // (len(calendar.sent_s) + 1), pair % (len(calendar.sent_s) + 1)


def _until_first_stop(subscription: np.ndarray, sent_s: np.ndarray, stops: np.ndarray, count: int) -> np.ndarray:
    """Sends up to and including each subscription's first stopping send (bounce, opt-out)."""
    stop_at = np.full(count, NEVER, dtype=np.int64)
    np.minimum.at(stop_at, subscription[stops], sent_s[stops])
    return sent_s <= stop_at[subscription]


def _is_junk(values: pa.Array) -> np.ndarray:
    cleaned = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    return np.asarray(pc.is_in(cleaned, value_set=tx.text(ref.JUNK_EMAILS)), dtype=bool) | ~np.asarray(
        pc.match_substring(cleaned, "@"), dtype=bool
    )


def email_records(block: Block, crm: CrmAccounts) -> tuple[Records, Visits]:
    world, rng = block.world, block.rng
    calendar = world.email_calendar
    subscribed = np.flatnonzero(crm.email_opt_in & valid(crm.email))
    subscribed = subscribed[~_is_junk(pc.take(crm.email, pa.array(subscribed)))]
    address = pc.take(crm.email, pa.array(subscribed))
    # The ESP mostly stores the address cleaned up; some lists were imported as typed.
    address = tx.where(rng.random(len(subscribed)) < 0.75, pc.utf8_lower(pc.utf8_trim_whitespace(address)), address)
    person = crm.person[subscribed]
    subscription, campaign = campaign_sends(
        rng,
        calendar,
        crm.consent_s[subscribed],
        np.full(len(subscribed), world.end_s),
        world.params.activity.email_sends_rate,
    )
    sent = calendar.sent_s[campaign] + rng.integers(0, 1800, len(campaign))
    who = person[subscription]
    # People open more while they are active buyers than after they have dropped out.
    active_buyer = (block.people("segment", who) == BUYER) & (sent < block.facts["dropped_s"][who])
    dropped = sent >= block.facts["dropped_s"][who]
    engagement = block.people("engagement", who) * np.where(active_buyer, 1.4, np.where(dropped, 0.6, 1.0))
    draws = rng.random((6, len(sent)))
    bounce = draws[0] < 0.02
    hard = bounce & (draws[1] < 0.3)
    opened = ~bounce & (draws[2] < np.minimum(engagement, 0.95))
    clicked = opened & (draws[3] < 0.18)
    unsubscribed = opened & (draws[4] < 0.012)
    complained = ~bounce & ~opened & (draws[5] < 0.001)
    keep = _until_first_stop(subscription, sent, hard | unsubscribed | complained, len(subscribed))
    open_s = sent + 60 + rng.exponential(8 * 3600, len(sent)).astype(np.int64)
    click_s = open_s + rng.integers(5, 600, len(sent))
    kinds = (
        (np.ones(len(sent), bool), 0, sent),
        (~bounce, 1, sent + rng.integers(1, 120, len(sent))),
        (opened, 2, open_s),
        (clicked, 3, click_s),
        (bounce, 4, sent + rng.integers(1, 600, len(sent))),
        (unsubscribed, 5, open_s + rng.integers(10, 300, len(sent))),
        (complained, 6, sent + rng.exponential(DAY, len(sent)).astype(np.int64)),
    )
    send = np.concatenate([np.flatnonzero(mask & keep) for mask, _, _ in kinds])
    event = np.concatenate([np.full(int((mask & keep).sum()), code) for mask, code, _ in kinds])
    at_s = np.concatenate([times[mask & keep] for mask, _, times in kinds])
    inside = at_s < world.end_s
    send, event, at_s = send[inside], event[inside], at_s[inside]
    order = np.argsort(at_s, kind="stable")
    send, event, at_s = send[order], event[order], at_s[order]

    campaign_id = pc.take(calendar.campaign_id, pa.array(campaign))
    paths = ("/new-in", "/sale", "/c/womenswear", "/c/menswear", "/c/home", "/c/beauty", "/stores")
    path = tx.pick(paths, rng.integers(0, len(paths), len(sent)))
    query = tx.join("?utm_source=newsletter&utm_medium=email&utm_campaign=", campaign_id)
    link = tx.join(ref.SHOP_URL, path, query)
    take = pa.array(send)
    columns = {
        "email_event_id": tx.uuids(rng, len(send)),
        "event_type": tx.pick(EMAIL_EVENT_TYPES, event),
        "email": pc.take(address, pa.array(subscription[send])),
        "campaign_id": pc.take(campaign_id, take),
        "bounce_type": tx.null_where(event != 4, tx.pick(("soft", "hard"), hard[send].astype(int))),
        "link_url": tx.null_where(event != 3, pc.take(link, take)),
        "occurred_at": tx.timestamps(at_s, "z"),
    }
    clicks = np.flatnonzero(clicked & keep & (click_s + 20 < world.end_s))
    visits = Visits(
        who[clicks],
        click_s[clicks] + rng.integers(2, 20, len(clicks)),
        "newsletter",
        "email",
        pc.take(campaign_id, pa.array(clicks)),
        pc.take(path, pa.array(clicks)),
    )
    return block.records(columns, who[send]), visits


def messaging_records(
    block: Block, crm: CrmAccounts, installs: Installs
) -> tuple[Records, Visits, np.ndarray, np.ndarray]:
    """SMS and push sends. Returns the records, the web visits of SMS clicks and the
    (install, time) of push opens."""
    world, rng = block.world, block.rng
    activity = world.params.activity

    # SMS to CRM accounts that opted in with a phone number.
    subscribed = np.flatnonzero(crm.sms_opt_in & valid(crm.phone))
    sms_sub, sms_campaign = campaign_sends(
        rng,
        world.sms_calendar,
        crm.consent_s[subscribed],
        np.full(len(subscribed), world.end_s),
        activity.sms_sends_rate,
    )
    sms_sent = world.sms_calendar.sent_s[sms_campaign] + rng.integers(0, 900, len(sms_campaign))
    sms_person = crm.person[subscribed][sms_sub]
    failed = rng.random(len(sms_sent)) < 0.07
    clicked = ~failed & (rng.random(len(sms_sent)) < 0.06)
    opted_out = ~failed & (rng.random(len(sms_sent)) < 0.015)
    keep = _until_first_stop(sms_sub, sms_sent, opted_out, len(subscribed))
    code, number = phone_numbers(block, sms_person, sms_sent, landline_share=0.0)
    typed_in_crm = pc.take(crm.phone, pa.array(subscribed[sms_sub]))
    # The SMS gateway normalises most numbers to E.164; older imports kept the CRM spelling.
    sms_phone = tx.where(rng.random(len(sms_sent)) < 0.8, tx.e164(code, number), typed_in_crm)
    sms_phone = pc.coalesce(sms_phone, typed_in_crm)
    click_s = sms_sent + 30 + rng.exponential(900, len(sms_sent)).astype(np.int64)

    # Push to installs that allowed notifications; tokens of replaced installs go stale.
    tokened = np.flatnonzero(valid(installs.push_token))
    push_end = np.minimum(installs.end_s[tokened] + 30 * DAY, world.end_s)
    push_sub, push_campaign = campaign_sends(
        rng, world.push_calendar, installs.start_s[tokened], push_end, activity.push_sends_rate
    )
    push_sent = world.push_calendar.sent_s[push_campaign] + rng.integers(0, 600, len(push_campaign))
    install = tokened[push_sub]
    stale = push_sent >= installs.end_s[install]
    push_failed = stale | (rng.random(len(push_sent)) < 0.04)
    push_clicked = ~push_failed & (rng.random(len(push_sent)) < 0.08)
    open_s = push_sent + 5 + rng.exponential(1200, len(push_sent)).astype(np.int64)

    def events(kinds):
        send = np.concatenate([np.flatnonzero(mask) for mask, _, _ in kinds])
        event = np.concatenate([np.full(int(mask.sum()), code) for mask, code, _ in kinds])
        at_s = np.concatenate([times[mask] for mask, _, times in kinds])
        return send, event, at_s

    n_sms, n_push = len(sms_sent), len(push_sent)
    sms = events(
        (
            (keep, 0, sms_sent),
            (keep & ~failed, 1, sms_sent + rng.integers(2, 60, n_sms)),
            (keep & clicked, 2, click_s),
            (keep & failed, 3, sms_sent + rng.integers(2, 300, n_sms)),
            (keep & opted_out, 4, sms_sent + 60 + rng.exponential(1800, n_sms).astype(np.int64)),
        )
    )
    push = events(
        (
            (np.ones(n_push, bool), 0, push_sent),
            (~push_failed, 1, push_sent + rng.integers(1, 30, n_push)),
            (push_clicked, 2, open_s),
            (push_failed, 3, push_sent + rng.integers(1, 60, n_push)),
        )
    )
    channel = np.concatenate([np.zeros(len(sms[0]), int), np.ones(len(push[0]), int)])
    event = np.concatenate([sms[1], push[1]])
    at_s = np.concatenate([sms[2], push[2]])
    person = np.concatenate([sms_person[sms[0]], installs.person[install[push[0]]]])
    phone = pa.concat_arrays([pc.take(sms_phone, pa.array(sms[0])), pa.nulls(len(push[0]), pa.string())])
    token = pa.concat_arrays(
        [pa.nulls(len(sms[0]), pa.string()), pc.take(installs.push_token, pa.array(install[push[0]]))]
    )
    campaign_id = pa.concat_arrays(
        [
            pc.take(world.sms_calendar.campaign_id, pa.array(sms_campaign[sms[0]])),
            pc.take(world.push_calendar.campaign_id, pa.array(push_campaign[push[0]])),
        ]
    )
    inside = np.flatnonzero(at_s < world.end_s)
    rows = inside[np.argsort(at_s[inside], kind="stable")]
    take = pa.array(rows)
    columns = {
        "message_event_id": tx.uuids(rng, len(rows)),
        "channel": tx.pick(("sms", "push"), channel[rows]),
        "event_type": tx.pick(MESSAGE_EVENT_TYPES, event[rows]),
        "phone": pc.take(phone, take),
        "push_token": pc.take(token, take),
        "campaign_id": pc.take(campaign_id, take),
        "occurred_at": tx.timestamps(at_s[rows], "space_offset"),
    }
    sms_clicks = np.flatnonzero(keep & clicked & (click_s + 20 < world.end_s))
    visits = Visits(
        sms_person[sms_clicks],
        click_s[sms_clicks] + rng.integers(2, 20, len(sms_clicks)),
        "sms",
        "sms",
        pc.take(world.sms_calendar.campaign_id, pa.array(sms_campaign[sms_clicks])),
        tx.pick(("/sale",), np.zeros(len(sms_clicks), int)),
    )
    opens = np.flatnonzero(push_clicked & (open_s + 60 < world.end_s))
    return block.records(columns, person[rows]), visits, install[opens], open_s[opens]
