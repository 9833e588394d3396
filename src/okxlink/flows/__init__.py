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

__all__ = ["HttpFactory"]
