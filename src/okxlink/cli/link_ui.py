"""The terminal's side of linking, shared by `okxlink link` and the wizard's last step: where the
token comes from, the question asked before any secret leaves the machine (the key and the service's
host), the spinner while the platform checks the key, and how its answer is shown. The state
machine itself is okxlink.flows.linking's."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import SecretStr

from okxlink.cli.context import Context
from okxlink.cli.ui import UI
from okxlink.core.linking import Link
from okxlink.errors import UsageError
from okxlink.flows import linking
from okxlink.i18n import _


def resolve_token(ctx: Context, url: str, token_stdin: bool) -> SecretStr:
    """OKXLINK_LINK_TOKEN, then stdin (--token-stdin), then the keyring, then a hidden prompt."""
    token = (ctx.settings.link_token or "").strip()
    if not token and token_stdin:
        token = ctx.stdin.readline().strip()
    found = SecretStr(token) if token else linking.known_token(ctx.settings, ctx.repo(), url)
    if found is None and ctx.stdin_is_terminal and not token_stdin:
        typed = ctx.asker().secret("link-token", _("Token from your platform (hidden):")).strip()
        found = SecretStr(typed) if typed else None
    if found is None:
        raise UsageError(_("No token for the linking service."),
                         _("Set OKXLINK_LINK_TOKEN, or pipe the token into okxlink link --token-stdin."))
    return found


def send_question(url: str, masked_key: str) -> str:
    """What the user is asked before any secret leaves the machine: the key and the service's host."""
    return _("Send key {key} with its secret and passphrase to {host}?").format(
        key=masked_key, host=urlsplit(url).netloc)


def confirm_send(ctx: Context, url: str, masked_key: str, yes: bool) -> None:
    if yes:
        return
    if not ctx.stdin_is_terminal:
        raise UsageError(_("Not sending secrets without confirmation: standard input is not a terminal."),
                         _("Pass --yes to confirm that {host} may receive the key.").format(host=urlsplit(url).netloc))
    if not ctx.asker().confirm("send-key", send_question(url, masked_key), default=True):
        raise UsageError(_("Not linked; nothing was sent."), None)


def send(ctx: Context, ui: UI, profile: str, url: str, token: SecretStr) -> Link:
    with ui.spinner(_("Sending the key to {host}; the platform checks it with OKX…").format(
            host=urlsplit(url).netloc)):
        return linking.link_profile(ctx.repo(), profile, url, token, ctx.http)


def show_link(ui: UI, link: Link, url: str) -> None:
    host = urlsplit(url).netloc
    if link.spot.state == "ready":
        ui.say(_("Linked to {host}: Spot ready.").format(host=host))
    else:
        ui.say(_("Linked to {host}: Spot needs attention.").format(host=host))
        for reason in link.spot.reasons:
            ui.say(f"  • {reason.check}: {reason.message}")
