"""How `okxlink status` shows profiles, shared with `okxlink demo`: one short block per profile,
readable at any width (as `gh auth status` does).

Every field shown comes from profiles.toml, and some of it from a linking service: each enters a
line through okxlink.text.plain (one bounded line, no control character)."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text

from okxlink.cli.ui import MARKS, UI
from okxlink.core import sites
from okxlink.core.diagnose import mode_name
from okxlink.core.urls import host_of
from okxlink.flows.status import Local, Platform, RotationState, Row, parse_time
from okxlink.i18n import _
from okxlink.text import plain

SPOT_STYLE = {"ready": "grey62", "attention": "dark_orange", "unknown": "dim"}


def age(iso: str | None, now: datetime | None = None) -> str:
    if not iso:
        return _("never")
    then = parse_time(iso)  # written by okxlink, but the file is the user's: a hand-edited date is no crash
    if then is None:
        return _("unknown")
    seconds = int(((now or datetime.now(timezone.utc)) - then).total_seconds())
    for unit, size in ((_("d"), 86400), (_("h"), 3600), (_("min"), 60)):
        if seconds >= size:
            return _("{n} {unit} ago").format(n=seconds // size, unit=unit)
    return _("just now")


def show(ui: UI, rows: list[Row], secrets_where: str, env_credentials: bool = False,
         now: datetime | None = None) -> None:
    if not rows:
        ui.say(_("No profiles yet, so nothing is ready. Run okxlink setup to add one."))
        return
    if env_credentials:
        ui.note(_("OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE are set: okxlink verify uses "
                  "them instead of a stored profile."))
    for row in rows:
        ui.out.print(block(row, now))
    ui.out.print(Text(_("Secrets: {where}").format(where=plain(secrets_where)), style="dim"))


def _flag(statuses: dict[str, str], check_id: str, label: str) -> Text:
    mark, style = MARKS.get(statuses.get(check_id, ""), ("?", "dim"))
    return Text.assemble((mark, style), " ", label)


def block(row: Row, now: datetime | None = None) -> Text:
    """One profile, a few short lines (as `gh auth status` does): readable at any width. Both
    verdicts are shown, each with its age, then the one they combine into."""
    meta = row.meta
    st = meta.verify.statuses
    out = Text.assemble((plain(meta.name), "bold"),
                        f"  {plain(meta.key)} · {plain(sites.describe(meta.site, meta.demo))}\n  ")
    out.append_text(Text("   ").join([_flag(st, "permission-trade", _("Trade")),
                                      _flag(st, "permission-withdraw", _("Withdraw off")),
                                      _flag(st, "ip-binding", _("IP bound"))]))
    name = mode_name(meta.verify.acct_lv)
    if name:
        out.append("\n  ").append_text(_flag(st, "account-mode", _("unified account · {mode}").format(mode=name)))
    out.append_text(_key_lines(row, now))
    out.append("\n  " + _local_line(row.local, now))
    for platform in row.links:
        out.append("\n  " + _platform_line(platform, now))
    if not row.links and meta.handover is not None and meta.handover.key == meta.key:
        out.append("\n  " + _("Platform: key handed over by clipboard {age}; okxlink cannot ask it: look at its "
                               "page (grey Spot = ready, orange = check settings), re-check with okxlink "
                               "verify").format(age=age(meta.handover.at, now)))
    elif not row.links:
        out.append("\n  " + _("Platform: not linked"))
    spot = {"ready": _("ready"), "attention": _("needs attention"), "unknown": _("unknown")}[row.spot]
    out.append("\n  " + _("Spot: "))
    out.append(spot, style=SPOT_STYLE[row.spot])
    if row.reasons and row.spot != "ready":
        out.append(" (" + plain(", ".join(row.reasons)) + ")", style="dim")  # a service may send many
    return out


def _key_lines(row: Row, now: datetime | None) -> Text:
    """The key's age, and what to do about it: finish a rotation under way, or start one when the
    key is older than OKXLINK_ROTATE_AFTER_DAYS (the rotation's line already says to run rotate)."""
    out = Text()
    name = plain(row.meta.name)
    if parse_time(row.key_stored) is not None:  # an unknown age is left unsaid rather than guessed
        out.append("\n  " + _("Key stored {age}").format(age=age(row.key_stored, now)))
    if row.rotation is not None:
        out.append_text(_rotation_lines(row.rotation, name, now))
    elif row.rotate_due:
        out.append("\n  ")
        out.append(_("Older than {days} days: consider okxlink rotate --profile {name}").format(
            days=row.rotate_after_days, name=name), style="yellow")
    return out


def _rotation_lines(rotation: RotationState, name: str, now: datetime | None) -> Text:
    """A rotation stopped half-way: both keys are live somewhere until it is finished."""
    out = Text("\n  ")
    out.append(_("Rotation to key {key} under way, started {age}").format(
        key=plain(rotation.key), age=age(rotation.started, now)), style="yellow")
    for held in rotation.services:
        keys = [plain(k) if state == "linked" else _("{key} (not confirmed)").format(key=plain(k))
                for k, state in held.keys.items()]
        out.append("\n    " + _("{host} holds {keys}").format(host=plain(_host(held.service)),
                                                             keys=", ".join(keys)))
    out.append("\n    " + _("Run okxlink rotate --profile {name} to finish.").format(name=name))
    return out


def platform_verdict(p: Platform, now: datetime | None = None) -> Text:
    """Under a verify table: the platform's check of a key this machine cannot check."""
    style = "bold green" if p.reachable and p.spot == "ready" else "bold yellow"
    return Text(_("Your platform checked it: {verdict}").format(verdict=_platform_line(p, now)), style=style)


def _local_line(local: Local, now: datetime | None) -> str:
    if local.checked_at is None:
        return _("This machine: never checked")
    when = age(local.checked_at, now)
    if local.ready is False:
        return _("This machine: needs attention ({ids}) · checked {age}").format(
            ids=plain(", ".join(local.failing)), age=when)
    if local.ready is True:
        return _("This machine: ready · checked {age}").format(age=when)
    if local.bound_elsewhere:
        return _("This machine: bound to your platform's IPs · checked {age}").format(age=when)
    return _("This machine: could not check the key · {age}").format(age=when)


def _host(url: str) -> str:
    """host:port only: never a user name or password a hand-edited profiles.toml may hold."""
    return host_of(url) or plain(url)


def _platform_line(p: Platform, now: datetime | None) -> str:
    host = plain(_host(p.service))
    if p.state != "linked":
        return _("{host}: link not confirmed; run okxlink link again").format(host=host)
    said = {"ready": _("Spot ready"), "attention": _("Spot needs attention")}.get(p.spot or "", _("no verdict yet"))
    when = age(p.checked_at, now)
    if p.reachable is True:
        return _("{host}: {said} · checked {age}").format(host=host, said=said, age=when)
    if p.reachable is False:
        return _("{host}: not reachable; it last said {said}, {age}").format(host=host, said=said, age=when)
    return _("{host}: {said} · checked {age} (remembered)").format(host=host, said=said, age=when)
