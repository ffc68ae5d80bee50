"""Vectorised text building for the generator: ids, timestamps, money, e-mail and phone spellings.

All functions take numpy arrays or pyarrow arrays and return pyarrow string arrays, so that
millions of values are formatted in C rather than in Python loops.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NULL_STRING = pa.scalar(None, pa.string())
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def text(values: Sequence[str]) -> pa.Array:
    return pa.array(list(values), pa.string())


def pick(choices: Sequence[str] | pa.Array, index: np.ndarray) -> pa.Array:
    """choices[index] for every index, as strings."""
    if not isinstance(choices, pa.Array):
        choices = text(choices)
    return pc.take(choices, pa.array(np.asarray(index, dtype=np.int64)))


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation; plain strings are broadcast. A null part makes the result null."""
    return pc.binary_join_element_wise(*parts, "")


def null_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), NULL_STRING, values)


def where(mask: np.ndarray, if_true: pa.Array | str, if_false: pa.Array | str) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), if_true, if_false)


def replace_rows(values: pa.Array, mask: np.ndarray, replacement: pa.Array | Sequence[str]) -> pa.Array:
    """values with the rows under mask replaced by `replacement` (one value per masked row, in order)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return values
    if not isinstance(replacement, pa.Array):
        replacement = text(replacement)
    return pc.replace_with_mask(values, pa.array(mask), replacement.cast(values.type))


def digits(numbers: np.ndarray, width: int = 0) -> pa.Array:
    """Decimal text of non-negative integers, left-padded with zeros to `width`."""
    out = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    return pc.utf8_lpad(out, width, "0") if width else out


def numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    return join(prefix, digits(numbers, width))


def scramble(numbers: np.ndarray, modulus: int, multiplier: int, offset: int) -> np.ndarray:
    """A bijection of [0, modulus): distinct inputs give distinct, random-looking outputs.

    Ids built from a running counter would reveal the order and the volume of records; real
    systems' order numbers and account ids look arbitrary, so counters go through this.
    """
    if math.gcd(multiplier, modulus) != 1 or modulus * multiplier >= 2**63:
        raise ValueError("scramble needs a multiplier coprime with the modulus and no overflow")
    values = np.asarray(numbers, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= modulus):
        raise ValueError("scramble input out of range: the generator's id space is exhausted")
    return (values * multiplier + offset) % modulus


def hex_text(raw: np.ndarray) -> pa.Array:
    """Lower-case hex of each row of a 2-D uint8 array."""
    nibbles = np.empty((raw.shape[0], raw.shape[1] * 2), dtype=np.uint8)
    nibbles[:, 0::2] = _HEX[raw >> 4]
    nibbles[:, 1::2] = _HEX[raw & 15]
    return _fixed_width_text(nibbles)


def uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """Random RFC 4122 version-4 UUIDs."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hex_chars = np.empty((n, 32), dtype=np.uint8)
    hex_chars[:, 0::2] = _HEX[raw >> 4]
    hex_chars[:, 1::2] = _HEX[raw & 15]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, stop, target in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        out[:, target : target + stop - start] = hex_chars[:, start:stop]
    return _fixed_width_text(out)


def _fixed_width_text(chars: np.ndarray) -> pa.Array:
    width = chars.shape[1]
    packed = np.ascontiguousarray(chars).view(f"S{width}").ravel()
    return pa.array(packed, pa.binary(width)).cast(pa.string())


# --- time -------------------------------------------------------------------------------

# Zones: (standard offset, summer offset) in minutes and the rule for summer time.
ZONES = {
    "europe_london": (0, 60, "eu"),
    "europe_central": (60, 120, "eu"),
    "us_eastern": (-300, -240, "us"),
}


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=timezone.utc) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _nth_sunday(year: int, month: int, n: int) -> datetime:
    first = datetime(year, month, 1, tzinfo=timezone.utc)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def _summer_time_edges(rule: str, years: range) -> np.ndarray:
    """UTC epoch seconds at which summer time starts and ends, alternating, sorted."""
    edges = []
    for year in years:
        if rule == "eu":  # last Sunday of March and of October, 01:00 UTC
            edges += [_last_sunday(year, 3) + timedelta(hours=1), _last_sunday(year, 10) + timedelta(hours=1)]
        else:  # US: second Sunday of March 02:00 EST, first Sunday of November 02:00 EDT
            edges += [_nth_sunday(year, 3, 2) + timedelta(hours=7), _nth_sunday(year, 11, 1) + timedelta(hours=6)]
    return np.array([int(edge.timestamp()) for edge in edges], dtype=np.int64)


class Clock:
    """UTC offsets of the generator's time zones over the simulated years."""

    def __init__(self, first_year: int, last_year: int):
        years = range(first_year - 1, last_year + 2)
        self.zone_names = tuple(ZONES)
        self._edges = [_summer_time_edges(ZONES[name][2], years) for name in self.zone_names]

    def offsets(self, seconds: np.ndarray, zone: np.ndarray | int) -> np.ndarray:
        """Offset in minutes of each UTC instant in its zone (zone = index into zone_names)."""
        seconds = np.asarray(seconds, dtype=np.int64)
        zone = np.broadcast_to(np.asarray(zone), seconds.shape)
        out = np.zeros(seconds.shape, dtype=np.int64)
        for index, name in enumerate(self.zone_names):
            rows = zone == index
            if rows.any():
                standard, summer, _ = ZONES[name]
                in_summer = np.searchsorted(self._edges[index], seconds[rows], side="right") % 2 == 1
                out[rows] = np.where(in_summer, summer, standard)
        return out

    def utc_from_local(self, local_seconds: np.ndarray, zone: np.ndarray | int) -> np.ndarray:
        """UTC instant of a local wall-clock time (the offset is taken a few hours earlier, which
        is exact except in the hour around a clock change)."""
        return local_seconds - 60 * self.offsets(local_seconds - 6 * 3600, zone)


def _offset_suffix(minutes: np.ndarray) -> pa.Array:
    values, inverse = np.unique(minutes, return_inverse=True)
    labels = [f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in values.tolist()]
    return pick(labels, inverse)


def timestamps(seconds: np.ndarray, style: str, offset_minutes: np.ndarray | None = None) -> pa.Array:
    """ISO 8601 text of UTC epoch seconds.

    styles: 'offset' 2025-03-04T10:22:33+01:00 (local time with its offset), 'z' 2025-03-04T09:22:33Z,
    'space' 2025-03-04 09:22:33 (UTC, no offset), 'space_offset' 2025-03-04 09:22:33+00:00.
    """
    seconds = np.asarray(seconds, dtype=np.int64)
    if style == "offset":
        if offset_minutes is None:
            raise ValueError("timestamps: style 'offset' needs offset_minutes")
        local = seconds + 60 * offset_minutes
    else:
        local = seconds
    base = pc.cast(pa.array(local.astype("datetime64[s]")), pa.string())  # 'YYYY-MM-DD HH:MM:SS'
    if style == "space":
        return base
    if style == "space_offset":
        return join(base, "+00:00")
    base = pc.utf8_replace_slice(base, 10, 11, "T")
    if style == "z":
        return join(base, "Z")
    if style != "offset" or offset_minutes is None:
        raise ValueError(f"timestamps: unknown style {style!r}")
    return join(base, _offset_suffix(offset_minutes))


def dates(days_since_epoch: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(days_since_epoch, dtype=np.int64).astype("datetime64[D]")), pa.string())


def money(cents: np.ndarray) -> pa.Array:
    """Amounts in minor units as plain decimals with two places ('12.50', '-3.00')."""
    cents = np.asarray(cents, dtype=np.int64)
    magnitude = np.abs(cents)
    out = join(digits(magnitude // 100), ".", digits(magnitude % 100, 2))
    return where(cents < 0, join("-", out), out)


def decimals(values: np.ndarray, places: int) -> pa.Array:
    """Plain decimal text with a fixed number of places ('51.50735', '-0.12776')."""
    scaled = np.round(np.asarray(values, dtype=float) * 10**places).astype(np.int64)
    magnitude = np.abs(scaled)
    out = join(digits(magnitude // 10**places), ".", digits(magnitude % 10**places, places))
    return where(scaled < 0, join("-", out), out)


# --- names, e-mails and phones ----------------------------------------------------------


def ascii_fold(names: pa.Array) -> pa.Array:
    """Lower-case a-z only: 'Zoë' -> 'zoe', "O'Brien" -> 'obrien' (as people spell e-mail addresses).

    Names repeat a lot, so the work is done once per distinct name."""
    encoded = pc.dictionary_encode(names)
    decomposed = pc.utf8_normalize(pc.utf8_lower(encoded.dictionary), "NFKD")
    return pc.take(pc.replace_substring_regex(decomposed, "[^a-z]", ""), encoded.indices)


def gmail_mailbox(emails: pa.Array) -> pa.Array:
    """The mailbox Gmail delivers to: dots and '+tags' in the local part do not matter there."""
    local = pc.replace_substring_regex(emails, "@.*$", "")
    domain = pc.replace_substring_regex(emails, "^[^@]*@", "")
    is_gmail = pc.is_in(domain, value_set=text(["gmail.com", "googlemail.com"]))
    folded = join(pc.replace_substring(pc.replace_substring_regex(local, r"\+.*$", ""), ".", ""), "@gmail.com")
    return pc.if_else(is_gmail, folded, emails)


def email_spellings(rng: np.random.Generator, emails: pa.Array, shares: dict[str, float]) -> pa.Array:
    """The same mailboxes as people type or systems store them.

    shares: 'title' (John.Smith@Gmail.Com), 'upper', 'whitespace' (surrounding blanks), and for
    Gmail addresses 'gmail_dots' (dots removed), 'gmail_tag' (+tag), 'googlemail' (other domain).
    """
    n = len(emails)
    if n == 0:
        return emails
    out = emails
    is_gmail = np.asarray(pc.ends_with(emails, "@gmail.com"), dtype=bool)

    def apply(mask: np.ndarray, transform) -> None:
        nonlocal out
        if mask.any():
            chosen = pc.filter(out, pa.array(mask))
            out = replace_rows(out, mask, transform(chosen))

    draws = rng.random((6, n))
    apply(
        is_gmail & (draws[0] < shares["gmail_dots"]),
        lambda v: join(pc.replace_substring(pc.replace_substring_regex(v, "@.*$", ""), ".", ""), "@gmail.com"),
    )
    tags = pick(("shop", "hartwell", "offers", "online", "promo"), rng.integers(0, 5, n))
    tag_mask = is_gmail & (draws[1] < shares["gmail_tag"])
    if tag_mask.any():
        tag_values = pc.filter(tags, pa.array(tag_mask))
        chosen = pc.filter(out, pa.array(tag_mask))
        tagged = join(pc.replace_substring_regex(chosen, "@.*$", ""), "+", tag_values, "@gmail.com")
        out = replace_rows(out, tag_mask, tagged)
    apply(
        is_gmail & (draws[2] < shares["googlemail"]), lambda v: pc.replace_substring(v, "@gmail.com", "@googlemail.com")
    )
    apply(draws[3] < shares["title"], pc.utf8_title)
    apply(draws[4] < shares["upper"], pc.utf8_upper)
    pads = pick((" ", " ", "  ", "\t"), rng.integers(0, 4, n))
    pad_mask = draws[5] < shares["whitespace"]
    if pad_mask.any():
        chosen = pc.filter(out, pa.array(pad_mask))
        side = rng.integers(0, 3, int(pad_mask.sum()))
        pad = pc.filter(pads, pa.array(pad_mask))
        padded = pc.if_else(
            pa.array(side == 0),
            join(pad, chosen),
            pc.if_else(pa.array(side == 1), join(chosen, pad), join(pad, chosen, pad)),
        )
        out = replace_rows(out, pad_mask, padded)
    return out


# Phone spellings: UK numbers (national significant number of 10 digits) and foreign ones.
UK_PHONE_STYLES = (
    "national_spaced",
    "international_spaced",
    "double_zero_dashed",
    "bracket_zero",
    "national",
    "e164",
    "international_bracket_zero",
    "no_trunk",
)
FOREIGN_PHONE_STYLES = ("e164", "international_spaced", "double_zero", "national")


def phone_spellings(
    rng: np.random.Generator,
    calling_code: pa.Array,
    nsn: pa.Array,
    uk_weights: dict[str, float],
    foreign_weights: dict[str, float],
) -> pa.Array:
    """Phone numbers as typed: UK `07700 900123`, `+44 7700 900123`, `0044 7700-900-123`,
    `(0)7700900123`, ...; foreign `+33612345678`, `+33 612 345 678`, `0033 612345678`, national."""
    n = len(nsn)
    if n == 0:
        return nsn
    head, mid, tail = (
        pc.utf8_slice_codeunits(nsn, 0, 4),
        pc.utf8_slice_codeunits(nsn, 4, 7),
        pc.utf8_slice_codeunits(nsn, 7, 20),
    )
    rest = pc.utf8_slice_codeunits(nsn, 4, 20)
    uk = [
        join("0", head, " ", rest),
        join("+44 ", head, " ", rest),
        join("0044 ", head, "-", mid, "-", tail),
        join("(0)", nsn),
        join("0", nsn),
        join("+44", nsn),
        join("+44 (0)", head, " ", rest),
        nsn,
    ]
    g1, g2, g3 = (
        pc.utf8_slice_codeunits(nsn, 0, 3),
        pc.utf8_slice_codeunits(nsn, 3, 6),
        pc.utf8_slice_codeunits(nsn, 6, 20),
    )
    is_us = pc.equal(calling_code, "1")
    national = pc.if_else(is_us, join("(", g1, ") ", g2, "-", g3), join("0", nsn))
    foreign = [
        join("+", calling_code, nsn),
        join("+", calling_code, " ", g1, " ", g2, " ", g3),
        join("00", calling_code, " ", nsn),
        national,
    ]
    uk_p = np.array([uk_weights[style] for style in UK_PHONE_STYLES], dtype=float)
    foreign_p = np.array([foreign_weights[style] for style in FOREIGN_PHONE_STYLES], dtype=float)
    uk_choice = rng.choice(len(uk), size=n, p=uk_p / uk_p.sum()).astype(np.int8)
    foreign_choice = rng.choice(len(foreign), size=n, p=foreign_p / foreign_p.sum()).astype(np.int8)
    return pc.if_else(
        pc.equal(calling_code, "44"),
        pc.choose(pa.array(uk_choice), *uk),
        pc.choose(pa.array(foreign_choice), *foreign),
    )


def e164(calling_code: pa.Array, nsn: pa.Array) -> pa.Array:
    return join("+", calling_code, nsn)


# --- serialisation ---------------------------------------------------------------------------
# Lines are built column-wise with Arrow kernels; per-row work (quoting, escaping) is only done
# for columns whose bytes contain a character that needs it, which is rare.

_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _bytes_present(values: pa.Array, chars: str) -> set[str]:
    """Which of the (ASCII) characters occur in the values' data buffer."""
    data = values.buffers()[2]
    if data is None:
        return set()
    raw = np.frombuffer(data, dtype=np.uint8)
    return {char for char in chars if (raw == ord(char)).any()}


def csv_lines(table: pa.Table) -> pa.Array:
    """One CSV line (with its newline) per row: fields quoted only when they must be (a comma,
    quote or line break inside, or an empty string, which would otherwise read as null)."""
    parts: list = []
    for column in table.columns:
        values = column.combine_chunks()
        special = bool(_bytes_present(values, ',"\n\r'))
        has_empty = len(values) > values.null_count and pc.min(pc.binary_length(values)).as_py() == 0
        if special:
            quoted = join('"', pc.replace_substring(values, '"', '""'), '"')
            values = pc.if_else(pc.match_substring_regex(values, '[",\r\n]|^$'), quoted, values)
        elif has_empty:
            values = pc.if_else(pc.equal(values, ""), '""', values)
        parts += [",", pc.fill_null(values, "") if values.null_count else values]
    return join(*parts[1:], "\n")


def json_lines(table: pa.Table) -> pa.Array:
    """One JSON object (with its newline) per row; every column is a string or null."""
    parts: list = []
    for index, (name, column) in enumerate(zip(table.column_names, table.columns, strict=True)):
        values = column.combine_chunks()
        present = _bytes_present(values, "".join(char for char, _ in _JSON_ESCAPES))
        for char, escaped in _JSON_ESCAPES:  # the backslash first, before escapes add more
            if char in present:
                values = pc.replace_substring(values, char, escaped)
        key = ("{" if index == 0 else ",") + f'"{name}":'
        if values.null_count:
            parts += [key, pc.fill_null(join('"', values, '"'), "null")]
        else:  # the quotes can go into the constant parts
            parts += [key + '"', values, '"']
    merged: list = []
    for part in parts:  # adjacent constants joined once, not per row
        if merged and isinstance(part, str) and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return join(*merged, "}\n")


def text_bytes(lines: pa.Array) -> memoryview:
    """The concatenated text of a string array, without copying it."""
    if not len(lines):
        return memoryview(b"")
    _, offsets, data = lines.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(data)[bounds[0] : bounds[-1]]
