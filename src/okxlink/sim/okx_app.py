"""The OKX V5 REST simulator as an ASGI (Starlette) app: routing by site, the checks OKX makes
before answering a private request, rate limits, injected faults, and OKX's envelope.

Every request goes through these steps, in this fixed order; the first that objects answers:

 1. latency (asyncio.sleep, so concurrent requests overlap), then global faults: hang (400 / 50004
    after hang_s), fail_status (503 → 50001, 429 → 50013, 500 and others → 50026), malformed
    (truncated JSON body)
    -- routing: unknown path → 404 {"msg":"Not Found","code":"404"}; not GET → 405 / 50115
    -- the global answer knob (`answers`, --answer ENDPOINT=CODE[:HTTP_STATUS[:MSG]])
 2. public endpoints answer (public/time: 10 requests / 2 s per IP, else 429 / 50011)
 3. headers present and non-empty: KEY 50103, SIGN 50106, TIMESTAMP 50107, PASSPHRASE 50104
 4. timestamp: malformed 50112; more than 30 s from server time 50102
    -- the answer knob of the key (Account.answers of any account with this API key: any site,
       either environment)
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
from okxlink.sim.accounts import ANY_ENDPOINT, ENDPOINTS, Account, Answer

CLOCK_WINDOW_MS = 30_000  # REST window is undocumented; OKX documents 30 s for WebSocket login
HANG_S = 60.0  # a hanging request answers 400 / 50004 after this long (okxlink gives up at 15 s)
MALFORMED_BODY = b'{"code":"0","data":[{'
# endpoint -> (requests, seconds) of its sliding window; public/time counts per IP, the rest per user
LIMITS = dict(zip(ENDPOINTS, ((10, 2.0), (5, 2.0), (10, 2.0), (6, 1.0), (5, 2.0), (20, 2.0)),
                  strict=True))
PUBLIC = {"public/time"}

# OKX's error answers: code -> (HTTP status, msg). Where an answer from real OKX was seen, its text
# is used byte for byte ("observed", with where); otherwise docs-v5's error-code table ("docs").
# {ip} is the caller's address, {key} the OK-ACCESS-KEY sent, {param} a parameter's name.
OKX_ERRORS: dict[str, tuple[int, str]] = {
    # docs: "Service temporarily unavailable. Please try again later."
    "50001": (503, "Service temporarily unavailable. Please try again later."),
    # observed (python-okx#2, demo maintenance): {"code":"50004","data":[],"msg":"API endpoint
    # request timeout "} with HTTP 400, trailing space and all. docs: "API endpoint request
    # timeout. (does not mean that the request was successful or failed, please check the request
    # result)."
    "50004": (400, "API endpoint request timeout "),
    "50011": (429, "Too Many Requests"),  # docs (the HTTP 429 row)
    "50005": (410, "API endpoint is inactive or unavailable."),  # docs
    "50007": (200, "User blocked."),  # docs
    "50008": (200, "User doesn't exist."),  # docs
    "50009": (200, "Account is frozen due to stop-out."),  # docs
    "50012": (200, "Account status invalid. Check account status"),  # docs
    "50013": (429, "Systems are busy. Please try again later."),  # docs
    "50014": (400, "Parameter {param} can not be empty."),  # docs: "Parameter {param0} can not …"
    "50026": (500, "System error. Try again later"),  # docs (no final period)
    "50030": (200, "You don't have permission to use this API endpoint"),  # docs
    "50100": (400, "API frozen, please contact customer service."),  # docs
    # docs; observed the same (pyted/okx#9, OKX's Java SDK issue #31 era logs)
    "50101": (401, "APIKey does not match current environment."),
    # observed (ccxt#24005, python-okx#68, okx Open-API-SDK-V5#31: HTTP 401 with "data":[]);
    # docs end with a period
    "50102": (401, "Timestamp request expired"),
    # observed (burakoner/OKX.Api#1, 2023): no quotes, "can not"; docs: 'Request header
    # "OK-ACCESS-KEY" cannot be empty.'
    "50103": (401, "Request header OK-ACCESS-KEY can not be empty."),
    "50104": (401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.'),  # docs; none observed
    # observed (ccxt#22265, sieblyio/okx-api#116): no quotes; docs quote the header name
    "50105": (401, "Request header OK-ACCESS-PASSPHRASE incorrect."),
    "50106": (401, 'Request header "OK-ACCESS-SIGN" cannot be empty.'),  # docs; none observed
    "50107": (401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.'),  # docs; none observed
    "50108": (401, "Exchange ID does not exist."),  # docs
    "50109": (401, "Exchange domain does not exist."),  # docs
    # observed (OctoBot-Tentacles' OKX exchange, a Mojo OKX client's logged bodies): the message
    # names the API key too; docs: "Your IP {param0} is not included in your API key's IP whitelist."
    "50110": (401, "Your IP {ip} is not included in your API key's {key} IP whitelist."),
    "50111": (401, "Invalid OK-ACCESS-KEY"),  # observed (pyted/okx#1); docs end with a period
    "50112": (401, "Invalid OK-ACCESS-TIMESTAMP"),  # observed (logged bodies); docs with a period
    # observed (sieblyio/okx-api#22, knowm/XChange#4946, ccxt); docs: "Invalid signature."
    "50113": (401, "Invalid Sign"),
    "50114": (401, "Invalid authorization."),  # docs
    "50115": (405, "Invalid request method."),  # docs
    "50116": (200, "Fast API is allowed to create only one API key"),  # docs
    "50118": (200, "To link the app using your API key, your broker needs to share their IP to "
                   "be whitelisted"),  # docs
    # observed with HTTP 401 (ccxt#23779, ccxt#25403, freqtrade#10967); docs say HTTP 200
    "50119": (401, "API key doesn't exist"),
    "50120": (200, "This API key doesn't have permission to use this function"),  # docs
    "50121": (200, "You can't access our services through the IP address ({ip})"),  # docs
}
# --fail-status: the code each HTTP status stands for (any other status: 50026)
STATUS_CODES = {503: "50001", 429: "50013", 500: "50026"}
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
    hang_s: float = HANG_S
    answers: dict[str, Answer] = field(default_factory=dict)  # endpoint or "*" -> the knob's answer
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


def _body(status: int, code: str, msg: str) -> JSONResponse:
    # OKX's error bodies carry an empty `data`, in this order: {"code":"50102","data":[],
    # "msg":"Timestamp request expired"} (OKX's own Java SDK logs, python-okx#2).
    return JSONResponse({"code": code, "data": [], "msg": msg}, status_code=status)


def _error(code: str, status: int | None = None, **fields: str) -> _Answer:
    """OKX's answer for `code`: its documented (or observed) status and message."""
    known_status, template = OKX_ERRORS.get(code, (200, ""))
    return _Answer(_body(status or known_status, code, template.format(**fields)))


def _ok(data: list[Any], status: int = 200) -> JSONResponse:
    return JSONResponse({"code": "0", "msg": "", "data": data}, status_code=status)


def _too_many() -> _Answer:
    return _error("50011")


def _caller(request: Request) -> str:
    return request.client.host if request.client else ""


async def _faults(state: SimState, status: int | None, malformed: bool, hang: bool) -> None:
    if hang:
        # Polling rather than one long sleep, so a server shutting down can release the request
        # with an answer instead of a cancelled task (and a traceback on stderr).
        deadline = state.monotonic() + state.hang_s
        while not state.stopping and state.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if state.stopping:  # the server is going away: a gateway's timeout, not OKX's answer
            raise _Answer(_body(504, "50004", OKX_ERRORS["50004"][1]))
        raise _error("50004")  # OKX: HTTP 400, "neither success nor failure"
    if status:
        raise _error(STATUS_CODES.get(status, "50026"), status)
    if malformed:
        raise _Answer(Response(MALFORMED_BODY, media_type="application/json"))


def _knob(request: Request, answer: Answer | None) -> int | None:
    """Raise the knob's answer; for code "0" return the HTTP status the usual answer gets."""
    if answer is None:
        return None
    if answer.code == "0":
        return answer.status or 200
    if answer.msg is not None:
        raise _Answer(_body(answer.status or OKX_ERRORS.get(answer.code, (200, ""))[0],
                            answer.code, answer.msg))
    raise _error(answer.code, answer.status, ip=_caller(request),
                 key=request.headers.get("OK-ACCESS-KEY", ""), param="instType")


def _global_answer(state: SimState, endpoint: str) -> Answer | None:
    return state.answers.get(endpoint, state.answers.get(ANY_ENDPOINT))


def _route(request: Request) -> tuple[str, str, str]:
    """(site, path as OKX signs it, endpoint). The /{site} prefix is ours, not OKX's: not signed."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    match = _PATH.fullmatch(raw.decode("latin-1"))
    if not match or match.group(3) not in LIMITS:
        # the simulator's own (OKX's 404 is a web page); no `data`, as before
        raise _Answer(JSONResponse({"msg": "Not Found", "code": "404"}, status_code=404))
    if request.method not in ("GET", "HEAD"):
        raise _error("50115")
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


def _authenticate(request: Request, state: SimState, site: str, path: str, body: str,
                  endpoint: str) -> tuple[Account, int | None]:
    """Steps 3-9 of the module docstring, with the key's answer knob between 4 and 5. Returns the
    account and the HTTP status its usual answer gets (a knob's code "0"), if not 200."""
    headers = request.headers
    for name, code in _HEADERS:
        if not headers.get(name):
            raise _error(code)
    ts = headers["OK-ACCESS-TIMESTAMP"]
    ts_ms = _parse_ts(ts)
    if ts_ms is None:
        raise _error("50112")
    if abs(ts_ms - state.now_ms()) > CLOCK_WINDOW_MS:
        raise _error("50102")
    key = headers["OK-ACCESS-KEY"]
    knob = next((answer for a in state.accounts
                 if a.api_key == key and (answer := a.answer(endpoint)) is not None), None)
    status = _knob(request, knob)
    if not _UUID.fullmatch(key):
        raise _error("50111")
    on_site = [a for a in state.accounts if a.api_key == key and a.site == site]
    if not on_site:  # a key from another site is as unknown here as a made-up one
        raise _error("50119")
    demo = headers.get("x-simulated-trading") == "1"
    account = next((a for a in on_site if a.demo == demo), None)
    if account is None:
        raise _error("50101")
    if account.frozen:
        raise _error("50100")
    client = _caller(request)
    if account.ip and not _ip_allowed(client, account.ip):
        raise _error("50110", ip=client, key=key)
    if not _same(headers["OK-ACCESS-PASSPHRASE"], account.passphrase):
        raise _error("50105")
    expected = sign(account.secret_key, ts, request.method, path, body)
    if not _same(headers["OK-ACCESS-SIGN"], expected):
        raise _error("50113")
    return account, status


def _answer(request: Request, state: SimState, account: Account, endpoint: str,
            status: int) -> Response:
    if "read_only" not in account.perm:
        raise _error("50120")
    params = request.query_params
    ccys = [c for c in params.get("ccy", "").split(",") if c] or None
    if endpoint == "account/config":
        return _ok([account.config()], status)
    if endpoint == "account/balance":
        return _ok([account.balance(state.now_ms(), ccys)], status)
    if endpoint == "asset/balances":
        return _ok(account.funding_balances(ccys), status)
    inst_type = params.get("instType", "")
    if not inst_type:
        raise _error("50014", param="instType")
    if endpoint == "account/instruments":
        return _ok(account.instruments(inst_type), status)
    return _ok([account.trade_fee(inst_type, state.now_ms())], status)


async def _serve(request: Request, state: SimState) -> Response:
    if state.latency_ms > 0:
        await asyncio.sleep(state.latency_ms / 1000)
    await _faults(state, state.fail_status, state.malformed, state.hang)
    site, path, endpoint = _route(request)
    status = _knob(request, _global_answer(state, endpoint))
    if endpoint in PUBLIC:
        if not state.allow(f"ip:{_caller(request)}:{endpoint}", *LIMITS[endpoint]):
            raise _too_many()
        return _ok([{"ts": str(state.now_ms())}], status or 200)
    body = (await request.body()).decode("utf-8", "replace")
    account, own = _authenticate(request, state, site, path, body, endpoint)
    key = f"{account.site}:{account.api_key}:{int(account.demo)}"
    state.signed[key] += 1
    if state.signed[key] <= account.faults.rate_limited_first:
        raise _too_many()
    faults = account.faults
    await _faults(state, faults.status, faults.malformed, faults.hang)
    # OKX limits private endpoints per user ID (sub-accounts have their own).
    if not state.allow(f"uid:{account.uid}:{int(account.demo)}:{endpoint}", *LIMITS[endpoint]):
        raise _too_many()
    return _answer(request, state, account, endpoint, own or status or 200)


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
