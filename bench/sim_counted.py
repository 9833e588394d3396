"""BENCHMARK ONLY: `python -m okxlink.sim` with a request log, so bench/run.py can show how many
requests a command made, when each arrived (which ones went out together) and whether any was
refused with 429 / 50011.

Same arguments as `python -m okxlink.sim`. The OKX app is wrapped by an ASGI middleware that
records (arrival, path, status) per request; GET /__bench/log returns the log and clears it. The
simulator itself is unchanged.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import okxlink.sim.okx_app as okx_app
from okxlink.sim.__main__ import main

_create_app = okx_app.create_app
LOG: list[dict[str, Any]] = []


def _wrap(app: Any) -> Any:
    async def logged(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        if scope["path"] == "/__bench/log":
            body = json.dumps(LOG).encode()
            LOG.clear()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        entry = {"t": time.monotonic(), "path": scope["path"], "status": None}
        LOG.append(entry)

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        await app(scope, receive, watch)

    return logged


okx_app.create_app = lambda state: _wrap(_create_app(state))

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
