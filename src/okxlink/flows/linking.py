"""A profile's link with a platform's linking service: create it exactly once, read it, withdraw it.

The state machine of a link record (storage.LinkRecord):

    (none) ──prepare──▶ pending ──service answers──▶ linked ──unlink──▶ (none)
                          │  ▲                          │
                          └──┘ crash or lost answer:     └─ the service forgot it (status) ──▶ (none)
                               resent exactly as first sent (same Idempotency-Key, same fields)

The pending request is written before anything is sent, so a retry after a crash or a dropped answer
can never link the key twice; a 409 `idempotency_conflict` means the profile's key changed since,
and the request is made anew.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from pydantic import SecretStr

from okxlink.core.credentials import Credentials
from okxlink.core.linking import Link, LinkClient, check_service_url
from okxlink.errors import LinkError, UsageError
from okxlink.flows import HttpFactory
from okxlink.settings import Settings
from okxlink.storage import LinkRecord, PendingLink, ProfileMeta, ProfileRepo, now_iso

T = TypeVar("T")


def service_url(explicit: str | None, settings: Settings, meta: ProfileMeta | None = None) -> str | None:
    """The service named on the command line, else the settings', else the one the profile is linked to."""
    url = explicit or settings.link_url or (meta.link.service if meta and meta.link else None)
    return check_service_url(url) if url else None


def known_token(settings: Settings, repo: ProfileRepo, url: str) -> SecretStr | None:
    """The token given in the settings (OKXLINK_LINK_TOKEN), else the one kept in the keyring for `url`."""
    token = (settings.link_token or "").strip() or (repo.secrets.get_token(url) or "").strip()
    return SecretStr(token) if token else None


def already_linked(meta: ProfileMeta, url: str) -> bool:
    return bool(meta.link and meta.link.service == url and meta.link.linked)


def link_profile(repo: ProfileRepo, profile: str, url: str, token: SecretStr, http: HttpFactory) -> Link:
    """Create the link (or find the existing one), record it, and keep the token for next time."""
    meta, creds = repo.load(profile)
    pending: PendingLink | None = None
    if meta.link and meta.link.service == url:
        if meta.link.linked:
            existing = fetch_link(url, token, meta.link.id, http)
            if existing is not None:
                remember(repo, profile, url, existing)
                return existing
        pending = meta.link.pending
    # Kept before sending, with the request's fields: a verify in between may have changed the label.
    request = pending or _new_request(meta)
    repo.update_meta(profile, lambda m: setattr(m, "link", LinkRecord(service=url, state="pending", pending=request)))
    try:
        link = _create_or_find(creds, request, url, token, http)
    except LinkError as exc:
        if exc.code != "idempotency_conflict":
            raise
        link = _create_or_find(creds, _new_request(meta), url, token, http)
    remember(repo, profile, url, link)
    repo.secrets.set_token(url, token.get_secret_value())
    return link


def _new_request(meta: ProfileMeta) -> PendingLink:
    return PendingLink(idempotency_key=f"okxlink-{uuid.uuid4()}", site=meta.site, demo=meta.demo,
                       label=meta.label or "")


def _create_or_find(creds: Credentials, request: PendingLink, url: str, token: SecretStr,
                    http: HttpFactory) -> Link:
    try:
        return _run(lambda c: c.create(creds, site=request.site, demo=request.demo, label=request.label or None,
                                       idempotency_key=request.idempotency_key), url, token, http)
    except LinkError as exc:
        existing_id = exc.existing_id  # not `exc` in the lambda: Python unbinds it after the block
        if exc.code != "already_linked" or not existing_id:
            raise
    return _run(lambda c: c.get(existing_id), url, token, http)


def remember(repo: ProfileRepo, profile: str, url: str, link: Link) -> None:
    record = LinkRecord(id=link.id, service=url, state="linked", spot=link.spot.state,
                        reasons=[r.check for r in link.spot.reasons], checked_at=_checked_at(link.verified_at))
    repo.update_meta(profile, lambda m: setattr(m, "link", record))


def _checked_at(claimed: str | None) -> str:
    """When the platform checked the key: its own word if that is a sane UTC time, else now."""
    try:
        when = datetime.fromisoformat((claimed or "")[:40].replace("Z", "+00:00"))
    except ValueError:
        return now_iso()
    if when.tzinfo is None or when > datetime.now(timezone.utc) + timedelta(minutes=5):
        return now_iso()
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def fetch_link(url: str, token: SecretStr, link_id: str, http: HttpFactory, refresh: bool = False) -> Link | None:
    """The link as the service has it now (`refresh`: after checking the key with OKX again);
    None when the service no longer knows it."""
    async def get(client: LinkClient) -> Link | None:
        try:
            return await client.get(link_id, refresh=refresh)
        except LinkError as exc:
            if exc.code == "not_found":
                return None
            raise
    return _run(get, url, token, http)


def unlink_profile(repo: ProfileRepo, profile: str, url: str, token: SecretStr, http: HttpFactory) -> str:
    """Withdraw the key from the service (already gone there counts as withdrawn), then forget the
    link. Returns the link id."""
    meta = repo.meta(profile)
    link_id = meta.link.id if meta.link else ""
    try:
        _run(lambda c: c.delete(link_id), url, token, http)
    except LinkError as exc:
        if exc.code != "not_found":
            raise
    repo.update_meta(profile, lambda m: setattr(m, "link", None))
    return link_id


def refresh_links(repo: ProfileRepo, metas: list[ProfileMeta], settings: Settings,
                  http: HttpFactory) -> dict[str, bool]:
    """Ask each linked profile's service to check its key again; returns profile → reachable."""
    reachable: dict[str, bool] = {}
    for meta in metas:
        if not (meta.link and meta.link.linked):
            continue
        url, link_id = meta.link.service, meta.link.id
        token = known_token(settings, repo, url)
        reachable[meta.name] = False  # until it answers; no token to ask with is as good as no answer
        if token is None:
            continue
        try:
            link = fetch_link(check_service_url(url), token, link_id, http, refresh=True)
        except (LinkError, UsageError):  # no answer, or an address it may not be sent to
            continue
        reachable[meta.name] = True
        if link is None:  # the platform forgot it: say so rather than pretend
            repo.update_meta(meta.name, lambda m: setattr(m, "link", None))
        else:
            remember(repo, meta.name, url, link)
    return reachable


def _run(call: Callable[[LinkClient], Awaitable[T]], url: str, token: SecretStr, http: HttpFactory) -> T:
    async def go() -> T:
        async with http() as client:
            return await call(LinkClient(client, url, token))
    return asyncio.run(go())
