"""Credentials held as SecretStr, paste clean-up, and shape heuristics for swapped fields."""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

KEY_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SECRET_SHAPE = re.compile(r"^[0-9A-F]{32}$")


def clean(value: str) -> str:
    """Drop what a copy from a web page or chat app drags along: surrounding and embedded
    whitespace, zero-width and other invisible format characters. No valid OKX value contains any."""
    return "".join(ch for ch in value if not ch.isspace() and unicodedata.category(ch) != "Cf")


def clean_passphrase(value: str) -> str:
    """A passphrase may hold inner spaces on purpose, so only the ends and invisibles go."""
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf").strip()


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_key: str
    secret_key: SecretStr
    passphrase: SecretStr

    @field_validator("api_key", "secret_key", mode="before")
    @classmethod
    def _clean(cls, v: object) -> object:
        return clean(v) if isinstance(v, str) else v

    @field_validator("passphrase", mode="before")
    @classmethod
    def _clean_pass(cls, v: object) -> object:
        return clean_passphrase(v) if isinstance(v, str) else v

    def masked_key(self) -> str:
        return mask(self.api_key)


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
