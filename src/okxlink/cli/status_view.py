"""How `okxlink status` shows profiles, shared with `okxlink demo`: one short block per profile,
readable at any width (as `gh auth status` does)."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from rich.text import Text

from okxlink.cli.ui import MARKS, UI
from okxlink.core import sites
from okxlink.core.diagnose import mode_name
from okxlink.flows.status import Row
from okxlink.i18n import _

SPOT_STYLE = {"ready": "grey62", "attention": "dark_orange", "unknown": "dim"}


def age(iso: str | None, now: datetime | None = None) -> str:
    if not iso:
        return _("never")
    then = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    seconds = int(((now or datetime.now(timezone.utc)) - then).total_seconds())
    for unit, size in ((_("d"), 86400), (_("h"), 3600), (_("min"), 60)):
        if seconds >= size:
            return _("{n} {unit} ago").format(n=seconds // size, unit=unit)
    return _("just now")


def show(ui: UI, rows: list[Row], secrets_where: str, env_credentials: bool = False,
         now: datetime | None = None) -> None:
    if not rows:
        ui.say(_("No profiles yet. Run okxlink setup to add one."))
        return
    if env_credentials:
        ui.note(_("OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE are set: okxlink verify uses "
                  "them instead of a stored profile."))
    for row in rows:
        ui.out.print(block(row, now))
    ui.out.print(Text(_("Secrets: {where}").format(where=secrets_where), style="dim"))

def _flag(statuses: dict[str, str], check_id: str, label: str) -> Text:
    mark, style = MARKS.get(statuses.get(check_id, ""), ("?", "dim"))
    return Text.assemble((mark, style), " ", label)


def block(row: Row, now: datetime | None = None) -> Text:
    """One profile, a few short lines (as `gh auth status` does): readable at any width."""
    meta = row.meta
    st = meta.verify.statuses
    out = Text.assemble((meta.name, "bold"), f"  {meta.key} · {sites.describe(meta.site, meta.demo)} · ",
                        _("verified {age}").format(age=age(meta.last_verified, now)), "\n  ")
    out.append_text(Text("   ").join([_flag(st, "permission-trade", _("Trade")),
                                      _flag(st, "permission-withdraw", _("Withdraw off")),
                                      _flag(st, "ip-binding", _("IP bound"))]))
    name = mode_name(meta.verify.acct_lv)
    if name:
        out.append("\n  ").append_text(_flag(st, "account-mode", _("unified account · {mode}").format(mode=name)))
    spot = {"ready": _("ready"), "attention": _("needs attention"), "unknown": _("unknown")}[row.spot]
    out.append("\n  " + _("Spot: "))
    out.append(spot, style=SPOT_STYLE[row.spot])
    if row.reasons and row.spot != "ready":
        out.append(" (" + ", ".join(row.reasons) + ")", style="dim")
    link = row.link
    host = urlsplit(link["service"] or "").netloc
    out.append("\n  " + {"linked": _("Link: linked to {host}"), "not-linked": _("Link: not linked"),
                          "unreachable": _("Link: {host} is unreachable")}[link["state"]].format(host=host))
    return out
