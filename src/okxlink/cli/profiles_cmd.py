"""`okxlink profiles` (list what is stored) and `okxlink remove` (forget one: keyring + metadata).

Listing reads profiles.toml only: it works with a locked keyring and imports neither keyring nor
pydantic. Output goes through a plain rich Console rather than cli.ui.UI, which imports the
verify machinery (httpx, pydantic) that these commands never use.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from okxlink.core import sites
from okxlink.errors import UsageError
from okxlink.i18n import _
from okxlink.storage import KeyringStore, ProfileMeta, ProfileRepo, ProfilesFile

Confirm = Callable[[str], bool | None]  # None: the user pressed Ctrl-C


def run_profiles(json_out: bool, *, profiles: ProfilesFile | None = None) -> int:
    file = profiles if profiles is not None else ProfilesFile()
    metas = [m for _name, m in sorted(file.read().items())]
    if json_out:
        sys.stdout.write(json.dumps({"profiles": [m.to_json() for m in metas]}, ensure_ascii=False, indent=2) + "\n")
        return 0
    out = Console(highlight=False, soft_wrap=False)
    if not metas:
        out.print(_("No profiles yet. Run okxlink setup to add one."))
        return 0
    # Plain columns with space separators: a listing must fit 80 columns when piped.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for title, wrap in ((_("Profile"), False), (_("Site"), False), (_("Key"), False), (_("Label"), True),
                        (_("UID"), True), (_("Last verified"), False), (_("Ready"), True)):
        table.add_column(title, no_wrap=not wrap, overflow="fold")
    for m in metas:
        site = sites.describe(m.site, m.demo)
        verified = m.last_verified.replace("T", " ")[:16] + "Z" if m.last_verified else _("never")
        table.add_row(*(Text(cell) for cell in (m.name, site, m.key, m.label or "-", m.uid or "-", verified, _ready(m))))
    out.print(table)
    out.print(Text(_("Metadata: {path}. Secrets are in the OS keyring.").format(path=file.path), style="dim"))
    return 0


def _ready(m: ProfileMeta) -> str:
    return {True: _("ready"), False: _("not ready"), None: "-"}[m.verify.ready]


def run_remove(profile: str, yes: bool, *, repo: ProfileRepo | None = None, confirm: Confirm | None = None) -> int:
    """Ask first unless --yes; a run without a terminal must say --yes rather than hang on a prompt."""
    repo = repo if repo is not None else ProfileRepo(KeyringStore())
    known = repo.profiles.read()
    meta = known.get(profile)
    out = Console(highlight=False, soft_wrap=False)
    if meta is None:
        if profile not in repo.profiles.read(include_removing=True):
            raise ProfileRepo.unknown(profile, known)
        repo.remove(profile)  # a removal that was interrupted: finish it
        out.print(_("Removed profile {name}: its secrets from {store} and its metadata.").format(
            name=profile, store=repo.secrets.describe()))
        return 0
    linked = meta.link is not None and meta.link.state not in ("", "removed", "unlinked")
    if not yes:
        if confirm is None:
            if not sys.stdin.isatty():
                raise UsageError(
                    _("Not removing profile {name} without confirmation: standard input is not a terminal.").format(
                        name=profile),
                    _("Pass --yes to remove it without being asked."))
            confirm = _ask
        question = _("Remove profile {name} (key {key}, {site}, {env}) from this machine?").format(
            name=profile, key=meta.key, site=sites.label(meta.site), env=sites.env_label(meta.demo))
        if linked:
            question += " " + _("It is linked to {service}; removing it here does not unlink it.").format(
                service=meta.link.service or "?")  # type: ignore[union-attr]
        answer = confirm(question)
        if answer is None:
            raise KeyboardInterrupt
        if not answer:
            out.print(_("Kept profile {name}.").format(name=profile))
            return 0
    repo.remove(profile)
    out.print(_("Removed profile {name}: its secrets from {store} and its metadata.").format(
        name=profile, store=repo.secrets.describe()))
    if linked:
        out.print(Text(_("The linking service may still hold this key (link {id}); withdraw it there.").format(
            id=meta.link.id or "?"), style="yellow"))  # type: ignore[union-attr]
    out.print(Text(_("The key itself still exists on OKX: delete it there if nothing uses it any more."), style="dim"))
    return 0


def _ask(question: str) -> bool | None:
    import questionary  # 170 ms: only when a person is really asked

    answer = questionary.confirm(question, default=False).ask()  # untyped: True, False or None
    return None if answer is None else bool(answer)
