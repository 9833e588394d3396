"""A short per-profile summary table: what `okxlink demo` ends with (the status command builds on it)."""

from __future__ import annotations

from rich.table import Table

from okxlink.cli.ui import UI
from okxlink.i18n import _
from okxlink.storage import ProfileRepo

SPOT = {True: "ready", False: "attention", None: "unknown"}


def show_profiles(ui: UI, repo: ProfileRepo) -> None:
    table = Table(show_header=True, header_style="bold")
    for title in (_("Profile"), _("Key"), _("Site"), _("Secret in"), _("Spot"), _("Reasons")):
        table.add_column(title)
    for name in repo.names():
        meta = repo.meta(name)
        spot = {"ready": _("ready"), "attention": _("needs attention"), "unknown": _("unknown")}[
            SPOT[meta.verify.ready]]
        site = "{site} · {env}".format(site=meta.site, env=_("demo") if meta.demo else _("live"))
        table.add_row(name, meta.key, site, repo.secrets.describe(), spot,
                      ", ".join(meta.verify.reasons) or "-")
    ui.out.print(table)
