"""`okxlink verify --json` as a real process against the simulator on a loopback socket:
each problem case gives its failing check id, `ready` and exit code."""

from __future__ import annotations

import json
import socket

import pytest

from conftest import clean_env, creds_env, okxlink, start_sim

pytestmark = pytest.mark.slow
CASES = ["ready", "ready-2", "demo-ready", "wrong-secret", "wrong-passphrase", "unknown-key", "other-site",
         "demo-as-live", "live-as-demo", "no-trade", "withdraw-on", "no-ip-bound",
         "ip-not-whitelisted", "frozen", "funding-only", "sub-account", "lead-trader",
         "rate-limited-once", "unavailable"]


def verify_args(account, *extra):
    return ["verify", "--site", account["site"], *(["--demo"] if account["demo"] else []), *extra]


def verify_json(sim, account, *extra):
    return okxlink(*verify_args(account, "--json", *extra), env=creds_env(account, sim.template))


def test_every_case_is_served(sim):
    assert sorted(a["name"] for a in sim.line["accounts"]) == sorted(CASES)
    assert sim.line["accounts"][0]["name"] == "ready"


@pytest.mark.parametrize("name", CASES)
def test_case(sim, name):
    account = sim.account(name)
    expect = account["expect"]
    result = verify_json(sim, account)
    report = result.json()
    assert result.code == expect["exit"], (result.out, result.err)
    assert report["ready"] is expect["ready"]
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    if expect["check"]:
        assert statuses[expect["check"]] == expect["status"], report["checks"]
        # the failing check carries a fix in the user's words
        check = next(c for c in report["checks"] if c["id"] == expect["check"])
        assert check["fix"]
    else:
        assert all(s == "pass" for s in statuses.values()), report["checks"]
    assert result.err == ""
    human = okxlink(*verify_args(account), env=creds_env(account, sim.template))
    assert human.code == result.code
    for output in (result.out, result.err, human.out, human.err):
        for secret in (account["secret_key"], account["passphrase"], account["api_key"]):
            assert secret not in output


def test_other_site_is_named(sim):
    report = verify_json(sim, sim.account("other-site")).json()
    site = next(c for c in report["checks"] if c["id"] == "site")
    assert "OKX EEA" in site["message"] and "--site eea" in site["fix"]


def test_site_auto_finds_the_key(sim):
    account = sim.account("other-site")
    result = okxlink("verify", "--json", "--site", "auto", env=creds_env(account, sim.template))
    assert result.code == 0, result.out
    assert result.json()["site"] == "eea"


def test_demo_as_live_says_which_it_is(sim):
    report = verify_json(sim, sim.account("demo-as-live")).json()
    env = next(c for c in report["checks"] if c["id"] == "environment")
    assert "demo" in env["message"].lower() and "--demo" in env["fix"]


def test_ready_account_block(sim):
    report = verify_json(sim, sim.account("ready")).json()
    assert report["account"]["perm"] == ["read_only", "trade"]
    assert report["account"]["ip"] == ["127.0.0.1", "127.0.0.2"]
    assert report["account"]["type"] == "main"
    assert report["site"] == "global" and report["demo"] is False
    assert [c["id"] for c in report["checks"]] == [
        "network", "clock", "site", "environment", "credentials", "ip-whitelist", "permission-read",
        "permission-trade", "permission-withdraw", "ip-binding", "account-mode", "account-type", "funds"]


def test_server_clock_90s_off(tmp_path):
    skewed = start_sim("--clock-offset-s", "90")
    account = skewed.account("ready")
    env = creds_env(account, skewed.template, OKXLINK_CONFIG_DIR=str(tmp_path))
    try:
        result = okxlink(*verify_args(account, "--json"), env=env)
        # the measured offset is kept, so the next run signs right the first time
        cached = json.loads((tmp_path / "clock.json").read_text())["offset_ms"]
        again = okxlink(*verify_args(account, "--json"), env=env)
    finally:
        skewed.stop()
    report = result.json()
    clock = next(c for c in report["checks"] if c["id"] == "clock")
    assert clock["status"] == "warn" and "90" in clock["message"]
    assert report["ready"] is True and result.code == 0
    assert 89_000 < cached < 91_000
    assert again.code == 0 and again.json()["ready"] is True


def test_nothing_listening():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the port is closed again: nothing listens there
    env = creds_env({"api_key": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "secret_key": "A" * 32,
                     "passphrase": "Passphrase-1"}, f"http://127.0.0.1:{port}")
    result = okxlink("verify", "--json", env=env)
    report = result.json()
    assert result.code == 4 and report["ready"] is None
    assert report["checks"][0] == {**report["checks"][0], "id": "network", "status": "fail"}


def test_human_output_has_fix_under_problem(sim):
    account = sim.account("withdraw-on")
    result = okxlink("verify", env=creds_env(account, sim.template))
    assert result.code == 3
    assert "Withdraw permission" in result.out and "untick Withdraw" in result.out
    assert "Not ready" in result.out


def test_no_credentials_is_usage_error():
    result = okxlink("verify", "--json", env=clean_env())
    assert result.code == 2 and "OKX_API_KEY" in result.err and result.out == ""


def test_stdin_credentials(sim):
    import json as _json
    account = sim.account("ready")
    payload = _json.dumps({k: account[k] for k in ("api_key", "secret_key", "passphrase")})
    result = okxlink("verify", "--json", "--stdin", env=clean_env(OKXLINK_BASE_URL=sim.template),
                     stdin=payload)
    assert result.code == 0 and result.json()["ready"] is True


def test_debug_mode_shows_the_exchanges_and_no_secret(sim):
    account = sim.account("wrong-passphrase")
    result = okxlink(*verify_args(account, "--json"), env=creds_env(account, sim.template, OKXLINK_DEBUG="1"))
    assert result.code == 3
    lines = [line for line in result.err.splitlines() if line.startswith("okxlink debug: GET ")]
    assert any("/api/v5/account/config → 401" in line for line in lines), result.err
    for secret in (account["secret_key"], account["passphrase"], account["api_key"]):
        assert secret not in result.err and secret not in result.out


def test_verify_speaks_chinese_and_keeps_ids(sim):
    account = sim.account("no-trade")
    env = creds_env(account, sim.template)
    zh = okxlink("--lang", "zh", *verify_args(account, "--json"), env=env).json()
    en = verify_json(sim, account).json()
    assert [(c["id"], c["status"]) for c in zh["checks"]] == [(c["id"], c["status"]) for c in en["checks"]]
    trade = next(c for c in zh["checks"] if c["id"] == "permission-trade")
    assert "交易" in trade["message"] and "交易" in trade["fix"]
    human = okxlink("verify", env={**env, "OKXLINK_LANG": "zh"})
    assert "未就绪" in human.out and "交易权限" in human.out and "permission-trade" not in human.out  # ids: JSON only
