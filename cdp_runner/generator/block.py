"""A block of people being simulated, and how their identifiers end up spelled in records.

A block is a contiguous range of people with its own random stream; everything a block
writes depends only on the world and the block number. The helpers here turn true
identities into the messy values systems hold: e-mail and phone spellings, nicknames,
typos and junk placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import reference as ref
from . import text as tx
from .world import NEVER, World


@dataclass
class Records:
    """Rows of one source from one block: contract columns and the true person of each row."""

    columns: dict[str, pa.Array]
    person: np.ndarray  # global person index; bots are -1 - bot number

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Block:
    world: World
    number: int
    lo: int
    hi: int
    rng: np.random.Generator
    facts: dict = field(default_factory=dict)  # per-person (local index) results of the simulation
    # Next record number per kind of id (orders, receipts, tickets) for days after the history, advanced as ids are
    # drawn; None for a block of the history, whose numbers are block * 10^6 + sequence.
    serials: dict[str, int] | None = None

    @property
    def n(self) -> int:
        return self.hi - self.lo

    def people(self, name: str, local: np.ndarray | None = None):
        values = getattr(self.world.people, name)
        if local is None:
            return values[self.lo : self.hi]
        rows = self.lo + np.asarray(local, dtype=np.int64)
        return pc.take(values, pa.array(rows)) if isinstance(values, pa.Array) else values[rows]

    def household(self, name: str, local: np.ndarray | None = None):
        households = self.people("household", local)
        values = getattr(self.world.households, name)
        return pc.take(values, pa.array(households)) if isinstance(values, pa.Array) else values[households]

    def global_index(self, local: np.ndarray) -> np.ndarray:
        return self.lo + np.asarray(local, dtype=np.int64)

    def records(self, columns: dict[str, pa.Array], local: np.ndarray) -> Records:
        return Records(columns, self.global_index(local))


# --- ids ------------------------------------------------------------------------------


def user_ids(person: np.ndarray, account: int | np.ndarray) -> pa.Array:
    """Shop account ids (web user_id, app_user_id, CRM user_id) of a person's account 0 or 1."""
    return tx.digits(100_000_000 + tx.scramble(2 * np.asarray(person) + account, 900_000_000, 738_349_891, 4_127))


def crm_ids(person: np.ndarray, account: int | np.ndarray) -> pa.Array:
    return tx.join("C", tx.digits(tx.scramble(2 * np.asarray(person) + account, 1_000_000_000, 512_927_357, 77_003), 9))


def card_numbers(person: np.ndarray, card: int | np.ndarray) -> pa.Array:
    return tx.join("6330", tx.digits(tx.scramble(2 * np.asarray(person) + card, 100_000_000, 49_979_693, 5_003), 8))


def block_ids(block: Block, kind: str, count: int, modulus: int, multiplier: int, offset: int) -> np.ndarray:
    """Record numbers unique across blocks without coordination: block * 10^6 + sequence in the history; after it,
    the block's running numbers of that kind, which start above every number of the history."""
    if block.serials is not None:
        first = block.serials[kind]
        block.serials[kind] = first + count
        return tx.scramble(first + np.arange(count), modulus, multiplier, offset)
    if count >= 1_000_000:
        raise ValueError("more than a million records of one kind in a block")
    return tx.scramble(block.number * 1_000_000 + np.arange(count), modulus, multiplier, offset)


# --- ragged groups -----------------------------------------------------------------------


def explode(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ragged groups of `counts` items: the group and the position within it of every item."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def first_time(owner: np.ndarray, times: np.ndarray, n: int) -> np.ndarray:
    """Earliest time per owner (NEVER if none)."""
    out = np.full(n, NEVER, dtype=np.int64)
    np.minimum.at(out, owner, times)
    return out


def uniform_times(
    rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, rate_per_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A Poisson process of `rate_per_day` on [lo, hi) for each row: (row, instant) of each event."""
    span = np.maximum(hi - lo, 0)
    counts = rng.poisson(rate_per_day * span / 86_400)
    owner, _ = explode(counts)
    at = lo[owner] + (rng.random(len(owner)) * span[owner]).astype(np.int64)
    return owner, at


def session_clock(
    rng: np.random.Generator, session: np.ndarray, position: np.ndarray, mean_gap_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds from the start of its session to each event (events of a session are
    consecutive, position 0 first), and each session's duration."""
    gaps = 2 + rng.exponential(mean_gap_s, len(session)).astype(np.int64)
    gaps[position == 0] = 0
    total = np.cumsum(gaps)
    first = np.flatnonzero(position == 0)
    elapsed = total - total[first][session]
    last = np.r_[first[1:] - 1, len(session) - 1] if len(first) else first
    return elapsed, elapsed[last]


# --- spellings -------------------------------------------------------------------------


def typos(rng: np.random.Generator, words: list[str]) -> list[str]:
    """One slip per word: two letters swapped, one dropped or one doubled."""
    out = []
    kind = rng.integers(0, 3, len(words)).tolist()
    where = rng.random(len(words)).tolist()
    for word, slip, at in zip(words, kind, where, strict=True):
        if len(word) < 4:
            out.append(word)
            continue
        i = 1 + int(at * (len(word) - 2))  # never the first letter: people get that right
        if slip == 0 and i + 1 < len(word):
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        elif slip == 1:
            out.append(word[:i] + word[i + 1 :])
        else:
            out.append(word[:i] + word[i] + word[i:])
    return out


def with_typos(rng: np.random.Generator, values: pa.Array, share: float) -> pa.Array:
    mask = (rng.random(len(values)) < share) & np.asarray(pc.is_valid(values), dtype=bool)
    if not mask.any():
        return values
    return tx.replace_rows(values, mask, typos(rng, pc.filter(values, pa.array(mask)).to_pylist()))


def junk(rng: np.random.Generator, values: pa.Array, share: float, placeholders: tuple[str, ...]) -> pa.Array:
    """Replace a share of values by placeholders many unrelated records share ('test@test.com')."""
    mask = rng.random(len(values)) < share
    return tx.replace_rows(values, mask, tx.pick(placeholders, rng.integers(0, len(placeholders), int(mask.sum()))))


def typed_emails(
    block: Block, local: np.ndarray, second: np.ndarray | None = None, junk_share: float | None = None
) -> pa.Array:
    """The person's e-mail (their second one where `second`) as entered into a form."""
    messiness = block.world.params.messiness
    email = block.people("email", local)
    if second is not None:
        email2 = block.people("email2", local)
        email = pc.if_else(pa.array(second & np.asarray(pc.is_valid(email2), dtype=bool)), email2, email)
    email = tx.email_spellings(block.rng, email, messiness.email_spellings)
    return junk(block.rng, email, messiness.junk_email_share if junk_share is None else junk_share, ref.JUNK_EMAILS)


def phone_numbers(
    block: Block, local: np.ndarray, at_s: np.ndarray, landline_share: float = 0.1
) -> tuple[pa.Array, pa.Array]:
    """(calling code, national number) a person would give at a time: the mobile they had then,
    or the household's landline; null where they have neither."""
    rng = block.rng
    mobile = block.people("mobile", local)
    old = block.people("old_mobile", local)
    before_change = (np.asarray(at_s) < block.people("mobile_changed_s", local)) & valid(old)
    number = pc.if_else(pa.array(before_change), old, mobile)
    landline = block.household("landline", local)
    has_landline = np.asarray(pc.is_valid(landline), dtype=bool)
    use_landline = has_landline & (
        (rng.random(len(local)) < landline_share) | ~np.asarray(pc.is_valid(number), dtype=bool)
    )
    code = pc.if_else(pa.array(use_landline), "44", block.people("calling_code", local))
    return code, pc.if_else(pa.array(use_landline), landline, number)


def typed_phones(
    block: Block, local: np.ndarray, at_s: np.ndarray, landline_share: float = 0.1, junk_share: float | None = None
) -> pa.Array:
    messiness = block.world.params.messiness
    code, number = phone_numbers(block, local, at_s, landline_share)
    phones = tx.phone_spellings(
        block.rng, code, number, messiness.uk_phone_style_weights, messiness.foreign_phone_style_weights
    )
    return junk(block.rng, phones, messiness.junk_phone_share if junk_share is None else junk_share, ref.JUNK_PHONES)


def typed_first_names(block: Block, local: np.ndarray, nickname_share: float) -> pa.Array:
    """First names as people give them: the usual short form for some, a slip for a few."""
    name = block.people("first_name", local)
    nickname = block.people("nickname", local)
    use = (block.rng.random(len(local)) < nickname_share) & np.asarray(pc.is_valid(nickname), dtype=bool)
    name = pc.if_else(pa.array(use), nickname, name)
    return with_typos(block.rng, name, block.world.params.messiness.name_typo_share)


def typed_last_names(block: Block, local: np.ndarray) -> pa.Array:
    return with_typos(block.rng, block.people("last_name", local), block.world.params.messiness.name_typo_share)


def valid(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.is_valid(values), dtype=bool)


def null_unless(mask: np.ndarray, values: pa.Array) -> pa.Array:
    return tx.null_where(~np.asarray(mask, dtype=bool), values)
