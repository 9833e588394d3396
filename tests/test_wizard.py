"""The wizard's steps driven by a scripted asker, verifying against the simulator in-process."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket

import httpx
import pytest

from okxlink.cli.ui import UI
from okxlink.cli.wizard import STEPS, State, Wizard, WizardQuit, step_site
from okxlink.core.verify import verify
from okxlink.sim.accounts import Account, default_accounts, dump_accounts, new_uid
from okxlink.sim.okx_app import SimState, create_app

from conftest import start_sim

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
    wizard = Wizard(ask=asker, ui=UI(width=200), verify=do_verify, save=saved.append, **kw)  # a line is a line
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


@pytest.mark.parametrize("name, question", [("other-site", "switch-site"), ("demo-as-live", "switch-env")])
def test_the_wizard_offers_a_fix_as_its_question_not_as_a_flag(sim_accounts, capsys, make_wizard, name, question):
    """Flags are for the commands: inside the wizard the next question is the fix, so the table
    before it names no flag and no command to run."""
    a = handed(sim_accounts, name)
    wizard, asker, saved = make_wizard(sim_accounts, intro(**pasted(a), **{question: True}))
    wizard.run()
    out = capsys.readouterr().out
    assert question in asker.asked and saved[0].report.ready is True
    assert "Not ready: fix the problems marked ✗.\n" in out
    for advice in ("--site", "--demo", "run again", "okxlink verify"):
        assert advice not in out.lower()
    if name == "other-site":
        assert "This key is not known on OKX Global; it belongs to OKX EEA (https://my.okx.com)." in out


def test_the_site_question_names_each_site_and_its_address():
    class Asker:
        def select(self, id, message, choices, default):
            self.choices = choices
            return default
    wizard = Wizard(ask=Asker(), ui=UI(width=200), verify=None, save=None)
    step_site(wizard)
    assert wizard.ask.choices == [("global", "Global (www.okx.com)"), ("eea", "EEA (my.okx.com)"),
                                  ("us", "US (app.okx.com)"), ("tr", "TR (tr.okx.com)"),
                                  ("auto", "Not sure: detect it from the key")]


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


# --- opening a page -------------------------------------------------------------------------------

def test_a_browser_that_did_not_open_is_said(sim_accounts, capsys, make_wizard):
    a = handed(sim_accounts, "ready")
    opened: list[str] = []
    wizard, _asker, _saved = make_wizard(sim_accounts, intro(**pasted(a), **{"open-page": True}),
                                         open_url=lambda url: opened.append(url) or False)
    wizard.run()
    out = capsys.readouterr().out
    assert opened == ["https://www.okx.com/account/my-api?go-live-trading=1"]
    assert f"No browser opened here; open this address on another device: {opened[0]}" in out


def test_no_browser_here_shows_the_page_and_offers_nothing(sim_accounts, capsys, make_wizard):
    a = handed(sim_accounts, "ready")
    answers = {k: v for k, v in intro(**pasted(a)).items() if k != "open-page"}
    wizard, asker, _saved = make_wizard(sim_accounts, answers, open_url=None)
    wizard.run()
    assert "open-page" not in asker.asked
    assert "Page: https://www.okx.com/account/my-api?go-live-trading=1" in capsys.readouterr().out


@pytest.mark.parametrize(("env", "platform", "offered"), [
    ({}, "linux", False), ({"DISPLAY": ":0"}, "linux", True), ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"DISPLAY": ""}, "linux", False), ({}, "darwin", True), ({}, "win32", True)])
def test_a_browser_is_offered_only_where_one_can_open(env, platform, offered):
    from okxlink.cli.setup_wizard import browser_here

    assert browser_here(env, platform) is offered


def test_a_browser_that_fails_to_start_reads_as_not_opened(monkeypatch):
    import webbrowser

    from okxlink.cli.context import _browser

    def fails(url):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "open", fails)
    assert _browser("https://www.okx.com/") is False


# --- the summary line -----------------------------------------------------------------------------

def test_the_wizard_ends_naming_whose_key_it_saved(sim_accounts, capsys, make_wizard):
    a = handed(sim_accounts, "sub-account")
    account = next(x for x in sim_accounts if x.name == "sub-account")
    wizard, _asker, _saved = make_wizard(sim_accounts, intro(**pasted(a)))
    wizard.state.profile = "copy"
    wizard.run()
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last == (f'✓ Profile copy: key {a["api_key"][:4]}…{a["api_key"][-4:]} of UID {account.uid}, '
                    f'label "{account.label}", sub-account, OKX Global, live.')


def test_a_platform_bound_key_is_summed_up_without_an_account(sim_accounts, capsys, make_wizard):
    a = handed(sim_accounts, "ip-not-whitelisted")
    wizard, _asker, _saved = make_wizard(sim_accounts, intro(**pasted(a), **{"keep-unverified": True}))
    wizard.run()
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last == (f"✓ Profile default: key {a['api_key'][:4]}…{a['api_key'][-4:]}, OKX Global, live; "
                    "only your platform can see its account.")


def test_outside_words_in_the_summary_are_made_plain(make_wizard):
    from okxlink.cli.wizard import summary
    from okxlink.core.models import AccountConfig
    from okxlink.core.verify import Report

    state = State(profile="p", site="eea", demo=True, api_key="0f4b1234-5678-8900")
    state.report = Report(profile="p", site="eea", demo=True, ready=True, checks=[],
                          config=AccountConfig.parse({"uid": "44\x1b[2J01", "label": "copy\n\u202eevil"}))
    # the escape character goes (what is left of the sequence is mere text), the line stays one line
    assert summary(state) == ('Profile p: key 0f4b…8900 of UID 44[2J01, label "copy evil", main account, '
                              "OKX EEA, demo.")


# --- `okxlink setup` in this process against the simulator and its linking service (real processes) ---

FRESH = itertools.count()
UIDS: dict[str, str] = {}  # account name -> its OKX uid, which a client is never handed


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """The simulator as a real process, with accounts of this module's own: each test takes fresh
    ones, so the per-account rate limits it keeps (as OKX does) never join tests together."""
    accounts = [Account(name=f"ready-{i}") for i in range(24)]
    accounts.append(Account(name="sub", type="1", main_uid=new_uid(), acct_lv="2", label="copy"))
    path = tmp_path_factory.mktemp("sim") / "accounts.json"
    path.write_text(json.dumps(dump_accounts(accounts)), encoding="utf-8")
    UIDS.update({a.name: a.uid for a in accounts})
    child = start_sim("--accounts", str(path))
    yield child
    child.stop()


def fresh(sim):
    return sim.account(f"ready-{next(FRESH)}")


@pytest.fixture()
def run(sim, tmp_path):
    from inproc import InProcess

    # no link_url: the address is the user's answer; OKXLINK_LINK_TOKEN, if set, belongs to no service
    return InProcess(tmp_path / "config", base_url=sim.template)


def setup_answers(a, **more):
    """The whole wizard for a ready key; no browser is offered here (Linux, no display)."""
    return {k: v for k, v in {**intro(), **pasted(a), **more}.items() if k != "open-page"}


def status(run, name):
    rows = {p["name"]: p for p in run("status", "--json", "--offline").json()["profiles"]}
    return rows[name]


def host(url):
    return url.split("//", 1)[1]


def test_the_link_step_asks_address_then_token_then_sending(run, sim, script):
    a = fresh(sim)
    asker = script(setup_answers(a, **{"link-service": sim.link_url, "link-token": sim.link_token,
                                       "send-key": True}))
    result = run("setup", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    asked = asker.asked
    assert asked.index("link-service") < asked.index("link-token") < asked.index("send-key")
    assert f"Linked to {host(sim.link_url)}: Spot ready." in result.out
    assert status(run, "main")["link"]["state"] == "linked"
    assert run.secrets.get_token(sim.link_url) == sim.link_token  # kept for next time, once it worked
    assert result.out.rstrip().splitlines()[-1] == (
        f'✓ Profile main: key {a["api_key"][:4]}…{a["api_key"][-4:]} of UID {UIDS[a["name"]]}, '
        f'label "okxlink-sim {a["name"]} (fake)", main account, OKX Global, live.')
    assert a["secret_key"] not in result.out + result.err and sim.link_token not in result.out + result.err


def test_the_summary_says_sub_account(run, sim, script):
    a = sim.account("sub")
    result = run("setup", "--profile", "copy", asker=script(setup_answers(a, **{"link-service": ""})), width=200)
    assert result.code == 0, result.out + result.err
    assert result.out.rstrip().splitlines()[-1] == (
        f'✓ Profile copy: key {a["api_key"][:4]}…{a["api_key"][-4:]} of UID {UIDS["sub"]}, label "copy", '
        "sub-account, OKX Global, live.")


def test_a_refused_token_is_retyped_and_only_the_good_one_kept(run, sim, script):
    a = fresh(sim)
    asker = script(setup_answers(a, **{"link-service": sim.link_url, "send-key": True,
                                       "link-token": ["wrong-token", sim.link_token],
                                       "link-retry": None}))  # offered first: re-type the token
    result = run("setup", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert f"The linking service at {host(sim.link_url)} refused the token." in result.out
    assert asker.asked.count("link-token") == 2 and asker.asked.count("send-key") == 1
    assert status(run, "main")["link"]["state"] == "linked"
    assert run.secrets.get_token(sim.link_url) == sim.link_token


def test_a_refused_token_then_skipping_keeps_no_token(run, sim, script):
    a = fresh(sim)
    asker = script(setup_answers(a, **{"link-service": sim.link_url, "send-key": True,
                                       "link-token": "wrong-token", "link-retry": "skip"}))
    result = run("setup", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert "Not linked; you can link later with okxlink link --profile main." in result.out
    assert run.secrets.get_token(sim.link_url) is None
    # the service refused the token, so it holds nothing: no pending link is left behind
    assert status(run, "main")["links"] == []


def test_an_empty_address_skips_linking(run, sim, script):
    asker = script(setup_answers(fresh(sim), **{"link-service": ""}))
    result = run("setup", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert "link-token" not in asker.asked and "send-key" not in asker.asked
    assert "Not linked; you can link later with okxlink link --profile main." in result.out
    assert status(run, "main")["links"] == [] and status(run, "main")["link"]["state"] == "not-linked"


def test_an_address_okxlink_may_not_send_to_is_explained_and_asked_again(run, sim, script):
    asker = script(setup_answers(fresh(sim), **{"link-service": ["http://example.com/link", ""]}))
    result = run("setup", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert ("The linking service address cannot be used: plain http:// is allowed only to this machine "
            "(127.0.0.1, ::1, localhost).") in result.out
    assert asker.asked.count("link-service") == 2 and "link-token" not in asker.asked


def test_an_unreachable_service_is_said_and_tried_again(run, sim, script):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    asker = script(setup_answers(fresh(sim), **{"link-service": dead, "link-token": "some-token",
                                                          "send-key": True, "link-retry": [None, "skip"]}))
    result = run("setup", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert result.out.count(f"Could not reach the linking service: {host(dead)} refused the connection.") == 2
    assert asker.asked.count("link-retry") == 2  # the first default was: try again
    assert "Not linked; you can link later with okxlink link --profile main." in result.out
    assert run.secrets.get_token(dead) is None
    # the request may have reached it: kept as pending, so `okxlink link` resends that very request
    assert [x["state"] for x in status(run, "main")["links"]] == ["pending"]


def test_the_replace_question_comes_before_the_first_step(run, sim, script):
    a = fresh(sim)
    assert run("setup", "--profile", "main", asker=script(setup_answers(a, **{"link-service": ""}))).code == 0
    keep = script({"replace-profile": False, "profile-name": "second", **setup_answers(a, **{"link-service": ""})})
    assert run("setup", "--profile", "main", asker=keep).code == 0
    assert keep.asked[:3] == ["replace-profile", "profile-name", "site"]
    assert sorted(p["name"] for p in run("profiles", "--json").json()["profiles"]) == ["main", "second"]
    replace = script({"replace-profile": True, **setup_answers(a, **{"link-service": ""})})
    assert run("setup", "--profile", "main", asker=replace).code == 0
    assert replace.asked[:2] == ["replace-profile", "site"]


def test_a_linked_profile_is_not_offered_replacing(run, sim, script):
    a = fresh(sim)
    linked = script(setup_answers(a, **{"link-service": sim.link_url, "link-token": sim.link_token,
                                        "send-key": True}))
    assert run("setup", "--profile", "main", asker=linked).code == 0
    other = fresh(sim)
    again = script({"profile-name": ["bad name", "main-2"], **setup_answers(other, **{"link-service": ""})})
    result = run("setup", "--profile", "main", asker=again, width=200)
    assert result.code == 0, result.out + result.err
    assert "replace-profile" not in again.asked and again.asked[:3] == ["profile-name", "profile-name", "site"]
    assert (f"Profile main is linked to {host(sim.link_url)}; okxlink rotate --profile main replaces its key "
            "everywhere. This key needs another name.") in result.out
    assert "'bad name' is not a valid profile name." in result.out
    assert status(run, "main")["link"]["state"] == "linked"
    assert status(run, "main-2")["key"] == f"{other['api_key'][:4]}…{other['api_key'][-4:]}"


def test_the_same_key_again_keeps_its_links(run, sim, script):
    a = fresh(sim)
    linked = script(setup_answers(a, **{"link-service": sim.link_url, "link-token": sim.link_token,
                                        "send-key": True}))
    assert run("setup", "--profile", "main", asker=linked).code == 0
    creds = {"OKX_API_KEY": a["api_key"], "OKX_SECRET_KEY": a["secret_key"], "OKX_PASSPHRASE": a["passphrase"]}
    again = run("setup", "--profile", "main", "--non-interactive", environ=creds)
    assert again.code == 0, again.err
    assert status(run, "main")["link"]["state"] == "linked"


def test_unattended_links_only_to_the_service_given_and_asks_nothing(sim, tmp_path, script):
    from inproc import InProcess

    a = fresh(sim)
    run = InProcess(tmp_path / "config", base_url=sim.template, link_url=sim.link_url, link_token=sim.link_token)
    typed = {"api-key": a["api_key"], "secret-key": a["secret_key"], "passphrase": a["passphrase"]}
    given = script(typed)  # --yes asks only what has no default: the key itself
    result = run("setup", "--yes", "--profile", "main", "--service", sim.link_url, asker=given, width=200)
    assert result.code == 0, result.out + result.err
    assert given.asked == ["api-key", "secret-key", "passphrase"]
    assert status(run, "main")["link"]["state"] == "linked"
    none = script(typed)
    result = run("setup", "--yes", "--profile", "other", asker=none, width=200)
    assert result.code == 0 and none.asked == ["api-key", "secret-key", "passphrase"]
    assert "Not linked; you can link later with okxlink link --profile other." in result.out
    assert status(run, "other")["links"] == []


def test_no_link_skips_quietly(sim, tmp_path, script):
    """--no-link: run_setup's no_link, as the CLI hands it over."""
    import io

    from okxlink.cli.context import Context
    from okxlink.cli.setup_cmd import run_setup
    from okxlink.settings import Settings
    from okxlink.storage import MemoryStore

    out, store = io.StringIO(), MemoryStore()
    asker = script(setup_answers(fresh(sim)))
    ctx = Context(settings=Settings(config_dir=tmp_path / "config", base_url=sim.template, link_url=sim.link_url),
                  environ={}, stdin=io.StringIO(), stdout=out, stderr=io.StringIO(), width=200, interactive=True,
                  secrets=lambda: store, asker=lambda: asker, open_url=lambda url: None)
    code = run_setup(ctx, profile="main", site="global", demo=False, yes=False, non_interactive=False, stdin=False,
                     keep_unverified=False, json_out=False, service=sim.link_url, no_link=True)
    assert code == 0
    assert "link-service" not in asker.asked
    assert "Not linked; you can link later with okxlink link --profile main." in out.getvalue()
