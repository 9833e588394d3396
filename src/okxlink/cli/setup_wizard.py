"""The wizard wired to a run, shared by `okxlink setup` and `okxlink demo`: its asker (every default
under --yes), OKX through the run's settings, the profile store, the browser when one can open,
the choice of the profile's name before step 1, and the linking step.

Linking, when a person answers: the service's address (empty: skip), its token, the question
before any secret leaves, then the request. A refused token is re-typed and a service that did not
answer is tried again, as the key's own fields are at step 7; the flow keeps a token in the
keyring only once the service took it. Under --yes it links only to a service given with the run."""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping

from okxlink.cli import handover
from okxlink.cli.ask import Asker, DefaultsAsker
from okxlink.cli.context import Context
from okxlink.cli.link_ui import Consent, find_token, resolve_token, send, send_question, show_link
from okxlink.cli.ui import UI
from okxlink.cli.wizard import State, Wizard, link_later
from okxlink.core.credentials import Credentials
from okxlink.core.linking import check_token
from okxlink.core.secret import SecretStr
from okxlink.core.urls import check_service_url, host_of
from okxlink.core.verify import Report
from okxlink.errors import LinkError, UsageError
from okxlink.flows.verifying import save_verified, verify_one
from okxlink.i18n import N_, _
from okxlink.storage import ProfileRepo, validate_name
from okxlink.text import plain


def make_wizard(ctx: Context, ui: UI, state: State, *, yes: bool, service: str | None = None,
                no_link: bool = False) -> Wizard:
    """The wizard wired to this run. `service`: --service (or OKXLINK_LINK_URL); `no_link`: never link."""
    asker: Asker = DefaultsAsker(fallback=ctx.asker() if ctx.can_ask else None) if yes else ctx.asker()
    repo = ctx.repo()
    ctx.note_endpoint(ui)

    def verify(creds: Credentials, site: str, demo: bool) -> Report:
        with ui.spinner(_("Asking OKX about key {key}…").format(key=creds.masked_key())):
            return verify_one(creds, site, demo, ctx.settings, ctx.http)

    def save(s: State) -> None:
        if s.report is None:  # the wizard saves only after a verification
            raise AssertionError("save() called before the key was verified")
        save_profile(ui, repo, s.profile, s.creds(), s.report)

    def link(s: State) -> None:
        if yes:
            link_given(ctx, ui, s, service or "")
        else:
            link_asked(ctx, ui, asker, s, default=service or ctx.settings.link_url or "", named=service)

    return Wizard(ask=asker, ui=ui, verify=verify, save=save, unattended=yes, state=state,
                  open_url=ctx.open_url if browser_here(ctx.environ) else None,
                  link=None if no_link or (yes and not service) else link,
                  choose_profile=None if yes else functools.partial(choose_profile, ui, asker, repo))


def browser_here(env: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether a browser can open for this session. On Linux without a display (ssh, a server, a
    container) webbrowser finds none, or starts a text browser inside this terminal: the page is
    shown instead."""
    return not platform.startswith("linux") or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def choose_profile(ui: UI, asker: Asker, repo: ProfileRepo, s: State) -> None:
    """A taken name is replaced only when the user says so, and never when platforms hold its key
    (storing another key there would leave them holding one okxlink no longer knows)."""
    while (meta := repo.profiles.read().get(s.profile)) is not None:
        if meta.services():
            hosts = ", ".join(plain(host_of(url) or url, 80) for url in meta.services())
            ui.say(_("Profile {name} is linked to {hosts}; okxlink rotate --profile {name} replaces its key "
                     "everywhere. This key needs another name.").format(name=s.profile, hosts=hosts))
        elif meta.rotation is not None:
            ui.say(_("Profile {name} has a key replacement under way; okxlink rotate --profile {name} "
                     "finishes it. This key needs another name.").format(name=s.profile))
        elif asker.confirm("replace-profile", _("Profile {name} exists. Replace it?").format(name=s.profile),
                           default=False):
            return
        s.profile = ask_name(ui, asker, s.profile + "-2")


def ask_name(ui: UI, asker: Asker, default: str) -> str:
    while True:
        try:
            return validate_name(asker.text("profile-name", _("Name for this profile:"), default=default).strip())
        except UsageError as exc:
            ui.say(f"{exc.message} {exc.fix or ''}".strip())


def link_given(ctx: Context, ui: UI, s: State, service: str) -> None:
    """--yes: to the service given with the run, consent given by the flag; any failure ends the run."""
    url = check_service_url(service)
    token = resolve_token(ctx, url, token_stdin=False, named=service)
    show_link(ui, send(ctx, ui, s.profile, url, token, Consent(ctx, url, s.creds().masked_key(), yes=True)), url)


NEXT = {"token": N_("Re-type the token"), "again": N_("Try again"), "skip": N_("Skip linking for now")}


def link_asked(ctx: Context, ui: UI, asker: Asker, s: State, default: str, named: str | None) -> None:
    url = ask_service(ui, asker, default)
    key = s.creds().masked_key()
    token = find_token(ctx, url, token_stdin=False, named=named) if url else None  # None: nothing typed
    if url is None or token is None or not asker.confirm("send-key", send_question(url, key), default=True):
        ui.say(link_later(s.profile))
        if url is None:  # no linking service: the platform's form, by clipboard
            handover.offer(ctx, ui, asker, s.profile)
        return
    consent = Consent(ctx, url, key, yes=True)  # asked just above: it covers every attempt below
    repo = ctx.repo()
    new = repo.meta(s.profile).link_to(url, key) is None
    while (choices := try_link(ctx, ui, s.profile, url, token, consent)):
        new = new and choices[0] == "token"  # any other failure: the request may have arrived
        choice = asker.select("link-retry", _("What would you like to do?"),
                              [(c, _(NEXT[c])) for c in choices], default=choices[0])
        if choice == "token":
            # kept in memory only: the flow stores a token in the keyring once the service accepted it
            typed = asker.secret("link-token", _("Token from your platform at {host} (hidden):").format(
                host=host_of(url))).strip()
            choice = "again" if typed else "skip"
            token = SecretStr(typed)
        if choice == "skip":
            if new:  # only refused tokens: the service took nothing, so the pending record goes
                repo.update_meta(s.profile, lambda m: m.drop_link(url, key))
            ui.say(link_later(s.profile))
            return


def ask_service(ui: UI, asker: Asker, default: str) -> str | None:
    """The linking service's address, checked before anything is sent to it; None: skip."""
    ui.say(_("Your platform gives you its linking service's address and a token."))
    while True:
        typed = asker.text("link-service", _("Linking service address (leave empty to skip):"),
                           default=default).strip()
        if not typed:
            return None
        try:
            return check_service_url(typed)
        except UsageError as exc:
            ui.say(f"{exc.message} {exc.fix or ''}".strip())
            default = typed  # shown again, to be corrected (or cleared to skip)


def try_link(ctx: Context, ui: UI, profile: str, url: str, token: SecretStr, consent: Consent) -> tuple[str, ...]:
    """Links and shows the platform's verdict: (). Else says why, and returns what the user may do
    next, the likeliest first."""
    try:
        check_token(token)  # a mistyped token is refused here, before a request is even prepared
    except UsageError as exc:
        ui.say(exc.message)
        return ("token", "skip")
    try:
        link = send(ctx, ui, profile, url, token, consent)
    except LinkError as exc:
        if exc.status == 401:  # its fix names OKXLINK_LINK_TOKEN; here the answer is to re-type it
            ui.say(exc.message)
            return ("token", "skip")
        ui.say(f"{exc.message} {exc.fix or ''}".strip())
        # no answer, or a failure on its side, may pass; a request it refused will be refused again
        return ("again", "skip") if exc.status == 0 or exc.status >= 500 else ("skip", "again")
    show_link(ui, link, url)
    return ()


def save_profile(ui: UI, repo: ProfileRepo, name: str, creds: Credentials, report: Report,
                 quiet: bool = False) -> None:
    save_verified(repo, name, creds, report)
    if not quiet:
        ui.say(_("Saved profile {name}: secrets in {store}, nothing secret on disk.").format(
            name=name, store=repo.secrets.describe()))
