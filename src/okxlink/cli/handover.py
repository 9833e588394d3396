"""Handing a stored key over by clipboard, for a platform that takes it in its web form rather than
through a linking service: `okxlink copy`, and the wizard's last step when no service was given.

The API key, then the Secret key, then the Passphrase go on the clipboard one at a time; each stays
there until the user says it is pasted (Enter) or the time runs out, and is then cleared unless the
clipboard holds something the user copied since (cli/clipboard.py). Nothing secret is printed. The
profile records when which values were handed over: okxlink cannot ask such a platform about the
key, and `okxlink status` says so."""

from __future__ import annotations

from okxlink.cli.ask import Asker
from okxlink.cli.clipboard import HINT, Clipboard, Held, Terminal
from okxlink.cli.context import Context
from okxlink.cli.ui import UI
from okxlink.errors import UsageError
from okxlink.i18n import N_, _
from okxlink.storage import Handover
from okxlink.text import plain

FIELDS = {"api-key": N_("API key"), "secret-key": N_("Secret key"), "passphrase": N_("Passphrase")}
SECONDS = 30.0  # how long a value stays on the clipboard (pass -c keeps 45 s, KeePassXC 10 s)


def clipboard_for(ctx: Context, osc52: bool) -> Clipboard:
    """The system clipboard, or with --osc52 the terminal's: only to a terminal, never into a file."""
    if not osc52:
        return ctx.clipboard()
    if not ctx.can_ask:
        raise UsageError(_("--osc52 copies through the terminal, and okxlink is not running in one."),
                         _("Run okxlink copy --osc52 in a terminal."))
    return Terminal(ctx.stdout)


def hand_over(ctx: Context, ui: UI, profile: str, fields: list[str], board: Clipboard, seconds: float) -> None:
    """Each of `fields` in turn. With a person there, the next one comes when they press Enter (or
    they stop); without, the one value stays until the time runs out."""
    repo = ctx.repo()
    meta, creds = repo.load(profile)
    values = {"api-key": creds.api_key, "secret-key": creds.secret_key.get_secret_value(),
              "passphrase": creds.passphrase.get_secret_value()}
    asker = ctx.asker() if ctx.can_ask else None
    ui.note(_manager_note(board))
    handed: list[str] = []
    try:
        for n, name in enumerate(fields, 1):
            label = _(FIELDS[name])
            with Held(board, values[name], seconds) as held:
                handed.append(name)
                ui.say(_("{n}/{total} {field} of key {key} is on the clipboard: paste it into your platform's "
                         "{field} field (cleared in {seconds} s).").format(
                    n=n, total=len(fields), field=label, key=plain(meta.key), seconds=f"{seconds:g}"))
                go_on = _wait(asker, held, fields[n] if n < len(fields) else None)
            _after(ui, held)
            if not go_on:
                break
    finally:
        if handed:
            stamp = ctx.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
            with repo.best_effort():
                repo.update_meta(profile, lambda m: setattr(m, "handover", Handover(at=stamp, key=meta.key,
                                                                                    fields=handed)))
    ui.say(_("okxlink cannot ask your platform whether it took the key: look at its own page (a grey "
             "Spot means ready, orange: check the settings it names), and re-check the key with okxlink "
             "verify --profile {name}.").format(name=profile))


def _wait(asker: Asker | None, held: Held, following: str | None) -> bool:
    """True: go on to the next value."""
    if asker is None:  # no one to press Enter: the time decides
        held.done.wait()
        return False
    if following is None:
        asker.confirm("copy-next", _("Pasted? Press Enter to clear the clipboard and finish."), default=True)
        return False
    return asker.confirm("copy-next", _("Pasted? Press Enter for the {field} (n: stop here).").format(
        field=_(FIELDS[following])), default=True)


def _after(ui: UI, held: Held) -> None:
    if held.error is not None:
        ui.note(_("The clipboard could not be cleared: {reason} Copy something else over it.").format(
            reason=held.error.message))
    elif held.replaced:
        ui.say(_("The clipboard holds something you copied since: left as it is."))
    else:
        ui.say(_("Cleared from the clipboard."))


def _manager_note(board: Clipboard) -> str:
    if isinstance(board, Terminal):
        return _("OSC 52: each value travels through your terminal (and tmux or ssh in between) to its "
                 "clipboard. okxlink cannot read it back, so it clears it even if you copied something else.")
    if board.hint:
        return _("Clipboard managers may keep a history of what you copy; {tool} marks these values as "
                 "passwords ({hint}), which Klipper, CopyQ and cliphist leave out of it.").format(
            tool=board.tool, hint=HINT)
    return _("Clipboard managers may keep a history of what you copy, and {tool} cannot mark these values "
             "as passwords: pause yours while you paste, or clear its history afterwards.").format(tool=board.tool)


def offer(ctx: Context, ui: UI, asker: Asker, profile: str) -> None:
    """The wizard's last step when no linking service was given: asked where a clipboard is, else said."""
    try:
        board = ctx.clipboard()
    except UsageError:
        board = None
    if board is not None and asker.confirm("copy-key", _("No linking service? Paste into your platform's form: "
                                                         "okxlink copies each value in turn. Start now?"),
                                           default=False):
        hand_over(ctx, ui, profile, list(FIELDS), board, SECONDS)
    else:
        ui.say(_("A platform without a linking service takes the key in its web form: okxlink copy "
                 "--profile {name} puts each value on the clipboard in turn.").format(name=profile))
