"""What `okxlink sim` does, in one paragraph: `okxlink --help` lists it without importing the
simulator's command line (cli/sim_cmd.py), which `python -m okxlink.sim` shares."""

from okxlink.i18n import N_

DESCRIPTION = N_("Run the OKX simulator and the reference linking service on 127.0.0.1 until "
                 "Ctrl-C. In a terminal it prints a short guide: the lines that point okxlink at "
                 "it and fake keys to paste; otherwise, or with --json, one JSON line with the URLs, "
                 "the link token and every fake account.")
