"""`okxlink profiles` (list what is stored) and `okxlink remove` (withdraw its key from the linking
services holding it, then forget it: keyring + metadata).

Listing reads profiles.toml only: it works with a locked keyring and imports no keyring. What it
shows (label and uid from OKX, a link id from a linking service, anything in a hand-edited file)
enters each line through okxlink.text.plain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from okxlink.cli.console import Para
from okxlink.cli.context import Context
from okxlink.core import sites
from okxlink.errors import Exit, UsageError
from okxlink.i18n import _
from okxlink.storage import LinkRecord, ProfileMeta, ProfileRepo
from okxlink.text import plain

if TYPE_CHECKING:
    from okxlink.cli.ui import UI
    from okxlink.core.secret import SecretStr


def run_profiles(ctx: Context, *, json_out: bool) -> Exit:
    file = ctx.profiles_file()
    metas = [m for _name, m in sorted(file.read().items())]
    ui = ctx.ui(json_mode=json_out)
    if json_out:
        ui.json({"profiles": [m.to_json() for m in metas]})
        return Exit.OK
    if not metas:
        ui.say(_("No profiles yet. Run okxlink setup to add one."))
        return Exit.OK
    rows = [_cells(m) for m in metas]
    if _narrowest(rows) <= ui.out.width:
        ui.out.print(_table(rows))
    else:  # too narrow for the columns: one block per profile, as status shows them
        for cells in rows:
            ui.out.print(_block(cells))
    ui.out.print(Text(_("Metadata: {path}. Secrets are in the OS keyring.").format(path=plain(file.path, 4096)),
                      style="dim"))
    return Exit.OK


def _titles() -> list[str]:
    return [_("Profile"), _("Site"), _("Key"), _("Label"), _("UID"), _("Last verified"), _("Ready")]


def _cells(m: ProfileMeta) -> list[str]:
    verified = plain(m.last_verified).replace("T", " ")[:16] + "Z" if m.last_verified else _("never")
    return [plain(cell) or "-" for cell in (m.name, sites.describe(m.site, m.demo), m.key, m.label, m.uid,
                                            verified, _ready(m))]


LABEL = 3  # the one column that wraps
GAP = 3    # between two columns: padding, the separator, padding


def _narrowest(rows: list[list[str]]) -> int:
    """The table's width with every column whole but the label, wrapped to its title's width."""
    widths = [max(cell_len(cell) for cell in column) for column in zip(_titles(), *rows, strict=True)]
    widths[LABEL] = cell_len(_titles()[LABEL])
    return sum(widths) + GAP * (len(widths) - 1)


def _table(rows: list[list[str]]) -> Table:
    """Plain columns with space separators (a listing is piped too). Only the label (OKX's words,
    up to 50 characters) wraps; no header or value is ever split."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for i, title in enumerate(_titles()):
        table.add_column(title, no_wrap=i != LABEL, min_width=cell_len(title) if i == LABEL else None)
    for cells in rows:
        table.add_row(*(Para(cell) if i == LABEL else Text(cell) for i, cell in enumerate(cells)))
    return table


def _block(cells: list[str]) -> Group:
    """One profile as a few lines: its name, key and site, then each field that has a value."""
    name, site, key, *fields = cells
    lines = [Para(Text.assemble((name, "bold"), f"  {key} · {site}"), rest="  ")]
    lines += [Para(_("{title}: {value}").format(title=title, value=value), first="  ", rest="    ")
              for title, value in zip(_titles()[LABEL:], fields, strict=True) if value != "-"]
    return Group(*lines)


def _ready(m: ProfileMeta) -> str:
    return {True: _("ready"), False: _("not ready"), None: "-"}[m.verify.ready]


def run_remove(ctx: Context, *, profile: str, yes: bool, keep_links: bool) -> Exit:
    """Withdraw the key from every service holding it, then forget the profile. Ask first unless
    --yes; a run without a terminal must say --yes rather than hang on a prompt. Whatever would stop
    a withdrawal (an unusable address or link id, no token) is found before anything is withdrawn;
    a service that fails keeps the profile, so the key a platform holds is never lost track of,
    unless --keep-links says to remove it anyway (and where the key stays is said)."""
    from okxlink.cli.link_ui import hosts_of
    from okxlink.flows.linking import held_at

    repo = ctx.repo()
    ui = ctx.ui()
    known = repo.profiles.read()
    meta = known.get(profile)
    if meta is None:
        half = repo.profiles.read(include_removing=True).get(profile)
        if half is None:
            raise ProfileRepo.unknown(profile, known)
        repo.remove(profile)  # a removal that was interrupted: finish it
        _removed(ui, repo, profile, [r for url in half.services() for r in held_at(half, url)])
        return Exit.OK
    services = meta.services()
    withdrawable, left = _withdrawable(profile, meta, services, keep_links)
    if not yes:
        if not ctx.stdin_is_terminal:
            raise UsageError(
                _("Not removing profile {name} without confirmation: standard input is not a terminal.").format(
                    name=profile),
                _("Pass --yes to remove it without being asked."))
        # the question is the asker's to print (questionary): it gets plain values too
        question = _("Remove profile {name} (key {key}, {site}, {env}) from this machine?").format(
            name=plain(profile), key=plain(meta.key), site=plain(sites.label(meta.site)),
            env=sites.env_label(meta.demo))
        if withdrawable:
            question += " " + _("Its key will first be withdrawn from {hosts}.").format(hosts=hosts_of(withdrawable))
        if not ctx.asker().confirm("remove-profile", question, default=False):
            ui.say(_("Kept profile {name}.").format(name=plain(profile)))
            return Exit.OK
    tokens, unasked = _tokens(ctx, meta, withdrawable, keep_links)
    left += unasked
    left += _withdraw(ctx, ui, profile, tokens, keep_links)
    repo.remove(profile)
    _removed(ui, repo, profile, left)
    return Exit.OK


def _tokens(ctx: Context, meta: ProfileMeta, urls: list[str],
            keep_links: bool) -> tuple[dict[str, SecretStr], list[LinkRecord]]:
    """Every service's token, before anything is withdrawn; (--keep-links) the records of a service
    without one stay."""
    from okxlink.cli.link_ui import find_token
    from okxlink.core.urls import host_of
    from okxlink.flows.linking import held_at

    tokens, left = {}, []
    for url in urls:
        token = find_token(ctx, url, token_stdin=False)
        if token is not None:
            tokens[url] = token
        elif keep_links:
            left += held_at(meta, url)
        else:
            raise UsageError(_("No token for the linking service at {host}, so the key cannot be withdrawn "
                               "there.").format(host=host_of(url)),
                             _("Set OKXLINK_LINK_URL and OKXLINK_LINK_TOKEN to it, or pass --keep-links to "
                               "remove the profile anyway."))
    return tokens, left


def _withdraw(ctx: Context, ui: UI, profile: str, tokens: dict[str, SecretStr], keep_links: bool) -> list[LinkRecord]:
    """A service that fails stops the removal, saying where the key remains (the profile is kept:
    it is what knows the key is there); with --keep-links the next one is tried. Returns the
    records that stay."""
    from okxlink.cli.link_ui import show_remaining
    from okxlink.core.urls import host_of
    from okxlink.errors import LinkError
    from okxlink.flows.linking import held_at, withdraw_everywhere

    repo = ctx.repo()
    failed = withdraw_everywhere(repo, profile, tokens, ctx.http, keep_going=keep_links, done=lambda url: ui.say(
        _("Unlinked profile {name} from {host}.").format(name=plain(profile), host=host_of(url))))
    meta = repo.meta(profile)
    if failed and not keep_links:
        ui.say(_("Kept profile {name}.").format(name=plain(profile)))
        show_remaining(ui, [r for u in meta.services() for r in held_at(meta, u)])
        exc = next(iter(failed.values()))
        raise LinkError(exc.message, _("Run okxlink remove again once it answers, or pass --keep-links "
                                       "to remove the profile anyway."), exc.code, exc.status) from exc
    return [r for url in failed for r in held_at(meta, url)]


def _withdrawable(profile: str, meta: ProfileMeta, services: list[str],
                  keep_links: bool) -> tuple[list[str], list[LinkRecord]]:
    """The services a withdrawal can be sent to, and (--keep-links) the records that stay: an address
    or link id okxlink will not send a request with (a hand edit) stops the removal otherwise."""
    from okxlink.cli.link_ui import check_withdrawable
    from okxlink.flows.linking import held_at

    withdrawable: list[str] = []
    left: list[LinkRecord] = []
    for url in services:
        try:
            check_withdrawable(profile, held_at(meta, url))
            withdrawable.append(url)
        except UsageError as exc:
            if not keep_links:
                raise UsageError(exc.message, _("Pass --keep-links to remove the profile anyway; the key "
                                                "stays with that service.")) from exc
            left += held_at(meta, url)
    return withdrawable, left


def _removed(ui: UI, repo: ProfileRepo, profile: str, left: list[LinkRecord]) -> None:
    from okxlink.cli.link_ui import show_remaining

    ui.say(_("Removed profile {name}: its secrets from {store} and its metadata.").format(
        name=plain(profile), store=plain(repo.secrets.describe())))
    show_remaining(ui, left)
    ui.out.print(Text(_("The key itself still exists on OKX: delete it there if nothing uses it any more."),
                      style="dim"))
