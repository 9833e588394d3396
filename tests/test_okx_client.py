"""The OKX client against the simulator in-process (httpx.ASGITransport): fast, no sockets."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib

import httpx
import pytest

from okxlink import errors
from okxlink.core.credentials import Credentials
from okxlink.core.okx import MAX_BODY, Clock, OkxClient, error_for
from okxlink.core.transfer import MAX_DEPTH, exchange, loads
from okxlink.core.verify import verify
from okxlink.sim.accounts import default_accounts
from okxlink.sim.okx_app import SimState, create_app

BASE = "http://sim/{site}"


def creds_of(account: dict) -> Credentials:
    return Credentials(api_key=account["api_key"], secret_key=account["secret_key"],
                       passphrase=account["passphrase"])


class Harness:
    def __init__(self, **state):
        self.accounts = default_accounts()
        self.state = SimState(accounts=self.accounts, **state)
        self.sleeps: list[float] = []
        self.requests: list[str] = []

    def handed(self, name: str) -> dict:
        return next(a.handed() for a in self.accounts if a.name == name)

    def http(self) -> httpx.AsyncClient:
        async def log(request: httpx.Request) -> None:
            self.requests.append(request.url.path)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(self.state)),
                                 event_hooks={"request": [log]})

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, http, name: str, **kw) -> OkxClient:
        account = self.handed(name)
        return OkxClient(http, creds_of(account), account["site"], account["demo"],
                         base_url=BASE.replace("{site}", account["site"]), sleep=self._sleep, **kw)


def run(coro):
    return asyncio.run(coro)


def test_ready_account_config_and_balances():
    h = Harness()

    async def go():
        async with h.http() as http:
            c = h.client(http, "ready")
            return await c.account_config(), await c.trading_balance(), await c.funding_balances()
    config, trading, funding = run(go())
    assert config.perm == ["read_only", "trade"] and config.ip == ["127.0.0.1", "127.0.0.2"]
    assert trading.details[0].ccy == "USDT" and funding == []


@pytest.mark.parametrize("name, code, kind", [
    ("wrong-secret", "50113", errors.AuthError), ("wrong-passphrase", "50105", errors.AuthError),
    ("frozen", "50100", errors.AuthError), ("demo-as-live", "50101", errors.AuthError),
    ("ip-not-whitelisted", "50110", errors.AuthError), ("other-site", "50119", errors.AuthError)])
def test_refusals_are_typed(name, code, kind):
    h = Harness()

    async def go():
        async with h.http() as http:
            await h.client(http, name).account_config()
    with pytest.raises(kind) as info:
        run(go())
    assert info.value.code == code
    account = h.handed(name)
    assert account["secret_key"] not in str(info.value) and account["passphrase"] not in str(info.value)


def test_clock_offset_resigns_once():
    h = Harness(clock_offset_ms=90_000)

    async def go():
        async with h.http() as http:
            c = h.client(http, "ready")
            config = await c.account_config()
            return c, config
    client, config = run(go())
    assert config.uid
    assert 89_000 < client.clock.offset_ms < 91_000
    assert h.requests.count("/global/api/v5/account/config") == 2  # refused once, re-signed once
    assert h.requests.count("/global/api/v5/public/time") == 1


def test_rate_limit_is_retried_with_backoff():
    h = Harness()

    async def go():
        async with h.http() as http:
            return await h.client(http, "rate-limited-once").account_config()
    assert run(go()).uid
    assert h.sleeps == [0.25]


def test_unavailable_gives_up_after_retries():
    h = Harness()

    async def go():
        async with h.http() as http:
            await h.client(http, "unavailable").account_config()
    with pytest.raises(errors.Unavailable) as info:
        run(go())
    assert info.value.code == "50001" and h.sleeps == [0.25, 0.75]


def test_malformed_body_is_unavailable():
    h = Harness(malformed=True)

    async def go():
        async with h.http() as http:
            await h.client(http, "ready").account_config()
    with pytest.raises(errors.Unavailable):
        run(go())


def test_verify_in_one_round_of_requests():
    h = Harness()

    async def go():
        async with h.http() as http:
            account = h.handed("ready")
            return await verify(creds_of(account), site="global", http=http, clock=Clock(), base=BASE)
    report = run(go())
    assert report.ready is True
    # time, config, balance, funding: each exactly once
    assert sorted(h.requests) == sorted(["/global/api/v5/public/time", "/global/api/v5/account/config",
                                         "/global/api/v5/account/balance", "/global/api/v5/asset/balances"])


@pytest.mark.parametrize("code, status, kind", [
    ("50011", 429, errors.RateLimited), ("50001", 503, errors.Unavailable), ("", 502, errors.Unavailable),
    ("50120", 200, errors.PermissionDenied), ("50113", 401, errors.AuthError), ("51000", 200, errors.OkxError),
    # HTTP 5xx is OKX failing, whatever code the body carries: no verdict, retried like a busy answer
    ("50113", 502, errors.Unavailable), ("50011", 503, errors.Unavailable), ("50119", 500, errors.Unavailable),
    ("50004", 400, errors.Unavailable)])
def test_error_for(code, status, kind):
    assert type(error_for(code, "x", status)) is kind


def test_client_repr_hides_credentials():
    h = Harness()
    account = h.handed("ready")

    async def go():
        async with h.http() as http:
            return repr(h.client(http, "ready"))
    text = run(go())
    assert account["secret_key"] not in text and account["passphrase"] not in text


def test_a_cached_offset_signs_right_the_first_time():
    h = Harness(clock_offset_ms=90_000)

    async def go():
        async with h.http() as http:
            return await h.client(http, "ready", clock=Clock(offset_ms=90_000)).account_config()
    assert run(go()).uid
    assert h.requests == ["/global/api/v5/account/config"]  # no 50102, no re-sign, no time request


# --- hostile answers: the one bounded exchange ----------------------------------------------------

YEAR_9999_MS = 253402300799000
TIME = json.dumps({"code": "0", "msg": "", "data": [{"ts": "1700000000000"}]}).encode()


class Drip(httpx.AsyncByteStream):
    """An answer arriving in pieces of `size` bytes, as a network delivers it."""

    def __init__(self, body: bytes, size: int) -> None:
        self.body, self.size = body, size

    async def __aiter__(self):
        for i in range(0, len(self.body), self.size):
            yield self.body[i:i + self.size]


def answering(body: bytes, encoding: str | None = None, seen: list[httpx.Request] | None = None,
              size: int = 65536) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        headers = {"Content-Encoding": encoding} if encoding else {}
        return httpx.Response(200, headers=headers, stream=Drip(body, size))
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def server_time(http: httpx.AsyncClient) -> int:
    async def no_sleep(_s: float) -> None:
        pass

    async def go():
        async with http:
            return await OkxClient(http, None, base_url="http://okx", sleep=no_sleep).server_time_ms()
    return run(go())


def test_no_compression_is_asked_for():
    """A compressed answer is read in bounded pieces here, never by httpx (which inflates a whole
    network chunk at once, however large it grows); an HTTP server must honour `identity`."""
    seen: list[httpx.Request] = []
    assert server_time(answering(TIME, seen=seen)) == 1700000000000
    assert [r.headers["Accept-Encoding"] for r in seen] == ["identity"]


@pytest.mark.parametrize("encoding, body, size", [
    ("gzip", gzip.compress(TIME), 65536), ("gzip", gzip.compress(TIME), 1), ("x-gzip", gzip.compress(TIME), 7),
    ("deflate", zlib.compress(TIME), 65536), ("identity, GZIP", gzip.compress(TIME), 3), ("identity", TIME, 5)],
    ids=["gzip", "gzip-byte-by-byte", "x-gzip", "deflate", "identity-gzip", "identity"])
def test_a_server_that_compresses_anyway_is_read(encoding, body, size):
    """One gzip or deflate layer, however it is cut into pieces."""
    assert server_time(answering(body, encoding, size=size)) == 1700000000000


@pytest.mark.parametrize("encoding, body", [
    ("gzip, gzip", gzip.compress(gzip.compress(TIME))),      # stacked: no honest server does this
    ("gzip", gzip.compress(b" " * (2 * MAX_BODY))),          # inflates past the cap
    ("gzip", b"\x1f\x8b\x08\x00 not a gzip stream at all"),  # corrupt
    ("gzip", gzip.compress(TIME)[:-12]),                     # cut short
    ("gzip", gzip.compress(TIME) + b"more"),                 # something after the stream
    ("br", b"\x1b\x03\x00\xf8\xa5\x40\x12"),                    # an encoding okxlink does not read
    (None, b"[" * 100_000 + b"]" * 100_000)],                # nested deeper than a parser goes
    ids=["stacked", "bomb", "corrupt", "truncated", "trailing", "unknown", "nested"])
def test_an_answer_okxlink_does_not_read_is_unavailable(encoding, body):
    with pytest.raises(errors.Unavailable) as info:
        server_time(answering(body, encoding))
    assert info.value.msg == "malformed answer"


@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_the_cap_holds_exactly_on_the_inflated_answer(encoding):
    async def go(size: int) -> bytes | None:
        body = b"x" * size
        async with answering(gzip.compress(body) if encoding else body, encoding, size=100) as http:
            return (await exchange(http, "GET", "http://okx/", deadline_s=5, max_body=1000))[1]
    assert run(go(1000)) == b"x" * 1000
    assert run(go(1001)) is None


def test_a_server_time_in_the_year_9999_is_not_believed():
    """A clock a day or more off is a broken server: no correction, and OKX counts as unavailable."""
    body = json.dumps({"code": "0", "msg": "", "data": [{"ts": str(YEAR_9999_MS)}]}).encode()

    async def go():
        async with answering(body) as http:
            client = OkxClient(http, None, base_url="http://okx")
            with pytest.raises(errors.Unavailable):
                await client.sync_clock()
            return client.clock
    clock = run(go())
    assert clock.offset_ms == 0 and clock.generation == 0


@pytest.mark.parametrize("offset, kept", [(90_000, 90_000), (-86_400_000, -86_400_000),
                                          (86_400_001, 0), (YEAR_9999_MS, 0), (-10**30, 0)])
def test_a_clock_is_never_primed_with_an_implausible_offset(offset, kept):
    assert Clock(offset_ms=offset).offset_ms == kept


# --- how deep an answer may nest ----------------------------------------------------------------------

def nested(levels: int, inner: bytes = b"1") -> bytes:
    return b"[" * levels + inner + b"]" * levels


def test_an_answer_nests_at_most_max_depth_deep():
    assert loads(nested(MAX_DEPTH)) is not None
    with pytest.raises(ValueError, match="deeper"):
        loads(nested(MAX_DEPTH + 1))
    # brackets inside strings, escaped quotes among them, are text, not nesting
    text = b'"' + b'[{\\"' * 100 + b'"'
    assert loads(b'{"msg": ' + text + b"}") == {"msg": '[{"' * 100}


def test_the_same_answer_is_refused_wherever_it_is_parsed():
    """json's own limit moves with the call stack: 500 deep reads at the top and fails 700 frames
    down. okxlink refuses it in both places, with the same error."""
    body = nested(500)

    def down(frames: int) -> str:
        if frames:
            return down(frames - 1)
        try:
            loads(body)
        except ValueError as exc:
            return str(exc)
        return "read"

    assert down(0) == down(700) == f"JSON nested deeper than {MAX_DEPTH}"
