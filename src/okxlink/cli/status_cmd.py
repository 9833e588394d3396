"""`okxlink status`: per profile, Spot readiness as the platforms show it, the key's permissions
and binding, account mode, each link's state, the key's age and a rotation under way. Online it
re-verifies every profile and asks the linking services; `--offline` shows what the last run
remembered, with its age, and makes no network call."""

from __future__ import annotations

from okxlink.cli import inputs
from okxlink.cli.context import Context
from okxlink.errors import Exit
from okxlink.flows import status
from okxlink.i18n import _


def run_status(ctx: Context, *, json_out: bool, offline: bool) -> Exit:
    ui = ctx.ui(json_mode=json_out)
    repo = ctx.repo()
    repo.on_unrecorded = ui.note  # a verdict that cannot be recorded is still shown, with one warning
    now = ctx.now()  # one clock for the whole run: the keys' ages and the lines' ages agree
    if offline:
        rows = status.rows(repo, ctx.settings, ctx.http, offline=True, now=now)
    else:
        ctx.note_endpoint(ui)
        with ui.spinner(_("Asking OKX and the linking services…")):
            rows = status.rows(repo, ctx.settings, ctx.http, offline=False, now=now)
    if json_out:
        ui.json({"profiles": [row.to_json() for row in rows]})
    else:
        from okxlink.cli import status_view  # rich: --json builds no console

        where = _("keyring") if offline else repo.secrets.describe()
        status_view.show(ui, rows, where, env_credentials=all(n in ctx.environ for n in inputs.ENV_NAMES),
                         now=now)
    return status.exit_code(rows)
