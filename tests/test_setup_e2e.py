"""`okxlink setup` end to end: the real questionary wizard in a pty (pexpect), the simulator as a
real process on 127.0.0.1, the real Secret Service keyring; `secret-tool` reads back what was stored."""

from __future__ import annotations

import gettext
import json
import re

import pexpect
import pytest

from conftest import OKXLINK, SRC_LOCALES, clean_env, okxlink
from real_keyring import secret_service  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
DOWN, ENTER = "\x1b[B", "\r"


@pytest.fixture()
def env(secret_service, sim, tmp_path):  # noqa: F811
    return secret_service.env(**{k: v for k, v in clean_env(tmp_path).items()
                                 if k in ("NO_COLOR", "OKXLINK_CONFIG_DIR", "LANG", "PYTHONUNBUFFERED")},
                              OKXLINK_BASE_URL=sim.template, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")


def spawn(env, *args):
    child = pexpect.spawn(OKXLINK[0], [*OKXLINK[1:], *args], env=env, encoding="utf-8",
                          timeout=20, dimensions=(50, 140))
    return child


def said(message, lang="en"):
    """A prompt as the user sees it in `lang` (from the compiled catalog), escaped for expect()."""
    if lang == "zh":
        message = gettext.translation("okxlink", SRC_LOCALES, languages=["zh_CN"]).gettext(message)
    return re.escape(message)


def intro(child, lang="en"):
    child.expect(said("Which OKX site do you use?", lang))
    child.send(ENTER)
    child.expect(said("Do you have an OKX account?", lang))
    child.send("y")
    child.expect(said("Is two-factor authentication on?", lang))
    child.send("y")
    child.expect(said("Is the key for live or demo trading?", lang))
    child.send(ENTER)
    # no display here (the keyring's environment drops DISPLAY): the page is shown, no browser offered
    child.expect(re.escape("https://www.okx.com/account/my-api?go-live-trading=1"))
    child.expect(said("How will your platform use the key?", lang))
    child.send(DOWN + ENTER)  # a self-managed key
    child.expect(said("Generate a strong passphrase for you to paste into OKX?", lang))
    child.send("n")
    child.expect(said("Created the key and copied key, secret and passphrase?", lang))
    child.send("y")


def paste(child, account, secret=None, lang="en"):
    child.expect(said("API key:", lang))
    child.sendline(account["api_key"])
    child.expect(said("Secret key (hidden):", lang))
    child.sendline(secret or account["secret_key"])
    child.expect(said("Passphrase (hidden):", lang))
    child.sendline(account["passphrase"])


def no_link(child, lang="en"):
    child.expect(said("Linking service address (leave empty to skip):", lang))
    child.send(ENTER)  # empty: skip


def stored(secret_service, profile="default"):  # noqa: F811
    raw = secret_service.lookup(profile)
    return json.loads(raw) if raw else None


def test_happy_path_stores_in_the_real_keyring_and_links(env, sim, secret_service, tmp_path):  # noqa: F811
    account = sim.account("ready")
    child = spawn({**env, "OKXLINK_LINK_URL": sim.link_url, "OKXLINK_LINK_TOKEN": sim.link_token},
                  "setup", "--profile", "pty-happy")
    intro(child)
    paste(child, account)
    child.expect("Ready: this key can be used")
    child.expect("Saved profile pty-happy")
    child.expect(said("Linking service address (leave empty to skip):"))
    child.send(ENTER)  # the default: OKXLINK_LINK_URL, whose token OKXLINK_LINK_TOKEN is
    child.expect("Send key .* with its secret and passphrase to 127.0.0.1")
    child.send("y")
    child.expect("Spot ready")
    child.expect("Profile pty-happy: key .* main account, OKX Global, live.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    transcript = child.before or ""
    assert "Open it in your browser?" not in transcript
    assert stored(secret_service, "pty-happy") == {k: account[k] for k in ("api_key", "secret_key", "passphrase")}
    for path in (tmp_path / "config").rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert account["secret_key"] not in text and account["passphrase"] not in text
    assert account["secret_key"] not in transcript and account["passphrase"] not in transcript
    listed = okxlink("profiles", "--json", env=env).json()
    assert [p["name"] for p in listed["profiles"]] == ["pty-happy"]
    status = okxlink("status", "--json", "--offline", env=env).json()["profiles"][0]
    assert status["link"]["state"] == "linked" and status["spot"] == "ready"
    again = okxlink("verify", "--profile", "pty-happy", "--json", env=env)
    assert again.code == 0 and again.json()["profile"] == "pty-happy"
    # credentials in the environment win over the stored profile, and the output says so
    other = sim.account("no-trade")
    env_wins = okxlink("verify", "--profile", "pty-happy", "--json", env={
        **env, "OKX_API_KEY": other["api_key"], "OKX_SECRET_KEY": other["secret_key"],
        "OKX_PASSPHRASE": other["passphrase"]})
    assert env_wins.code == 3 and "win over the stored profile pty-happy" in env_wins.err


def test_the_wizard_in_chinese(env, sim, secret_service):  # noqa: F811
    account = sim.account("ready")
    child = spawn(env, "--lang", "zh", "setup", "--profile", "pty-zh")
    intro(child, "zh")
    paste(child, account, lang="zh")
    child.expect(said("Ready: this key can be used for copy trading.", "zh"))
    no_link(child, "zh")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert stored(secret_service, "pty-zh")["api_key"] == account["api_key"]


def test_wrong_secret_fixed_on_the_retry(env, sim, secret_service):  # noqa: F811
    account = sim.account("ready")
    child = spawn(env, "setup", "--profile", "pty-retry")
    intro(child)
    paste(child, account, secret="0" * 32)
    child.expect(said("OKX refused the signature: the secret key is wrong."))
    child.expect(said("What would you like to do?"))
    child.send(ENTER)  # the default offered: re-type the secret
    child.expect(said("Secret key (hidden):"))
    child.sendline(account["secret_key"])
    child.expect("Saved profile pty-retry")
    no_link(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert stored(secret_service, "pty-retry")["secret_key"] == account["secret_key"]


def test_platform_bound_key_kept_unverified(env, sim, secret_service):  # noqa: F811
    account = sim.account("ip-not-whitelisted")
    child = spawn(env, "setup", "--profile", "pty-bound")
    intro(child)
    paste(child, account)
    child.expect("not in the key's IP whitelist")
    child.expect("Keep this key without verifying it here")
    child.send("y")
    child.expect("Saved profile pty-bound")
    no_link(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert stored(secret_service, "pty-bound")["api_key"] == account["api_key"]


def test_ctrl_c_half_way_writes_nothing(env, sim, secret_service, tmp_path):  # noqa: F811
    account = sim.account("ready")
    child = spawn(env, "setup", "--profile", "pty-interrupted")
    intro(child)
    child.expect("API key:")
    child.sendline(account["api_key"])
    child.expect(r"Secret key \(hidden\):")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "nothing was written" in (child.before or "")
    assert stored(secret_service, "pty-interrupted") is None
    assert not (tmp_path / "config" / "profiles.toml").exists()


def test_non_interactive_reads_env_and_stores(env, sim, secret_service):  # noqa: F811
    account = sim.account("ready")
    result = okxlink("setup", "--profile", "ni", "--json", env={
        **env, "OKX_API_KEY": account["api_key"], "OKX_SECRET_KEY": account["secret_key"],
        "OKX_PASSPHRASE": account["passphrase"]})
    assert result.code == 0, result.err
    assert result.json()["saved"] is True
    assert stored(secret_service, "ni")["passphrase"] == account["passphrase"]


def test_non_interactive_refuses_a_broken_key(env, sim, secret_service):  # noqa: F811
    account = sim.account("no-trade")
    payload = json.dumps({k: account[k] for k in ("api_key", "secret_key", "passphrase")})
    result = okxlink("setup", "--profile", "ni-broken", "--stdin", "--json", env=env, stdin=payload)
    assert result.code == 3 and result.json()["saved"] is False
    assert stored(secret_service, "ni-broken") is None


def test_non_interactive_without_credentials_is_exit_2(env):
    result = okxlink("setup", "--non-interactive", env=env)
    assert result.code == 2 and "OKX_API_KEY" in result.err


def test_unknown_profile_is_exit_2(env):
    result = okxlink("verify", "--profile", "nope", env=env)
    assert result.code == 2 and "nope" in result.err
