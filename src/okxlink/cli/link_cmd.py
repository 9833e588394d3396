"""`okxlink link` / `okxlink unlink`: hand a stored profile to a platform's linking service, or
take it back. Nothing secret leaves the machine before the user has seen the service's host and
said yes (or passed --yes): the flow asks through Consent before any request that carries the key,
even for a profile that says it is linked already."""

from __future__ import annotations

from okxlink.cli.context import Context
from okxlink.cli.link_ui import Consent, resolve_token, send, show_link
from okxlink.core.urls import check_service_url, host_of
from okxlink.errors import Exit, UsageError
from okxlink.flows import linking
from okxlink.i18n import _


def run_link(ctx: Context, *, profile: str, service: str | None, yes: bool, token_stdin: bool,
             json_out: bool) -> Exit:
    meta = ctx.repo().meta(profile)
    url = linking.service_url(service, ctx.settings, meta)
    if url is None:
        raise UsageError(_("No linking service given."),
                         _("Pass --service URL (your platform's linking address) or set OKXLINK_LINK_URL."))
    ui = ctx.ui(json_mode=json_out)
    consent = Consent(ctx, url, meta.key, yes)
    if linking.already_linked(meta, url):
        linking.stored_link_id(meta)  # refused before a token is asked for
    else:
        consent()  # before the token is asked for: the question comes first
    token = resolve_token(ctx, url, token_stdin, named=service)
    link = send(ctx, ui, profile, url, token, consent)
    if json_out:
        ui.json({"profile": profile, "service": url, **link.model_dump()})
    else:
        show_link(ui, link, url)
    return Exit.OK


def run_unlink(ctx: Context, *, profile: str, token_stdin: bool, json_out: bool) -> Exit:
    meta = ctx.repo().meta(profile)
    ui = ctx.ui(json_mode=json_out)
    if not meta.link or not meta.link.id:
        ui.say(_("Profile {name} is not linked.").format(name=profile))
        return Exit.OK
    url = check_service_url(meta.link.service)
    linking.stored_link_id(meta)  # refused before a token is asked for
    token = resolve_token(ctx, url, token_stdin)
    link_id = linking.unlink_profile(ctx.repo(), profile, url, token, ctx.http)
    if json_out:
        ui.json({"profile": profile, "service": url, "id": link_id, "unlinked": True})
    else:
        ui.say(_("Unlinked profile {name} from {host}.").format(name=profile, host=host_of(url)))
    return Exit.OK
