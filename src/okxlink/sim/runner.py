"""Run the simulator as a real server on loopback and announce it with one JSON line on stdout
(or, for a person at a terminal, the guide `okxlink.cli.sim_cmd` passes as `announce`).

The ready line is the whole interface for a parent process (tests, `okxlink demo`, benchmarks):
it is printed only once the sockets accept connections, it carries the URLs, the link service's
token and the fake credentials, and nothing else is ever written to stdout (uvicorn's warnings go
to stderr).

Unless `no_link`, the reference linking service (okxlink.sim.link_app) runs beside it: a second
uvicorn server on its own loopback socket, in the same process and event loop, verifying keys
against this simulator from 127.0.0.2 (the "platform's" address, then 127.0.0.1; see
docs/link-service.md).
"""

from __future__ import annotations

import asyncio
import errno
import json
import secrets
import shutil
import signal
import socket
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okxlink.errors import Exit
from okxlink.sim.accounts import Account, Answer, default_accounts, load_accounts

NOTE = "fake credentials for the okxlink simulator; they work nowhere else"
SERVER_PARTS = ("starlette", "uvicorn")  # the `sim` extra; the link service also needs cryptography
Announce = Callable[[dict[str, Any]], str]  # the ready dict → what stdout shows (one JSON line, or a guide)


# ---- why it could not start: the user can fix these (okxlink.cli.sim_cmd maps them to exit 2) --
class PortUnavailable(OSError):
    """`service` ("simulator" or "link service") cannot listen on `port`; `in_use`: another
    program has it."""

    def __init__(self, service: str, port: int, cause: OSError) -> None:
        super().__init__(cause.errno, f"{service}: cannot listen on port {port}: "
                                      f"{cause.strerror or cause}")
        self.service, self.port, self.reason = service, port, cause.strerror or str(cause)
        self.in_use = cause.errno == errno.EADDRINUSE


class AccountsFileError(ValueError):
    """The accounts file `path` cannot be read or is not a valid accounts file: `reason`."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"accounts file {path}: {reason}")
        self.path, self.reason = str(path), reason


class MissingServerParts(ImportError):
    """A module of the `sim` extra (`module`) is not installed."""

    def __init__(self, module: str) -> None:
        super().__init__(f"the simulator needs {module} (pip install 'okxlink[sim]')", name=module)
        self.module = module


def require_server_parts(link: bool = True) -> None:
    """Import what serving needs now, so that a missing extra is said before anything is bound."""
    import importlib

    for module in (*SERVER_PARTS, *(("cryptography",) if link else ())):
        try:
            importlib.import_module(module)
        except ImportError as exc:  # the module itself, or one it needs (uvicorn's h11, …)
            raise MissingServerParts((exc.name or module).split(".")[0]) from None


def _load_accounts(path: str | Path) -> list[Account]:
    try:
        return load_accounts(path)
    except OSError as exc:  # missing, a directory, unreadable
        reason = exc.strerror or str(exc)
    except UnicodeDecodeError:
        reason = "not UTF-8 text"
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON ({exc})"
    except ValueError as exc:  # TOML syntax, or an account the loader refuses
        reason = str(exc).removeprefix(f"{Path(path)}: ")
        if type(exc).__name__ == "TOMLDecodeError":
            reason = f"not valid TOML ({reason})"
    except (TypeError, AttributeError) as exc:  # an entry or a field of the wrong type
        reason = f"an entry or a field has the wrong type ({exc})"
    raise AccountsFileError(path, reason)


def ready(url: str, accounts: list[Account], link_url: str | None = None,
          link_token: str | None = None) -> dict[str, Any]:
    """What a running simulator announces: its URLs, the link service's and its token, the accounts."""
    line: dict[str, Any] = {"okx_url": url, "okx_url_template": url + "/{site}"}
    if link_url:
        line.update(link_url=link_url, link_token=link_token)
    line.update(note=NOTE, accounts=[a.handed() for a in accounts])
    return line


def ready_line(url: str, accounts: list[Account], link_url: str | None = None,
               link_token: str | None = None) -> str:
    return json.dumps(ready(url, accounts, link_url, link_token))


def _bind(host: str, port: int, service: str = "simulator") -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise PortUnavailable(service, port, exc) from None
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass
class _Link:
    """The link service's part of a run: its socket, its state and what the ready line shows."""
    sock: socket.socket
    state: Any  # okxlink.sim.link_app.LinkState (imported lazily: starlette, cryptography)
    url: str


def _server(app: Any) -> Any:
    import uvicorn

    return uvicorn.Server(uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off",
        server_header=False, date_header=True,
        # a hanging request (fault `hang`, or a link verification waiting on it) must not hold
        # shutdown hostage
        timeout_graceful_shutdown=1,
    ))


async def _serve(sock: socket.socket, state: Any, url: str, link: _Link | None = None,
                 announce: Announce = json.dumps) -> None:
    from okxlink.sim.okx_app import create_app

    servers = [_server(create_app(state))]
    sockets = [sock]
    if link is not None:
        from okxlink.sim.link_app import create_link_app

        servers.append(_server(create_link_app(link.state)))
        sockets.append(link.sock)
    tasks = [asyncio.create_task(srv.serve(sockets=[s])) for srv, s in zip(servers, sockets, strict=True)]
    while not all(srv.started for srv in servers):
        if failed := next((t for t in tasks if t.done()), None):  # surface uvicorn's error
            for srv in servers:
                srv.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)
            await failed
            raise RuntimeError("the simulator did not start")
        await asyncio.sleep(0.01)
    sys.stdout.write(announce(ready(url, state.accounts, link.url if link else None,
                                    link.state.token if link else None)) + "\n")
    sys.stdout.flush()
    while not all(t.done() for t in tasks):
        # Each uvicorn server installs its own signal handlers and the last one installed gets
        # the signal, so a stop seen by either server is passed on to both.
        if any(srv.should_exit for srv in servers):
            state.stopping = True  # hanging requests answer and go
            for srv in servers:
                srv.should_exit = True
        await asyncio.sleep(0.05)
    for task in tasks:
        await task


def _usable(addresses: Sequence[str]) -> tuple[str, ...]:
    """The source addresses this machine has. Linux answers for all of 127.0.0.0/8; macOS only
    for 127.0.0.1 unless told (`ifconfig lo0 alias 127.0.0.2`): say so, rather than fail every
    verification with a network error."""
    usable = []
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.bind((address, 0))
        except OSError:
            print(f"okxlink.sim: the link service cannot send from {address} on this machine; "
                  "keys bound only to it will need attention", file=sys.stderr)
            continue
        usable.append(address)
    return tuple(usable)


def _link_service(host: str, port: int, db: str | Path | None, token: str | None,
                  source_ips: Sequence[str], okx_url: str) -> tuple[_Link, str | None]:
    """Bind and set up the link service; returns it and the temporary directory to delete."""
    if token is not None and not token.strip():
        raise ValueError("the link token must not be empty")
    from cryptography.fernet import Fernet  # present: run() called require_server_parts()

    from okxlink import i18n
    from okxlink.sim.link_app import LinkState
    from okxlink.sim.link_store import LinkStore

    i18n.setup("en")  # spot reasons are the platform's answer: one language, English
    sock = _bind(host, port, "link service")
    tmp = None if db else tempfile.mkdtemp(prefix="okxlink-link-")
    try:
        # A throw-away database keeps its key in memory only: nothing on disk can decrypt it.
        store = (LinkStore(db) if db else
                 LinkStore(Path(tmp) / "links.db", key=Fernet.generate_key()))  # type: ignore[arg-type]
    except BaseException as exc:
        sock.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, sqlite3.Error):  # not a database, unwritable, …: a usage error
            raise ValueError(f"link database {db}: {exc}") from None
        raise
    state = LinkState(store=store, token=token or secrets.token_urlsafe(24),
                      okx_base=okx_url + "/{site}", source_ips=_usable(source_ips))
    return _Link(sock, state, _url(sock)), tmp


def run(port: int = 0, host: str = "127.0.0.1", latency_ms: float = 0,
        accounts_file: str | Path | None = None, clock_offset_s: float = 0.0,
        fail_status: int | None = None, malformed: bool = False, hang: bool = False,
        link_port: int = 0, link_db: str | Path | None = None, link_token: str | None = None,
        no_link: bool = False,
        link_source_ips: Sequence[str] = ("127.0.0.2",), hang_s: float | None = None,
        answers: Mapping[str, Answer] | None = None, announce: Announce = json.dumps) -> int:
    """Serve until SIGINT or SIGTERM; return 0 after a clean shutdown.

    Port 0 picks a free port; the chosen one is in the ready line. A hanging request (`hang`, or
    an account's hang fault) answers HTTP 400 / 50004 after `hang_s` seconds (default
    okx_app.HANG_S). `answers` (endpoint or "*" → Answer) make endpoints answer a code of your
    choosing, whoever asks. The link service (unless
    `no_link`) listens on `link_port`, keeps its links in `link_db` (default: a temporary
    directory deleted at exit), accepts `link_token` (default: random, shown in the ready line)
    and verifies keys from `link_source_ips` (the next one only after a 50110). `announce` turns
    the ready dict into what is printed once serving (default: the JSON line).

    Raises MissingServerParts (an ImportError), AccountsFileError (a ValueError) or
    PortUnavailable (an OSError) when it cannot start; other ValueErrors for a bad link database
    or token."""
    require_server_parts(link=not no_link)
    from okxlink.sim.okx_app import HANG_S, SimState

    if hang_s is not None and not hang_s > 0:
        raise ValueError(f"the hang delay must be more than 0 seconds, not {hang_s}")
    accounts = _load_accounts(accounts_file) if accounts_file else default_accounts()
    state = SimState(accounts=accounts, latency_ms=latency_ms,
                     clock_offset_ms=round(clock_offset_s * 1000),
                     fail_status=fail_status, malformed=malformed, hang=hang,
                     hang_s=HANG_S if hang_s is None else hang_s, answers=dict(answers or {}))
    sock = _bind(host, port)
    url = _url(sock)
    link, tmp = None, None
    try:
        if not no_link:
            link, tmp = _link_service(host, link_port, link_db, link_token, link_source_ips,
                                          url)
    except BaseException:
        sock.close()
        raise

    # uvicorn catches SIGINT/SIGTERM while serving and re-raises them once it has shut down, so
    # the process would die of the signal. These no-op handlers absorb the re-raise: a requested
    # stop is a clean exit (0), not a crash.
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda s, _f: received.append(s))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(_serve(sock, state, url, link, announce))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
        if link is not None:
            link.sock.close()
            link.state.store.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return int(Exit.OK)
