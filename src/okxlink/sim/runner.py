"""Run the simulator as a real server on loopback and announce it with one JSON line on stdout.

The ready line is the whole interface for a parent process (tests, `okxlink demo`, benchmarks):
it is printed only once the socket accepts connections, it carries the URL and the fake
credentials, and nothing else is ever written to stdout (uvicorn's warnings go to stderr).
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from okxlink.sim.accounts import Account, default_accounts, load_accounts

NOTE = "fake credentials for the okxlink simulator; they work nowhere else"


def ready_line(url: str, accounts: list[Account]) -> str:
    return json.dumps({
        "okx_url": url,
        "okx_url_template": url + "/{site}",
        "note": NOTE,
        "accounts": [a.handed() for a in accounts],
    })


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


async def _serve(sock: socket.socket, state: Any, url: str) -> None:
    import uvicorn

    from okxlink.sim.okx_app import create_app

    config = uvicorn.Config(
        create_app(state), log_level="warning", access_log=False, lifespan="off",
        server_header=False, date_header=True,
        # a hanging request (fault `hang`) must not hold shutdown hostage
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():  # startup failed; surface uvicorn's error
            await task
            raise RuntimeError("the simulator did not start")
        await asyncio.sleep(0.01)
    sys.stdout.write(ready_line(url, state.accounts) + "\n")
    sys.stdout.flush()
    while not task.done():
        if server.should_exit:  # a stop was requested: let hanging requests answer and go
            state.stopping = True
        await asyncio.sleep(0.05)
    await task


def run(port: int = 0, host: str = "127.0.0.1", latency_ms: float = 0,
        accounts_file: str | Path | None = None, clock_offset_s: float = 0.0,
        fail_status: int | None = None, malformed: bool = False, hang: bool = False) -> int:
    """Serve until SIGINT or SIGTERM; return 0 after a clean shutdown.

    Port 0 picks a free port; the chosen one is in the ready line."""
    from okxlink.sim.okx_app import SimState

    accounts = load_accounts(accounts_file) if accounts_file else default_accounts()
    state = SimState(accounts=accounts, latency_ms=latency_ms,
                     clock_offset_ms=int(round(clock_offset_s * 1000)),
                     fail_status=fail_status, malformed=malformed, hang=hang)
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    url = f"http://{shown}:{bound_port}"

    # uvicorn catches SIGINT/SIGTERM while serving and re-raises them once it has shut down, so
    # the process would die of the signal. These no-op handlers absorb the re-raise: a requested
    # stop is a clean exit (0), not a crash.
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda s, _f: received.append(s))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(_serve(sock, state, url))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    return 0
