"""OKX V5 request signing: a pure function and an httpx.Auth that applies it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Generator
from datetime import datetime, timezone

import httpx


def timestamp(epoch_ms: int) -> str:
    """OKX's timestamp form: UTC ISO 8601 with milliseconds and a `Z`."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def prehash(ts: str, method: str, request_path: str, body: str = "") -> str:
    return ts + method.upper() + request_path + body


def sign(secret: str, ts: str, method: str, request_path: str, body: str = "") -> str:
    """base64(HMAC-SHA256(secret as UTF-8 text, timestamp + METHOD + path?query + body))."""
    message = prehash(ts, method, request_path, body).encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def request_path(url: httpx.URL, prefix: str = "") -> str:
    """The path OKX signs: everything after the host (and after a base-URL prefix), query included."""
    raw = url.raw_path.decode("ascii")
    if prefix and raw.startswith(prefix):
        raw = raw[len(prefix):]
    return raw


class OkxAuth(httpx.Auth):
    """Adds the OK-ACCESS-* headers. `now_ms` is the corrected clock, so a re-sign after 50102 uses
    the fresh offset. `prefix` is a path the base URL adds in front of /api/v5 (a proxy or the
    simulator's per-site route); OKX never sees it, so it is not signed."""

    def __init__(self, api_key: str, secret: Callable[[], str], passphrase: Callable[[], str],
                 now_ms: Callable[[], int], prefix: str = "") -> None:
        self._key = api_key
        self._secret = secret
        self._passphrase = passphrase
        self._now_ms = now_ms
        self._prefix = prefix

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        ts = timestamp(self._now_ms())
        body = request.content.decode() if request.content else ""
        path = request_path(request.url, self._prefix)
        request.headers["OK-ACCESS-KEY"] = self._key
        request.headers["OK-ACCESS-SIGN"] = sign(self._secret(), ts, request.method, path, body)
        request.headers["OK-ACCESS-TIMESTAMP"] = ts
        request.headers["OK-ACCESS-PASSPHRASE"] = self._passphrase()
        yield request

    def __repr__(self) -> str:
        return "OkxAuth(<hidden>)"
