"""The terminal's side of linking, shared by `okxlink link` and the wizard's last step: where the
token comes from, the question asked before any secret leaves the machine (the key and the service's
host), the spinner while the platform checks the key, and how its answer is shown; and, shared
by `okxlink unlink` and `okxlink remove`, what is checked and said around withdrawing a key. The
state machine itself is okxlink.flows.linking's."""

from __future__ import annotations

from okxlink.cli.context import Context
from okxlink.cli.ui import UI
from okxlink.core.linking import Link
from okxlink.core.secret import SecretStr
from okxlink.core.urls import check_service_url, host_of
from okxlink.errors import UsageError
from okxlink.flows import linking
from okxlink.i18n import _
from okxlink.storage import LinkRecord
from okxlink.text import plain


def find_token(ctx: Context, url: str, token_stdin: bool, named: str | None = None) -> SecretStr | None:
    """`url`'s token: OKXLINK_LINK_TOKEN if it was given for `url` (`named`: the --service of this
    run, else OKXLINK_LINK_URL), then stdin (--token-stdin), then the keyring's for `url`, then a
    hidden prompt naming the host (a run may need several services' tokens). A token given for one
    service is never sent to another."""
    found = linking.settings_token(ctx.settings, url, named)
    if found is None and token_stdin:
        typed = ctx.stdin.readline().strip()
        found = SecretStr(typed) if typed else None
    if found is None:
        found = linking.known_token(ctx.settings, ctx.repo(), url, named)
    if found is None and ctx.stdin_is_terminal and not token_stdin:
        typed = ctx.asker().secret("link-token", _("Token from your platform at {host} (hidden):").format(
            host=host_of(url))).strip()
        found = SecretStr(typed) if typed else None
    return found


def resolve_token(ctx: Context, url: str, token_stdin: bool, named: str | None = None,
                  fix: str | None = None) -> SecretStr:
    """find_token's, or a usage error (exit 2) saying how to give it (`fix`: the command's own way)."""
    found = find_token(ctx, url, token_stdin, named)
    if found is None:
        raise UsageError(_("No token for the linking service at {host}.").format(host=host_of(url)),
                         fix or _("Set OKXLINK_LINK_URL and OKXLINK_LINK_TOKEN to it, or pipe the token into "
                                  "okxlink link --token-stdin."))
    return found


def send_question(url: str, masked_key: str) -> str:
    """What the user is asked before any secret leaves the machine: the key and the service's host."""
    return _("Send key {key} with its secret and passphrase to {host}?").format(key=masked_key, host=host_of(url))


def confirm_send(ctx: Context, url: str, masked_key: str, yes: bool) -> None:
    """Returns when the user said yes (or passed --yes); raises, exit 2, otherwise."""
    if yes:
        return
    if not ctx.stdin_is_terminal:
        raise UsageError(_("Not sending secrets without confirmation: standard input is not a terminal."),
                         _("Pass --yes to confirm that {host} may receive the key.").format(host=host_of(url)))
    if not ctx.asker().confirm("send-key", send_question(url, masked_key), default=True):
        raise UsageError(_("Not linked; nothing was sent."), None)


class Consent:
    """The flow's `confirm`: asks, once, the first time a request would carry the key (`given`:
    already asked, or --yes)."""

    def __init__(self, ctx: Context, url: str, masked_key: str, yes: bool) -> None:
        self._ctx, self._url, self._key = ctx, url, masked_key
        self.given = yes

    def __call__(self) -> bool:
        if not self.given:
            confirm_send(self._ctx, self._url, self._key, yes=False)  # raises unless the user says yes
            self.given = True
        return True


def send(ctx: Context, ui: UI, profile: str, url: str, token: SecretStr, consent: Consent) -> Link:
    def go() -> Link:
        return linking.link_profile(ctx.repo(), profile, url, token, ctx.http, consent)
    if not consent.given:  # the question may come mid-way: no spinner over it
        return go()
    with ui.spinner(_("Sending the key to {host}; the platform checks it with OKX…").format(host=host_of(url))):
        return go()


def show_link(ui: UI, link: Link, url: str) -> None:
    host = host_of(url)
    if link.spot.state == "ready":
        ui.say(_("Linked to {host}: Spot ready.").format(host=host))
    else:
        ui.say(_("Linked to {host}: Spot needs attention.").format(host=host))
        # the platform's words: each one bounded line, so none can begin a line that reads as ours
        shown = link.spot.reasons[:linking.MAX_REASONS]
        for reason in shown:
            ui.say(f"  • {plain(reason.check, 64)}: {plain(reason.message)}")
        if len(link.spot.reasons) > len(shown):
            ui.say("  " + _("… and {n} more.").format(n=len(link.spot.reasons) - len(shown)))


# -- withdrawing: `okxlink unlink` and `okxlink remove` ----------------------------------------------

def check_withdrawable(profile: str, records: list[LinkRecord]) -> None:
    """Refuses (exit 2), before anything is asked or sent, a record okxlink would not send a
    request for: an address or a link id no service could have given (a hand-edited file)."""
    for record in records:
        check_service_url(record.service)
        if record.linked:
            linking.stored_link_id(profile, record)


def withdraw_question(records: list[LinkRecord]) -> str:
    keys = ", ".join(dict.fromkeys(plain(r.key) for r in records))
    return _("Withdraw key {key} from {host}? Copying there stops.").format(
        key=keys, host=hosts_of([r.service for r in records]))


def hosts_of(urls: list[str]) -> str:
    return ", ".join(dict.fromkeys(host_of(u) for u in urls))


def show_remaining(ui: UI, records: list[LinkRecord]) -> None:
    """Where the key stays: each service and the link it holds (a pending one may or may not)."""
    for r in records:
        if r.linked:
            ui.say(_("The key {key} is still linked to {host} (link {id}).").format(
                key=plain(r.key), host=host_of(r.service), id=plain(r.id)))
        else:
            ui.say(_("The key {key} may still be linked to {host}.").format(key=plain(r.key), host=host_of(r.service)))
