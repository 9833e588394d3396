"""Async OKX V5 client: the envelope, OKX codes mapped to typed errors (by core/codes.py), a clock
corrected by server time, and retries for GETs only.

One `httpx.AsyncClient` is shared by every OkxClient of a command (keep-alive, one pool);
an OkxClient is one key on one site in one environment.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from okxlink import errors
from okxlink.core import sites
from okxlink.core.codes import error_for as error_for  # OKX codes → typed errors; re-exported
from okxlink.core.credentials import Credentials
from okxlink.core.models import AccountConfig, Envelope, FundingBalance, ServerTime, TradingBalance
from okxlink.core.signing import OkxAuth
from okxlink.core.transfer import exchange, failure, loads
from okxlink.core.urls import host_of


class _Answer(Protocol):  # an answer model of core/models.py
    @classmethod
    def parse(cls, value: Any) -> Self: ...


M = TypeVar("M", bound=_Answer)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEADLINE_S = 15.0          # a whole exchange, however slowly the body drips in
MAX_BODY = 1_000_000       # OKX's answers here are a few kB; more is not OKX
RETRY_DELAYS = (0.25, 0.75)  # two more tries: enough for a one-off 429 or blip, short enough to wait for
MAX_OFFSET_MS = 86_400_000  # a clock a day off is a broken server (or cache), not a clock to correct for


def plausible_offset(offset_ms: int) -> bool:
    """An offset to OKX's time worth believing: a server (or a clock.json) claiming the year 9999
    would otherwise be signed with, and every later timestamp overflow."""
    return abs(offset_ms) <= MAX_OFFSET_MS


class Clock:
    """Local time corrected by the offset to OKX's server time. `generation` counts corrections,
    so a request can tell whether it was signed before or after the latest one. One Clock is
    shared by every client of a site, and so is its one measurement in flight (`sync`): fifty
    keys ask for the server time once, not fifty times (OKX allows 10 per 2 s per IP)."""

    def __init__(self, now: Callable[[], float] = time.time, offset_ms: int = 0) -> None:
        self._now = now
        self.offset_ms = offset_ms if plausible_offset(offset_ms) else 0
        self.generation = 0
        self.sync: asyncio.Task[None] | None = None

    def now_ms(self) -> int:
        return int(self._now() * 1000) + self.offset_ms

    def local_ms(self) -> int:
        return int(self._now() * 1000)

    def correct(self, offset_ms: int) -> None:
        self.offset_ms = offset_ms
        self.generation += 1


class OkxClient:
    def __init__(self, http: httpx.AsyncClient, creds: Credentials | None, site: str = "global",
                 demo: bool = False, *, base_url: str | None = None, clock: Clock | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._http = http
        self.site = site
        self.demo = demo
        self.base = (base_url or sites.rest_base(site)).rstrip("/")
        self.clock = clock or Clock()
        self._sleep = sleep
        self._auth = None
        if creds is not None:
            self._auth = OkxAuth(creds.api_key, creds.secret_key.get_secret_value,
                                 creds.passphrase.get_secret_value, self.clock.now_ms,
                                 prefix=urlsplit(self.base).path)

    def __repr__(self) -> str:
        return f"OkxClient(site={self.site!r}, demo={self.demo}, base={self.base!r})"

    # -- endpoints -------------------------------------------------------------------------
    async def server_time_ms(self) -> int:
        rows = await self.get("/api/v5/public/time", signed=False)
        return _one(rows, ServerTime).ts

    async def account_config(self) -> AccountConfig:
        return _one(await self.get("/api/v5/account/config"), AccountConfig)

    async def trading_balance(self) -> TradingBalance:
        rows = await self.get("/api/v5/account/balance")
        return _one(rows, TradingBalance) if rows else TradingBalance()

    async def funding_balances(self) -> list[FundingBalance]:
        return [_parse(FundingBalance, row) for row in await self.get("/api/v5/asset/balances")]

    # -- clock -----------------------------------------------------------------------------
    async def sync_clock(self, after: int | None = None) -> None:
        """Measure the offset to server time once; concurrent callers share one request.
        `after`: the clock generation a failed request was signed with — only a newer one helps."""
        clock = self.clock
        if after is not None and clock.generation > after:
            return
        if clock.sync is None or (clock.sync.done() and after is not None):
            clock.sync = asyncio.ensure_future(self._measure_offset())
        await asyncio.shield(clock.sync)

    async def _measure_offset(self) -> None:
        sent = self.clock.local_ms()
        server = await self.server_time_ms()
        received = self.clock.local_ms()
        offset = server - (sent + received) // 2
        if not plausible_offset(offset):
            raise errors.Unavailable("0", "implausible server time", 200)
        self.clock.correct(offset)

    # -- transport -------------------------------------------------------------------------
    async def get(self, path: str, params: dict[str, str] | None = None,
                  signed: bool = True) -> list[Any]:
        """GET with retries on rate limits, OKX busy and connection failures, and one re-signed
        try on 50102 (clock). Returns `data`."""
        delays = iter(RETRY_DELAYS)
        resigned = False
        while True:
            generation = self.clock.generation
            try:
                return await self._send(path, params, signed)
            except errors.AuthError as exc:
                if exc.code != "50102" or resigned or not signed:
                    raise
                resigned = True
                await self.sync_clock(after=generation)
            except (errors.RateLimited, errors.Unavailable, errors.NetworkError) as exc:
                delay = next(delays, None)
                if delay is None or getattr(exc, "timed_out", False):  # a hang is not retried
                    raise
                await self._sleep(delay)

    async def _send(self, path: str, params: dict[str, str] | None, signed: bool) -> list[Any]:
        headers = dict(sites.DEMO_HEADER) if self.demo else {}
        try:
            status, body = await exchange(self._http, "GET", self.base + path, deadline_s=DEADLINE_S,
                                          max_body=MAX_BODY, params=params, headers=headers,
                                          auth=self._auth if signed else None, timeout=TIMEOUT)
        except (httpx.TransportError, asyncio.TimeoutError) as exc:
            failed = failure(exc, host_of(self.base), timeout=TIMEOUT, deadline_s=DEADLINE_S)
            raise errors.NetworkError(failed.reason, timed_out=failed.timed_out) from None
        if body is None:  # too large, or compressed in a way okxlink does not read
            raise errors.Unavailable(str(status), "malformed answer", status)
        return _data(status, body)


def _data(status: int, body: bytes) -> list[Any]:
    try:
        envelope = Envelope.parse(loads(body))
    except ValueError:
        if status == 429:  # a rate limit's body may be plain text
            raise error_for("", "", 429) from None
        raise errors.Unavailable(str(status), "malformed answer", status) from None
    if envelope.code == "0" and status < 400:
        return envelope.data
    raise error_for(envelope.code, envelope.msg, status)


def _parse(model: type[M], row: Any) -> M:
    try:
        return model.parse(row)
    except ValueError:
        raise errors.Unavailable("0", f"unexpected {model.__name__}", 200) from None


def _one(rows: list[Any], model: type[M]) -> M:
    if not rows:
        raise errors.Unavailable("0", f"empty {model.__name__}", 200)
    return _parse(model, rows[0])
