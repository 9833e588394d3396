"""The wizard wired to a run, shared by `okxlink setup` and `okxlink demo`: its asker (every default
under --yes), OKX through the run's settings, the profile store, and the linking service."""

from __future__ import annotations

from okxlink.cli.ask import Asker, DefaultsAsker
from okxlink.cli.context import Context
from okxlink.cli.link_ui import Consent, resolve_token, send, send_question, show_link
from okxlink.cli.ui import UI
from okxlink.cli.wizard import State, Wizard
from okxlink.core.credentials import Credentials
from okxlink.core.urls import check_service_url
from okxlink.core.verify import Report
from okxlink.flows.verifying import save_verified, verify_one
from okxlink.i18n import _
from okxlink.storage import ProfileRepo, validate_name


def make_wizard(ctx: Context, ui: UI, state: State, *, yes: bool, service: str | None = None) -> Wizard:
    """The wizard wired to this run: its asker (every default under --yes), OKX, the profile store
    and, when a service is given, the linking service."""
    asker: Asker = DefaultsAsker(fallback=ctx.asker() if ctx.can_ask else None) if yes else ctx.asker()
    repo = ctx.repo()
    ctx.note_endpoint(ui)

    def verify(creds: Credentials, site: str, demo: bool) -> Report:
        with ui.spinner(_("Asking OKX about key {key}…").format(key=creds.masked_key())):
            return verify_one(creds, site, demo, ctx.settings, ctx.http)

    def save(s: State) -> None:
        if s.report is None:  # the wizard saves only after a verification
            raise AssertionError("save() called before the key was verified")
        if repo.exists(s.profile) and not yes and not asker.confirm(
                "replace-profile", _("Profile {name} exists. Replace it?").format(name=s.profile), default=False):
            s.profile = validate_name(asker.text("profile-name", _("Name for this profile:"),
                                                 default=s.profile + "-2"))
        save_profile(ui, repo, s.profile, s.creds(), s.report)

    def link(s: State) -> None:
        url = check_service_url(service or "")
        if not asker.confirm("send-key", send_question(url, s.creds().masked_key()), default=True):
            ui.say(_("Not linked; you can link later with okxlink link --profile {name}.").format(name=s.profile))
            return
        token = resolve_token(ctx, url, token_stdin=False, named=service)
        # asked just above: this question covers every request of this link
        show_link(ui, send(ctx, ui, s.profile, url, token, Consent(ctx, url, s.creds().masked_key(), yes=True)), url)

    return Wizard(ask=asker, ui=ui, verify=verify, save=save, open_url=ctx.open_url, unattended=yes,
                  state=state, link=link if service else None)



def save_profile(ui: UI, repo: ProfileRepo, name: str, creds: Credentials, report: Report,
                 quiet: bool = False) -> None:
    save_verified(repo, name, creds, report)
    if not quiet:
        ui.say(_("Saved profile {name}: secrets in {store}, nothing secret on disk.").format(
            name=name, store=repo.secrets.describe()))
