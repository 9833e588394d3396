"""The wizard's steps driven by a scripted asker, verifying against the simulator in-process."""

from __future__ import annotations

import asyncio

import httpx
import pytest

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


@pytest.fixture()
def make_wizard(script):
    return lambda accounts, answers, **kw: _make_wizard(script, accounts, answers, **kw)


def _make_wizard(script, accounts, answers, **kw):
    app = create_app(SimState(accounts=accounts))
    saved: list[State] = []

    def do_verify(creds, site, demo):
        async def go():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
                return await verify(creds, site=site, demo=demo, http=http, base=BASE)
        return asyncio.run(go())

    asker = script(answers)
    wizard = Wizard(ask=asker, ui=UI(), verify=do_verify, save=saved.append, **kw)
    return wizard, asker, saved


def intro(site="global", env="live", **more):
    return {"site": site, "have-account": True, "2fa-on": True, "environment": env, "open-page": False,
            "key-use": "self", "generate-passphrase": False, "key-created": True, **more}


def pasted(a, secret=None):
    return {"api-key": a["api_key"], "secret-key": secret or a["secret_key"], "passphrase": a["passphrase"]}


def test_steps_are_data_with_a_why():
    assert [s.id for s in STEPS] == ["site", "account", "2fa", "environment", "create-key", "paste",
                                     "verify", "store", "link"]
    assert all(s.title and s.why for s in STEPS)


def test_happy_path_saves_verified_key(sim_accounts, capsys, make_wizard):
    a = handed(sim_accounts, "ready")
    wizard, asker, saved = make_wizard(sim_accounts, intro(**{**pasted(a), "api-key": f"  {a['api_key']}\n"}))
    state = wizard.run()
    assert state.saved and saved and saved[0].report.ready is True
    assert asker.unused() == {}
    out = capsys.readouterr().out
    assert a["secret_key"] not in out and a["passphrase"] not in out


def test_wrong_secret_fixed_on_retry_without_retyping_the_rest(sim_accounts, make_wizard):
    a = handed(sim_accounts, "ready")
    answers = intro(**{**pasted(a), "secret-key": ["0" * 32, a["secret_key"]],
                       "retry": None})  # the default after 50113 is: re-type the secret
    wizard, asker, saved = make_wizard(sim_accounts, answers)
    state = wizard.run()
    assert state.saved and saved[0].report.ready is True
    assert asker.asked.count("secret-key") == 2 and asker.asked.count("api-key") == 1
    assert asker.asked.count("passphrase") == 1


def test_wrong_site_is_offered_and_switched(sim_accounts, make_wizard):
    a = handed(sim_accounts, "other-site")
    wizard, _asker, saved = make_wizard(sim_accounts, intro(**pasted(a), **{"switch-site": True}))
    state = wizard.run()
    assert state.site == "eea" and saved[0].report.ready is True


def test_platform_bound_key_kept_unverified(sim_accounts, make_wizard):
    a = handed(sim_accounts, "ip-not-whitelisted")
    wizard, _asker, saved = make_wizard(sim_accounts, intro(**pasted(a), **{"keep-unverified": True}))
    state = wizard.run()
    assert state.saved and saved[0].report.ready is None and saved[0].report.okx_code == "50110"


def test_quit_saves_nothing(sim_accounts, make_wizard):
    a = handed(sim_accounts, "withdraw-on")
    wizard, _asker, saved = make_wizard(sim_accounts, intro(**pasted(a), retry="quit"))
    with pytest.raises(WizardQuit):
        wizard.run()
    assert saved == []


def test_ctrl_c_half_way_saves_nothing(sim_accounts, make_wizard):
    wizard, _asker, saved = make_wizard(sim_accounts, {"site": "global", "have-account": True,
                                                       "2fa-on": KeyboardInterrupt})
    with pytest.raises(KeyboardInterrupt):
        wizard.run()
    assert saved == []


def test_swapped_fields_are_offered_back(sim_accounts, make_wizard):
    a = handed(sim_accounts, "ready")
    answers = intro(**{"api-key": a["secret_key"], "secret-key": a["api_key"], "passphrase": a["passphrase"],
                       "swap-back": True})
    wizard, _asker, saved = make_wizard(sim_accounts, answers)
    state = wizard.run()
    assert state.api_key == a["api_key"] and saved[0].report.ready is True


def test_generated_passphrase_meets_rule_and_is_used(sim_accounts, make_wizard):
    from okxlink.core.credentials import passphrase_meets_rule
    a = handed(sim_accounts, "ready")
    answers = intro(**pasted(a), **{"generate-passphrase": True,
                                    "use-generated": True,       # use the generated passphrase,
                                    "retry": "passphrase"})      # which OKX rejects here: re-type the real one
    wizard, _asker, saved = make_wizard(sim_accounts, answers)
    state = wizard.run()
    assert passphrase_meets_rule(state.generated.get_secret_value())
    assert saved[0].report.ready is True
