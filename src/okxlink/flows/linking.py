"""A profile's link with a platform's linking service: create it exactly once, read it, withdraw it.

The state machine of a link record (storage.LinkRecord):

    (none) ──prepare──▶ pending ──service answers──▶ linked ──unlink──▶ (none)
                          │  ▲                          │
                          └──┘ crash or lost answer:     └─ the service forgot it (status) ──▶ (none)
                               resent exactly as first sent (same Idempotency-Key, same fields)

The pending request is written before anything is sent, so a retry after a crash or a dropped answer
can never link the key twice; a 409 `idempotency_conflict` means the profile's key changed since,
and the request is made anew.

Secrets go only where they should: a request carrying the key is sent only after the CLI's
`confirm` said yes (whatever the profile claims), and a token only to the service it belongs to —
OKXLINK_LINK_TOKEN to the service it was given with, any other service its own token from the keyring.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from pydantic import SecretStr

from okxlink.core.checks import CHECK_IDS
from okxlink.core.credentials import Credentials
from okxlink.core.linking import Link, LinkClient, valid_link_id
from okxlink.core.urls import check_service_url
from okxlink.errors import LinkError, UsageError
from okxlink.flows import HttpFactory, kept
from okxlink.i18n import _
from okxlink.settings import Settings
from okxlink.storage import LinkRecord, PendingLink, ProfileMeta, ProfileRepo, now_iso

T = TypeVar("T")
MAX_REASONS = 2 * len(CHECK_IDS)  # the platform names checks okxlink knows: room for each, and then some


def service_url(explicit: str | None, settings: Settings, meta: ProfileMeta | None = None) -> str | None:
    """The service named on the command line, else the settings', else the one the profile is linked to."""
    url = explicit or settings.link_url or (meta.link.service if meta and meta.link else None)
    return check_service_url(url) if url else None


def settings_token(settings: Settings, url: str, named: str | None = None) -> SecretStr | None:
    """OKXLINK_LINK_TOKEN, if `url` is the service it was given with: the one named for this run
    (`named`: --service, which defaults to OKXLINK_LINK_URL; else OKXLINK_LINK_URL). Never another's."""
    token = (settings.link_token or "").strip()
    owner = _normal(named or settings.link_url)
    return SecretStr(token) if token and owner is not None and owner == _normal(url) else None


def known_token(settings: Settings, repo: ProfileRepo, url: str, named: str | None = None) -> SecretStr | None:
    """The settings' token if it is `url`'s (see settings_token), else the one kept in the keyring for `url`."""
    stored = (repo.secrets.get_token(url) or "").strip()
    return settings_token(settings, url, named) or (SecretStr(stored) if stored else None)


def _normal(url: str | None) -> str | None:
    try:
        return check_service_url(url) if url else None
    except UsageError:
        return None


def stored_link_id(meta: ProfileMeta) -> str:
    """The profile's link id from profiles.toml, refused unless it is one a service could have given
    (it goes into request paths, with the token)."""
    link_id = meta.link.id if meta.link else ""
    if not valid_link_id(link_id):
        raise UsageError(_("The link id of profile {name} in profiles.toml is not one a linking service "
                           "gives, so okxlink will not use it.").format(name=meta.name),
                         _("Remove the [profiles.{name}.link] table from profiles.toml, then link again.").format(
                             name=meta.name))
    return link_id


def already_linked(meta: ProfileMeta, url: str) -> bool:
    return bool(meta.link and meta.link.service == url and meta.link.linked)


def link_profile(repo: ProfileRepo, profile: str, url: str, token: SecretStr, http: HttpFactory,
                 confirm: Callable[[], bool]) -> Link:
    """Create the link (or find the existing one), record it, and keep the token for next time.
    `confirm` is asked before the key is sent (it may raise to stop); nothing is sent on False.
    Finding the existing link sends only the token."""
    meta, creds = repo.load(profile)
    pending: PendingLink | None = None
    if meta.link and meta.link.service == url:
        if meta.link.linked:
            existing = fetch_link(url, token, stored_link_id(meta), http)
            if existing is not None:
                remember(repo, profile, url, existing)
                return existing
        pending = meta.link.pending
    if not confirm():  # the profile said linked and the service forgot it, or never linked: ask
        raise UsageError(_("Not linked; nothing was sent."), None)
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
    # the service's words, as much as is worth keeping (see `kept`): a reason per check at most
    reasons = [kept(r.check) for r in link.spot.reasons[:MAX_REASONS]]
    record = LinkRecord(id=link.id, service=url, state="linked", spot=link.spot.state, reasons=reasons,
                        checked_at=_checked_at(link.verified_at))
    repo.update_meta(profile, lambda m: setattr(m, "link", record))


def _checked_at(claimed: str | None) -> str:
    """When the platform checked the key: its own word if that is a sane UTC time, else now."""
    try:
        when = datetime.fromisoformat((claimed or "")[:40].replace("Z", "+00:00"))
        if when.tzinfo is None or when > datetime.now(timezone.utc) + timedelta(minutes=5):
            return now_iso()
        return when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    except (ValueError, OverflowError):  # not a time; or the year 1 east of UTC, which UTC cannot hold
        return now_iso()


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
    link_id = stored_link_id(repo.meta(profile))
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
        reachable[meta.name] = False  # until it answers; no token to ask with is as good as no answer
        try:  # an address or id it may not be sent to, or no answer
            url, link_id = check_service_url(meta.link.service), stored_link_id(meta)
            token = known_token(settings, repo, url)
            if token is None:
                continue
            link = fetch_link(url, token, link_id, http, refresh=True)
        except (LinkError, UsageError):
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
