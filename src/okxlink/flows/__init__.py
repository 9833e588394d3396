"""The use cases, between the pure core and storage below and the CLI above: verify keys and
remember the verdicts, link and unlink them (with the pending-request state machine), and gather
what `status` shows. No terminal I/O here: the CLI asks, shows spinners and renders.

Everything a flow needs from outside comes in as an argument: the Settings, a ProfileRepo, and an
`HttpFactory` that makes the run's HTTP client (the CLI's, with its debug hooks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

HttpFactory = Callable[..., "httpx.AsyncClient"]  # keyword arguments: httpx.AsyncClient's (limits=…)
Reached = dict[tuple[str, str, str], bool]  # (profile, service, key) → the link's service answered now

KEPT_MAX = 200  # of one word a server wrote (a label, a uid, a reason): OKX's labels are at most 50


def kept(value: str, limit: int = KEPT_MAX) -> str:
    """A word a server wrote, as profiles.toml keeps it: bounded, so that no answer can make the file
    too large to write (or read back), and encodable: JSON allows a lone surrogate ("\\ud800"),
    which no file can hold in UTF-8."""
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value[:limit])


__all__ = ["KEPT_MAX", "HttpFactory", "Reached", "kept"]
