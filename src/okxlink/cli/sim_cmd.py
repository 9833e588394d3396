"""`okxlink sim`: the OKX simulator on loopback (needs the `sim` extra)."""

from __future__ import annotations

from okxlink.errors import UsageError
from okxlink.i18n import _


def run_sim(**options: object) -> int:
    try:
        from okxlink.sim import runner
    except ImportError:
        raise UsageError(_("The simulator needs its server parts."),
                         _("Install them with: pip install 'okxlink[sim]'")) from None
    return runner.run(**options)  # type: ignore[arg-type]
