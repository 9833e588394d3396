"""The OKX client against the simulator in-process (httpx.ASGITransport): fast, no sockets."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from okxlink import errors
from okxlink.core.credentials import Credentials
from okxlink.core.okx import Clock, OkxClient, error_for
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
