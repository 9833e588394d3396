"""`okxlink demo`: the real wizard against the simulator on loopback, with a throwaway store.

The user's keyring and profiles are never touched: secrets go to a MemoryStore and metadata to a
temporary directory that is deleted at the end, and the OKX base URL is pointed at the simulator
for this process only."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from okxlink.cli.ui import UI
from okxlink.cli.wizard import State
from okxlink.core.credentials import Credentials
from okxlink.errors import UsageError
from okxlink.i18n import _


def run_demo(*, yes: bool, lang: str) -> int:
    try:
        import uvicorn  # noqa: F401  (fail here, with the fix, rather than in the child)

        from okxlink.sim import child
    except ImportError:
        raise UsageError(_("The demo needs the simulator's server parts."),
                         _("Install them with: pip install 'okxlink[sim]'")) from None
    from okxlink.cli.setup_cmd import interactive_possible, make_wizard
    from okxlink.cli.status_cmd import run_status
    from okxlink.storage import MemoryStore, ProfileRepo, ProfilesFile

    ui = UI()
    yes = yes or not interactive_possible()  # no terminal to answer on: take the defaults
    ui.say(_("okxlink demo: the whole setup against a built-in OKX simulator on this machine. "
             "Nothing real is touched: the keys are fake, and nothing is saved after the demo."))
    with child.running() as sim, tempfile.TemporaryDirectory(prefix="okxlink-demo-") as tmp:
        os.environ["OKXLINK_BASE_URL"] = sim.template
        os.environ["OKXLINK_CONFIG_DIR"] = tmp  # nothing of the demo's lands in the user's config
        ready = sim.line["accounts"][0]
        repo = ProfileRepo(MemoryStore(), ProfilesFile(Path(tmp) / "profiles.toml"))
        state = State(profile="demo", prefill=Credentials(
            api_key=ready["api_key"], secret_key=ready["secret_key"], passphrase=ready["passphrase"]))
        ui.say(_("Simulator: {url} · reference linking service: {link}").format(url=sim.url, link=sim.link_url))
        wizard = make_wizard(ui, repo, state, yes=yes, service=sim.link_url, token=sim.link_token)
        wizard.run()
        ui.say("")
        ui.say(_("okxlink status — the profile as okxlink and the platform now see it:"))
        run_status(json_out=False, offline=False, repo=repo)
    ui.say(_("Demo finished. To set up your real key: okxlink setup"))
    return 0
