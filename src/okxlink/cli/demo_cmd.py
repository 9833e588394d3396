"""`okxlink demo`: the real wizard against the simulator on loopback, with a throwaway store.

The user's keyring and profiles are never touched: the demo runs with Settings of its own — OKX is
the simulator, the config dir a temporary directory deleted at the end — and secrets go to a
MemoryStore. Nothing in the process's environment changes.

It follows the path platforms recommend: the demo key is made with "Linking third-party apps", so
OKX binds it to the platform's address (the reference linking service's, 127.0.0.2) only. This
machine gets 50110, as it would with a real key, and the platform's verdict ends the demo."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from okxlink.cli import status_view
from okxlink.cli.context import Context
from okxlink.cli.setup_wizard import make_wizard
from okxlink.cli.wizard import State
from okxlink.core.credentials import Credentials
from okxlink.errors import Exit, UsageError
from okxlink.flows import status
from okxlink.i18n import _


def run_demo(ctx: Context, *, yes: bool) -> Exit:
    try:
        import uvicorn  # noqa: F401  (fail here, with the fix, rather than in the child)

        from okxlink.sim import child
    except ImportError:
        raise UsageError(_("The demo needs the simulator's server parts."),
                         _("Install them with: pip install 'okxlink[sim]'")) from None
    from okxlink.storage import MemoryStore

    ui = ctx.ui()
    yes = yes or not ctx.can_ask  # no terminal to answer on: take the defaults
    ui.say(_("okxlink demo: the whole setup against a built-in OKX simulator on this machine. "
             "Nothing real is touched: the keys are fake, and nothing is saved after the demo."))
    with tempfile.TemporaryDirectory(prefix="okxlink-demo-") as tmp, \
            child.running("--accounts", _platform_bound_key(Path(tmp))) as sim:
        settings = dataclasses.replace(ctx.settings, base_url=sim.template, config_dir=Path(tmp) / "config",
                                       link_url=sim.link_url, link_token=sim.link_token)
        demo = dataclasses.replace(ctx, settings=settings, secrets=MemoryStore)
        ready = sim.line["accounts"][0]
        state = State(profile="demo", prefill=Credentials(
            api_key=ready["api_key"], secret_key=ready["secret_key"], passphrase=ready["passphrase"]))
        ui.say(_("Simulator: {url} · reference linking service: {link}").format(url=sim.url, link=sim.link_url))
        make_wizard(demo, ui, state, yes=yes, service=sim.link_url).run()
        ui.say("")
        ui.say(_("okxlink status — the profile as okxlink and the platform now see it:"))
        repo = demo.repo()
        status_view.show(ui, status.rows(repo, settings, demo.http, offline=False), repo.secrets.describe(),
                         now=ctx.now())
    ui.say(_("Demo finished. To set up your real key: okxlink setup"))
    return Exit.OK


def _platform_bound_key(folder: Path) -> str:
    """An accounts file with one fake key, bound to the reference platform's address only."""
    import json

    from okxlink.sim.accounts import Account, dump_accounts

    path = folder / "accounts.json"
    path.write_text(json.dumps(dump_accounts([Account(name="demo", ip=["127.0.0.2"])])), encoding="utf-8")
    return str(path)
