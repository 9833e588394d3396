"""A profile's link with a platform's linking service: create it exactly once, read it, withdraw it.

The state machine of a link record (storage.LinkRecord):

    (none) ──prepare──▶ pending ──service answers──▶ linked ──unlink──▶ (none)
                          │  ▲     │                    │
                          └──┘     └──unlink (looked up   └─ the service forgot it (status) ──▶ (none)
      crash or lost answer: resent    by its key) ──▶ (none)
      exactly as first sent (same Idempotency-Key, same fields)

A profile has one record per service and key (ProfileMeta.links): several services may hold its
key, and during `okxlink rotate` a service holds the old key and the new one for a moment.

The pending request is written before anything is sent, so a retry after a crash or a dropped answer
can never link the key twice; a 409 `idempotency_conflict` means the profile's key changed since,
and the request is made anew.

Secrets go only where they should: a request carrying the key is sent only after the CLI's
`confirm` said yes (whatever the profile claims), and a token only to the service it belongs to —
OKXLINK_LINK_TOKEN to the service it was given with, any other service its own token from the keyring.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import httpx

from okxlink.core.checks import CHECK_IDS
from okxlink.core.credentials import Credentials
from okxlink.core.linking import Link, LinkClient, valid_link_id
from okxlink.core.secret import SecretStr
from okxlink.core.urls import check_service_url
from okxlink.errors import LinkError, UsageError
from okxlink.flows import HttpFactory, Reached, kept
from okxlink.i18n import _
from okxlink.settings import Settings
from okxlink.storage import LinkRecord, PendingLink, ProfileMeta, ProfileRepo, now_iso

T = TypeVar("T")
MAX_REASONS = 2 * len(CHECK_IDS)  # the platform names checks okxlink knows: room for each, and then some


def service_url(explicit: str | None, settings: Settings) -> str | None:
    """The service named on the command line, else the settings' (OKXLINK_LINK_URL)."""
    url = explicit or settings.link_url
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


def stored_link_id(profile: str, record: LinkRecord) -> str:
    """A link id from profiles.toml, refused unless it is one a service could have given (it goes
    into request paths, with the token)."""
    if not valid_link_id(record.id):
        raise UsageError(_("The link id of profile {name} in profiles.toml is not one a linking service "
                           "gives, so okxlink will not use it.").format(name=profile),
                         _("Remove that [[profiles.{name}.links]] table from profiles.toml, then link again.").format(
                             name=profile))
    return record.id


def link_profile(repo: ProfileRepo, profile: str, url: str, token: SecretStr, http: HttpFactory,
                 confirm: Callable[[], bool], creds: Credentials | None = None) -> Link:
    """Create the link of the profile's key (or of `creds`: a rotation's new key) with `url`, or
    find the existing one; record it, and keep the token for next time. Links of other services and
    of other keys are left as they are. `confirm` is asked before the key is sent (it may raise to
    stop); nothing is sent on False. Finding the existing link sends only the token."""
    meta, current = repo.load(profile)
    creds = creds or current
    key = creds.masked_key()
    record = meta.link_to(url, key)
    pending: PendingLink | None = None
    if record is not None:
        if record.linked:
            existing = fetch_link(url, token, stored_link_id(profile, record), http)
            if existing is not None:
                remember(repo, profile, url, key, existing)
                return existing
        pending = record.pending
    if not confirm():  # the profile said linked and the service forgot it, or never linked: ask
        raise UsageError(_("Not linked; nothing was sent."), None)
    # Kept before sending, with the request's fields: a verify in between may have changed the label.
    request = pending or _new_request(meta)
    repo.update_meta(profile, lambda m: m.put_link(LinkRecord(service=url, state="pending", key=key,
                                                             pending=request)))
    try:
        link = _create_or_find(creds, request, url, token, http)
    except LinkError as exc:
        if exc.code != "idempotency_conflict":
            raise
        link = _create_or_find(creds, _new_request(meta), url, token, http)
    remember(repo, profile, url, key, link)
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


def remember(repo: ProfileRepo, profile: str, url: str, key: str, link: Link) -> None:
    repo.update_meta(profile, lambda m: m.put_link(linked_record(url, key, link)))


def linked_record(url: str, key: str, link: Link) -> LinkRecord:
    # the service's words, as much as is worth keeping (see `kept`): a reason per check at most
    reasons = [kept(r.check) for r in link.spot.reasons[:MAX_REASONS]]
    return LinkRecord(id=link.id, service=url, key=key, state="linked", spot=link.spot.state, reasons=reasons,
                      checked_at=_checked_at(link.verified_at))


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


def unlink(repo: ProfileRepo, profile: str, record: LinkRecord, token: SecretStr, http: HttpFactory) -> str:
    """Withdraw the key of `record` from its service (already gone there counts as withdrawn), then
    forget the record. A pending record (the request may or may not have arrived) is looked up by
    its key first: nothing secret is sent to withdraw it. Returns the link id withdrawn, or ""
    when the service held none."""
    known = stored_link_id(profile, record) if record.linked else ""

    async def withdraw(client: LinkClient) -> str:
        link_id = known
        if not link_id:
            found = await client.find(record.key)
            link_id = found.id if found is not None else ""
        if link_id:
            try:
                await client.delete(link_id)
            except LinkError as exc:
                if exc.code != "not_found":
                    raise
        return link_id

    link_id = _run(withdraw, record.service, token, http)
    repo.update_meta(profile, lambda m: m.drop_link(record.service, record.key))
    return link_id


def held_at(meta: ProfileMeta, url: str) -> list[LinkRecord]:
    """The records of every key of the profile that `url` holds or may hold (pending)."""
    return [r for r in meta.links if r.service == url and r.state in ("linked", "pending")]


def withdraw_everywhere(repo: ProfileRepo, profile: str, tokens: dict[str, SecretStr], http: HttpFactory,
                        keep_going: bool, done: Callable[[str], None]) -> dict[str, LinkError]:
    """Withdraw every key of the profile from each service of `tokens` (`done(url)` after each).
    A service that fails stops here, its records kept, unless `keep_going`; returns the failures."""
    failed: dict[str, LinkError] = {}
    for url, token in tokens.items():
        try:
            for record in held_at(repo.meta(profile), url):
                unlink(repo, profile, record, token, http)
        except LinkError as exc:
            failed[url] = exc
            if not keep_going:
                break
            continue
        done(url)
    return failed


LinkAsk = tuple[str, LinkRecord, str, SecretStr]  # profile, its link, the link's id there, the token


def refresh_links(repo: ProfileRepo, metas: list[ProfileMeta], settings: Settings, http: HttpFactory) -> Reached:
    """Ask the service of every linked record to check its key again, all at once over one client,
    and record the answers with one write. A service that no longer knows a link: the record goes."""
    asks, reached = link_asks(repo, metas, settings)
    if not asks:
        return reached

    async def ask_all() -> list[Link | Exception | None]:
        async with http(limits=httpx.Limits(max_connections=len(asks) + 4, max_keepalive_connections=20)) as client:
            return await ask_links(client, asks)

    changes = link_answers(asks, asyncio.run(ask_all()), reached)
    if changes:
        repo.update_many({name: functools.partial(apply_all, changes=fns) for name, fns in changes.items()})
    return reached


def link_asks(repo: ProfileRepo, metas: list[ProfileMeta], settings: Settings) -> tuple[list[LinkAsk], Reached]:
    """What to ask about every linked record, and `reached` with each of them not answered yet (an
    address or id it may not be sent to, or no token to ask with, stays so)."""
    asks: list[LinkAsk] = []
    reached: Reached = {}
    for meta in metas:
        for record in meta.links:
            if not record.linked:
                continue
            reached[(meta.name, record.service, record.key)] = False  # until it answers
            try:  # an address or id it may not be sent to: no answer
                url, link_id = check_service_url(record.service), stored_link_id(meta.name, record)
            except UsageError:
                continue
            token = known_token(settings, repo, url)
            if token is not None:  # no token to ask with is as good as no answer
                asks.append((meta.name, record, link_id, token))
    return asks, reached


async def ask_links(client: httpx.AsyncClient, asks: list[LinkAsk]) -> list[Link | Exception | None]:
    """Every ask at once over `client`: the link as the service has it now, None when it no longer
    knows it, or what went wrong."""
    async def ask(record: LinkRecord, link_id: str, token: SecretStr) -> Link | Exception | None:
        try:
            return await LinkClient(client, record.service, token).get(link_id, refresh=True)
        except LinkError as exc:
            return None if exc.code == "not_found" else exc
        except UsageError as exc:  # a kept token no service could take
            return exc

    return list(await asyncio.gather(*(ask(r, i, t) for _n, r, i, t in asks)))


def link_answers(asks: list[LinkAsk], answers: list[Link | Exception | None],
                 reached: Reached) -> dict[str, list[Callable[[ProfileMeta], None]]]:
    """The services' answers marked in `reached`; returns what each profile's metadata takes from
    them (for `ProfileRepo.update_many`, through `apply_all`)."""
    changes: dict[str, list[Callable[[ProfileMeta], None]]] = {}
    for (name, record, _id, _token), answer in zip(asks, answers, strict=True):
        if isinstance(answer, Exception):
            continue
        reached[(name, record.service, record.key)] = True
        if answer is None:  # the platform forgot it: say so rather than pretend
            changes.setdefault(name, []).append(functools.partial(_drop, record=record))
        else:
            changes.setdefault(name, []).append(functools.partial(_put, record=linked_record(
                record.service, record.key, answer)))
    return changes


def _drop(meta: ProfileMeta, record: LinkRecord) -> None:
    meta.drop_link(record.service, record.key)


def _put(meta: ProfileMeta, record: LinkRecord) -> None:
    meta.put_link(record)


def apply_all(meta: ProfileMeta, changes: list[Callable[[ProfileMeta], None]]) -> None:
    for change in changes:
        change(meta)


def _run(call: Callable[[LinkClient], Awaitable[T]], url: str, token: SecretStr, http: HttpFactory) -> T:
    async def go() -> T:
        async with http() as client:
            return await call(LinkClient(client, url, token))
    return asyncio.run(go())
