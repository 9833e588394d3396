"""`okxlink link` / `okxlink unlink`: hand a stored profile to a platform's linking service, or
take it back. Nothing secret leaves the machine before the user has seen the service's host and
said yes (or passed --yes)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from okxlink.cli import debug
from okxlink.cli.ui import UI
from okxlink.core.credentials import Credentials
from okxlink.core.linking import Link, LinkClient, LinkError, check_service_url
from okxlink.errors import UsageError
from okxlink.i18n import _
from okxlink.storage import KeyringStore, LinkState, ProfileMeta, ProfileRepo

PENDING = "pending_idempotency_key"
PENDING_BODY = "pending_request"  # site, demo, label as sent with the pending key
T = TypeVar("T")


def service_url(explicit: str | None, meta: ProfileMeta | None = None) -> str | None:
    url = explicit or os.environ.get("OKXLINK_LINK_URL") or (meta.link.service if meta and meta.link else None)
    return check_service_url(url) if url else None


def resolve_token(repo: ProfileRepo, url: str, token_stdin: bool, interactive: bool) -> SecretStr:
    """OKXLINK_LINK_TOKEN, then stdin (--token-stdin), then the keyring, then a hidden prompt."""
    token = os.environ.get("OKXLINK_LINK_TOKEN", "").strip()
    if not token and token_stdin:
        token = sys.stdin.readline().strip()
    if not token:
        token = (repo.secrets.get_token(url) or "").strip()
    if not token and interactive:
        from okxlink.cli.ask import QuestionaryAsker

        token = QuestionaryAsker().secret(_("Token from your platform (hidden):")).strip()
    if not token:
        raise UsageError(_("No token for the linking service."),
                         _("Set OKXLINK_LINK_TOKEN, or pipe the token into okxlink link --token-stdin."))
    return SecretStr(token)


def link_profile(ui: UI, repo: ProfileRepo, profile: str, url: str, token: SecretStr) -> Link:
    """Create the link (or find the existing one) and record it in the profile's metadata."""
    meta, creds = repo.load(profile)
    pending, sent = None, None
    if meta.link and meta.link.service == url:
        if meta.link.state == "linked" and meta.link.id:
            existing = fetch_link(url, token, meta.link.id)
            if existing is not None:
                remember(repo, profile, url, existing)
                return existing
        pending = meta.link.extra.get(PENDING)
        sent = meta.link.extra.get(PENDING_BODY) if pending else None
    # Kept before sending, with the request's fields: a retry after a crash or a dropped answer sends
    # the very same request (a verify in between may have changed the label), never linking twice.
    key = pending or f"okxlink-{uuid.uuid4()}"
    fields = sent if isinstance(sent, dict) else {"site": meta.site, "demo": meta.demo, "label": meta.label or ""}
    repo.update_meta(profile, lambda m: setattr(m, "link", LinkState(
        service=url, state="pending", extra={PENDING: key, PENDING_BODY: fields})))
    with ui.spinner(_("Sending the key to {host}; the platform checks it with OKX…").format(
            host=urlsplit(url).netloc)):
        try:
            link = _create_or_find(creds, fields, key, url, token)
        except LinkError as exc:
            if exc.code != "idempotency_conflict":
                raise
            # the profile's key changed since the first try: this is a new request
            fresh = {"site": meta.site, "demo": meta.demo, "label": meta.label or ""}
            link = _create_or_find(creds, fresh, f"okxlink-{uuid.uuid4()}", url, token)
    remember(repo, profile, url, link)
    repo.secrets.set_token(url, token.get_secret_value())
    return link


def _create_or_find(creds: Credentials, fields: dict[str, Any], key: str, url: str, token: SecretStr) -> Link:
    try:
        return _run(lambda c: c.create(creds, site=str(fields["site"]), demo=bool(fields["demo"]),
                                       label=str(fields["label"]) or None, idempotency_key=key), url, token)
    except LinkError as exc:
        existing_id = exc.existing_id  # not `exc` in the lambda: Python unbinds it after the block
        if exc.code != "already_linked" or not existing_id:
            raise
    return _run(lambda c: c.get(existing_id), url, token)


def remember(repo: ProfileRepo, profile: str, url: str, link: Link) -> None:
    state = LinkState(id=link.id, service=url, state="linked",
                      extra={"spot": link.spot.state, "reasons": [r.check for r in link.spot.reasons]})
    repo.update_meta(profile, lambda m: setattr(m, "link", state))


def fetch_link(url: str, token: SecretStr, link_id: str, refresh: bool = False) -> Link | None:
    """The link as the service has it now (`refresh`: after checking the key with OKX again);
    None when the service no longer knows it."""
    async def get(client: LinkClient) -> Link | None:
        try:
            return await client.get(link_id, refresh=refresh)
        except LinkError as exc:
            if exc.code == "not_found":
                return None
            raise
    return _run(get, url, token)


def _run(call: Callable[[LinkClient], Awaitable[T]], url: str, token: SecretStr) -> T:
    async def go() -> T:
        async with httpx.AsyncClient(event_hooks=debug.hooks()) as http:
            return await call(LinkClient(http, url, token))
    return asyncio.run(go())


def send_question(url: str, masked_key: str) -> str:
    """What the user is asked before any secret leaves the machine: the key and the service's host."""
    return _("Send key {key} with its secret and passphrase to {host}?").format(
        key=masked_key, host=urlsplit(url).netloc)


def confirm_send(ui: UI, url: str, masked_key: str, yes: bool) -> None:
    if yes:
        return
    question = send_question(url, masked_key)
    if not sys.stdin.isatty():
        raise UsageError(_("Not sending secrets without confirmation: standard input is not a terminal."),
                         _("Pass --yes to confirm that {host} may receive the key.").format(host=urlsplit(url).netloc))
    from okxlink.cli.ask import QuestionaryAsker

    if not QuestionaryAsker().confirm(question, default=True):
        raise UsageError(_("Not linked; nothing was sent."), None)


def show_link(ui: UI, link: Link, url: str) -> None:
    host = urlsplit(url).netloc
    if link.spot.state == "ready":
        ui.say(_("Linked to {host}: Spot ready.").format(host=host))
    else:
        ui.say(_("Linked to {host}: Spot needs attention.").format(host=host))
        for reason in link.spot.reasons:
            ui.say(f"  • {reason.check}: {reason.message}")


def run_link(*, profile: str, service: str | None, yes: bool, token_stdin: bool, json_out: bool) -> int:
    repo = ProfileRepo(KeyringStore())
    meta = repo.meta(profile)
    url = service_url(service, meta)
    if url is None:
        raise UsageError(_("No linking service given."),
                         _("Pass --service URL (your platform's linking address) or set OKXLINK_LINK_URL."))
    ui = UI(json_mode=json_out)
    already = bool(meta.link and meta.link.service == url and meta.link.state == "linked")
    if not already:
        confirm_send(ui, url, meta.key, yes)
    token = resolve_token(repo, url, token_stdin, interactive=sys.stdin.isatty() and not token_stdin)
    link = link_profile(ui, repo, profile, url, token)
    if json_out:
        ui.json({"profile": profile, "service": url, **link.model_dump()})
    else:
        show_link(ui, link, url)
    return 0


def run_unlink(*, profile: str, token_stdin: bool, json_out: bool) -> int:
    repo = ProfileRepo(KeyringStore())
    meta = repo.meta(profile)
    ui = UI(json_mode=json_out)
    if not meta.link or not meta.link.id:
        ui.say(_("Profile {name} is not linked.").format(name=profile))
        return 0
    url = check_service_url(meta.link.service)
    token = resolve_token(repo, url, token_stdin, interactive=sys.stdin.isatty() and not token_stdin)
    link_id = meta.link.id
    try:
        _run(lambda c: c.delete(link_id), url, token)
    except LinkError as exc:
        if exc.code != "not_found":
            raise
    repo.update_meta(profile, lambda m: setattr(m, "link", None))
    if json_out:
        ui.json({"profile": profile, "service": url, "id": link_id, "unlinked": True})
    else:
        ui.say(_("Unlinked profile {name} from {host}.").format(name=profile, host=urlsplit(url).netloc))
    return 0
