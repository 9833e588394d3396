"""`okxlink sim`: the OKX simulator on loopback (needs the `sim` extra)."""

from __future__ import annotations

from okxlink.errors import UsageError
from okxlink.i18n import _


def run_sim(*, port: int, latency_ms: int, accounts: str | None, clock_offset_s: float) -> int:
    try:
        from okxlink.sim import runner
    except ImportError:
        raise UsageError(_("The simulator needs its server parts."),
                         _("Install them with: pip install 'okxlink[sim]'")) from None
    return runner.run(port=port, latency_ms=latency_ms, accounts_file=accounts,
                      clock_offset_s=clock_offset_s)
