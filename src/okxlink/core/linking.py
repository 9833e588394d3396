"""Client of a platform's linking service (docs/linking.md): create, read and delete links.

The service receives key, secret and passphrase, verifies the key from its own servers, and
answers with the Spot state the platform shows: `ready` or `attention` with reasons.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from okxlink import errors
from okxlink.core.credentials import Credentials
from okxlink.core.transfer import exchange
from okxlink.errors import LinkError
from okxlink.i18n import _

TIMEOUT = httpx.Timeout(30.0, connect=5.0)  # the service verifies with OKX before it answers
DEADLINE_S = 30.0       # a whole exchange, however slowly the answer drips in
MAX_BODY = 1_000_000    # a link or an error is a few hundred bytes
RETRY_DELAYS = (0.5, 1.5)


class Reason(BaseModel):
    model_config = ConfigDict(extra="ignore")
    check: str = ""
    status: str = ""
    message: str = ""


class Spot(BaseModel):
    model_config = ConfigDict(extra="ignore")
    state: str = "attention"
    reasons: list[Reason] = []


class Link(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    site: str = ""
    demo: bool = False
    api_key: str = ""
    verified_at: str | None = None
    spot: Spot = Spot()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_service_url(url: str) -> str:
    """HTTPS only; plain HTTP only to this machine, where nothing crosses a network."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return url.rstrip("/")
    raise errors.UsageError(_("The linking service must be an https:// address (plain http only to "
                              "this machine): {url}").format(url=url),
                            _("Use the https:// address your platform gives."))


class LinkClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, token: SecretStr,
                 sleep: Any = asyncio.sleep) -> None:
        self._http = http
        self.base = check_service_url(base_url)
        self._token = token
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"LinkClient(base={self.base!r})"

    async def create(self, creds: Credentials, *, site: str, demo: bool, label: str | None,
                     idempotency_key: str) -> Link:
        body = {"exchange": "okx", "site": site, "demo": demo, "label": label or "",
                "api_key": creds.api_key, "secret_key": creds.secret_key.get_secret_value(),
                "passphrase": creds.passphrase.get_secret_value()}
        data = await self._request("POST", "/v1/links", json=body,
                                   headers={"Idempotency-Key": idempotency_key})
        return _link(data)

    async def get(self, link_id: str, refresh: bool = False) -> Link:
        params = {"refresh": "true"} if refresh else None
        return _link(await self._request("GET", f"/v1/links/{link_id}", params=params))

    async def delete(self, link_id: str) -> None:
        await self._request("DELETE", f"/v1/links/{link_id}")

    async def _request(self, method: str, path: str, **kw: Any) -> Any:
        """Retries only what cannot have done harm twice: a refused connection, or any failure of a
        POST that carries an Idempotency-Key (the service replays its first answer). A timeout is
        not retried, and one deadline bounds each exchange however slowly its answer drips in."""
        delays = iter(RETRY_DELAYS)
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}", **kw.pop("headers", {})}
        host = urlsplit(self.base).netloc
        while True:
            try:
                status, body = await exchange(self._http, method, self.base + path, deadline_s=DEADLINE_S,
                                              max_body=MAX_BODY, headers=headers, timeout=TIMEOUT, **kw)
            except (httpx.TransportError, asyncio.TimeoutError) as exc:
                timed_out = isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError))
                delay = None if timed_out else next(delays, None)
                if delay is None:
                    raise LinkError(_("The linking service at {host} did not answer ({detail}).").format(
                        host=host, detail=type(exc).__name__),
                        _("Check the address and your connection, then try again."), "unreachable") from None
                await self._sleep(delay)
                continue
            if status >= 500 and (delay := next(delays, None)) is not None:
                await self._sleep(delay)
                continue
            return _answer(status, body or b"", host)  # past MAX_BODY: not an answer of the protocol's


def _answer(status: int, body: bytes, host: str) -> Any:
    if status == 204:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if 200 <= status < 300 and data is not None:
        return data
    error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
    code = str(error.get("code", ""))
    if status == 401:
        raise LinkError(_("The linking service at {host} refused the token.").format(host=host),
                        _("Copy the token again from your platform and set OKXLINK_LINK_TOKEN, or "
                          "pass it with --token-stdin."), code or "unauthorized", 401)
    if status == 404:
        raise LinkError(_("The linking service has no such link."), None, "not_found", 404)
    if status == 409:
        raise LinkError(_("The linking service refused: {message}").format(message=error.get("message", code)),
                        None, code, 409, existing_id=error.get("id"))
    if status == 422:
        raise LinkError(_("The linking service found the request invalid: {message}").format(
            message=error.get("message", "")), _("This is a bug in okxlink; please report it."),
            code or "invalid", 422)
    raise LinkError(_("The linking service at {host} failed (HTTP {status}).").format(
        host=host, status=status), _("Try again in a few minutes."), code, status)


def _link(data: Any) -> Link:
    try:
        return Link.model_validate(data)
    except ValidationError:
        raise LinkError(_("The linking service sent an answer okxlink cannot read."),
                        _("Check that the address is your platform's linking service.")) from None
