"""Who may see what: roles, and the tokens file that gives them out (docs/serve.md).

Without a tokens file the app answers only on a loopback address, and everyone who can reach it (the person at this
machine) has every role. With one, every page and API call needs a token of the file, sent as
`Authorization: Bearer TOKEN` (API) or through the sign-in form (a cookie), and a token has one role:

    service    the look-up page and API: personal data of the customer looked up
    marketing  audiences and dashboard: aggregates and segments, never a person's data
    admin      both

The file (YAML) lists tokens by name; a token is given as its SHA-256 (`sha256:`, preferred: the file then holds no
secret) or in plain text (`token:`):

    tokens:
      - {name: till-store-12, role: service, sha256: 5e884898da28047151d0e56f8dc62927...}
      - {name: crm-team, role: marketing, token: a-long-random-string}
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import UserError

# What each role may open: "lookup" (a person's profile) and "aggregates" (audiences and dashboard).
ROLES: dict[str, frozenset[str]] = {
    "service": frozenset({"lookup"}),
    "marketing": frozenset({"aggregates"}),
    "admin": frozenset({"lookup", "aggregates"}),
}
MIN_TOKEN_LENGTH = 16
LOCAL_USER = "local"


@dataclass(frozen=True)
class Principal:
    name: str  # the token's name (in the access log), never the token
    role: str

    def may(self, permission: str) -> bool:
        return permission in ROLES[self.role]


@dataclass(frozen=True)
class Tokens:
    by_hash: dict[str, Principal]

    def principal(self, token: str | None) -> Principal | None:
        """The holder of a token; None for a missing or unknown one (compared in constant time)."""
        if not token:
            return None
        digest = token_hash(token)
        for known, principal in self.by_hash.items():
            if hmac.compare_digest(known, digest):
                return principal
        return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_tokens(path: Path) -> Tokens:
    """The tokens of a tokens file, checked for shape (UserError naming the entry otherwise)."""
    try:
        document = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"cannot read the tokens file {path}: {' '.join(str(error).split())}") from None
    entries = document.get("tokens") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UserError(f"{path}: expected 'tokens:', a list of {{name, role, sha256 or token}}")
    by_hash: dict[str, Principal] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: token {number}"
        if not isinstance(entry, dict) or set(entry) - {"name", "role", "sha256", "token"}:
            raise UserError(f"{where}: expected {{name, role, sha256 or token}}")
        name, role = entry.get("name"), entry.get("role")
        if not isinstance(name, str) or not name.strip():
            raise UserError(f"{where}: name is required")
        if role not in ROLES:
            raise UserError(f"{where} ({name}): role must be one of {', '.join(ROLES)}")
        if ("sha256" in entry) == ("token" in entry):
            raise UserError(f"{where} ({name}): give either sha256 or token")
        if "token" in entry:
            token = str(entry["token"])
            if len(token) < MIN_TOKEN_LENGTH:
                raise UserError(f"{where} ({name}): tokens have at least {MIN_TOKEN_LENGTH} characters")
            digest = token_hash(token)
        else:
            digest = str(entry["sha256"]).strip().lower()
            if len(digest) != 64 or any(character not in "0123456789abcdef" for character in digest):
                raise UserError(f"{where} ({name}): sha256 is 64 hexadecimal characters")
        if digest in by_hash:
            raise UserError(f"{where} ({name}): the same token as {by_hash[digest].name}")
        by_hash[digest] = Principal(name.strip(), role)
    return Tokens(by_hash)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, tokens: Tokens | None) -> None:
    """Refuse to answer beyond this machine without tokens."""
    if tokens is None and not is_loopback(host):
        raise UserError(
            f"cdp serve answers on {host} only with a tokens file (--tokens FILE): without one it listens on "
            "127.0.0.1 alone"
        )
