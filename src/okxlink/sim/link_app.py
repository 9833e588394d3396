"""The reference linking service (docs/linking.md) as a Starlette app: what a copy-trading platform
runs to receive a key from `okxlink link`, verify it from its own servers, and answer spot ready or
attention.

Verification is okxlink's own `verify()` over an httpx client whose sockets are bound to one of
the platform's address (`source_ips`: 127.0.0.2 on loopback). That is how a key whose IP whitelist
holds only 127.0.0.2 verifies here while the user's machine (127.0.0.1) gets 50110, and how a key
bound only to the user's own machine needs attention here, as it would on a real platform. Like a
platform with several egress addresses, the service tries the next address only when OKX answers
50110 ("your IP is not whitelisted"); any other answer is the verdict.

Rules kept everywhere below: secrets are never logged, echoed or stored in clear (link_store
encrypts them); every error is {"error": {"code", "message"}}; a 500 never carries a traceback.
Database calls run in a worker thread: a commit fsyncs, and this loop also serves the simulator.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from okxlink.core.credentials import Credentials, mask
from okxlink.core.sites import SITES
from okxlink.core.verify import verify
from okxlink.sim.link_openapi import document
from okxlink.sim.link_store import LinkStore, render

SOURCE_IPS = ("127.0.0.2",)
MAX_BODY = 64 * 1024
MAX_LABEL = 50
MAX_IDEMPOTENCY_KEY = 255
SECRET_FIELDS = ("api_key", "secret_key", "passphrase")
log = logging.getLogger("okxlink.link")


@dataclass
class LinkState:
    """`okx_base`: OKX-compatible base URL, maybe with `{site}` (the simulator's); None = real OKX.
    `source_ips`: the addresses verification is sent from, in order (empty: let the OS choose, as
    for real OKX). `okx_http(source_ip)`: factory of the client verification uses (tests inject
    an ASGI transport); by default an httpx client whose sockets are bound to that address."""

    store: LinkStore
    token: str
    okx_base: str | None = None
    source_ips: tuple[str, ...] = SOURCE_IPS
    okx_http: Callable[[str | None], httpx.AsyncClient] | None = None
    locks: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary, repr=False)

    @property
    def token_hash(self) -> str:
        return self.store.token_digest(self.token)

    def client(self, source_ip: str | None) -> httpx.AsyncClient:
        if self.okx_http is not None:
            return self.okx_http(source_ip)
        return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=source_ip))


class _Fail(Exception):
    """An answer decided by a check: carries the error response."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        self.response = JSONResponse({"error": {"code": code, "message": message, **extra}},
                                     status_code=status, headers=headers)


def _invalid(fields: list[str], message: str = "Some fields are missing or malformed.") -> _Fail:
    return _Fail(422, "invalid", message, fields=fields)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _db(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


def _authorize(request: Request, state: LinkState) -> None:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # compare_digest: the time taken must not tell how much of a guessed token was right. Starlette
    # decodes headers as latin-1: encoding back gives the bytes sent, a UTF-8 token's included.
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("latin-1"),
                                                             state.token.encode()):
        raise _Fail(401, "unauthorized", "A valid bearer token is required.",
                    headers={"WWW-Authenticate": "Bearer"})


def _endpoint(fn: Callable[[Request, LinkState], Awaitable[Response]]
              ) -> Callable[[Request], Awaitable[Response]]:
    """Token first, then the handler; _Fail becomes its response, anything else a bare 500."""
    async def handler(request: Request) -> Response:
        state: LinkState = request.app.state.link
        try:
            _authorize(request, state)
            return await fn(request, state)
        except _Fail as fail:
            return fail.response
        except Exception as exc:  # noqa: BLE001 - the one place that turns surprises into a 500
            # Only the type: an exception's text could quote a secret it was handed.
            log.error("link service: %s in %s %s", type(exc).__name__, request.method,
                      request.url.path)
            return _Fail(500, "internal", "The link service failed; try again later.").response
    return handler


# ---- POST /v1/links -------------------------------------------------------------------------------
async def _body(request: Request) -> Any:
    raw = b""
    async for chunk in request.stream():  # stop reading at the cap rather than after the flood
        raw += chunk
        if len(raw) > MAX_BODY:
            raise _invalid(["body"], "The body is larger than 64 KiB.")
    try:
        return json.loads(raw)
    except ValueError:  # not UTF-8 or not JSON
        raise _invalid(["body"], "The body is not JSON.") from None


def _validate(body: Any) -> tuple[dict[str, Any], Credentials]:
    """The link's public fields and the cleaned credentials, or 422 naming every bad field."""
    if not isinstance(body, dict):
        raise _invalid(["body"], "The body must be a JSON object.")
    bad = []
    if body.get("exchange") != "okx":
        bad.append("exchange")
    if not isinstance(body.get("site"), str) or body["site"] not in SITES:
        bad.append("site")
    if not isinstance(body.get("demo"), bool):
        bad.append("demo")
    label = body.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL):
        bad.append("label")
    values = {f: body.get(f) for f in SECRET_FIELDS}
    bad += [f for f, v in values.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise _invalid(bad)
    creds = Credentials(**cast("dict[str, str]", values))  # drops what a copy-paste drags along, as okxlink does
    if not creds.api_key or not creds.secret_key.get_secret_value():
        raise _invalid([f for f in ("api_key", "secret_key") if not getattr(creds, f)])
    return {"exchange": "okx", "site": body["site"], "demo": body["demo"], "label": label}, creds


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not 0 < len(key.strip()) <= MAX_IDEMPOTENCY_KEY:
        raise _invalid(["Idempotency-Key"], "Idempotency-Key must be 1 to 255 characters.")
    return key.strip() if key is not None else None


def _replay(found: tuple[str, int, str], body_hash: str) -> Response:
    stored_hash, status, response = found
    if not hmac.compare_digest(stored_hash, body_hash):
        raise _Fail(409, "idempotency_conflict",
                    "This Idempotency-Key was already used with a different body.")
    return Response(response, status_code=status, media_type="application/json")


def _already(link_id: str) -> _Fail:
    return _Fail(409, "already_linked", "This API key is already linked.", id=link_id)


async def _spot(state: LinkState, creds: Credentials, site: str, demo: bool) -> tuple[str, dict[str, Any]]:
    """(verified_at, spot) from okxlink's own verification, made from the service's addresses."""
    for source_ip in state.source_ips or (None,):
        async with state.client(source_ip) as http:
            report = await verify(creds, site=site, demo=demo, http=http, base=state.okx_base)
        if report.okx_code != "50110":  # only "not from this address" is worth another address
            break
    reasons = [{"check": c.id, "status": c.status, "message": c.message}
               for c in report.checks if c.status not in ("pass", "skip")]
    return _now(), {"state": "ready" if report.ready is True else "attention", "reasons": reasons}


@_endpoint
async def create_link(request: Request, state: LinkState) -> Response:
    body = await _body(request)
    public, creds = _validate(body)
    idem_key = _idempotency_key(request)
    store, th = state.store, state.token_hash
    # The body holds secrets: only its keyed hash is kept, to tell a retry from a different request.
    body_hash = store.digest(json.dumps(body, sort_keys=True, separators=(",", ":")))
    idem = (idem_key, body_hash) if idem_key is not None else None
    # One request per API key at a time, so a retry racing the original waits and replays
    # instead of verifying twice; store.create re-checks atomically for everything else.
    lock = state.locks.setdefault(store.digest(creds.api_key), asyncio.Lock())
    async with lock:
        if idem_key is not None and (found := await _db(store.idempotent, th, idem_key)):
            return _replay(found, body_hash)
        if existing := await _db(store.linked, th, creds.api_key):
            raise _already(existing)
        created = _now()
        verified_at, spot = await _spot(state, creds, public["site"], public["demo"])
        link = {"id": "lnk_" + secrets.token_hex(10), **public, "api_key": mask(creds.api_key),
                "created": created, "verified_at": verified_at, "spot": spot}
        outcome, value = await _db(store.create, th, link, creds, idem)
    if outcome == "replay":
        return _replay(value, body_hash)
    if outcome == "linked":
        raise _already(value)
    return Response(render(link), status_code=201, media_type="application/json")


# ---- the other endpoints --------------------------------------------------------------------------
@_endpoint
async def list_links(request: Request, state: LinkState) -> Response:
    return JSONResponse({"links": await _db(state.store.links, state.token_hash)})


def _not_found() -> _Fail:
    return _Fail(404, "not_found", "There is no link with that id.")


@_endpoint
async def get_link(request: Request, state: LinkState) -> Response:
    link_id, th = request.path_params["id"], state.token_hash
    refresh = request.query_params.get("refresh", "false").lower()
    if refresh not in ("true", "false", "1", "0"):
        raise _invalid(["refresh"], "refresh must be true or false.")
    if refresh in ("true", "1"):
        link = await _db(state.store.get, th, link_id)
        creds = await _db(state.store.credentials, th, link_id)
        if link is None or creds is None:
            raise _not_found()
        verified_at, spot = await _spot(state, creds, link["site"], link["demo"])
        link = await _db(state.store.update_spot, th, link_id, verified_at, spot)
    else:
        link = await _db(state.store.get, th, link_id)
    if link is None:  # also: deleted while it was being verified
        raise _not_found()
    return JSONResponse(link)


@_endpoint
async def delete_link(request: Request, state: LinkState) -> Response:
    if not await _db(state.store.delete, state.token_hash, request.path_params["id"]):
        raise _not_found()
    return Response(status_code=204)


async def _links(request: Request) -> Response:
    return await (create_link if request.method == "POST" else list_links)(request)


async def _link(request: Request) -> Response:
    return await (delete_link if request.method == "DELETE" else get_link)(request)


async def _openapi(request: Request) -> Response:
    return JSONResponse(document(str(request.base_url).rstrip("/")))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown path or method: the protocol's error shape rather than Starlette's plain text."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "internal")
    message = {404: "There is no such endpoint.", 405: "That method is not allowed here."}.get(
        status, "The link service failed; try again later.")
    return _Fail(status, code, message).response


def create_link_app(state: LinkState) -> Starlette:
    app = Starlette(routes=[
        Route("/v1/links", _links, methods=["GET", "POST"]),
        Route("/v1/links/{id}", _link, methods=["GET", "DELETE"]),
        Route("/openapi.json", _openapi, methods=["GET"]),
    ], exception_handlers={HTTPException: _http_error})
    app.state.link = state
    return app
