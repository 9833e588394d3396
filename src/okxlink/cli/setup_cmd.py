"""`okxlink setup`: the interactive wizard, or its non-interactive twin for scripts and servers.
Both store a key only after it verified (or, for a platform-bound key, after the user said so)."""

from __future__ import annotations

from okxlink.cli import inputs
from okxlink.cli.context import Context
from okxlink.cli.setup_wizard import make_wizard, save_profile
from okxlink.cli.ui import UI
from okxlink.cli.wizard import State
from okxlink.errors import Exit, UsageError, exit_for_ready
from okxlink.flows.verifying import may_keep, verify_one
from okxlink.i18n import _
from okxlink.storage import validate_name


def run_setup(ctx: Context, *, profile: str, site: str, demo: bool, yes: bool, non_interactive: bool,
              stdin: bool, keep_unverified: bool, json_out: bool, service: str | None = None,
              no_link: bool = False) -> Exit:
    validate_name(profile)
    repo = ctx.repo()
    ui = ctx.ui(json_mode=json_out)
    # Before a single question: a keyring that cannot store must not cost the user the whole wizard.
    preflight = getattr(repo.secrets, "preflight", None)
    if preflight:
        preflight()
    if non_interactive or stdin or not ctx.can_ask:
        return _unattended(ctx, ui, profile, site, demo, stdin, keep_unverified, json_out)
    make_wizard(ctx, ui, State(profile=profile, site=site, demo=demo), yes=yes, service=service,
                no_link=no_link).run()
    return Exit.OK


def _unattended(ctx: Context, ui: UI, profile: str, site: str, demo: bool, stdin: bool,
                keep_unverified: bool, json_out: bool) -> Exit:
    creds = inputs.from_stdin(ctx.stdin) if stdin else inputs.from_env(ctx.environ)
    if creds is None:
        raise UsageError(_("Non-interactive setup needs the credentials."),
                         _("Set OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE, or pipe them as JSON "
                           "into okxlink setup --stdin."))
    ctx.note_endpoint(ui)
    with ui.spinner(_("Asking OKX about key {key}…").format(key=creds.masked_key())):
        report = verify_one(creds, site, demo, ctx.settings, ctx.http)
    keep = may_keep(report, keep_unverified)
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
        return exit_for_ready(report.ready)
    save_profile(ui, ctx.repo(), profile, creds, report, quiet=json_out)
    return Exit.OK
