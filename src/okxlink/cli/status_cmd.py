"""`okxlink status`: one row per profile — where its secret lives, site, last verification,
the key's permissions and binding, account mode, Spot readiness as the platform shows it, and the
link state. Online it re-verifies every profile and asks the linking service; `--offline` shows
what the last run remembered, with its age, and makes no network call."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from rich.text import Text

from okxlink.cli.ui import MARKS, UI
from okxlink.core import sites
from okxlink.core.diagnose import mode_name
from okxlink.i18n import _
from okxlink.storage import KeyringStore, ProfileMeta, ProfileRepo

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


def spot_of(meta: ProfileMeta) -> tuple[str, list[str]]:
    """As the platform shows it when linked (its verification from its own servers counts), else
    from our own last verification."""
    if meta.link and meta.link.state == "linked" and "spot" in meta.link.extra:
        return str(meta.link.extra["spot"]), list(meta.link.extra.get("reasons", []))
    spot = {True: "ready", False: "attention", None: "unknown"}[meta.verify.ready]
    return spot, list(meta.verify.reasons)


def link_of(meta: ProfileMeta, reachable: dict[str, bool]) -> dict[str, Any]:
    if not meta.link or meta.link.state != "linked":
        return {"state": "not-linked", "service": meta.link.service if meta.link else None, "id": None}
    state = "linked" if reachable.get(meta.name, True) else "unreachable"
    return {"state": state, "service": meta.link.service, "id": meta.link.id}


def row_json(meta: ProfileMeta, reachable: dict[str, bool]) -> dict[str, Any]:
    spot, reasons = spot_of(meta)
    return {"name": meta.name, "site": meta.site, "demo": meta.demo, "key": meta.key, "spot": spot,
            "reasons": reasons, "link": link_of(meta, reachable), "last_verified": meta.last_verified}


def refresh(repo: ProfileRepo, names: list[str], ui: UI) -> dict[str, bool]:
    """Verify every profile again and ask each linked one's service; returns profile → reachable."""
    from okxlink.cli.link_cmd import fetch_link, remember, resolve_token
    from okxlink.cli.verify_cmd import verify_profiles
    from okxlink.core.linking import LinkError
    from okxlink.errors import UsageError

    loaded, _reports = verify_profiles(ui, repo, names)
    reachable: dict[str, bool] = {}
    for meta, _creds in loaded:
        if not (meta.link and meta.link.state == "linked"):
            continue
        url = meta.link.service
        link_id = meta.link.id
        try:
            token = resolve_token(repo, url, token_stdin=False, interactive=False)
            link = fetch_link(url, token, link_id, refresh=True)
        except (LinkError, UsageError):  # no answer, or no token to ask with
            reachable[meta.name] = False
            continue
        reachable[meta.name] = True
        if link is None:  # the platform forgot it: say so rather than pretend
            repo.update_meta(meta.name, lambda m: setattr(m, "link", None))
        else:
            remember(repo, meta.name, url, link)
    return reachable


def run_status(*, json_out: bool, offline: bool, repo: ProfileRepo | None = None) -> int:
    repo = repo or ProfileRepo(KeyringStore())
    ui = UI(json_mode=json_out)
    names = repo.names()
    reachable = {} if offline or not names else refresh(repo, names, ui)
    metas = [repo.meta(n) for n in names]
    rows = [row_json(m, reachable) for m in metas]
    if json_out:
        ui.json({"profiles": rows})
    elif not metas:
        ui.say(_("No profiles yet. Run okxlink setup to add one."))
    else:
        where = _("keyring") if offline else repo.secrets.describe()
        if all(k in os.environ for k in ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE")):
            ui.note(_("OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE are set: okxlink verify uses "
                      "them instead of a stored profile."))
        for meta, row in zip(metas, rows, strict=True):
            ui.out.print(block(meta, row))
        ui.out.print(Text(_("Secrets: {where}").format(where=where), style="dim"))
    spots = {r["spot"] for r in rows}
    return 3 if "attention" in spots else 4 if "unknown" in spots else 0


def _flag(statuses: dict[str, str], check_id: str, label: str) -> Text:
    mark, style = MARKS.get(statuses.get(check_id, ""), ("?", "dim"))
    return Text.assemble((mark, style), " ", label)


def block(meta: ProfileMeta, row: dict[str, Any]) -> Text:
    """One profile, a few short lines (as `gh auth status` does): readable at any width."""
    st = meta.verify.statuses
    out = Text.assemble((meta.name, "bold"), f"  {meta.key} · {sites.describe(meta.site, meta.demo)} · ",
                        _("verified {age}").format(age=age(meta.last_verified)), "\n  ")
    out.append_text(Text("   ").join([_flag(st, "permission-trade", _("Trade")),
                                      _flag(st, "permission-withdraw", _("Withdraw off")),
                                      _flag(st, "ip-binding", _("IP bound"))]))
    name = mode_name(str(meta.verify.extra.get("acct_lv", "")))
    if name:
        out.append("\n  ").append_text(_flag(st, "account-mode", _("unified account · {mode}").format(mode=name)))
    spot = {"ready": _("ready"), "attention": _("needs attention"), "unknown": _("unknown")}[row["spot"]]
    out.append("\n  " + _("Spot: "))
    out.append(spot, style=SPOT_STYLE[row["spot"]])
    if row["reasons"] and row["spot"] != "ready":
        out.append(" (" + ", ".join(row["reasons"]) + ")", style="dim")
    link = row["link"]
    host = urlsplit(link["service"] or "").netloc
    out.append("\n  " + {"linked": _("Link: linked to {host}"), "not-linked": _("Link: not linked"),
                          "unreachable": _("Link: {host} is unreachable")}[link["state"]].format(host=host))
    return out
