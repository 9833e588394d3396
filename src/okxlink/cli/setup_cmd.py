"""`okxlink setup`: the interactive wizard, or its non-interactive twin for scripts and servers.
Both store a key only after it verified (or, for a platform-bound key, after the user said so)."""

from __future__ import annotations

import sys
import webbrowser

from okxlink.cli import inputs
from okxlink.cli.records import new_meta
from okxlink.cli.ui import UI
from okxlink.cli.verify_cmd import exit_code, verify_once
from okxlink.cli.wizard import State, Wizard
from okxlink.core.credentials import Credentials
from okxlink.core.verify import Report
from okxlink.errors import UsageError
from okxlink.i18n import _
from okxlink.storage import KeyringStore, ProfileRepo, validate_name


def interactive_possible() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_setup(*, profile: str, site: str, demo: bool, yes: bool, non_interactive: bool,
              stdin: bool, keep_unverified: bool, json_out: bool, service: str | None = None,
              no_link: bool = False, repo: ProfileRepo | None = None) -> int:
    validate_name(profile)
    repo = repo or ProfileRepo(KeyringStore())
    ui = UI(json_mode=json_out)
    # Before a single question: a keyring that cannot store must not cost the user the whole wizard.
    preflight = getattr(repo.secrets, "preflight", None)
    if preflight:
        preflight()
    if non_interactive or stdin or not interactive_possible():
        return _unattended(ui, repo, profile, site, demo, stdin, keep_unverified, json_out)
    wizard = make_wizard(ui, repo, State(profile=profile, site=site, demo=demo), yes=yes,
                         service=service)
    wizard.run()
    return 0


def make_wizard(ui: UI, repo: ProfileRepo, state: State, *, yes: bool, service: str | None = None,
                token: str | None = None) -> Wizard:
    from okxlink.cli.ask import DefaultsAsker, QuestionaryAsker

    asker = DefaultsAsker(fallback=QuestionaryAsker() if interactive_possible() else None) if yes \
        else QuestionaryAsker()

    def save(s: State) -> None:
        if s.report is None:  # the wizard saves only after a verification
            raise AssertionError("save() called before the key was verified")
        if repo.exists(s.profile) and not yes and not asker.confirm(
                _("Profile {name} exists. Replace it?").format(name=s.profile), default=False):
            s.profile = validate_name(asker.text(_("Name for this profile:"), default=s.profile + "-2"))
        save_profile(ui, repo, s.profile, s.creds(), s.report)

    def link(s: State) -> None:
        from pydantic import SecretStr

        from okxlink.cli.link_cmd import link_profile, resolve_token, send_question, show_link
        from okxlink.core.linking import check_service_url

        url = check_service_url(service or "")
        if not asker.confirm(send_question(url, s.creds().masked_key()), default=True):
            ui.say(_("Not linked; you can link later with okxlink link --profile {name}.").format(name=s.profile))
            return
        secret = SecretStr(token) if token else resolve_token(repo, url, False, interactive_possible())
        show_link(ui, link_profile(ui, repo, s.profile, url, secret), url)

    return Wizard(ask=asker, ui=ui, verify=lambda c, site, demo: verify_once(ui, c, site, demo),
                  save=save, open_url=webbrowser.open, unattended=yes, state=state,
                  link=link if service else None)


def _unattended(ui: UI, repo: ProfileRepo, profile: str, site: str, demo: bool, stdin: bool,
                keep_unverified: bool, json_out: bool) -> int:
    creds: Credentials | None = inputs.from_stdin() if stdin else inputs.from_env()
    if creds is None:
        raise UsageError(_("Non-interactive setup needs the credentials."),
                         _("Set OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE, or pipe them as JSON "
                           "into okxlink setup --stdin."))
    report: Report = verify_once(ui, creds, site, demo)
    keep = report.ready is True or (report.okx_code == "50110" and keep_unverified)
    if json_out:
        ui.json({**report.to_json(), "profile": profile, "saved": keep})
    else:
        ui.report(report)
    if not keep:
        if report.okx_code == "50110":
            ui.note(_("Not saved. If the key is bound to your platform's IPs, save it anyway with "
                      "--keep-unverified."))
        else:
            ui.note(_("Not saved: the key must pass verification first."))
        return exit_code(report.ready)
    save_profile(ui, repo, profile, creds, report, quiet=json_out)
    return 0


def save_profile(ui: UI, repo: ProfileRepo, name: str, creds: Credentials, report: Report,
                 quiet: bool = False) -> None:
    repo.save(name, creds, new_meta(name, report))
    if not quiet:
        ui.say(_("Saved profile {name}: secrets in {store}, nothing secret on disk.").format(
            name=name, store=repo.secrets.describe()))
