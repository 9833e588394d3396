"""The OKX V5 REST simulator as an ASGI (Starlette) app: routing by site, the checks OKX makes
before answering a private request, rate limits, injected faults, and OKX's envelope.

Every request goes through these steps, in this fixed order; the first that objects answers:

 1. latency (asyncio.sleep, so concurrent requests overlap), then global faults: hang, fail_status
    (503 → 50001, 429 → 50013, 500 and others → 50026), malformed (truncated JSON body)
    -- routing: unknown path → 404 {"msg":"Not Found","code":"404"}; not GET → 405 / 50115
 2. public endpoints answer (public/time: 10 requests / 2 s per IP, else 429 / 50011)
 3. headers present and non-empty: KEY 50103, SIGN 50106, TIMESTAMP 50107, PASSPHRASE 50104
 4. timestamp: malformed 50112; more than 30 s from server time 50102
 5. key: not UUID-shaped 50111; unknown on this site 50119; other environment 50101
 6. frozen 50100 (HTTP 400)
 7. IP whitelist 50110 (whether OKX checks this before the signature is unknown; a choice)
 8. passphrase 50105
 9. signature 50113
10. per-account faults: rate_limited_first, then hang, status, malformed
11. per-user sliding-window rate limits → 429 / 50011
12. answer (a key without read_only gets 50120 with HTTP 200; missing instType gets 50014 / 400)
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okxlink.core.signing import sign
from okxlink.core.sites import SITES
from okxlink.sim.accounts import Account

CLOCK_WINDOW_MS = 30_000  # REST window is undocumented; OKX documents 30 s for WebSocket login
MALFORMED_BODY = b'{"code":"0","data":[{'
# endpoint -> (requests, seconds) of its sliding window; public/time counts per IP, the rest per user
LIMITS = {
    "public/time": (10, 2.0),
    "account/config": (5, 2.0),
    "account/balance": (10, 2.0),
    "asset/balances": (6, 1.0),
    "account/trade-fee": (5, 2.0),
    "account/instruments": (20, 2.0),
}
PUBLIC = {"public/time"}
STATUS_ERRORS = {
    503: ("50001", "Service temporarily unavailable. Please try again later."),
    429: ("50013", "Systems are busy. Please try again later."),
    500: ("50026", "System error. Try again later"),
}
_PATH = re.compile(r"(?:/(" + "|".join(SITES) + r"))?(/api/v5/(.*))")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_HEADERS = (("OK-ACCESS-KEY", "50103"), ("OK-ACCESS-SIGN", "50106"),
            ("OK-ACCESS-TIMESTAMP", "50107"), ("OK-ACCESS-PASSPHRASE", "50104"))


@dataclass
class SimState:
    """Everything the app reads or counts. Mutable on purpose: tests flip faults mid-run.
    `wall` and `monotonic` are injectable so tests can move time instead of sleeping."""

    accounts: list[Account]
    latency_ms: float = 0
    clock_offset_ms: int = 0
    fail_status: int | None = None
    malformed: bool = False
    hang: bool = False
    hang_s: float = 3600.0
    stopping: bool = False  # set by the runner on shutdown: hanging requests then give up
    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    hits: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque), repr=False)
    signed: dict[str, int] = field(default_factory=lambda: defaultdict(int), repr=False)

    def now_ms(self) -> int:
        return int(self.wall() * 1000) + self.clock_offset_ms

    def allow(self, bucket: str, limit: int, window_s: float) -> bool:
        """Sliding window; only accepted requests take a slot, so a client that backs off recovers."""
        now, hits = self.monotonic(), self.hits[bucket]
        while hits and hits[0] <= now - window_s:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True


class _Answer(Exception):
    """Raised by a check that has decided the response."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _error(status: int, code: str, msg: str) -> _Answer:
    # OKX's auth errors carry no `data`; observed bodies look like {"msg":"…","code":"50111"}.
    return _Answer(JSONResponse({"msg": msg, "code": code}, status_code=status))


def _ok(data: list[Any]) -> JSONResponse:
    return JSONResponse({"code": "0", "msg": "", "data": data})


def _too_many() -> _Answer:
    return _error(429, "50011", "Too Many Requests")


async def _faults(state: SimState, status: int | None, malformed: bool, hang: bool) -> None:
    if hang:
        # Polling rather than one long sleep, so a server shutting down can release the request
        # with an answer instead of a cancelled task (and a traceback on stderr).
        deadline = state.monotonic() + state.hang_s
        while not state.stopping and state.monotonic() < deadline:
            await asyncio.sleep(0.05)
        raise _error(504, "50004", "API endpoint request timeout. (does not mean that the request"
                     " was successful or failed, please check the request result).")
    if status:
        raise _error(status, *STATUS_ERRORS.get(status, STATUS_ERRORS[500]))
    if malformed:
        raise _Answer(Response(MALFORMED_BODY, media_type="application/json"))


def _route(request: Request) -> tuple[str, str, str]:
    """(site, path as OKX signs it, endpoint). The /{site} prefix is ours, not OKX's: not signed."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    match = _PATH.fullmatch(raw.decode("latin-1"))
    if not match or match.group(3) not in LIMITS:
        raise _error(404, "404", "Not Found")
    if request.method not in ("GET", "HEAD"):
        raise _error(405, "50115", "Invalid request method.")
    query = request.scope.get("query_string", b"").decode("latin-1")
    return match.group(1) or "global", match.group(2) + ("?" + query if query else ""), match.group(3)


def _parse_ts(value: str) -> int | None:
    if not _TS.fullmatch(value):
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return int(moment.timestamp() * 1000)


def _ip_allowed(client: str, allowed: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return False
    candidates = {ip, getattr(ip, "ipv4_mapped", None) or ip}  # ::ffff:a.b.c.d is a.b.c.d
    for entry in allowed:
        try:
            net = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue
        if any(c.version == net.version and c in net for c in candidates):
            return True
    return False


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _authenticate(request: Request, state: SimState, site: str, path: str, body: str) -> Account:
    """Steps 3-9 of the module docstring."""
    headers = request.headers
    for name, code in _HEADERS:
        if not headers.get(name):
            raise _error(401, code, f'Request header "{name}" cannot be empty.')
    ts = headers["OK-ACCESS-TIMESTAMP"]
    ts_ms = _parse_ts(ts)
    if ts_ms is None:
        raise _error(401, "50112", "Invalid OK-ACCESS-TIMESTAMP.")
    if abs(ts_ms - state.now_ms()) > CLOCK_WINDOW_MS:
        raise _error(401, "50102", "Timestamp request expired.")
    key = headers["OK-ACCESS-KEY"]
    if not _UUID.fullmatch(key):
        raise _error(401, "50111", "Invalid OK-ACCESS-KEY")
    on_site = [a for a in state.accounts if a.api_key == key and a.site == site]
    if not on_site:  # a key from another site is as unknown here as a made-up one
        raise _error(401, "50119", "API key doesn't exist")
    demo = headers.get("x-simulated-trading") == "1"
    account = next((a for a in on_site if a.demo == demo), None)
    if account is None:
        raise _error(401, "50101", "APIKey does not match current environment.")
    if account.frozen:
        raise _error(400, "50100", "API frozen, please contact customer service.")
    client = request.client.host if request.client else ""
    if account.ip and not _ip_allowed(client, account.ip):
        raise _error(401, "50110", f"Your IP {client} is not included in your API key's IP whitelist.")
    if not _same(headers["OK-ACCESS-PASSPHRASE"], account.passphrase):
        raise _error(401, "50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.')
    expected = sign(account.secret_key, ts, request.method, path, body)
    if not _same(headers["OK-ACCESS-SIGN"], expected):
        raise _error(401, "50113", "Invalid Sign")
    return account


def _answer(request: Request, state: SimState, account: Account, endpoint: str) -> Response:
    if "read_only" not in account.perm:
        raise _error(200, "50120", "This API key doesn't have permission to use this function")
    params = request.query_params
    ccys = [c for c in params.get("ccy", "").split(",") if c] or None
    if endpoint == "account/config":
        return _ok([account.config()])
    if endpoint == "account/balance":
        return _ok([account.balance(state.now_ms(), ccys)])
    if endpoint == "asset/balances":
        return _ok(account.funding_balances(ccys))
    inst_type = params.get("instType", "")
    if not inst_type:
        raise _Answer(JSONResponse({"code": "50014", "msg": "Parameter instType can not be empty.",
                                    "data": []}, status_code=400))
    if endpoint == "account/instruments":
        return _ok(account.instruments(inst_type))
    return _ok([account.trade_fee(inst_type, state.now_ms())])


async def _serve(request: Request, state: SimState) -> Response:
    if state.latency_ms > 0:
        await asyncio.sleep(state.latency_ms / 1000)
    await _faults(state, state.fail_status, state.malformed, state.hang)
    site, path, endpoint = _route(request)
    if endpoint in PUBLIC:
        client = request.client.host if request.client else ""
        if not state.allow(f"ip:{client}:{endpoint}", *LIMITS[endpoint]):
            raise _too_many()
        return _ok([{"ts": str(state.now_ms())}])
    body = (await request.body()).decode("utf-8", "replace")
    account = _authenticate(request, state, site, path, body)
    key = f"{account.site}:{account.api_key}:{int(account.demo)}"
    state.signed[key] += 1
    if state.signed[key] <= account.faults.rate_limited_first:
        raise _too_many()
    faults = account.faults
    await _faults(state, faults.status, faults.malformed, faults.hang)
    # OKX limits private endpoints per user ID (sub-accounts have their own).
    if not state.allow(f"uid:{account.uid}:{int(account.demo)}:{endpoint}", *LIMITS[endpoint]):
        raise _too_many()
    return _answer(request, state, account, endpoint)


async def _handle(request: Request) -> Response:
    try:
        return await _serve(request, request.app.state.sim)
    except _Answer as answer:
        return answer.response


def create_app(state: SimState) -> Starlette:
    """One app serves every site: /api/v5/… is `global`, /{site}/api/v5/… the named site."""
    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    app = Starlette(routes=[Route("/{path:path}", _handle, methods=methods)])
    app.state.sim = state
    return app
