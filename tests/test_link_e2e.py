"""setup → link → status end to end: okxlink, the OKX simulator and the reference link service as
real processes on loopback, the real Secret Service keyring."""

from __future__ import annotations

import json
import socket

import pytest

from conftest import clean_env, okxlink, start_sim
from real_keyring import keyring_env, secret_service  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.slow
FAILING = ["wrong-secret", "wrong-passphrase", "unknown-key", "other-site", "demo-as-live",
           "live-as-demo", "no-trade", "withdraw-on", "frozen"]


@pytest.fixture()
def env(secret_service, sim, tmp_path):  # noqa: F811
    keep = ("NO_COLOR", "OKXLINK_CONFIG_DIR", "LANG", "PYTHONUNBUFFERED", "COLUMNS")
    return secret_service.env(**{k: v for k, v in clean_env(tmp_path).items() if k in keep},
                              OKXLINK_BASE_URL=sim.template, OKXLINK_LINK_URL=sim.line["link_url"],
                              OKXLINK_LINK_TOKEN=sim.line["link_token"])


def setup_profile(env, account, name, *extra):
    payload = json.dumps({k: account[k] for k in ("api_key", "secret_key", "passphrase")})
    flags = ["--site", account["site"], *(["--demo"] if account["demo"] else [])]
    result = okxlink("setup", "--profile", name, "--stdin", *flags, *extra, env=env, stdin=payload)
    assert result.code == 0, result.out + result.err
    return result


def status(env, *extra):
    result = okxlink("status", "--json", *extra, env=env)
    return result, {p["name"]: p for p in result.json()["profiles"]}


def test_setup_link_status_unlink(env, sim):
    setup_profile(env, sim.account("ready"), "main")
    first = okxlink("link", "--profile", "main", "--yes", "--json", env=env)
    assert first.code == 0, first.err
    linked = first.json()
    assert linked["spot"]["state"] == "ready" and linked["id"]
    again = okxlink("link", "--profile", "main", "--yes", "--json", env=env)
    assert again.code == 0 and again.json()["id"] == linked["id"]  # a no-op: the same link
    result, rows = status(env)
    assert result.code == 0
    assert rows["main"]["spot"] == "ready"
    assert rows["main"]["link"] == {"state": "linked", "service": sim.line["link_url"], "id": linked["id"]}
    human = okxlink("status", env=env)
    host = sim.line["link_url"].split("//", 1)[1]
    assert f"{host}: Spot ready · checked just now" in human.out and "This machine: ready" in human.out
    assert rows["main"]["local"] == {"ready": True, "failing": [], "warnings": [], "bound_elsewhere": False,
                                     "checked_at": rows["main"]["last_verified"]}
    assert rows["main"]["links"] == [{"service": sim.line["link_url"], "id": linked["id"], "state": "linked",
                                      "spot": "ready", "reasons": [], "reachable": True,
                                      "checked_at": rows["main"]["links"][0]["checked_at"]}]
    gone = okxlink("unlink", "--profile", "main", "--yes", env=env)
    assert gone.code == 0, gone.err
    _result, rows = status(env, "--offline")
    assert rows["main"]["link"]["state"] == "not-linked"


def test_wrong_token_is_a_clear_error(env, sim):
    setup_profile(env, sim.account("ready"), "badtoken")
    result = okxlink("link", "--profile", "badtoken", "--yes", env={**env, "OKXLINK_LINK_TOKEN": "wrong"})
    assert result.code == 2 and "refused the token" in result.err
    assert "Traceback" not in result.err


def test_service_down(env, sim):
    setup_profile(env, sim.account("ready"), "down")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        dead = f"http://127.0.0.1:{port}"
    result = okxlink("link", "--profile", "down", "--yes", "--service", dead, env=env)
    assert result.code == 4
    assert f"Could not reach the linking service: 127.0.0.1:{port} refused the connection." in result.err


def test_link_refuses_plain_http_to_another_host(env, sim):
    setup_profile(env, sim.account("ready"), "plain")
    result = okxlink("link", "--profile", "plain", "--yes", "--service", "http://example.com", env=env)
    assert result.code == 2 and "https://" in result.err


def test_platform_bound_key_verified_only_by_the_service(env, sim):
    account = sim.account("ip-not-whitelisted")
    here = okxlink("verify", "--json", env={**env, "OKX_API_KEY": account["api_key"],
                                            "OKX_SECRET_KEY": account["secret_key"],
                                            "OKX_PASSPHRASE": account["passphrase"]})
    assert here.code == 4 and here.json()["ready"] is None
    setup_profile(env, account, "bound", "--keep-unverified")
    linked = okxlink("link", "--profile", "bound", "--yes", "--json", env=env)
    assert linked.code == 0 and linked.json()["spot"]["state"] == "ready"
    _result, rows = status(env, "--offline")
    assert rows["bound"]["spot"] == "ready"  # as the platform showed it
    result, rows = status(env)  # online: 50110 here again, and the platform asked anew
    assert result.code == 0 and rows["bound"]["spot"] == "ready"
    assert rows["bound"]["local"]["bound_elsewhere"] and rows["bound"]["links"][0]["reachable"] is True
    # verify asks the platform for a key only the platform can check; --local-only does not
    verify = okxlink("verify", "--profile", "bound", "--json", env=env)
    assert verify.code == 0, verify.err
    assert verify.json()["ready"] is True and verify.json()["verified_by"] == "platform"
    assert verify.json()["platform"]["spot"] == "ready"
    human = okxlink("verify", "--profile", "bound", env=env)
    assert human.code == 0 and "Your platform checked it" in human.out and "Not checked" not in human.out
    alone = okxlink("verify", "--profile", "bound", "--local-only", "--json", env=env)
    assert alone.code == 4 and alone.json()["ready"] is None and "platform" not in alone.json()


def test_status_shows_attention_for_every_failing_check(env, sim, secret_service, keyring_env):  # noqa: F811
    # Keys that broke after they were stored (deleted on OKX, permissions changed…): store them
    # directly, as an earlier successful setup would have.
    from pathlib import Path

    from okxlink.core.credentials import Credentials
    from okxlink.storage import KeyringStore, ProfileMeta, ProfileRepo, ProfilesFile

    repo = ProfileRepo(KeyringStore(backend=secret_service.backend()),
                       ProfilesFile(Path(env["OKXLINK_CONFIG_DIR"]) / "profiles.toml"))
    for name in FAILING:
        a = sim.account(name)
        repo.save(name, Credentials(api_key=a["api_key"], secret_key=a["secret_key"], passphrase=a["passphrase"]),
                  ProfileMeta(name=name, site=a["site"], demo=a["demo"]))
    result, rows = status(env)
    assert result.code == 3
    for name in FAILING:
        expect = sim.account(name)["expect"]
        assert rows[name]["spot"] == "attention", (name, rows[name])
        assert expect["check"] in rows[name]["reasons"], (name, rows[name])


def test_a_linked_key_that_broke_with_the_platform_down_needs_attention(secret_service, tmp_path):  # noqa: F811
    """The reported case: linked and ready, then the key stops working on OKX (here: an OKX that
    does not know it) while the platform does not answer. status must not fall back to the
    platform's last "ready": exit 3, both verdicts shown with their ages."""
    first = start_sim()
    try:
        env = secret_service.env(OKXLINK_CONFIG_DIR=str(tmp_path / "config"), NO_COLOR="1", COLUMNS="120",
                                 LANG="C.UTF-8", OKXLINK_BASE_URL=first.template,
                                 OKXLINK_LINK_URL=first.line["link_url"], OKXLINK_LINK_TOKEN=first.line["link_token"])
        setup_profile(env, first.account("ready"), "main")
        assert okxlink("link", "--profile", "main", "--yes", env=env).code == 0
        result, rows = status(env)
        assert result.code == 0 and rows["main"]["spot"] == "ready"
    finally:
        first.stop()  # the platform goes away with it
    other = start_sim("--no-link")  # an OKX that no longer knows the key
    try:
        env["OKXLINK_BASE_URL"] = other.template
        result, rows = status(env)
        main = rows["main"]
        assert result.code == 3, result.err
        assert main["spot"] == "attention" and main["local"]["ready"] is False
        assert "credentials" in main["reasons"] and main["reasons"] == main["local"]["failing"]
        assert main["links"][0]["reachable"] is False and main["links"][0]["spot"] == "ready"
        assert main["links"][0]["checked_at"] and main["link"]["state"] == "unreachable"
        human = okxlink("status", env=env)
        assert human.code == 3
        assert "This machine: needs attention" in human.out and "not reachable; it last said Spot ready" in human.out
        assert "Spot: needs attention" in human.out
        verify = okxlink("verify", "--profile", "main", "--json", env=env)
        assert verify.code == 3 and verify.json()["ready"] is False
    finally:
        other.stop()


def test_status_without_profiles_says_nothing_is_ready(env):
    result = okxlink("status", env=env)
    assert result.code == 3 and "nothing is ready" in result.out
    result = okxlink("status", "--json", env=env)
    assert result.code == 3 and result.json() == {"profiles": []}
