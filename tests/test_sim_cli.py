"""The simulator's two front ends, `okxlink sim` and `python -m okxlink.sim`, as real processes:
the same options and help, the link-service flags through `okxlink sim`, the link token kept off
the command line, the errors that stop it from starting (exit 2, one sentence on stderr, nothing on
stdout), and children that inherit none of the parent's secrets."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from okxlink.sim import child as sim_child
from okxlink.sim.child import spawn

from conftest import Result, clean_env
from inproc import InProcess

pytestmark = pytest.mark.slow
OKXLINK_SIM = [sys.executable, "-m", "okxlink", "sim"]
PYTHON_M_SIM = [sys.executable, "-m", "okxlink.sim"]
ENTRIES = {"okxlink sim": OKXLINK_SIM, "python -m okxlink.sim": PYTHON_M_SIM}
PIP_LINE = "pip install 'okxlink[sim]'"
TOKEN = "cli-t0ken-0123456789abcdef"

# Runs an entry point (argv[1]: "okxlink" or "okxlink.sim") as `python -m` does, after making
# `import BLOCKED` (argv[2], and its submodules) fail as it does when the package is missing.
BLOCKING = """
import runpy, sys
entry, blocked, args = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Missing())
sys.argv = [entry, *args]
runpy.run_module(entry, run_name="__main__", alter_sys=True)
"""


def entry_args(prog: str, blocked: str, *args: str) -> list[str]:
    """BLOCKING's arguments: run ENTRIES[prog] with `args`, `blocked` (comma-separated) missing."""
    if prog == "okxlink sim":
        return ["okxlink", blocked, "sim", *args]
    return ["okxlink.sim", blocked, *args]


def attempt(command: list[str], env: dict[str, str] | None = None) -> Result:
    """Run a start that must fail. Should it start after all, its ready line ends the wait (the
    test fails) instead of a server that never exits."""
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env or clean_env())
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first:
        proc.terminate()
        proc.communicate(timeout=30)
        pytest.fail(f"`{' '.join(command[1:])}` started: {first[:200]}")
    out, err = proc.communicate(timeout=60)
    return Result(proc.returncode, first + out, err)


def sentence(result: Result, prog: str) -> str:
    """The single line of a failed start, without its `prog: ` prefix."""
    lines = result.err.strip().splitlines()
    assert result.code == 2 and result.out == "" and len(lines) == 1, result
    assert lines[0].startswith(f"{prog}: "), lines
    return lines[0][len(prog) + 2:]


def options_in(help_text: str) -> list[str]:
    """The flags of the option list (`  -h, --help  …`, `  --port N  …`), in order."""
    rows = re.findall(r"^ {2}(-[a-z-]+)(?:, (--[a-z-]+))?", help_text, re.M)
    return [flag for row in rows for flag in row if flag]


# ---- one definition -----------------------------------------------------------------------------
def test_both_entry_points_have_the_same_options_and_help():
    helps = {}
    for prog, command in ENTRIES.items():
        done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60,
                              env=clean_env())
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"Usage: {prog} "), done.stdout[:200]
        helps[prog] = done.stdout
    okx, py = (options_in(text) for text in helps.values())
    assert okx == py
    assert {"--port", "--accounts", "--link-port", "--link-db", "--link-token-stdin",
            "--link-source-ip", "--no-link", "-h", "--help"} <= set(okx)
    assert "--link-token" not in okx  # a token in argv is shown to every user by ps
    # beyond the usage line (its program name differs), the help is the same text
    bodies = [text.split("\n\n", 1)[1] for text in helps.values()]
    assert bodies[0] == bodies[1]


def test_okxlink_sim_short_help_and_a_bad_value_reach_the_shared_parser():
    short = subprocess.run([*OKXLINK_SIM, "-h"], capture_output=True, text=True, timeout=60,
                           env=clean_env())
    assert short.returncode == 0 and "--link-source-ip IP" in short.stdout
    for prog, command in ENTRIES.items():
        bad = attempt([*command, "--port", "70000"])
        assert (bad.code, bad.out) == (2, "")
        assert f"{prog}: error: argument --port: 70000 is not a port number" in bad.err


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def test_link_token_and_source_ip_through_okxlink_sim():
    # Verifying only from 127.0.0.1, the link service meets the whitelist of a key bound to
    # 127.0.0.2 alone: with the default source (127.0.0.2) that key would link as ready.
    child = spawn("--link-source-ip", "127.0.0.1", program=OKXLINK_SIM, env=clean_env(), link_token=TOKEN)
    try:
        assert child.link_token == TOKEN
        assert b"--link-token-stdin" in cmdline(child.proc.pid) and TOKEN.encode() not in cmdline(child.proc.pid)
        account = child.account("ip-not-whitelisted")
        body = {"exchange": "okx", "site": account["site"], "demo": account["demo"],
                **{k: account[k] for k in ("api_key", "secret_key", "passphrase")}}
        resp = httpx.post(child.link_url + "/v1/links", json=body, timeout=30,
                          headers={"Authorization": f"Bearer {TOKEN}"})
        assert resp.status_code == 201, resp.text
        spot = resp.json()["spot"]
        assert spot["state"] != "ready", spot
        assert [r["check"] for r in spot["reasons"]] == ["ip-whitelist"], spot
        other = httpx.get(child.link_url + "/v1/links", timeout=30,
                          headers={"Authorization": "Bearer not-the-token"})
        assert other.status_code == 401
    finally:
        assert child.stop() == 0


SPECIAL_TOKEN = "tok 'quoted\" back\\slash 100% ü"


@pytest.mark.parametrize("prog", list(ENTRIES))
def test_link_token_from_the_environment_never_in_argv(prog):
    env = clean_env(OKXLINK_SIM_LINK_TOKEN=SPECIAL_TOKEN)
    proc = subprocess.Popen([*ENTRIES[prog], "--port", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True, encoding="utf-8")
    try:
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline())
        assert line["link_token"] == SPECIAL_TOKEN
        assert SPECIAL_TOKEN.encode() not in cmdline(proc.pid)
        ok = httpx.get(line["link_url"] + "/v1/links", timeout=30,
                       headers={"Authorization": f"Bearer {SPECIAL_TOKEN}".encode()})
        assert ok.status_code == 200, ok.text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_link_token_on_stdin_and_refused_as_an_argument():
    child = spawn(program=PYTHON_M_SIM, env=clean_env(), link_token=SPECIAL_TOKEN)
    try:
        assert child.link_token == SPECIAL_TOKEN
    finally:
        assert child.stop() == 0
    for prog, command in ENTRIES.items():
        said = attempt([*command, "--link-token", TOKEN])
        assert (said.code, said.out) == (2, "") and "unrecognized arguments: --link-token" in said.err, said
        empty = subprocess.run([*command, "--link-token-stdin"], input="\n", capture_output=True, text=True,
                               env=clean_env(), timeout=60)
        assert empty.returncode == 2 and empty.stdout == ""
        assert empty.stderr.strip() == f"{prog}: the link token must not be empty", empty.stderr


# ---- children inherit no secret ------------------------------------------------------------------
SECRET_ENV = {"OKX_API_KEY": "0f4b2a7c-1d3e-4f5a-8b9c-0123456789ab", "OKX_SECRET_KEY": "5EC2E7" * 5 + "AB",
              "OKX_PASSPHRASE": "parent's passphrase", "OKXLINK_LINK_TOKEN": "parent-link-token",
              "OKXLINK_SIM_LINK_TOKEN": "parent-sim-token", "OKXLINK_CONFIG_DIR": "/parent/config",
              "KEYRING_PASSWORD": "parent keyring password"}
ENV_DUMP = """
import json, os, sys
print(json.dumps({"env": dict(os.environ)}), flush=True)
sys.stdin.read()  # until stopped
"""


def test_spawned_children_get_no_secret_of_the_parents_environment(monkeypatch):
    for name, value in {**SECRET_ENV, "OKXLINK_LANG": "en"}.items():
        monkeypatch.setenv(name, value)
    for env in (None, dict(os.environ)):  # inherited, or handed over whole: scrubbed either way
        child = spawn(program=[sys.executable, "-c", ENV_DUMP], env=env)
        child.stop()
        got = child.line["env"]
        assert not set(SECRET_ENV) & set(got), sorted(got)
        assert got["OKXLINK_LANG"] == "en" and got["PATH"] == os.environ["PATH"]  # what it needs stays


def test_the_demos_simulator_inherits_no_secret(tmp_path, monkeypatch):
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)
    seen: list[bytes] = []
    real_spawn = sim_child.spawn

    def spawn_and_look(*args, **kwargs):
        started = real_spawn(*args, **kwargs)
        seen.append(Path(f"/proc/{started.proc.pid}/environ").read_bytes())  # fixed at exec: no race
        return started

    monkeypatch.setattr(sim_child, "spawn", spawn_and_look)
    result = InProcess(tmp_path / "config")("demo", "--yes", width=120)
    assert result.code == 0, result.out + result.err
    assert len(seen) == 1
    names = {entry.partition(b"=")[0].decode() for entry in seen[0].split(b"\0") if entry}
    assert not set(SECRET_ENV) & names, sorted(names)
    assert not [v for v in SECRET_ENV.values() if v.encode() in seen[0]]


# ---- one error mapping --------------------------------------------------------------------------
@pytest.mark.parametrize("flag", ["--port", "--link-port"])
@pytest.mark.parametrize("prog", list(ENTRIES))
def test_port_in_use_exits_2_naming_the_port(prog, flag):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        said = sentence(attempt([*ENTRIES[prog], flag, str(port)]), prog)
    assert said == (f"Port {port} is already in use; choose another with {flag}, "
                    "or 0 for any free port.")


@pytest.mark.parametrize(("content", "wrong"), [
    ('{"accounts": [{"name": "x", "secrte_key": "typo"}]}', "unknown field(s) ['secrte_key']"),
    ('{"accounts": [', "not valid JSON"),
    ('{"accounts": []}', "expected a non-empty list under 'accounts'"),
    ('{"accounts": [1]}', "wrong type"),
    (None, "No such file or directory"),
], ids=["unknown-field", "not-json", "empty", "not-an-object", "missing"])
@pytest.mark.parametrize("prog", list(ENTRIES))
def test_bad_accounts_file_exits_2_naming_it(tmp_path, prog, content, wrong):
    path = tmp_path / "my-accounts.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    said = sentence(attempt([*ENTRIES[prog], "--accounts", str(path)]), prog)
    assert said.startswith(f"The accounts file {path} cannot be used: ")
    assert wrong in said and said.count(str(path)) == 1


def test_errors_are_translated():
    missing = "/nonexistent/accounts.json"
    said = sentence(attempt([sys.executable, "-m", "okxlink", "--lang", "zh", "sim",
                             "--accounts", missing]), "okxlink sim")
    assert said.startswith(f"无法使用账户文件 {missing}：")


@pytest.mark.parametrize("module", ["uvicorn", "starlette", "cryptography"])
@pytest.mark.parametrize("prog", list(ENTRIES))
def test_missing_extra_exits_2_with_the_pip_line(prog, module):
    result = attempt([sys.executable, "-c", BLOCKING, *entry_args(prog, module, "--port", "0")])
    lines = result.err.strip().splitlines()
    assert (result.code, result.out) == (2, ""), result
    assert len(lines) == 2, result.err
    assert lines[0] == (f"{prog}: The simulator needs {module}, which is not installed; "
                        "install its server parts with:")
    assert lines[1].strip() == PIP_LINE


@pytest.mark.parametrize("prog", list(ENTRIES))
def test_help_needs_no_extra(prog):
    blocked = "starlette,uvicorn,cryptography"
    done = subprocess.run([sys.executable, "-c", BLOCKING, *entry_args(prog, blocked, "--help")],
                          capture_output=True, text=True, timeout=60, env=clean_env())
    assert done.returncode == 0 and "--link-token-stdin" in done.stdout, done.stderr


def test_no_link_needs_no_cryptography():
    child = spawn("--no-link", program=[sys.executable, "-c", BLOCKING,
                                        *entry_args("okxlink sim", "cryptography")],
                  env=clean_env())
    try:
        assert "link_url" not in child.line and child.line["accounts"]
    finally:
        assert child.stop() == 0


# ---- the answer knob and the hang delay ---------------------------------------------------------
@pytest.mark.parametrize(("prog", "args", "said"), [
    ("okxlink sim", ["--answer", "account/confg=50113"],
     "argument --answer: account/confg is not an endpoint of the simulator (*, public/time, "),
    ("python -m okxlink.sim", ["--answer", "*=fifty"],
     "argument --answer: fifty is not an OKX code (digits, such as 50113)"),
    ("okxlink sim", ["--answer", "*=50113:700"],
     "argument --answer: 700 is not an HTTP status (100 to 599)"),
    ("python -m okxlink.sim", ["--answer", "50113"],
     "argument --answer: expected ENDPOINT=CODE[:HTTP_STATUS[:MSG]]"),
    ("okxlink sim", ["--hang-s", "0"],
     "argument --hang-s: 0 is not a number of seconds greater than 0"),
])
def test_bad_answer_or_hang_delay_is_a_usage_error(prog, args, said):
    bad = attempt([*ENTRIES[prog], *args])
    assert (bad.code, bad.out) == (2, "")
    assert f"{prog}: error: {said}" in bad.err, bad.err


def test_answers_and_the_hang_delay_through_okxlink_sim(tmp_path):
    from okxlink.core.signing import sign, timestamp

    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [
        {"name": "slow", "faults": {"hang": True}},
        {"name": "refused", "answers": {"*": "50105"}}]}), encoding="utf-8")
    child = spawn("--no-link", "--accounts", str(accounts), "--hang-s", "0.3",
                  "--answer", "account/balance=50113:500:boom", "--answer", "public/time=0:202",
                  program=OKXLINK_SIM, env=clean_env())

    def signed(name: str, path: str) -> httpx.Response:
        a, ts = child.account(name), timestamp(int(time.time() * 1000))
        headers = {"OK-ACCESS-KEY": a["api_key"], "OK-ACCESS-TIMESTAMP": ts,
                   "OK-ACCESS-PASSPHRASE": a["passphrase"],
                   "OK-ACCESS-SIGN": sign(a["secret_key"], ts, "GET", path, "")}
        return httpx.get(child.url + path, headers=headers, timeout=20)

    try:
        assert httpx.get(child.url + "/api/v5/public/time", timeout=20).status_code == 202
        balance = signed("refused", "/api/v5/account/balance")  # the server's answer comes first
        assert balance.status_code == 500 and balance.json() == {
            "code": "50113", "data": [], "msg": "boom"}
        refused = signed("refused", "/api/v5/account/config")
        assert refused.status_code == 401 and refused.json()["msg"] == (
            "Request header OK-ACCESS-PASSPHRASE incorrect.")
        slow = signed("slow", "/api/v5/account/config")
        assert slow.status_code == 400 and slow.json() == {
            "code": "50004", "data": [], "msg": "API endpoint request timeout "}
    finally:
        assert child.stop() == 0


# ---- a person at a terminal gets a guide; a program, the JSON line ------------------------------
READY = {"okx_url": "http://127.0.0.1:40001", "okx_url_template": "http://127.0.0.1:40001/{site}",
         "link_url": "http://127.0.0.1:40002", "link_token": "tok-0123",
         "accounts": [{"name": name, "api_key": f"key-{name}", "secret_key": f"SECRET-{name}",
                       "passphrase": f"Pass-{name}", "site": "global", "demo": name == "demo-ready"}
                      for name in ("ready", "ready-2", "demo-ready", "wrong-passphrase", "other-site",
                                   "no-trade", "withdraw-on", "frozen")]}


def test_the_guide_says_where_how_to_point_okxlink_at_it_and_which_key_shows_what():
    from okxlink import i18n
    from okxlink.cli.sim_cmd import Guide

    i18n.setup("en")
    assert Guide("okxlink sim")(READY) == """\
Simulated OKX: http://127.0.0.1:40001 (fake; nothing leaves this machine)
Linking service: http://127.0.0.1:40002

In another terminal, point okxlink at it:
  export OKXLINK_BASE_URL='http://127.0.0.1:40001/{site}'
  export OKXLINK_LINK_URL=http://127.0.0.1:40002
  export OKXLINK_LINK_TOKEN=tok-0123
  okxlink setup

Fake keys to paste (they work only here):
  ready (Global · live): every check passes
    API key     key-ready
    Secret key  SECRET-ready
    Passphrase  Pass-ready
  wrong-passphrase (Global · live): the passphrase is wrong
    API key     key-wrong-passphrase
    Secret key  SECRET-wrong-passphrase
    Passphrase  Pass-wrong-passphrase
  other-site (Global · live): a key of OKX EEA; okxlink finds its site
    API key     key-other-site
    Secret key  SECRET-other-site
    Passphrase  Pass-other-site
  no-trade (Global · live): no Trade permission
    API key     key-no-trade
    Secret key  SECRET-no-trade
    Passphrase  Pass-no-trade
  withdraw-on (Global · live): Withdraw permission is on
    API key     key-withdraw-on
    Secret key  SECRET-withdraw-on
    Passphrase  Pass-withdraw-on

Every account, as JSON: okxlink sim --json
Stop it with Ctrl-C."""


def test_the_guide_of_an_accounts_file_without_the_usual_cases_shows_its_first_accounts():
    from okxlink import i18n
    from okxlink.cli.sim_cmd import Guide

    i18n.setup("en")
    ready = {**READY, "accounts": [{**READY["accounts"][0], "name": "mine\x1b[31m", "site": "eea"}]}
    del ready["link_url"], ready["link_token"]
    text = Guide("python -m okxlink.sim")(ready)
    assert "OKXLINK_LINK" not in text and "Linking service" not in text
    assert "  mine[31m (EEA · live)\n    API key     key-ready\n" in text  # the escape character dropped
    assert text.endswith("Every account, as JSON: python -m okxlink.sim --json\nStop it with Ctrl-C.")


@pytest.mark.parametrize("json_flag", [False, True])
def test_in_a_terminal_okxlink_sim_prints_the_guide_or_with_json_the_line(json_flag):
    import pexpect

    child = pexpect.spawn(OKXLINK_SIM[0], [*OKXLINK_SIM[1:], *(["--json"] if json_flag else [])],
                          env=clean_env(), encoding="utf-8", timeout=60, dimensions=(40, 80))
    try:
        if json_flag:
            child.expect(r"\{.*\}\r\n")
            line = json.loads(child.match.group(0))
            url, first = line["okx_url"], line["accounts"][0]
        else:
            child.expect(r"export OKXLINK_BASE_URL='(http://127\.0\.0\.1:\d+)/\{site\}'")
            url = child.match.group(1)
            child.expect(r"ready \(Global · live\): every check passes\r\n    API key     (\S+)\r\n")
            first = {"api_key": child.match.group(1)}
            child.expect_exact("Stop it with Ctrl-C.")
            assert "{" not in child.before.replace("{site}", "")  # no JSON line beside the guide
        # the address shown is the running simulator, and the key shown is one it knows
        assert httpx.get(url + "/api/v5/public/time", timeout=30).json()["code"] == "0"
        assert first["api_key"].count("-") == 4
        child.sendintr()  # Ctrl-C, as the guide says
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_the_guide_stays_in_the_users_language_once_the_link_service_speaks_english():
    """The linking service switches the simulator's process to English before the guide is printed:
    the guide's words were translated before that."""
    import pexpect

    child = pexpect.spawn(OKXLINK_SIM[0], OKXLINK_SIM[1:], env=clean_env(OKXLINK_LANG="zh"), encoding="utf-8",
                          timeout=60, dimensions=(40, 100))
    try:
        child.expect_exact("可粘贴的虚拟 API 密钥（仅在此模拟器中有效）：")
        child.expect(r"ready（全球站 · 实盘）：所有检查项均通过\r\n    API 密钥     \S+\r\n    Secret 密钥  \S+\r\n"
                     r"    Passphrase   \S+\r\n")
        child.expect_exact("按 Ctrl-C 停止。")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
