"""Where credentials come from when they are not typed: the environment or a JSON object on stdin.
Never from argv: it shows in `ps` and in shell history."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from okxlink.errors import UsageError
from okxlink.i18n import _, ngettext

if TYPE_CHECKING:  # imported when credentials are read: `status --offline` only needs ENV_NAMES
    from okxlink.core.credentials import Credentials

ENV_NAMES = ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE")
FIELDS = ("api_key", "secret_key", "passphrase")
MAX_STDIN = 64 * 1024  # a key, secret and passphrase are ~100 characters; more is not credentials


def from_env(env: Mapping[str, str]) -> Credentials | None:
    """All three set → credentials; none → None; some → a usage error naming the missing ones."""
    values = [env.get(name, "").strip() for name in ENV_NAMES]
    if not any(values):
        return None
    missing = [name for name, value in zip(ENV_NAMES, values, strict=True) if not value]
    if missing:
        raise UsageError(ngettext("{missing} is not set; set all three of OKX_API_KEY, OKX_SECRET_KEY and "
                                  "OKX_PASSPHRASE, or none.",
                                  "{missing} are not set; set all three of OKX_API_KEY, OKX_SECRET_KEY and "
                                  "OKX_PASSPHRASE, or none.", len(missing)).format(missing=", ".join(missing)))
    from okxlink.core.credentials import Credentials

    return Credentials(api_key=values[0], secret_key=values[1], passphrase=values[2])


def from_stdin(stream: TextIO) -> Credentials:
    from okxlink.core.credentials import Credentials

    try:
        text = stream.read(MAX_STDIN + 1)  # never the whole of whatever is piped in
        too_large = len(text) > MAX_STDIN
        data = None if too_large else json.loads(text or "null")
    except (ValueError, RecursionError):  # not text, not JSON, or nested too deeply ([[[[…)
        raise UsageError(_("Standard input is not JSON; expected "
                           '{"api_key": …, "secret_key": …, "passphrase": …}.')) from None
    if too_large:
        raise UsageError(_("Standard input is larger than 64 KiB; expected one JSON object "
                           '{"api_key": …, "secret_key": …, "passphrase": …}.'))
    if not isinstance(data, dict):
        raise UsageError(_("Standard input must be a JSON object with api_key, secret_key and passphrase."))
    missing = [name for name in FIELDS if not isinstance(data.get(name), str) or not data[name].strip()]
    if missing:
        raise UsageError(_("Standard input lacks {missing}.").format(missing=", ".join(missing)))
    return Credentials(**{name: data[name] for name in FIELDS})
