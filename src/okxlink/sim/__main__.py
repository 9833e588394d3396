"""`python -m okxlink.sim`: run the OKX simulator, and the link service beside it, on loopback
(see okxlink.sim.runner). The options and the error messages are `okxlink sim`'s: both entry
points use okxlink.cli.sim_cmd."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from okxlink import i18n
    from okxlink.cli.sim_cmd import main as sim_main

    i18n.setup()  # OKXLINK_LANG, else the locale, as okxlink itself
    return sim_main(sys.argv[1:] if argv is None else argv, prog="python -m okxlink.sim")


if __name__ == "__main__":
    sys.exit(main())
