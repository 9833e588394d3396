"""okxlink copy: a stored key handed over by clipboard, for platforms that take it in a web form.

The real clipboard: an X server of its own (tests/real_display.py: Xvfb, stopped by PID) read back
with xclip, okxlink as a real process reading the real
Secret Service keyring. In this process: a fake clipboard and a scripted asker, for the flow, the
prompts and what is said. A missing Xvfb or xclip fails the tests (scripts/test installs them)."""

from __future__ import annotations

import base64
import os
import subprocess
import time

import pexpect
import pytest

from okxlink.cli.clipboard import Held, clear_if_unchanged
from okxlink.core.credentials import Credentials
from okxlink.storage import KeyringStore, MemoryStore, ProfileRepo, ProfilesFile

from conftest import OKXLINK
from inproc import InProcess
from real_display import clip, display  # noqa: F401  (the fixture)
from real_keyring import isolated_env, secret_service  # noqa: F401  (the fixture)
from scripted import ScriptedAsker

CREDS = Credentials(api_key="c0ffee00-1234-4abc-8def-0123456789ab", secret_key="C0FFEE5EC12345678901234567890ABC",
                    passphrase="Clip-Board 9!pass")
VALUES = [CREDS.api_key, CREDS.secret_key.get_secret_value(), CREDS.passphrase.get_secret_value()]
NO_CLIPBOARD = "No clipboard here: okxlink copy needs xclip or xsel on X11, or wl-clipboard on Wayland"


# --- the real clipboard: Xvfb + xclip ---------------------------------------------------------------

def until(condition, what: str, timeout: float = 15.0) -> None:
    """Waits for a state of the X server that okxlink's xclip or its timer sets: no event to wait on
    from outside (xclip may return before its background process has told the server it owns the
    clipboard)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def stored(secret_service, tmp_path_factory) -> dict[str, str]:  # noqa: F811
    """A profile `clip` in the real keyring; the environment okxlink runs in (no display yet)."""
    config = tmp_path_factory.mktemp("copy-config")
    env = secret_service.env(OKXLINK_CONFIG_DIR=str(config), NO_COLOR="1", COLUMNS="200", LANG="C.UTF-8",
                             PYTHONUNBUFFERED="1")
    with pytest.MonkeyPatch.context() as mp:  # python-keyring reaches the private bus through os.environ
        for name, value in secret_service.vars.items():
            mp.setenv(name, value)
        ProfileRepo(KeyringStore(backend=secret_service.backend()), ProfilesFile(config / "profiles.toml")) \
            .save("clip", CREDS)
    return {k: v for k, v in env.items() if not k.startswith("OKX_") and k not in ("OKXLINK_LANG",)}


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    return pexpect.spawn(OKXLINK[0], [*OKXLINK[1:], *args], env={**env, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
                         encoding="utf-8", timeout=30, dimensions=(50, 200))


def no_secret_in(text: str) -> None:
    for value in VALUES:  # the API key too: only its masked form is ever shown
        assert value not in text
        assert base64.b64encode(value.encode()).decode()[:16] not in text


@pytest.mark.e2e
def test_each_value_goes_on_the_real_clipboard_in_turn_and_a_copy_of_the_users_is_left(stored, display):  # noqa: F811
    env = {**stored, "DISPLAY": display}
    clip(display, "before")
    child = spawn(env, "copy", "--profile", "clip", "--clear-after", "600")
    try:
        child.expect_exact("1/3 API key of key c0ff…89ab is on the clipboard")
        child.expect_exact("Press Enter for the Secret key")
        until(lambda: clip(display) == VALUES[0], "value 1 on the clipboard")
        child.send("\r")
        child.expect_exact("Cleared from the clipboard.")
        child.expect_exact("2/3 Secret key")
        child.expect_exact("Press Enter for the Passphrase")
        until(lambda: clip(display) == VALUES[1], "value 2 on the clipboard")
        clip(display, "the user's own copy")  # copied over the secret before pressing Enter
        child.send("\r")
        child.expect_exact("The clipboard holds something you copied since: left as it is.")
        child.expect_exact("3/3 Passphrase")
        child.expect_exact("Press Enter to clear the clipboard and finish.")
        until(lambda: clip(display) == VALUES[2], "value 3 on the clipboard")
        child.send("\r")
        child.expect_exact("Cleared from the clipboard.")
        child.expect_exact("okxlink verify --profile clip")
        child.expect(pexpect.EOF)
    finally:
        transcript = (child.before or "") if isinstance(child.before, str) else ""
        child.close(force=True)
    assert child.exitstatus == 0
    assert clip(display) == ""
    no_secret_in(transcript)


@pytest.mark.e2e
def test_a_value_is_cleared_when_its_time_is_up_while_okxlink_still_waits(stored, display):  # noqa: F811
    env = {**stored, "DISPLAY": display}
    clip(display, "before")
    child = spawn(env, "copy", "--profile", "clip", "--field", "passphrase", "--clear-after", "0.5")
    try:
        child.expect_exact("Press Enter to clear the clipboard and finish.")
        # "before" gave way to the passphrase, which the timer cleared: the clipboard is empty
        until(lambda: clip(display) == "", "the clipboard to be cleared")
        assert child.isalive()  # still at its prompt: the time, not the end, cleared it
        child.send("\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


@pytest.mark.e2e
def test_without_a_terminal_one_field_stays_until_its_time_is_up(stored, display):  # noqa: F811
    clip(display, "before")
    done = subprocess.run([*OKXLINK, "copy", "--profile", "clip", "--field", "secret-key", "--clear-after", "0.3"],
                          env={**stored, "DISPLAY": display}, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1/1 Secret key of key c0ff…89ab is on the clipboard" in done.stdout
    assert "Cleared from the clipboard." in done.stdout
    assert clip(display) == ""
    no_secret_in(done.stdout + done.stderr)


@pytest.mark.e2e
@pytest.mark.parametrize("where", ["no display", "no xclip"])
def test_no_clipboard_is_exit_2_naming_what_to_install(stored, display, tmp_path, where):  # noqa: F811
    env = isolated_env({}, **stored)  # DISPLAY and WAYLAND_DISPLAY dropped
    if where == "no xclip":  # a display, and a PATH with python but no clipboard tool
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        env.update(DISPLAY=display, PATH=str(bin_dir))
    done = subprocess.run([*OKXLINK, "copy", "--profile", "clip", "--field", "api-key"], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert NO_CLIPBOARD in done.stderr
    assert "--osc52" in done.stderr
    no_secret_in(done.stdout + done.stderr)


# --- in this process: a fake clipboard -------------------------------------------------------------

class FakeClipboard:
    tool = "fake-clip"
    hint = False

    def __init__(self) -> None:
        self.held = "the user's"
        self.copies: list[str] = []

    def copy(self, text: str) -> None:
        self.copies.append(text)
        self.held = text

    def paste(self) -> str:
        return self.held


class Pasting(ScriptedAsker):
    """Answers by id, and before the n-th answer of copy-next does what the user does (`acts`)."""

    def __init__(self, answers, acts=None) -> None:
        super().__init__(answers)
        self.acts = acts or {}
        self.seen = 0

    def confirm(self, id, message, default=True):
        if id == "copy-next":
            self.seen += 1
            self.acts.get(self.seen, lambda: None)()
        return super().confirm(id, message, default)


@pytest.fixture()
def run(tmp_path) -> InProcess:
    run = InProcess(tmp_path / "config", secrets=MemoryStore(), clipboard=FakeClipboard())
    ProfileRepo(run.secrets, ProfilesFile(run.config_dir / "profiles.toml")).save("main", CREDS)
    return run


def test_the_three_values_in_turn_each_cleared_and_the_handover_recorded(run):
    asker = Pasting({"copy-next": [None, None, None]})
    result = run("copy", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert run.clipboard.copies == [VALUES[0], "", VALUES[1], "", VALUES[2], ""]
    assert asker.messages == ["Pasted? Press Enter for the Secret key (n: stop here).",
                              "Pasted? Press Enter for the Passphrase (n: stop here).",
                              "Pasted? Press Enter to clear the clipboard and finish."]
    assert ("1/3 API key of key c0ff…89ab is on the clipboard: paste it into your platform's API key field "
            "(cleared in 30 s).") in result.out
    assert result.out.count("Cleared from the clipboard.") == 3
    assert "fake-clip cannot mark these values as passwords" in result.err  # the warning, once
    no_secret_in(result.out + result.err)
    status = run("status", "--offline", width=200)
    assert ("Platform: key handed over by clipboard just now; okxlink cannot ask it: look at its page "
            "(grey Spot = ready, orange = check settings), re-check with okxlink verify") in status.out
    toml = (run.config_dir / "profiles.toml").read_text()
    assert 'fields = ["api-key", "secret-key", "passphrase"]' in toml and 'at = "2026-12-01T12:00:00Z"' in toml


def test_a_value_the_user_copied_over_is_left_and_n_stops(run):
    asker = Pasting({"copy-next": [None, False]}, acts={2: lambda: run.clipboard.copy("mine")})
    result = run("copy", "--profile", "main", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert run.clipboard.copies == [VALUES[0], "", VALUES[1], "mine"]  # not cleared over "mine"
    assert "The clipboard holds something you copied since: left as it is." in result.out
    assert "3/3" not in result.out
    assert 'fields = ["api-key", "secret-key"]' in (run.config_dir / "profiles.toml").read_text()


def test_ctrl_c_clears_the_value_on_the_clipboard(run):
    result = run("copy", "--profile", "main", asker=Pasting({"copy-next": KeyboardInterrupt}))
    assert result.code == 130
    assert run.clipboard.copies == [VALUES[0], ""]


def test_one_field_and_the_usage_errors(run):
    result = run("copy", "--profile", "main", "--field", "passphrase", asker=Pasting({"copy-next": None}))
    assert result.code == 0 and run.clipboard.copies == [VALUES[2], ""]
    bad = run("copy", "--profile", "main", "--field", "secret")
    assert bad.code == 2 and "--field must be one of: api-key, secret-key, passphrase." in bad.err
    alone = run("copy", "--profile", "main")  # no terminal: three values need someone to press Enter
    assert alone.code == 2 and "Without a terminal okxlink copy cannot wait for you" in alone.err
    unknown = run("copy", "--profile", "nobody", "--field", "api-key")
    assert unknown.code == 2 and "Profile nobody not found." in unknown.err
    osc = run("copy", "--profile", "main", "--field", "api-key", "--osc52")
    assert osc.code == 2 and "--osc52 copies through the terminal" in osc.err
    assert run.clipboard.copies == [VALUES[2], ""]  # none of these copied anything


def test_osc52_writes_to_the_terminal_and_clears_it(run):
    result = run("copy", "--profile", "main", "--field", "api-key", "--osc52", asker=Pasting({"copy-next": None}))
    assert result.code == 0, result.err
    encoded = base64.b64encode(VALUES[0].encode()).decode()
    assert f"\x1b]52;c;{encoded}\x07" in result.out
    assert result.out.index(encoded) < result.out.index("\x1b]52;c;\x07")  # then cleared
    assert "travels through your terminal" in result.err
    assert run.clipboard.copies == []


def test_no_clipboard_in_process_names_what_to_install(tmp_path):
    run = InProcess(tmp_path / "config")
    ProfileRepo(run.secrets, ProfilesFile(run.config_dir / "profiles.toml")).save("main", CREDS)
    result = run("copy", "--profile", "main", "--field", "api-key")
    assert result.code == 2 and NO_CLIPBOARD in result.err


def test_link_without_a_service_names_both_ways(run):
    result = run("link", "--profile", "main")
    assert result.code == 2
    assert "okxlink copy --profile main puts each value on the clipboard in turn" in result.err


# --- Held: the timer, with a clock the test controls (seconds 0: at once; an hour: never) -------------

def test_held_clears_when_its_time_is_up():
    board = FakeClipboard()
    held = Held(board, "v", 0)
    assert held.done.wait(10)
    assert board.copies == ["v", ""] and not held.replaced


def test_held_clears_at_the_end_unless_the_user_copied_something_else():
    board = FakeClipboard()
    with Held(board, "v", 3600) as held:
        assert board.held == "v" and not held.done.is_set()
    assert board.copies == ["v", ""]
    with Held(board, "w", 3600) as held:
        board.copy("mine")
    assert held.replaced and board.held == "mine"
    assert clear_if_unchanged(board, "w") is False and board.held == "mine"
    board.held = ""  # emptied by another program: nothing to clear
    assert clear_if_unchanged(board, "w") is True and board.copies[-1] == "mine"


WIZARD = {"site": "global", "have-account": True, "2fa-on": True, "environment": "live", "key-use": "self",
          "generate-passphrase": False, "key-created": True, "link-service": ""}  # no linking service


def test_the_wizard_offers_the_clipboard_when_no_service_is_given(sim, tmp_path):
    a = sim.account("funding-only")
    run = InProcess(tmp_path / "config", base_url=sim.template, clipboard=FakeClipboard())
    answers = {**WIZARD, "api-key": a["api_key"], "secret-key": a["secret_key"], "passphrase": a["passphrase"],
               "copy-key": True, "copy-next": [None, None, None]}
    asker = Pasting(answers)
    result = run("setup", "--profile", "form", asker=asker, width=200)
    assert result.code == 0, result.out + result.err
    assert asker.asked[-5:] == ["link-service", "copy-key", "copy-next", "copy-next", "copy-next"]
    assert run.clipboard.copies == [a["api_key"], "", a["secret_key"], "", a["passphrase"], ""]
    asker.assert_used_up()


def test_the_wizard_names_the_command_when_the_offer_is_declined_or_there_is_no_clipboard(sim, tmp_path):
    for board, answers in ((FakeClipboard(), {"copy-key": False}), (None, {})):
        a = sim.account("no-ip-bound")
        run = InProcess(tmp_path / f"config-{bool(board)}", base_url=sim.template, clipboard=board)
        asker = Pasting({**WIZARD, "api-key": a["api_key"], "secret-key": a["secret_key"],
                         "passphrase": a["passphrase"], **answers})
        result = run("setup", "--profile", "form", asker=asker, width=200)
        assert result.code == 0, result.out + result.err
        assert ("A platform without a linking service takes the key in its web form: okxlink copy --profile form "
                "puts each value on the clipboard in turn.") in result.out
        assert "copy-next" not in asker.asked and (board is None or board.copies == [])
        asker.assert_used_up()


def test_the_handover_record_reads_back_and_is_optional():
    from okxlink.storage.meta import Handover, ProfileMeta

    meta = ProfileMeta(name="m", key="abcd…wxyz", handover=Handover(at="2026-12-01T12:00:00Z", key="abcd…wxyz",
                                                                     fields=["api-key"]))
    written = {k: v for k, v in meta.to_toml().items() if v is not None}  # TOML has no null
    again = ProfileMeta.from_toml("m", written)
    assert again.handover == meta.handover
    assert ProfileMeta.from_toml("m", {"key": "x"}).handover is None


# --- Wayland: wl-copy marks the value as a password where it can (2.3: --sensitive) ----------------

FAKE_WL = """#!/bin/sh
# a stand-in for wl-clipboard: records its arguments and what it read, never the value on a command line
here=$(dirname "$0")
case "$(basename "$0")" in
  wl-copy)
    [ "$1" = "--help" ] && { echo "Usage: wl-copy [options] text... SENSITIVE"; exit 0; }
    echo "$*" >> "$here/args"
    [ "$1" = "--clear" ] && { : > "$here/held"; exit 0; }
    cat > "$here/held" ;;
  wl-paste) cat "$here/held" ;;
esac
"""


@pytest.mark.parametrize("version", ["2.3", "2.2"])
def test_wl_copy_is_asked_for_the_password_hint_where_it_has_it(tmp_path, monkeypatch, version):
    from okxlink.cli.clipboard import system

    for tool in ("wl-copy", "wl-paste"):
        (tmp_path / tool).write_text(FAKE_WL.replace("SENSITIVE", "--sensitive" if version == "2.3" else "--primary"))
        (tmp_path / tool).chmod(0o755)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-test")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    board = system()
    assert board.tool == "wl-copy" and board.hint is (version == "2.3")
    with Held(board, VALUES[1], 3600):
        assert board.paste() == VALUES[1]
    assert board.paste() == ""
    calls = (tmp_path / "args").read_text().splitlines()
    assert calls == (["--sensitive", "--clear"] if version == "2.3" else ["", "--clear"])
