"""Client of a platform's linking service (docs/linking.md): create, read and delete links.

The service receives key, secret and passphrase, verifies the key from its own servers, and
answers with the Spot state the platform shows: `ready` or `attention` with reasons.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any, TypeGuard
from urllib.parse import quote

import httpx

from okxlink import errors
from okxlink.core.credentials import Credentials
from okxlink.core.models import items, obj, text
from okxlink.core.secret import SecretStr
from okxlink.core.transfer import exchange, failure, loads
from okxlink.core.urls import check_service_url, host_of
from okxlink.errors import LinkError
from okxlink.i18n import _

TIMEOUT = httpx.Timeout(30.0, connect=5.0)  # the service verifies with OKX before it answers
DEADLINE_S = 30.0       # a whole exchange, however slowly the answer drips in
MAX_BODY = 1_000_000    # a link or an error is a few hundred bytes
RETRY_DELAYS = (0.5, 1.5)
# A link id goes into every later request's path: only what cannot change the path (no "/", "..",
# "?", "%") and a bounded length. A service whose ids do not fit is not one okxlink can talk to.
LINK_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# A bearer token travels in a header: printable ASCII without spaces (anything else cannot be sent).
TOKEN = re.compile(r"[!-~]{1,4096}")
MAX_SHOWN = 200         # of a message the service wrote, shown to the user
MAX_LISTED = 10_000     # links of one token looked through (the body is bounded anyway)


# The service's answers, read by `parse` by the rules of OKX's (core/models.py).

@dataclass
class Reason:
    check: str = ""
    status: str = ""
    message: str = ""

    @classmethod
    def parse(cls, value: Any) -> Reason:
        row = obj(value)
        return cls(check=text(row, "check"), status=text(row, "status"), message=text(row, "message"))


@dataclass
class Spot:
    state: str = "attention"
    reasons: list[Reason] = field(default_factory=list)

    @classmethod
    def parse(cls, value: Any) -> Spot:
        row = obj(value)
        # The protocol has two states: a word it does not define is no "ready", and okxlink shows
        # and records only the two (status --json's `spot` is one of them, or null).
        return cls(state="ready" if text(row, "state") == "ready" else "attention",
                   reasons=[Reason.parse(r) for r in items(row, "reasons")])


@dataclass
class Link:
    id: str
    site: str = ""
    demo: bool = False
    api_key: str = ""
    verified_at: str | None = None
    spot: Spot = field(default_factory=Spot)

    @classmethod
    def parse(cls, value: Any) -> Link:
        row = obj(value)
        link_id, demo, spot = row.get("id"), row.get("demo", False), row.get("spot")
        if not valid_link_id(link_id):  # it goes into every later request's path
            raise ValueError("not a link id")
        if not isinstance(demo, bool):
            raise ValueError("demo is not true or false")
        return cls(id=link_id, site=text(row, "site"), demo=demo, api_key=text(row, "api_key"),
                   verified_at=text(row, "verified_at") or None,
                   spot=Spot() if spot is None else Spot.parse(spot))


def valid_link_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and LINK_ID.fullmatch(value) is not None


def check_token(token: SecretStr) -> None:
    if not TOKEN.fullmatch(token.get_secret_value()):
        raise errors.UsageError(_("The token for the linking service holds a space or a character outside "
                                  "ASCII, which no token has."),
                                _("Copy the token again from your platform."))


class LinkClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, token: SecretStr,
                 sleep: Any = asyncio.sleep) -> None:
        self._http = http
        self.base = check_service_url(base_url)
        check_token(token)
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
        return _link(await self._request("GET", _link_path(link_id), params=params))

    async def delete(self, link_id: str) -> None:
        await self._request("DELETE", _link_path(link_id))

    async def find(self, masked_key: str) -> Link | None:
        """The link of this key (matched by its masked form, all a service shows), if the service
        lists one. Sends only the token: finding out costs no secret."""
        data = await self._request("GET", "/v1/links")
        listed = data.get("links") if isinstance(data, dict) else None
        if not isinstance(listed, list):
            raise _unreadable()
        for item in listed[:MAX_LISTED]:
            if isinstance(item, dict) and item.get("api_key") == masked_key:
                return _link(item)
        return None

    async def _request(self, method: str, path: str, **kw: Any) -> Any:
        """Retries only what cannot have done harm twice: a refused connection, or any failure of a
        POST that carries an Idempotency-Key (the service replays its first answer). A timeout is
        not retried, and one deadline bounds each exchange however slowly its answer drips in."""
        delays = iter(RETRY_DELAYS)
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}", **kw.pop("headers", {})}
        host = host_of(self.base)
        while True:
            try:
                status, body = await exchange(self._http, method, self.base + path, deadline_s=DEADLINE_S,
                                              max_body=MAX_BODY, headers=headers, timeout=TIMEOUT, **kw)
            except (httpx.TransportError, asyncio.TimeoutError) as exc:
                failed = failure(exc, host, timeout=TIMEOUT, deadline_s=DEADLINE_S)
                if failed.certificate:  # not a passing fault: trying again cannot help
                    raise LinkError(_("The linking service at {host} failed the certificate check, and okxlink "
                                      "does not skip certificate checks.").format(host=host),
                                    _("Check the address, and this machine's date and time."),
                                    "certificate") from None
                delay = None if failed.timed_out else next(delays, None)
                if delay is None:
                    raise LinkError(_("Could not reach the linking service: {reason}.").format(reason=failed.reason),
                                    _("Check the address and your connection, then try again."),
                                    "unreachable") from None
                await self._sleep(delay)
                continue
            if status >= 500 and (delay := next(delays, None)) is not None:
                await self._sleep(delay)
                continue
            return _answer(status, body or b"", host)  # past MAX_BODY: not an answer of the protocol's


def _link_path(link_id: str) -> str:
    if not valid_link_id(link_id):  # the flows refuse a stored one first, with the profile's name
        raise ValueError("not a link id")
    return "/v1/links/" + quote(link_id, safe="")


def _shown(value: object) -> str:
    """A string the service wrote, fit to be shown: printable, one line, bounded; else ""."""
    if not isinstance(value, str):
        return ""
    text = "".join(c if c.isprintable() else " " for c in value[:MAX_SHOWN * 2])
    return " ".join(text.split())[:MAX_SHOWN]


def _answer(status: int, body: bytes, host: str) -> Any:
    """The answer's JSON, or a LinkError saying what went wrong. The body may be anything a hostile
    or broken service sends: only an {"error": {...}} object with string fields is read from it."""
    if status == 204:
        return None
    try:
        data = loads(body)
    except ValueError:
        data = None
    if 200 <= status < 300:
        if data is None:
            raise _unreadable()
        return data
    error = data.get("error") if isinstance(data, dict) else None
    error = error if isinstance(error, dict) else {}
    code, message = _shown(error.get("code"))[:64], _shown(error.get("message"))
    if status == 401:
        raise LinkError(_("The linking service at {host} refused the token.").format(host=host),
                        _("Copy the token again from your platform and set OKXLINK_LINK_TOKEN, or "
                          "pass it with --token-stdin."), code or "unauthorized", 401)
    if status == 404:
        raise LinkError(_("The linking service has no such link."), None, "not_found", 404)
    if status == 409 and code == "already_linked":
        existing = error.get("id")
        if not valid_link_id(existing):  # it names a link okxlink could not ask for
            raise _unreadable()
        raise LinkError(_("The linking service refused: {message}").format(message=message or code),
                        None, code, 409, existing_id=existing)
    if status == 409 and message:
        raise LinkError(_("The linking service refused: {message}").format(message=message), None, code, 409)
    if status == 422:
        said = (_("The linking service found the request invalid: {message}").format(message=message) if message
                else _("The linking service found the request invalid."))
        raise LinkError(said, _("If this is your platform's own service, okxlink sent something it did not "
                                "expect: please report it, with this message."), code or "invalid", 422)
    raise LinkError(_("The linking service at {host} failed (HTTP {status}).").format(
        host=host, status=status), _("Try again in a few minutes."), code, status)


def _link(data: Any) -> Link:
    try:
        return Link.parse(data)
    except ValueError:
        raise _unreadable() from None


def _unreadable() -> LinkError:
    return LinkError(_("The linking service sent an answer okxlink cannot read."),
                     _("Check that the address is your platform's linking service."))
