"""Text from outside okxlink never acts on the terminal: OKX's label, uid and error messages, a
linking service's reasons, errors and link ids, profiles.toml and the command line are shown as
plain text — no markup parsed (`[/bold]` is shown as written, never a crash), no escape sequence,
C1 control, bidi override or line separator reaches stdout or stderr — and `--json` carries the
original text, escaped.

The sources are real: the OKX simulator on 127.0.0.1 serving an account whose label and uid are
hostile, and one whose every answer is a hostile error message; a tiny linking service on
127.0.0.1 whose every word is hostile; a profiles.toml written with hostile values. okxlink runs
in this process (tests/inproc.py: the same UI and run.py as the console script), and once as a
real process, where what it prints must also survive being encoded for the terminal.
"""

from __future__ import annotations

import io
import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rich.table import Table
from rich.text import Text

from okxlink.cli.ui import UI
from okxlink.sim.accounts import Account, dump_accounts
from okxlink.storage import LinkRecord, ProfileMeta, ProfilesFile, VerifySummary
from okxlink.text import json_text, plain, terminal

from conftest import clean_env, okxlink, start_sim
from inproc import InProcess
from loopback import Loopback
from real_keyring import secret_service  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
# Markup that would crash rich ("[/bold]" closes nothing) or fake a colour or a link; a window
# title, a cleared screen, a clipboard write (OSC 52), an OSC 8 hyperlink, a C1 CSI, bidi controls
# that reverse what is read, line and paragraph separators, a line break, a carriage return, DEL.
MARKUP = "[/bold][red]fake[/red] [link=https://evil.example]click[/link] :warning:"
HOSTILE = (MARKUP + " \x1b]0;pwned\x07 \x1b[2J \x1b]52;c;cm0gLXJmIH4K\x07 "
           "\x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\ \u009b31m \u202egnp.exe\u202c "
           "\u2066x\u2069 \u200fy \u2028next\u2029para\nline\rcr\x7f end")
HOSTILE_UID = "4401\x1b[2J[/bold]\u009b0m\u202e"
# What may never be printed: every C0 control but our own line break, DEL, C1, bidi controls, line
# and paragraph separators, lone surrogates.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                       "\u2028\u2029\ud800-\udfff]")


def inert(*texts: str) -> None:
    for text in texts:
        found = FORBIDDEN.search(text)
        assert found is None, f"{found.group()!r} printed in {text!r}"


def literal(text: str) -> None:
    """The markup is there, as written: nothing parsed it."""
    assert "[/bold][red]fake[/red]" in text and "[link=https://evil.example]click[/link]" in text, text
    assert ":warning:" in text, text


LABELLED = Account(name="labelled", api_key="7e1a2b3c-3333-4eee-8fff-00000000aaaa",
                   secret_key="7C7C7C7C7C7C7C7C7C7C7C7C7C7C7C7C", passphrase="Term-Pass-1!",
                   label=HOSTILE, uid=HOSTILE_UID)
REFUSING = Account(name="refusing", api_key="7e1a2b3c-4444-4eee-8fff-00000000bbbb",
                   secret_key="8D8D8D8D8D8D8D8D8D8D8D8D8D8D8D8D", passphrase="Term-Pass-2!",
                   answers={"*": "59999:400:" + HOSTILE})  # an unknown code: its msg is shown


def creds(account: Account) -> dict[str, str]:
    return {"OKX_API_KEY": account.api_key, "OKX_SECRET_KEY": account.secret_key,
            "OKX_PASSPHRASE": account.passphrase}


def stdin_creds(account: Account) -> str:
    return json.dumps({"api_key": account.api_key, "secret_key": account.secret_key,
                       "passphrase": account.passphrase})


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    path = tmp_path_factory.mktemp("terminal") / "accounts.json"
    path.write_text(json.dumps(dump_accounts([LABELLED, REFUSING])))
    s = start_sim("--accounts", str(path), "--no-link")
    yield s
    s.stop()


# --- a linking service whose every word is hostile ------------------------------------------------

class Service(Loopback, ThreadingHTTPServer):
    """Answers POST /v1/links with `created` (status, body), GET /v1/links/ID with the same link,
    DELETE with 204."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.created: tuple[int, dict[str, Any]] = (201, link())
        self.serve()


class _Handler(BaseHTTPRequestHandler):
    server: Service

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any] | None) -> None:
        data = json.dumps(body).encode() if body is not None else b""  # ASCII: "\u001b", "\ud800"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._answer(*self.server.created)

    def do_GET(self) -> None:
        status, body = self.server.created
        self._answer(200 if status == 201 else status, body)

    def do_DELETE(self) -> None:
        self._answer(204, None)


CHECK = "funds\x1b[2J[/bold]\u009b1m\u202e"
LINK_ID = "lnk_\x1b]0;pwned\x07[/bold]\u202e1"  # in profiles.toml (a service's id must be a plain token)


def link(message: str = HOSTILE, check: str = CHECK) -> dict[str, Any]:
    return {"id": "lnk_term1", "site": "global", "demo": False, "api_key": "7e1a…aaaa",
            "verified_at": "2026-01-01T00:00:00Z",
            "spot": {"state": "attention", "reasons": [{"check": check, "status": "fail", "message": message}]}}


@pytest.fixture()
def service():
    s = Service()
    yield s
    s.stop()


@pytest.fixture()
def stored(sim, service, tmp_path):
    """okxlink in this process with the labelled account stored as profile `main`, and the hostile
    service's address and token set (as OKXLINK_LINK_URL and OKXLINK_LINK_TOKEN would)."""
    run = InProcess(tmp_path / "config", base_url=sim.template, link_url=service.url, link_token="term-token")
    r = run("setup", "--profile", "main", "--stdin", stdin=stdin_creds(LABELLED))
    assert r.code == 0, r.out + r.err
    inert(r.out, r.err)
    return run


# --- (a) OKX ------------------------------------------------------------------------------------

def test_okx_label_and_uid_are_shown_as_written_and_json_keeps_them(stored):
    r = stored("profiles", width=400)
    assert (r.code, r.err) == (0, "")
    inert(r.out)
    literal(r.out)
    assert "4401[2J[/bold]0m" in r.out
    r = stored("profiles", "--json")
    assert r.code == 0
    inert(r.out)
    (profile,) = r.json()["profiles"]
    assert (profile["label"], profile["uid"]) == (HOSTILE, HOSTILE_UID)


def test_okx_label_in_verify_json_is_escaped(sim, tmp_path):
    run = InProcess(tmp_path / "config", base_url=sim.template)
    r = run("verify", "--json", environ=creds(LABELLED))
    assert (r.code, r.err) == (0, "")
    inert(r.out)
    assert r.json()["account"]["label"] == HOSTILE and r.json()["account"]["uid"] == HOSTILE_UID


def test_okx_error_message_is_shown_as_written(sim, tmp_path):
    """A code okxlink does not know: OKX's own message is all the user has, so it is shown."""
    run = InProcess(tmp_path / "config", base_url=sim.template)
    r = run("verify", environ=creds(REFUSING), width=400)
    assert r.code == 3, r.out + r.err  # OKX refused the key: not ready
    inert(r.out, r.err)
    literal(r.out)
    r = run("setup", "--profile", "x", "--stdin", stdin=stdin_creds(REFUSING), width=400)
    assert r.code == 3, r.out + r.err
    inert(r.out, r.err)
    literal(r.out)
    r = run("verify", "--json", environ=creds(REFUSING))
    assert r.code == 3
    inert(r.out)
    assert any("[/bold][red]fake[/red]" in c["message"] for c in r.json()["checks"])


# --- (b) a linking service ----------------------------------------------------------------------

def test_service_reasons_are_shown_as_written(stored, service):
    """The link is recorded, then its reasons shown: `[/bold]` once crashed the run here (exit 1)."""
    r = stored("link", "--profile", "main", "--yes", "--service", service.url, width=400)
    assert r.code == 0, r.out + r.err
    inert(r.out, r.err)
    literal(r.out)
    assert "funds[2J[/bold]1m" in r.out
    r = stored("status", "--offline", width=400)
    assert r.code == 3, r.out + r.err  # the platform says attention
    inert(r.out, r.err)
    assert "funds[2J[/bold]1m" in r.out
    r = stored("status", "--offline", "--json")
    inert(r.out)
    (row,) = r.json()["profiles"]
    assert "[/bold]" in row["reasons"][0] and row["link"]["id"] == "lnk_term1"


def test_service_json_keeps_its_words_escaped(stored, service):
    service.created = (201, link(message=HOSTILE + " \ud800"))  # a lone surrogate is valid JSON
    r = stored("link", "--profile", "main", "--yes", "--json", "--service", service.url)
    assert (r.code, r.err) == (0, "")
    inert(r.out)
    (reason,) = r.json()["spot"]["reasons"]
    # the words as the service wrote them (or as okxlink.core keeps them), markup and all
    assert MARKUP in reason["message"] and "[/bold]" in reason["check"]


def test_service_refusal_is_one_plain_line(stored, service):
    """A 409's message is quoted in okxlink's error sentence: one line, on stderr, exit 4."""
    service.created = (409, {"error": {"code": "conflict", "message": HOSTILE}})
    r = stored("link", "--profile", "main", "--yes", "--service", service.url)
    assert r.code == 4, r.out + r.err
    inert(r.out, r.err)
    literal(r.err)
    assert len(r.err.splitlines()) == 1 and r.err.startswith("okxlink: The linking service refused: ")


def test_service_error_of_any_length_is_bounded(stored, service):
    service.created = (409, {"error": {"code": "conflict", "message": "\x1b[2J" + "x" * 100_000}})
    r = stored("link", "--profile", "main", "--yes", "--service", service.url)
    assert r.code == 4
    inert(r.err)
    assert len(r.err) < 1200  # run.py bounds a sentence to 1000 characters


def test_real_process_survives_what_the_terminal_cannot_encode(sim, service, secret_service, tmp_path):  # noqa: F811
    """A lone surrogate ("\\ud800" is valid JSON) cannot be written as UTF-8: printing it raised
    UnicodeEncodeError (exit 1) after the link was recorded."""
    env = secret_service.env(**{k: v for k, v in clean_env(tmp_path).items()
                                if k in ("NO_COLOR", "OKXLINK_CONFIG_DIR", "LANG", "PYTHONUNBUFFERED", "COLUMNS")},
                             OKXLINK_BASE_URL=sim.template, OKXLINK_LINK_URL=service.url,
                             OKXLINK_LINK_TOKEN="term-token")
    r = okxlink("setup", "--profile", "main", "--stdin", env=env, stdin=stdin_creds(LABELLED))
    assert r.code == 0, r.out + r.err
    service.created = (201, link(message="\x1b]0;pwned\x07 half a pair \ud800 end", check="funds"))
    r = okxlink("link", "--profile", "main", "--yes", "--service", service.url, env=env)
    assert r.code == 0, r.out + r.err
    inert(r.out, r.err)
    assert "]0;pwned half a pair" in r.out and " end" in r.out


# --- (c) profiles.toml and the command line -----------------------------------------------------

@pytest.fixture()
def hand_edited(tmp_path):
    """A profiles.toml whose every text field is hostile (a hand edit, or a file from elsewhere)."""
    ProfilesFile(tmp_path / "config" / "profiles.toml").put(ProfileMeta(
        name="main", site=HOSTILE, key=HOSTILE, label=HOSTILE, uid=HOSTILE_UID, last_verified=HOSTILE,
        verify=VerifySummary(ready=False, statuses={CHECK: "fail"}, reasons=[CHECK]),
        links=[LinkRecord(service="https://link.example.com/" + HOSTILE, id=LINK_ID, state="linked",
                          spot="attention", reasons=[CHECK], checked_at=HOSTILE)]))
    return InProcess(tmp_path / "config")


def test_profiles_toml_values_are_shown_as_written(hand_edited):
    r = hand_edited("profiles", width=400)
    assert (r.code, r.err) == (0, "")
    inert(r.out)
    literal(r.out)
    r = hand_edited("profiles", "--json")
    inert(r.out)
    assert r.json()["profiles"][0]["label"] == HOSTILE


def test_status_of_a_hostile_profiles_toml(hand_edited):
    """Its dates are not dates either: shown as unknown, where the run once crashed (exit 1)."""
    r = hand_edited("status", "--offline", width=400)
    assert r.code == 3, r.out + r.err
    inert(r.out, r.err)
    literal(r.out)
    r = hand_edited("status", "--offline", "--json")
    assert r.code == 3
    inert(r.out)
    (row,) = r.json()["profiles"]
    assert (row["key"], row["links"][0]["id"], row["local"]["checked_at"]) == (HOSTILE, LINK_ID, HOSTILE)


def test_remove_question_and_answer_are_plain(hand_edited, script):
    """Its link's address and id are not ones okxlink sends a request with: the removal stops (exit
    2, one plain line) unless --keep-links, which says, plainly, where the key stays."""
    r = hand_edited("remove", "--profile", "main", "--yes", width=400)
    assert r.code == 2 and r.out == "" and "--keep-links" in r.err, r.out + r.err
    inert(r.err)
    asker = script({"remove-profile": True})
    r = hand_edited("remove", "--profile", "main", "--keep-links", width=400, asker=asker)
    assert (r.code, r.err) == (0, "")
    inert(r.out, *asker.messages)
    literal(asker.messages[0])
    assert "is still linked to link.example.com (link lnk_" in r.out
    literal(r.out.split("is still linked to")[0])  # the key, as profiles.toml has it


def test_command_line_text_in_errors(tmp_path):
    """A profile name from a script's variable is quoted in the error: one plain line, exit 2."""
    run = InProcess(tmp_path / "config")
    r = run("remove", "--profile", HOSTILE, "--yes")
    assert r.code == 2, r.out + r.err
    inert(r.out, r.err)
    r = run("verify", "--site", HOSTILE)  # typer's own usage error
    assert r.code == 2, r.out + r.err
    inert(r.out, r.err)


# --- the sink itself: what other code prints through the UI -------------------------------------

def test_every_way_the_ui_prints_is_plain():
    out, err = io.StringIO(), io.StringIO()
    ui = UI(out=out, err=err, width=400)
    ui.say(HOSTILE)
    ui.note(HOSTILE)
    ui.step(1, 2, HOSTILE, HOSTILE)
    ui.out.print(HOSTILE)          # a str straight to the console: not markup either
    ui.out.print(Text(HOSTILE))
    ui.err.print(HOSTILE)
    table = Table(title=HOSTILE)
    table.add_column(HOSTILE)
    table.add_row(HOSTILE)
    ui.out.print(table)
    inert(out.getvalue(), err.getvalue())
    assert out.getvalue().count("[/bold][red]fake[/red]") == 8 and err.getvalue().count("[/bold]") == 2


def test_spinner_text_is_plain_on_a_terminal():
    """rich's Status parses a str as markup: a spinner naming outside text crashed (MarkupError)."""
    err = io.StringIO()
    ui = UI(out=io.StringIO(), err=err, width=400)
    ui.err = type(ui.err)(file=err, force_terminal=True, width=400)
    with ui.spinner(HOSTILE):
        pass
    shown = err.getvalue()
    literal(shown)
    # rich's own cursor moves are there (a terminal), nothing of the text's: no OSC, BEL, C1, bidi
    assert not re.search("\x1b\\]|\x1b\\[2J|[\x07\x80-\x9f\u202a-\u202e\u2066-\u2069]", shown), repr(shown)


# --- okxlink.text -------------------------------------------------------------------------------

def test_plain_is_one_bounded_line():
    assert plain(HOSTILE, 1000).count("\n") == 0
    inert(plain(HOSTILE, 1000))
    assert plain("a\n\tb\u2028c  d") == "a b c d"
    assert plain("x" * 10_000, 50) == "x" * 49 + "…"
    assert plain(None) == "" and plain(42) == "42"
    # what is text stays: other scripts, emoji with their joiners, the markup as written
    kept = "账户 · حساب · 👩\u200d💻 · [b]"
    assert plain(kept) == kept


def test_no_code_point_survives_that_may_not_be_printed():
    every = "".join(map(chr, range(0x110000)))
    inert(terminal(every), plain(every, len(every)))
    assert not re.search("[\u00ad\u200b\ufeff\U000e0001]", terminal(every))  # invisible format characters


def test_terminal_keeps_our_layout():
    assert terminal("  a\n  b\x1b[2J\u202e") == "  a\n  b[2J"
    assert terminal("\ud800") == "\ufffd"


@pytest.mark.parametrize("value", [HOSTILE, HOSTILE_UID, "\ud800 \udfff", "tag \U000e0041", "é 账户 👩\u200d💻"])
def test_json_text_round_trips_and_is_inert(value):
    text = json_text({"v": value, "list": [value]})
    inert(text)
    assert "\U000e0041" not in text  # an invisible tag character is escaped too
    assert json.loads(text) == {"v": value, "list": [value]}
