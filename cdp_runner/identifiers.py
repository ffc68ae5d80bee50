"""Identifiers as a person types them, normalised the way staging normalises them: Python mirrors of the SQL macros
in macros/normalize/ (tests/python/test_profile.py checks that both agree on seeds/test_cases/). Shared by the
look-ups (lookup/: `cdp profile`) and by privacy/ (the erasure, `cdp forget`, resolves the person through lookup/,
and the loader's suppression filter), so it sits beside them rather than inside either.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import yaml

from .config import PROJECT_DIR

# calling code and national trunk prefix per country, as cdp_phone_country_codes()
PHONE_COUNTRY_CODES: dict[str, tuple[str, str]] = {
    "GB": ("44", "0"), "IE": ("353", "0"), "FR": ("33", "0"), "DE": ("49", "0"), "NL": ("31", "0"),
    "BE": ("32", "0"), "ES": ("34", ""), "IT": ("39", ""), "PT": ("351", ""), "SE": ("46", "0"),
    "US": ("1", "1"), "CA": ("1", "1"), "AU": ("61", "0"), "NZ": ("64", "0"),
}  # fmt: skip
_EMAIL_SHAPE = re.compile(r"^[^@ ]+@[^@ ]+[.][a-z]{2,}\Z")
_E164_SHAPE = re.compile(r"^[+][1-9][0-9]{8,14}\Z")
_WHITESPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\u00a0": " "})


@lru_cache(maxsize=1)
def default_country() -> str:
    """vars.cdp_default_country of dbt_project.yml (GB when unset), as the SQL macros read it."""
    try:
        project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text()) or {}
    except OSError:
        project = {}
    return str((project.get("vars") or {}).get("cdp_default_country") or "GB").upper()


def trim_whitespace(text: str | None) -> str | None:
    """cdp_trim_whitespace: tabs, line breaks and no-break spaces become spaces, then spaces are trimmed."""
    if text is None:
        return None
    return text.translate(_WHITESPACE).strip(" ")


def clean_string(text: str | None) -> str | None:
    """cdp_clean_string: trimmed text; empty, 'null' and 'nan' become None."""
    trimmed = trim_whitespace(text)
    if trimmed is None or trimmed.lower() in ("", "null", "nan"):
        return None
    return trimmed


def normalize_email(text: str | None) -> str | None:
    """cdp_normalize_email: the deliverable address, lower-cased; None when not shaped like an address."""
    trimmed = trim_whitespace(text)
    if trimmed is None:
        return None
    lowered = trimmed.lower()
    return lowered if _EMAIL_SHAPE.search(lowered) else None


def canonical_email(text: str | None) -> str | None:
    """cdp_canonical_email: the identity form (no +tag; for Gmail no dots and googlemail folded into gmail)."""
    address = normalize_email(text)
    if address is None:
        return None
    local_part = address.split("@")[0].split("+")[0]
    domain = address.split("@")[1]
    if local_part == "":
        return None
    if domain in ("gmail.com", "googlemail.com"):
        return local_part.replace(".", "") + "@gmail.com"
    return f"{local_part}@{domain}"


def normalize_phone(text: str | None, country: str | None = None, default: str | None = None) -> str | None:
    """cdp_normalize_phone: E.164, a number without international prefix taking the calling code of `country`
    (when known) else of `default` (else vars.cdp_default_country); None when not a plausible number."""
    fallback = (default or default_country()).upper()
    if fallback not in PHONE_COUNTRY_CODES:
        raise ValueError(f"unsupported default country {fallback!r}")
    if text is None:
        return None
    row_country = country.strip(" ").upper() if country is not None else None
    calling_code, trunk_prefix = PHONE_COUNTRY_CODES.get(row_country or "", PHONE_COUNTRY_CODES[fallback])
    dialled = re.sub(r"[^0-9+]", "", text.replace("(0)", ""))
    if dialled.startswith("+"):
        candidate = dialled
    elif dialled.startswith("00"):
        candidate = "+" + dialled[2:]
    elif trunk_prefix and dialled.startswith(trunk_prefix):
        candidate = "+" + calling_code + dialled[len(trunk_prefix) :]
    elif dialled:
        candidate = "+" + calling_code + dialled
    else:
        return None
    return candidate if _E164_SHAPE.search(candidate) else None


def normalize_loyalty_card(text: str | None) -> str | None:
    """cdp_normalize_loyalty_card: upper case without separators; None when nothing is left."""
    cleaned = clean_string(text)
    if cleaned is None:
        return None
    compact = re.sub(r"[^0-9A-Za-z]", "", cleaned).upper()
    return compact or None


def phone_spellings(text: str) -> list[str]:
    """The E.164 numbers a phone typed by a person may mean, most likely first: as staging reads it (a number without
    an international prefix is national, of vars.cdp_default_country), then, for digits that start with a calling
    code but lack the + or 00 (447141733709), the international number."""
    spellings = [number for number in (normalize_phone(text),) if number]
    digits = re.sub(r"[^0-9]", "", text.replace("(0)", ""))
    if not text.strip().startswith(("+", "00")) and digits:
        for calling_code, trunk_prefix in sorted(set(PHONE_COUNTRY_CODES.values()), key=lambda code: -len(code[0])):
            if digits.startswith(calling_code):
                national = digits[len(calling_code) :]
                if trunk_prefix and national.startswith(trunk_prefix):
                    national = national[len(trunk_prefix) :]  # 44 07141 733709: the trunk 0 written after the code
                candidate = "+" + calling_code + national
                if _E164_SHAPE.search(candidate) and candidate not in spellings:
                    spellings.append(candidate)
    return spellings


def identifier_candidates(identifier: str) -> list[tuple[str, str]]:
    """Every (identifier_type, normalised value) the input could be, in the order they are tried: the most
    specific first, a phone number (which almost any digit string could be) after the ids."""
    candidates: list[tuple[str, str]] = []
    raw = clean_string(identifier)
    if raw is None:
        return candidates

    def add(identifier_type: str, value: str | None) -> None:
        if value and (identifier_type, value) not in candidates:
            candidates.append((identifier_type, value))

    if "@" in raw:
        # only an e-mail address contains an @ (no other identifier type does)
        add("email", canonical_email(raw))
        return candidates
    add("user_id", raw)
    add("crm_account", raw)
    add("loyalty_card", normalize_loyalty_card(raw))
    if re.search(r"[0-9]", raw) and not re.search(r"[A-Za-z]", raw):
        for spelling in phone_spellings(raw):
            add("phone", spelling)
    add("anonymous_id", raw)
    add("device_id", raw)
    add("push_token", raw)
    return candidates


# The other identifier types are cleaned strings, as staging leaves them.
_NORMALISERS: dict[str, Callable[[str | None], str | None]] = {
    "email": canonical_email,
    "loyalty_card": normalize_loyalty_card,
}


def normalize_identifier(identifier_type: str, value: str | None, country: str | None = None) -> str | None:
    """The normal form staging gives a value of this identifier type (a phone's depends on the row's country)."""
    if identifier_type == "phone":
        return normalize_phone(value, clean_string(country))
    return _NORMALISERS.get(identifier_type, clean_string)(value)
