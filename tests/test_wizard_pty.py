"""The whole `okxlink setup` wizard in a pty, linking included: the real questionary prompts, the
simulator and its linking service as a real process on 127.0.0.1, the real Secret Service keyring
(read back with secret-tool). A wrong token first, re-typed, and the profile ends linked."""

from __future__ import annotations

import gettext
import io
import json
import re

import pexpect

from okxlink import i18n

from conftest import OKXLINK, clean_env, okxlink
from real_keyring import secret_service  # noqa: F401  (the fixture)

DOWN, ENTER = "\x1b[B", "\r"
ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>])")  # CSI, OSC, charset
WRONG = "wrong-token-typed-first"


def test_the_whole_wizard_links_after_a_retyped_token(secret_service, sim, tmp_path):  # noqa: F811
    keep = ("NO_COLOR", "OKXLINK_CONFIG_DIR", "LANG", "PYTHONUNBUFFERED")
    # no OKXLINK_LINK_URL or _TOKEN: the address and the token are the user's answers
    env = secret_service.env(**{k: v for k, v in clean_env(tmp_path).items() if k in keep},
                             OKXLINK_BASE_URL=sim.template, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    account = sim.account("no-ip-bound")
    host = sim.link_url.split("//", 1)[1]  # a ready key no other pty test uses: its own rate limits
    log = io.StringIO()
    child = pexpect.spawn(OKXLINK[0], [*OKXLINK[1:], "setup", "--profile", "pty-link"], env=env,
                          encoding="utf-8", timeout=30, dimensions=(50, 140))
    child.logfile_read = log
    try:
        for prompt, keys in (("Which OKX site do you use?", ENTER), ("Do you have an OKX account?", "y"),
                             ("Is two-factor authentication on?", "y"),
                             ("Is the key for live or demo trading?", ENTER),
                             # no display (the keyring's environment drops DISPLAY): no browser offered
                             ("Page: https://www.okx.com/account/my-api?go-live-trading=1", ""),
                             ("How will your platform use the key?", DOWN + ENTER),  # self-managed
                             ("Generate a strong passphrase for you to paste into OKX?", "n"),
                             ("Created the key and copied key, secret and passphrase?", "y"),
                             ("API key:", account["api_key"] + ENTER),
                             ("Secret key (hidden):", account["secret_key"] + ENTER),
                             ("Passphrase (hidden):", account["passphrase"] + ENTER),
                             ("Saved profile pty-link", ""),
                             ("Linking service address (leave empty to skip):", sim.link_url + ENTER),
                             (f"Token from your platform at {host} (hidden):", WRONG + ENTER)):
            child.expect_exact(prompt)
            child.send(keys)
        child.expect("Send key .* with its secret and passphrase to 127.0.0.1")
        child.send("y")
        child.expect_exact("refused the token.")
        child.expect_exact("What would you like to do?")
        child.send(ENTER)  # offered first: re-type the token
        child.expect_exact(f"Token from your platform at {host} (hidden):")
        child.send(sim.link_token + ENTER)
        child.expect_exact("Spot ready.")
        child.expect(r"✓ Profile pty-link: key \S+ of UID \d+, .*, main account, OKX Global, live\.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    transcript = log.getvalue()
    assert child.exitstatus == 0, transcript
    assert "Open it in your browser?" not in transcript
    for secret in (account["secret_key"], account["passphrase"], sim.link_token, WRONG):
        assert secret not in transcript  # typed hidden, never echoed
    # the keyring holds the key and, for the service, the token that worked — never the wrong one
    stored = json.loads(secret_service.lookup("pty-link"))
    assert stored == {k: account[k] for k in ("api_key", "secret_key", "passphrase")}
    assert secret_service.lookup(sim.link_url, service="okxlink-link") == sim.link_token
    status = okxlink("status", "--json", "--offline", env=env).json()["profiles"][0]
    assert status["name"] == "pty-link" and status["link"] == {
        "state": "linked", "service": sim.link_url, "id": status["link"]["id"]}
    assert re.fullmatch(r"[A-Za-z0-9_-]+", status["link"]["id"])


def test_the_wizard_in_chinese_shows_no_english_hint(secret_service, sim, tmp_path):  # noqa: F811
    """questionary's own hints (the select's "(Use arrow keys)", the confirm's "(Y/n)" and its
    echoed Yes/No) are said in Chinese, as is every question."""
    zh = gettext.translation("okxlink", i18n._LOCALEDIR, languages=["zh_CN"]).gettext
    keep = ("NO_COLOR", "OKXLINK_CONFIG_DIR", "PYTHONUNBUFFERED")
    env = secret_service.env(**{k: v for k, v in clean_env(tmp_path).items() if k in keep},
                             LANG="zh_CN.UTF-8", OKXLINK_BASE_URL=sim.template, PROMPT_TOOLKIT_NO_CPR="1",
                             TERM="xterm")
    account = sim.account("ready")
    log = io.StringIO()
    child = pexpect.spawn(OKXLINK[0], [*OKXLINK[1:], "setup", "--profile", "pty-zh", "--no-link"], env=env,
                          encoding="utf-8", timeout=30, dimensions=(50, 140))
    child.logfile_read = log
    try:
        for prompt, keys in (((zh("Which OKX site do you use?"), zh("(Use arrow keys)")), ENTER),
                             ((zh("Do you have an OKX account?"), zh("(Y/n)")), "y"),
                             ((zh("Is two-factor authentication on?"),), "y"),
                             ((zh("Is the key for live or demo trading?"),), ENTER),
                             ((zh("How will your platform use the key?"),), DOWN + ENTER),
                             ((zh("Generate a strong passphrase for you to paste into OKX?"),), "n"),
                             ((zh("Created the key and copied key, secret and passphrase?"),), "y"),
                             ((zh("API key:"),), account["api_key"] + ENTER),
                             ((zh("Secret key (hidden):"),), account["secret_key"] + ENTER),
                             ((zh("Passphrase (hidden):"),), account["passphrase"] + ENTER)):
            for text in prompt:
                child.expect_exact(text)
            child.send(keys)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    screen = ESCAPE.sub("", log.getvalue())  # the text the terminal drew, without its control sequences
    assert child.exitstatus == 0, screen
    for english in ("(Use arrow keys)", "(Y/n)", "(y/N)", "Use arrow", "type to filter"):
        assert english not in screen
    assert re.search(r"\b(Yes|No)\b", screen) is None
    # answered questions stay on the screen with their answer, in Chinese
    assert f"? {zh('Do you have an OKX account?')} {zh('Yes')}" in screen
    assert f"? {zh('Generate a strong passphrase for you to paste into OKX?')} {zh('No')}" in screen
    assert zh("(Y/n)") != "(Y/n)" and zh("Yes") != "Yes" and zh("No") != "No"
