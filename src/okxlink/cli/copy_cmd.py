"""`okxlink copy`: hand a stored profile's key over by clipboard, for a platform that takes it in its
web form (most copy-trading platforms publish no linking service). The handing over itself lives in
cli/handover.py, shared with the wizard's last step."""

from __future__ import annotations

from okxlink.cli.context import Context
from okxlink.cli.handover import FIELDS, clipboard_for, hand_over
from okxlink.errors import Exit, UsageError
from okxlink.i18n import _


def run_copy(ctx: Context, *, profile: str, field: str | None, clear_after: float, osc52: bool) -> Exit:
    ui = ctx.ui()
    repo = ctx.repo()
    repo.on_unrecorded = ui.note  # the handover is shown as done even if profiles.toml cannot record it
    if field is not None and field not in FIELDS:
        raise UsageError(_("--field must be one of: {names}.").format(names=", ".join(FIELDS)),
                         _("Leave it out to copy all three in turn."))
    repo.meta(profile)  # an unknown profile is said before anything else
    board = clipboard_for(ctx, osc52)
    if field is None and not ctx.can_ask:
        raise UsageError(_("Without a terminal okxlink copy cannot wait for you between the three values."),
                         _("Pass --field api-key, secret-key or passphrase to copy one, or run it in a terminal."))
    hand_over(ctx, ui, profile, [field] if field else list(FIELDS), board, clear_after)
    return Exit.OK
