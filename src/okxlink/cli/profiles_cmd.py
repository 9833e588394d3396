"""`okxlink profiles` (list what is stored) and `okxlink remove` (forget one: keyring + metadata).

Listing reads profiles.toml only: it works with a locked keyring and imports neither keyring nor
pydantic. What it shows (label and uid from OKX, a link id from a linking service, anything in a
hand-edited file) enters each line through okxlink.text.plain.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from okxlink.cli.context import Context
from okxlink.core import sites
from okxlink.errors import Exit, UsageError
from okxlink.i18n import _
from okxlink.storage import ProfileMeta, ProfileRepo
from okxlink.text import plain


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
    # Plain columns with space separators: a listing must fit 80 columns when piped.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for title, wrap in ((_("Profile"), False), (_("Site"), False), (_("Key"), False), (_("Label"), True),
                        (_("UID"), True), (_("Last verified"), False), (_("Ready"), True)):
        table.add_column(title, no_wrap=not wrap, overflow="fold")
    for m in metas:
        site = sites.describe(m.site, m.demo)
        verified = plain(m.last_verified).replace("T", " ")[:16] + "Z" if m.last_verified else _("never")
        table.add_row(*(Text(plain(cell) or "-") for cell in (m.name, site, m.key, m.label, m.uid, verified,
                                                               _ready(m))))
    ui.out.print(table)
    ui.out.print(Text(_("Metadata: {path}. Secrets are in the OS keyring.").format(path=plain(file.path, 4096)),
                      style="dim"))
    return Exit.OK


def _ready(m: ProfileMeta) -> str:
    return {True: _("ready"), False: _("not ready"), None: "-"}[m.verify.ready]


def run_remove(ctx: Context, *, profile: str, yes: bool) -> Exit:
    """Ask first unless --yes; a run without a terminal must say --yes rather than hang on a prompt."""
    repo = ctx.repo()
    ui = ctx.ui()
    known = repo.profiles.read()
    meta = known.get(profile)
    if meta is None:
        if profile not in repo.profiles.read(include_removing=True):
            raise ProfileRepo.unknown(profile, known)
        repo.remove(profile)  # a removal that was interrupted: finish it
        ui.say(_("Removed profile {name}: its secrets from {store} and its metadata.").format(
            name=plain(profile), store=plain(repo.secrets.describe())))
        return Exit.OK
    link = meta.link if meta.link is not None and meta.link.state in ("linked", "pending") else None
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
        if link is not None:
            question += " " + _("It is linked to {service}; removing it here does not unlink it.").format(
                service=plain(link.service) or "?")
        if not ctx.asker().confirm("remove-profile", question, default=False):
            ui.say(_("Kept profile {name}.").format(name=plain(profile)))
            return Exit.OK
    repo.remove(profile)
    ui.say(_("Removed profile {name}: its secrets from {store} and its metadata.").format(
        name=plain(profile), store=plain(repo.secrets.describe())))
    if link is not None:
        ui.out.print(Text(_("The linking service may still hold this key (link {id}); withdraw it there.").format(
            id=plain(link.id) or "?"), style="yellow"))
    ui.out.print(Text(_("The key itself still exists on OKX: delete it there if nothing uses it any more."),
                      style="dim"))
    return Exit.OK
