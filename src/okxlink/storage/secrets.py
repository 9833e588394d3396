"""The secret-store protocol, the in-memory store, and the one format a profile's secrets take.

A profile's three secrets travel as one JSON object `{"api_key", "secret_key", "passphrase"}`, so a
store writes them all-or-nothing: there is no state where the key is new and the passphrase old.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from okxlink.errors import StorageError
from okxlink.i18n import _

if TYPE_CHECKING:
    from okxlink.core.credentials import Credentials

SERVICE = "okxlink"
# Not a password (bandit): the keyring service name for linking services' tokens, user = the service URL
TOKEN_SERVICE = "okxlink-link"  # nosec B105
FIELDS = ("api_key", "secret_key", "passphrase")


@runtime_checkable
class SecretStore(Protocol):
    def get(self, profile: str) -> Credentials | None: ...
    def get_many(self, profiles: list[str]) -> dict[str, Credentials | None]: ...
    def set(self, profile: str, creds: Credentials) -> None: ...
    def delete(self, profile: str) -> bool: ...
    def describe(self) -> str: ...
    def get_token(self, service_url: str) -> str | None: ...
    def set_token(self, service_url: str, token: str) -> None: ...


def encode(creds: Credentials) -> str:
    return json.dumps({"api_key": creds.api_key,
                       "secret_key": creds.secret_key.get_secret_value(),
                       "passphrase": creds.passphrase.get_secret_value()}, ensure_ascii=False)


def decode(profile: str, text: str, where: str) -> Credentials:
    """The stored value back as Credentials. A value okxlink did not write (or a truncated one) is a
    storage problem; the message names the entry, never its content."""
    from okxlink.core.credentials import Credentials

    try:
        data = json.loads(text)
        if not isinstance(data, dict) or not all(isinstance(data.get(f), str) and data[f] for f in FIELDS):
            raise ValueError
        return Credentials(**{f: data[f] for f in FIELDS})
    except ValueError:  # json's errors and Credentials' refusal of what is not text
        raise StorageError(
            _("The {store} entry for profile {name} is not in okxlink's format.").format(store=where, name=profile),
            _("Remove it with okxlink remove --profile {name}, then run okxlink setup again.").format(name=profile),
        ) from None


class MemoryStore:
    """Secrets in a dict for the life of the process: fast tests and `okxlink demo`'s throwaway store.
    Holds the same encoded JSON a keyring would, so both stores share one round trip."""

    def __init__(self) -> None:
        self._items: dict[str, str] = {}
        self._tokens: dict[str, str] = {}

    def get(self, profile: str) -> Credentials | None:
        text = self._items.get(profile)
        return None if text is None else decode(profile, text, self.describe())

    def get_many(self, profiles: list[str]) -> dict[str, Credentials | None]:
        return {profile: self.get(profile) for profile in profiles}

    def set(self, profile: str, creds: Credentials) -> None:
        self._items[profile] = encode(creds)

    def delete(self, profile: str) -> bool:
        return self._items.pop(profile, None) is not None

    def get_token(self, service_url: str) -> str | None:
        return self._tokens.get(service_url)

    def set_token(self, service_url: str, token: str) -> None:
        self._tokens[service_url] = token

    def describe(self) -> str:
        return _("memory (forgotten when okxlink exits)")

    def __repr__(self) -> str:
        return f"MemoryStore(profiles={sorted(self._items)!r})"
