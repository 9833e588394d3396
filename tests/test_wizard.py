"""The wizard's steps driven by a scripted asker, verifying against the simulator in-process."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from okxlink.cli.ask import ScriptedAsker
from okxlink.cli.ui import UI
from okxlink.cli.wizard import STEPS, State, Wizard, WizardQuit
from okxlink.core.verify import verify
from okxlink.sim.accounts import default_accounts
from okxlink.sim.okx_app import SimState, create_app

BASE = "http://sim/{site}"


@pytest.fixture()
def sim_accounts():
    return default_accounts()


def handed(accounts, name):
    return next(a.handed() for a in accounts if a.name == name)


def make_wizard(accounts, answers, **kw):
    app = create_app(SimState(accounts=accounts))
    saved: list[State] = []

    def do_verify(creds, site, demo):
        async def go():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
                return await verify(creds, site=site, demo=demo, http=http, base=BASE)
        return asyncio.run(go())

    asker = ScriptedAsker(answers)
    wizard = Wizard(ask=asker, ui=UI(), verify=do_verify, save=saved.append, **kw)
    return wizard, asker, saved


def intro(site="global", env="live"):
    # site, have account, 2fa on, environment, open page?, how used, generate passphrase?, created?
    return [site, True, True, env, False, "self", False, True]


def test_steps_are_data_with_a_why():
    assert [s.id for s in STEPS] == ["site", "account", "2fa", "environment", "create-key", "paste",
                                     "verify", "store", "link"]
    assert all(s.title and s.why for s in STEPS)


def test_happy_path_saves_verified_key(sim_accounts, capsys):
    a = handed(sim_accounts, "ready")
    wizard, asker, saved = make_wizard(sim_accounts, intro() + [f"  {a['api_key']}\n", a["secret_key"], a["passphrase"]])
    state = wizard.run()
    assert state.saved and saved and saved[0].report.ready is True
    assert asker.answers == []
    out = capsys.readouterr().out
    assert a["secret_key"] not in out and a["passphrase"] not in out


def test_wrong_secret_fixed_on_retry_without_retyping_the_rest(sim_accounts):
    a = handed(sim_accounts, "ready")
    answers = intro() + [a["api_key"], "0" * 32, a["passphrase"],
                         None,                # the default after 50113 is: re-type the secret
                         a["secret_key"]]
    wizard, asker, saved = make_wizard(sim_accounts, answers)
    state = wizard.run()
    assert state.saved and saved[0].report.ready is True
    assert asker.asked.count("Secret key (hidden):") == 2 and asker.asked.count("API key:") == 1
    assert asker.asked.count("Passphrase (hidden):") == 1


def test_wrong_site_is_offered_and_switched(sim_accounts):
    a = handed(sim_accounts, "other-site")
    wizard, _asker, saved = make_wizard(sim_accounts, intro() + [a["api_key"], a["secret_key"], a["passphrase"], True])
    state = wizard.run()
    assert state.site == "eea" and saved[0].report.ready is True


def test_platform_bound_key_kept_unverified(sim_accounts):
    a = handed(sim_accounts, "ip-not-whitelisted")
    wizard, _asker, saved = make_wizard(sim_accounts, intro() + [a["api_key"], a["secret_key"], a["passphrase"], True])
    state = wizard.run()
    assert state.saved and saved[0].report.ready is None and saved[0].report.okx_code == "50110"


def test_quit_saves_nothing(sim_accounts):
    a = handed(sim_accounts, "withdraw-on")
    wizard, _asker, saved = make_wizard(sim_accounts, intro() + [a["api_key"], a["secret_key"], a["passphrase"], "quit"])
    with pytest.raises(WizardQuit):
        wizard.run()
    assert saved == []


def test_ctrl_c_half_way_saves_nothing(sim_accounts):
    wizard, _asker, saved = make_wizard(sim_accounts, intro()[:3] + [KeyboardInterrupt])
    with pytest.raises(KeyboardInterrupt):
        wizard.run()
    assert saved == []


def test_swapped_fields_are_offered_back(sim_accounts):
    a = handed(sim_accounts, "ready")
    wizard, _asker, saved = make_wizard(sim_accounts, intro() + [a["secret_key"], a["api_key"], a["passphrase"], True])
    state = wizard.run()
    assert state.api_key == a["api_key"] and saved[0].report.ready is True


def test_generated_passphrase_meets_rule_and_is_used(sim_accounts):
    from okxlink.core.credentials import passphrase_meets_rule
    a = handed(sim_accounts, "ready")
    answers = ["global", True, True, "live", False, "self", True, True,
               a["api_key"], a["secret_key"], True,   # use the generated passphrase
               "passphrase", a["passphrase"]]          # which OKX rejects here: re-type the real one
    wizard, _asker, saved = make_wizard(sim_accounts, answers)
    state = wizard.run()
    assert passphrase_meets_rule(state.generated.get_secret_value())
    assert saved[0].report.ready is True
