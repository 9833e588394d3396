"""`okxlink link` / `okxlink unlink`: hand a stored profile to a platform's linking service, or
take it back. Nothing secret leaves the machine before the user has seen the service's host and
said yes (or passed --yes): the flow asks through Consent before any request that carries the key,
even for a profile that says it is linked already. A profile may be linked to several services;
linking to one leaves the others as they are."""

from __future__ import annotations

import dataclasses
from typing import Any

from okxlink.cli.context import Context
from okxlink.cli.link_ui import (
    Consent,
    check_withdrawable,
    hosts_of,
    resolve_token,
    send,
    show_link,
    withdraw_question,
)
from okxlink.cli.ui import UI
from okxlink.core.urls import check_service_url, host_of
from okxlink.errors import Exit, UsageError
from okxlink.flows import linking
from okxlink.flows.linking import held_at
from okxlink.i18n import _
from okxlink.storage import ProfileMeta
from okxlink.text import plain


def run_link(ctx: Context, *, profile: str, service: str | None, yes: bool, token_stdin: bool,
             json_out: bool) -> Exit:
    meta = ctx.repo().meta(profile)
    url = linking.service_url(service, ctx.settings) or _which_service(ctx, meta)
    ui = ctx.ui(json_mode=json_out)
    consent = Consent(ctx, url, meta.key, yes)
    record = meta.link_to(url)
    if record is not None and record.linked:
        linking.stored_link_id(profile, record)  # refused before a token is asked for
    else:
        consent()  # before the token is asked for: the question comes first
    token = resolve_token(ctx, url, token_stdin, named=service)
    link = send(ctx, ui, profile, url, token, consent)
    if json_out:
        ui.json({"profile": profile, "service": url, **dataclasses.asdict(link)})
    else:
        show_link(ui, link, url)
    return Exit.OK


def _which_service(ctx: Context, meta: ProfileMeta) -> str:
    """No --service and no OKXLINK_LINK_URL: ask in a terminal (offering the profile's one service);
    without one, the profile's one service (linking again is a no-op a script may rely on)."""
    known = meta.services()
    url = known[0] if len(known) == 1 else ""
    if ctx.stdin_is_terminal:
        url = ctx.asker().text("link-service", _("Address of your platform's linking service (https://…):"),
                               default=url).strip()
    if not url:
        raise UsageError(_("No linking service given."),
                         _("Pass --service URL (your platform's linking address) or set OKXLINK_LINK_URL. A "
                           "platform without one takes the key in its web form: okxlink copy --profile {name} "
                           "puts each value on the clipboard in turn.").format(name=meta.name))
    return check_service_url(url)


def run_unlink(ctx: Context, *, profile: str, service: str | None, all_links: bool, yes: bool,
               token_stdin: bool, json_out: bool) -> Exit:
    repo = ctx.repo()
    meta = repo.meta(profile)
    ui = ctx.ui(json_mode=json_out)
    if not meta.services():
        return _nothing(ui, profile, _("Profile {name} is not linked.").format(name=profile))
    urls = _chosen(ctx, meta, service, all_links)
    records = [r for url in urls for r in held_at(meta, url)]
    check_withdrawable(profile, records)
    if token_stdin and len(urls) > 1:  # one line on stdin is one service's token, never another's
        raise UsageError(_("--token-stdin gives the token of one service, and this would withdraw the key "
                           "from {hosts}.").format(hosts=hosts_of(urls)),
                         _("Pass --service URL with it, once per service."))
    if not yes:
        if not ctx.stdin_is_terminal:
            raise UsageError(_("Not withdrawing the key without confirmation: standard input is not a terminal."),
                             _("Pass --yes to withdraw it without being asked."))
        if not ctx.asker().confirm("unlink", withdraw_question(records), default=False):
            return _nothing(ui, profile, _("Nothing was withdrawn."))
    fix = _("Set OKXLINK_LINK_TOKEN (with --service URL), or pipe the token into okxlink unlink --token-stdin.")
    tokens = {url: resolve_token(ctx, url, token_stdin, named=service, fix=fix) for url in urls}  # all first
    unlinked: list[dict[str, Any]] = []
    for url in urls:
        for record in held_at(repo.meta(profile), url):
            link_id = linking.unlink(repo, profile, record, tokens[url], ctx.http)
            unlinked.append({"service": url, "id": link_id or None})
        if not json_out:
            ui.say(_("Unlinked profile {name} from {host}.").format(name=profile, host=host_of(url)))
    if json_out:
        # one withdrawn link: also at the top level, as the single-link answer of earlier versions
        one = unlinked[0] if len(unlinked) == 1 else {}
        ui.json({"profile": profile, **one, "unlinked": bool(unlinked), "withdrawn": unlinked})
    return Exit.OK


def _nothing(ui: UI, profile: str, said: str) -> Exit:
    if ui.json_mode:
        ui.json({"profile": profile, "unlinked": False, "withdrawn": []})
    else:
        ui.say(said)
    return Exit.OK


def _chosen(ctx: Context, meta: ProfileMeta, service: str | None, all_links: bool) -> list[str]:
    """The services to withdraw the key from: --all, --service, the only one, or the user's choice."""
    known = meta.services()
    if all_links or (len(known) == 1 and not service):
        return known
    if service:
        wanted = check_service_url(service)
        found = [url for url in known if _same(url, wanted)]
        if not found:
            raise UsageError(_("Profile {name} is not linked to {host}.").format(name=meta.name, host=host_of(wanted)),
                             _("It is linked to {hosts}.").format(hosts=hosts_of(known)))
        return found
    if ctx.stdin_is_terminal:
        choice = ctx.asker().select("unlink-service", _("Withdraw the key from which service?"),
                                    [(url, plain(url)) for url in known], default=known[0])  # whole: two may share a host
        return [choice]
    raise UsageError(_("Profile {name} is linked to {hosts}: say which to withdraw it from.").format(
                         name=meta.name, hosts=hosts_of(known)),
                     _("Pass --service URL, or --all for every one."))


def _same(stored: str, wanted: str) -> bool:
    try:
        return check_service_url(stored) == wanted
    except UsageError:  # an address no service could have (a hand edit): never the one meant
        return False
