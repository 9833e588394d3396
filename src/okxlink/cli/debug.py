"""OKXLINK_DEBUG=1: one line on stderr per HTTP exchange (method, host, path, status, time), and
the traceback of an unexpected error. Never a header, query, body or local variable: the
signature, the passphrase and the link token travel in headers and bodies."""

from __future__ import annotations

import time
import traceback
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import httpx


def hooks(enabled: bool, err: TextIO) -> dict[str, list[Any]]:
    if not enabled:
        return {}

    async def sent(request: httpx.Request) -> None:
        request.extensions["okxlink_t0"] = time.perf_counter()

    async def answered(response: httpx.Response) -> None:
        request = response.request
        ms = (time.perf_counter() - request.extensions.get("okxlink_t0", time.perf_counter())) * 1000
        print(f"okxlink debug: {request.method} {request.url.host}{request.url.path} → "
              f"{response.status_code} ({ms:.0f} ms)", file=err)

    return {"request": [sent], "response": [answered]}


def bug(exc: BaseException, enabled: bool, err: TextIO) -> None:
    """The traceback of an unexpected error, for a bug report: frames and the exception's type,
    not its message or any local variable (either could hold what the user typed)."""
    if enabled:
        frames = traceback.extract_tb(exc.__traceback__)
        print("okxlink debug: " + type(exc).__name__ + "\n" + "".join(traceback.format_list(frames)),
              file=err)
