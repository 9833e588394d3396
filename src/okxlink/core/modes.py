"""OKX's account modes (acctLv) by name: what `status` shows of a remembered check. Kept apart from
the diagnosis rules so that showing one needs neither the rules nor the HTTP stack."""

from __future__ import annotations

from okxlink.i18n import _


def mode_name(acct_lv: str) -> str | None:
    """OKX's name for an account mode (acctLv), in the user's language; None when unknown."""
    names = {"1": _("Spot mode"), "2": _("Futures mode"), "3": _("Multi-currency margin mode"),
             "4": _("Portfolio margin mode")}
    return names.get(acct_lv)
