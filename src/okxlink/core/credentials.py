"""Credentials held as SecretStr, paste clean-up, and shape heuristics for swapped fields."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from okxlink.core.secret import SecretStr

KEY_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SECRET_SHAPE = re.compile(r"^[0-9A-F]{32}$")


def clean(value: str) -> str:
    """Drop what a copy from a web page or chat app drags along: surrounding and embedded
    whitespace, zero-width and other invisible format characters. No valid OKX value contains any."""
    return "".join(ch for ch in value if not ch.isspace() and unicodedata.category(ch) != "Cf")


def clean_passphrase(value: str) -> str:
    """A passphrase may hold inner spaces on purpose, so only the ends and invisibles go."""
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf").strip()


@dataclass(frozen=True, init=False)
class Credentials:
    """One OKX API key. Pasted text is cleaned on the way in (a SecretStr given is taken as it is);
    anything but text is a ValueError, as a stored value okxlink did not write must be."""

    api_key: str
    secret_key: SecretStr
    passphrase: SecretStr

    def __init__(self, api_key: str, secret_key: str | SecretStr, passphrase: str | SecretStr) -> None:
        if not isinstance(api_key, str):
            raise ValueError("api_key is not text")
        object.__setattr__(self, "api_key", clean(api_key))
        object.__setattr__(self, "secret_key", _secret(secret_key, clean))
        object.__setattr__(self, "passphrase", _secret(passphrase, clean_passphrase))

    def masked_key(self) -> str:
        return mask(self.api_key)


def _secret(value: str | SecretStr, cleaned: Callable[[str], str]) -> SecretStr:
    if isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise ValueError("a secret is not text")
    return SecretStr(cleaned(value))


def mask(api_key: str) -> str:
    """First 4 and last 4 characters: enough to recognise a key, not enough to use it."""
    return f"{api_key[:4]}…{api_key[-4:]}" if len(api_key) > 8 else "…"


def looks_swapped(api_key: str, secret_key: str) -> bool:
    """The key has the secret's shape and the secret the key's: pasted into each other's field."""
    return bool(SECRET_SHAPE.match(api_key) and KEY_SHAPE.match(secret_key))


# No `$`, quotes or backslash: shells and .env files eat them, a top cause of 50105.
_SPECIALS = "!@#%^&*-_=+?"


def generate_passphrase(length: int = 20) -> str:
    """A passphrase meeting OKX's documented rule (8-32 chars; upper, lower, digit, special)."""
    import secrets
    import string

    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SPECIALS)
    alphabet = "".join(pools)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(ch in pool for ch in candidate) for pool in pools):
            return candidate


def passphrase_meets_rule(value: str) -> bool:
    """OKX documents this rule for sub-account keys; the web UI's own rule is unknown, so callers
    warn rather than refuse."""
    return (8 <= len(value) <= 32 and any(c.isupper() for c in value) and any(c.islower() for c in value)
            and any(c.isdigit() for c in value) and any(not c.isalnum() for c in value))
