"""How `okxlink status` shows profiles, shared with `okxlink demo`: one short block per profile,
readable at any width (as `gh auth status` does): each line wraps by okxlink's rules, its
continuation indented one step further; check ids are shown by their names.

Every field shown comes from profiles.toml, and some of it from a linking service: each enters a
line through okxlink.text.plain (one bounded line, no control character)."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Group, RenderableType
from rich.text import Text

from okxlink.cli.console import Items, Para
from okxlink.cli.ui import MARKS, UI
from okxlink.core import sites
from okxlink.core.checks import CheckId
from okxlink.core.checks import name as check_name
from okxlink.core.modes import mode_name
from okxlink.core.urls import host_of
from okxlink.flows.status import Local, Platform, RotationState, Row, parse_time
from okxlink.i18n import _, ngettext
from okxlink.storage import ProfileMeta
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


def _line(text: Text | str, depth: int = 1) -> Para:
    """A line of a block, indented `depth` steps; its continuation lines one step further."""
    return Para(text, first="  " * depth, rest="  " * (depth + 1))


def _flag(status: str | None, label: str) -> Text:
    mark, style = MARKS.get(status or "", ("?", "dim"))
    return Text.assemble((mark, style), " ", label)


def _withdraw_flag(statuses: dict[str, str]) -> Text:
    status = statuses.get(CheckId.PERMISSION_WITHDRAW)
    label = {"pass": _("Withdraw off"), "fail": _("Withdraw on")}.get(status or "", _("Withdraw"))
    return _flag(status, label)


def _ip_flag(meta: ProfileMeta) -> Text:
    """What is true of the key's IP binding, as the last verification found it: bound (to how many
    addresses), not bound, or not needed; ip-binding's mark, as verify shows it. A key whose
    whitelist refused this machine (50110, ip-whitelist's warning) is bound, to other addresses."""
    statuses, count = meta.verify.statuses, meta.verify.ip_count
    status = statuses.get(CheckId.IP_BINDING)
    if statuses.get(CheckId.IP_WHITELIST) == "warn":
        return _flag("warn", _("IP bound, not to this machine"))
    if status == "warn":
        return _flag(status, _("No IP bound"))
    if status == "pass" and count:
        return _flag(status, ngettext("IP bound ({n} address)", "IP bound ({n} addresses)", count).format(n=count))
    if status == "pass" and count == 0:
        return _flag(status, _("No IP needed (demo)") if meta.demo else _("No IP needed (read-only)"))
    return _flag(status, check_name(CheckId.IP_BINDING))  # not checked, or recorded by an earlier version


def _names(ids: list[str]) -> str:
    """Check ids (or a service's reasons) as a person reads them, in one bounded line."""
    return plain(_(", ").join(check_name(i) for i in ids))


def block(row: Row, now: datetime | None = None) -> Group:
    """One profile, a few short lines (as `gh auth status` does), each wrapped at any width. Both
    verdicts are shown, each with its age, then the one they combine into."""
    meta = row.meta
    st = meta.verify.statuses
    lines: list[RenderableType] = [
        Para(Text.assemble((plain(meta.name), "bold"), f"  {plain(meta.key)} · "
                           f"{plain(sites.describe(meta.site, meta.demo))}"), rest="  "),
        Items([_flag(st.get(CheckId.PERMISSION_TRADE), _("Trade")), _withdraw_flag(st), _ip_flag(meta)],
              indent="  ")]
    mode = mode_name(meta.verify.acct_lv)
    if mode:
        lines.append(_line(_flag(st.get(CheckId.ACCOUNT_MODE), _("unified account · {mode}").format(mode=mode))))
    lines += _key_lines(row, now)
    lines.append(_line(_local_line(row.local, now)))
    lines += [_line(_platform_line(platform, now)) for platform in row.links]
    if not row.links and meta.handover is not None and meta.handover.key == meta.key:
        lines.append(_line(_("Platform: key handed over by clipboard {age}; okxlink cannot ask it: look at its "
                             "page (grey Spot = ready, orange = check settings), re-check with okxlink "
                             "verify").format(age=age(meta.handover.at, now))))
    elif not row.links:
        lines.append(_line(_("Platform: not linked")))
    spot = Text(_("Spot: ")).append(
        {"ready": _("ready"), "attention": _("needs attention"), "unknown": _("unknown")}[row.spot],
        style=SPOT_STYLE[row.spot])
    if row.reasons and row.spot != "ready":
        spot.append(_(" ({reasons})").format(reasons=_names(row.reasons)), style="dim")  # a service may send many
    lines.append(_line(spot))
    return Group(*lines)


def _key_lines(row: Row, now: datetime | None) -> list[Para]:
    """The key's age, and what to do about it: finish a rotation under way, or start one when the
    key is older than OKXLINK_ROTATE_AFTER_DAYS (the rotation's line already says to run rotate)."""
    out = []
    name = plain(row.meta.name)
    if parse_time(row.key_stored) is not None:  # an unknown age is left unsaid rather than guessed
        out.append(_line(_("Key stored {age}").format(age=age(row.key_stored, now))))
    if row.rotation is not None:
        out += _rotation_lines(row.rotation, name, now)
    elif row.rotate_due:
        out.append(_line(Text(_("Older than {days} days: consider okxlink rotate --profile {name}").format(
            days=row.rotate_after_days, name=name), style="yellow")))
    return out


def _rotation_lines(rotation: RotationState, name: str, now: datetime | None) -> list[Para]:
    """A rotation stopped half-way: both keys are live somewhere until it is finished."""
    out = [_line(Text(_("Rotation to key {key} under way, started {age}").format(
        key=plain(rotation.key), age=age(rotation.started, now)), style="yellow"))]
    for held in rotation.services:
        keys = [plain(k) if state == "linked" else _("{key} (not confirmed)").format(key=plain(k))
                for k, state in held.keys.items()]
        out.append(_line(_("{host} holds {keys}").format(host=plain(_host(held.service)), keys=", ".join(keys)), 2))
    out.append(_line(_("Run okxlink rotate --profile {name} to finish.").format(name=name), 2))
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
        return _("This machine: needs attention ({ids}) · checked {age}").format(ids=_names(local.failing), age=when)
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
