"""The leak harness: canary credentials through every command and failure path, then a search for
them everywhere they must never be.

The simulator serves an accounts file whose every credential is a canary we chose (the default
scenario's eighteen cases, each with its own API key, secret and passphrase, plus the wrong
secret / passphrase / key some cases hand to the client), and its link service takes a canary
bearer token, handed over on its stdin. Secrets, passphrases and tokens hold quotes, backslashes,
`%`, unicode and spaces wherever OKX and HTTP let them (the API key's shape is OKX's). okxlink then
runs as real processes — private HOME, TMPDIR and OKXLINK_CONFIG_DIR, the real Secret Service
keyring — through verify (every case; environment and --stdin; --json, tables and --share), setup
(non-interactive, and the wizard in a pty with a hidden token prompt, a retried passphrase and a
Ctrl-C), link / unlink / copy (to a real X clipboard) / status / profiles / remove, usage errors that
carry secrets, and crashes forced by faults (exceptions whose text holds the secret, keyrings that
echo what they are handed — raw or repr()-escaped — or refuse). OKXLINK_DEBUG=1 is set on every
other run, `--lang zh` on every third.

No canary may appear — raw, lower/upper-cased, base64 (any alignment, standard or URL-safe), hex,
URL-encoded, UTF-16, or escaped as repr() and JSON quote it (a JSON payload inside repr() too) — in
any stdout, stderr or pty transcript, in the argv of the okxlink process or of any process it starts
(sampled from /proc while it runs) or of the simulator, in any file under HOME, TMPDIR or the config
directory (the keyring daemon's own store excepted), in the simulator's log, or in what the link
service gives back. A pty transcript may show the API key: the user typed it, visibly.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pexpect
import pytest

from okxlink.sim.accounts import Account, default_accounts, dump_accounts
from okxlink.sim.child import spawn

from conftest import OKXLINK
from real_display import display  # noqa: F401  (the fixture)
from real_keyring import repr_keyring, secret_service  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
TESTS = Path(__file__).resolve().parent
KEYRING_STORE = Path(".local") / "share" / "keyrings"   # the keyring daemon's own store: excepted
SAVED = ("ready", "demo-ready", "no-ip-bound", "funding-only", "sub-account", "lead-trader", "rate-limited-once")
DOWN, ENTER = "\x1b[B", "\r"


# --- canaries -------------------------------------------------------------------------------------

def _hex(n: int) -> str:
    return secrets.token_hex(n).upper()


@dataclass(frozen=True)
class Canary:
    kind: str    # api_key, secret_key, passphrase, link_token
    owner: str   # account name (or "link")
    value: str


# What a value's escaping changes: quotes and backslashes (repr, JSON, shells), `%` (URL and printf
# formats), unicode (UTF-8 and \\u escapes) and spaces. An OKX secret never holds a space (a paste's
# spaces are cleaned away), a passphrase goes into a header that the simulator reads as latin-1, so
# unicode only where it is refused anyway, and okxlink sends a token only if it is printable ASCII.
SECRET_SPICE = ("'q\"", "b\\s\\", "p%41%", "\u00fc\u5bc6\u00e9", "'%\\\"")
PASS_SPICE = ("q' \"", "b\\ s", "p% 41", "s p a", "'% \\\"")
WRONG_PASS_SPICE = "\u00fc \u5bc6 '\\\""
TOKEN_SPICE = "'\"\\%41%"


def canary_accounts() -> tuple[list, list[Canary], str, str]:
    """The default scenario with every credential replaced by a canary."""
    # plus a ready key of the wizard's own: the simulator rate-limits each account as OKX does
    accounts = [*default_accounts(), Account(name="pty-ready", expect={"ready": True, "exit": 0})]
    canaries: list[Canary] = []
    for i, a in enumerate(accounts):
        spice, pass_spice = SECRET_SPICE[i % len(SECRET_SPICE)], PASS_SPICE[i % len(PASS_SPICE)]
        a.api_key = f"ca11a2{i:02x}-{secrets.token_hex(2)}-4{secrets.token_hex(2)[1:]}-8{secrets.token_hex(2)[1:]}-" \
                    f"{secrets.token_hex(6)}"
        a.secret_key = f"CA11A25EC{i:02X}{spice}{_hex(8)}"
        a.passphrase = f"Canary-9!{pass_spice}{i:02d}{secrets.token_hex(3)}"
        for k in ("api_key", "secret_key", "passphrase"):
            canaries.append(Canary(k, a.name, getattr(a, k)))
        # what some cases hand to the client instead: canaries too
        if "secret_key" in a.present:
            a.present["secret_key"] = f"CA11A2BAD{i:02X}{spice}{_hex(8)}"
            canaries.append(Canary("secret_key", a.name + "/handed", a.present["secret_key"]))
        if "passphrase" in a.present:
            a.present["passphrase"] = f"Canary-Wrong-7?{WRONG_PASS_SPICE}{i:02d}{secrets.token_hex(3)}"
            canaries.append(Canary("passphrase", a.name + "/handed", a.present["passphrase"]))
        if "api_key" in a.present:
            a.present["api_key"] = f"ca11a2ff-{secrets.token_hex(2)}-4{secrets.token_hex(2)[1:]}-" \
                                   f"9{secrets.token_hex(2)[1:]}-{secrets.token_hex(6)}"
            canaries.append(Canary("api_key", a.name + "/handed", a.present["api_key"]))
    token = f"canary-link{TOKEN_SPICE}token-" + secrets.token_urlsafe(18)
    # refused either way (exit 2): by okxlink, which sends no token with a space, or by the service
    wrong = "canary wrong \"token\" " + secrets.token_urlsafe(18)
    canaries += [Canary("link_token", "link", token), Canary("link_token", "wrong", wrong)]
    return accounts, canaries, token, wrong


def _b64_cores(data: bytes) -> list[bytes]:
    """The part of base64(… + data + …) that depends on `data` alone, for each of the 3 alignments."""
    out = []
    for k in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            enc = encode(b"\0" * k + data)
            start, end = 4 * -(-k // 3), 4 * ((k + len(data)) // 3)
            out.append(enc[start:end].rstrip(b"="))
    return out


def _quoted(text: str) -> str:
    """`text` escaped as repr() escapes it inside a string that holds both kinds of quote."""
    return repr("'\"" + text)[4:-1]


def forms(value: str) -> dict[str, bytes]:
    raw = value.encode()
    as_json, as_json_utf8 = json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]
    found = {"raw": raw, "lower": value.lower().encode(), "upper": value.upper().encode(),
             "hex": raw.hex().encode(), "HEX": raw.hex().upper().encode(),
             "url": urllib.parse.quote(value, safe="").encode(),
             "url+": urllib.parse.quote_plus(value).encode(),
             "utf16": value.encode("utf-16-le"),
             # escaped as Python and JSON quote a string (and repr() quotes a JSON payload): a value
             # with a quote, a backslash or unicode no longer matches itself there
             "repr": repr(value)[1:-1].encode(), "repr-quoted": _quoted(value).encode(),
             "json": as_json.encode(), "json-utf8": as_json_utf8.encode(),
             "json-in-repr": _quoted(as_json).encode(), "json-utf8-in-repr": _quoted(as_json_utf8).encode()}
    for i, core in enumerate(_b64_cores(raw)):
        found[f"b64-{i}"] = core
    unique: dict[bytes, str] = {}
    for name, f in found.items():
        unique.setdefault(f, name)  # a form that equals another is searched for once
    return {name: f for f, name in unique.items() if len(f) >= 12}


# --- running okxlink and watching its argv --------------------------------------------------------

def _tree(pid: int) -> list[int]:
    pids, i = [pid], 0
    while i < len(pids):
        try:
            for task in os.listdir(f"/proc/{pids[i]}/task"):
                with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                    pids += [int(c) for c in f.read().split()]
        except OSError:
            pass
        i += 1
    return pids


class ArgvWatch:
    """Samples /proc/<pid>/cmdline of the process and all its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid, self.seen, self.samples = pid, set(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for p in _tree(self.pid):
                try:
                    with open(f"/proc/{p}/cmdline", "rb") as f:
                        self.seen.add(f.read())
                except OSError:
                    pass
            self.samples += 1
            self._stop.wait(0.02)

    def stop(self) -> tuple[set[bytes], int]:
        self._stop.set()
        self._thread.join()
        return self.seen, self.samples


@dataclass
class Run:
    name: str
    args: list[str]
    env: dict[str, str]
    stdin: str | None = None
    exits: tuple[int, ...] = (0,)
    wrapper: str | None = None        # python -c code standing in for `python -m okxlink`
    argv_exempt: bool = False         # the canary is on the command line because the test put it there


@dataclass
class Done:
    name: str
    code: int | None
    streams: dict[str, bytes]
    argvs: set[bytes]
    samples: int
    exits: tuple[int, ...]
    pty: bool = False
    argv_exempt: bool = False
    debug: bool = False


def execute(run: Run, capture: Path) -> Done:
    cmd = [sys.executable, "-c", run.wrapper, *run.args] if run.wrapper else [*OKXLINK, *run.args]
    out_path, err_path = capture / f"{run.name}.out", capture / f"{run.name}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, env=run.env, stdout=out, stderr=err,
                                stdin=subprocess.PIPE if run.stdin is not None else subprocess.DEVNULL)
        watch = ArgvWatch(proc.pid)
        if run.stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(run.stdin.encode())
            proc.stdin.close()
        try:
            code: int | None = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None
        argvs, samples = watch.stop()
    return Done(run.name, code, {"stdout": out_path.read_bytes(), "stderr": err_path.read_bytes()}, argvs,
                samples, run.exits, argv_exempt=run.argv_exempt, debug=run.env.get("OKXLINK_DEBUG") == "1")


def run_pty(name: str, args: list[str], env: dict[str, str], script: Callable[[pexpect.spawn], None],
            exits: tuple[int, ...] = (0,)) -> Done:
    log = io.StringIO()
    child = pexpect.spawn(OKXLINK[0], [*OKXLINK[1:], *args], env={**env, "TERM": "xterm",
                          "PROMPT_TOOLKIT_NO_CPR": "1"}, encoding="utf-8", timeout=30, dimensions=(50, 140))
    child.logfile_read = log
    watch = ArgvWatch(child.pid)
    try:
        script(child)
        child.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF) as exc:
        log.write(f"\n[harness: the script stopped: {type(exc).__name__}]")
    finally:
        child.close(force=True)
        argvs, samples = watch.stop()
    return Done(name, child.exitstatus, {"pty": log.getvalue().encode()}, argvs, samples, exits, pty=True,
                debug=env.get("OKXLINK_DEBUG") == "1")


# forced crashes: an exception whose text holds the secret, raised deep inside okxlink
CRASH_SIGN = """
import sys
import okxlink.core.signing as signing
def sign(secret, *args, **kw):
    raise ValueError("HMAC failed for secret " + secret)
signing.sign = sign
from okxlink.cli.app import main
main(sys.argv[1:])
"""
# the positive control: leaks on purpose (base64 on stderr, hex in a file under HOME, the raw secret
# in a child's argv), so the harness proves on every run that it sees each kind
CONTROL = """
import base64, os, subprocess, sys
secret = os.environ["OKX_SECRET_KEY"]
sys.stderr.write(base64.b64encode(("xy" + secret).encode()).decode() + "\\n")
with open(os.path.join(os.environ["HOME"], "control-leak.log"), "w") as f:
    f.write(secret.encode().hex())
subprocess.run([sys.executable, "-c", "import time; time.sleep(0.3)", secret])
"""
CRASH_SEND = """
import sys, httpx
async def send(self, request, *args, **kw):
    raise RuntimeError("send failed: %r %r" % (dict(request.headers), request.content))
httpx.AsyncClient._send_single_request = send
from okxlink.cli.app import main
main(sys.argv[1:])
"""


# --- the harness ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def canary_world(tmp_path_factory):
    accounts, canaries, token, wrong = canary_accounts()
    where = tmp_path_factory.mktemp("leak-sim")  # outside HOME: the accounts file holds every canary
    (where / "accounts.json").write_text(json.dumps(dump_accounts(accounts)))
    sim = spawn("--accounts", str(where / "accounts.json"), link_token=token)  # the token on its stdin
    sim.argv = Path(f"/proc/{sim.proc.pid}/cmdline").read_bytes()  # type: ignore[attr-defined]
    server_side = {a.name: a for a in accounts}
    yield sim, canaries, token, wrong, server_side
    sim.stop()


def _handed(sim, name: str) -> dict:
    return sim.account(name)


def test_no_canary_leaks_anywhere(canary_world, secret_service, display, tmp_path, capsys):  # noqa: F811
    sim, canaries, token, wrong, server_side = canary_world
    home, tmpdir, config, capture = (tmp_path / d for d in ("home", "tmp", "config", "capture"))
    for d in (home, tmpdir, capture):
        d.mkdir()
    base = {k: v for k, v in secret_service.env().items() if not k.startswith(("OKX_", "OKXLINK_"))}
    base.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
                XDG_CACHE_HOME=str(home / ".cache"), XDG_STATE_HOME=str(home / ".local/state"), TMPDIR=str(tmpdir),
                OKXLINK_CONFIG_DIR=str(config), OKXLINK_BASE_URL=sim.template, OKXLINK_LINK_URL=sim.link_url,
                NO_COLOR="1", LANG="C.UTF-8", COLUMNS="120", PYTHONUNBUFFERED="1")
    counter = iter(range(10_000))

    def env(zh: bool = True, **extra: str | None) -> dict[str, str]:
        n = next(counter)
        e = {**base, **extra}
        if n % 2:
            e["OKXLINK_DEBUG"] = "1"
        if n % 3 == 2 and zh:  # the pty scripts below read the English prompts
            e["OKXLINK_LANG"] = "zh"
        return {k: v for k, v in e.items() if v is not None}

    def creds(a: dict) -> dict[str, str]:
        return {"OKX_API_KEY": a["api_key"], "OKX_SECRET_KEY": a["secret_key"], "OKX_PASSPHRASE": a["passphrase"]}

    def payload(a: dict) -> str:
        return json.dumps({k: a[k] for k in ("api_key", "secret_key", "passphrase")})

    def flags(a: dict) -> list[str]:
        return ["--site", a["site"], "--demo" if a["demo"] else "--live"]

    names = [a["name"] for a in sim.line["accounts"]]
    done: list[Done] = []
    pool = ThreadPoolExecutor(max_workers=6)

    versions: dict[tuple[str, bytes], None] = {}  # every file's content after every phase

    def snapshot() -> None:
        for root in (home, tmpdir, config, secret_service.home):
            for path in root.rglob("*"):
                if path.is_file() and not (root == secret_service.home
                                           and KEYRING_STORE in path.relative_to(root).parents):
                    versions[(str(path), path.read_bytes())] = None

    def phase(runs: list[Run], ptys: list[Callable[[], Done]] = ()) -> None:
        futures = [pool.submit(p) for p in ptys] + [pool.submit(execute, r, capture) for r in runs]
        done.extend(f.result() for f in futures)
        snapshot()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    ready = _handed(sim, "ready")
    pty_ready = _handed(sim, "pty-ready")
    wrong_pass = _handed(sim, "wrong-passphrase")
    right_pass = server_side["wrong-passphrase"].passphrase
    # what the repr keyring holds: a stored profile's entry as okxlink writes it, and the link token
    stored = json.dumps({k: ready[k] for k in ("api_key", "secret_key", "passphrase")}, ensure_ascii=False)
    # outside every scanned directory: entries.json holds canaries
    backends = repr_keyring(tmp_path / "backends", {"leak-ready": stored, sim.link_url: token})

    def repr_env(**extra: str) -> dict[str, str]:
        return env(PYTHON_KEYRING_BACKEND="reprkeyring.ReprKeyring", PYTHONPATH=backends, **extra)

    # A. verify: every case, from the environment (--json) or --stdin (tables); usage errors; crashes
    runs = []
    for i, name in enumerate(names):
        a = _handed(sim, name)
        if i % 2 == 0:
            runs.append(Run(f"verify-env-{name}", ["verify", "--json", *flags(a)], env(**creds(a)),
                            exits=(a["expect"]["exit"],)))
        else:
            runs.append(Run(f"verify-stdin-{name}", ["verify", "--stdin", *flags(a)], env(), stdin=payload(a),
                            exits=(a["expect"]["exit"],)))
    r = ready
    runs += [
        Run("partial-env", ["verify", "--json"], env(OKX_SECRET_KEY=r["secret_key"], OKX_PASSPHRASE=r["passphrase"]),
            exits=(2,)),
        Run("setup-partial-env", ["setup", "--non-interactive"], env(OKX_API_KEY=r["api_key"],
                                                                      OKX_SECRET_KEY=r["secret_key"]), exits=(2,)),
        Run("stdin-missing-field", ["verify", "--stdin"], env(),
            stdin=json.dumps({"api_key": r["api_key"], "secret_key": r["secret_key"]}), exits=(2,)),
        Run("stdin-not-json", ["verify", "--stdin", "--json"], env(),
            stdin=f"api_key={r['api_key']}\nsecret_key={r['secret_key']}\npassphrase={r['passphrase']}\n", exits=(2,)),
        Run("stdin-wrong-types", ["setup", "--stdin"], env(), exits=(2,),
            stdin=json.dumps({"api_key": r["api_key"], "secret_key": r["secret_key"], "passphrase": 12345678})),
        Run("stdin-array", ["verify", "--stdin"], env(), exits=(2,),
            stdin=json.dumps([r["api_key"], r["secret_key"], r["passphrase"]])),
        Run("secret-as-flag", ["verify", f"--secret-key={r['secret_key']}"], env(), exits=(2,), argv_exempt=True),
        Run("okx-unreachable", ["verify", "--json"], env(**creds(r), OKXLINK_BASE_URL=dead), exits=(4,)),
        # the report pasted into support tickets: from the environment, and a refused key from --stdin
        Run("verify-share-env", ["verify", "--share"], env(**creds(r))),
        Run("verify-share-stdin", ["verify", "--share", "--stdin"], env(), stdin=payload(wrong_pass), exits=(3,)),
        Run("link-unknown-profile", ["link", "--profile", "nobody", "--yes"], env(OKXLINK_LINK_TOKEN=token),
            exits=(2,)),
        Run("control-leaky", [], env(**creds(r)), wrapper=CONTROL),
        # OKXLINK_DEBUG=1 prints an unexpected error's frames: every crash runs with it
        Run("crash-in-signing", ["verify", "--json"], env(**creds(r), OKXLINK_DEBUG="1"), wrapper=CRASH_SIGN,
            exits=(1,)),
        Run("crash-in-transport", ["verify"], env(**creds(r), OKXLINK_DEBUG="1"), wrapper=CRASH_SEND, exits=(1,)),
        Run("keyring-echoes-secret", ["setup", "--stdin", "--profile", "leak-echo"],
            env(PYTHON_KEYRING_BACKEND="real_keyring.EchoingKeyring", PYTHONPATH=str(TESTS), OKXLINK_DEBUG="1"),
            stdin=payload(_handed(sim, "sub-account")), exits=(5,)),
        Run("keyring-echoes-repr", ["setup", "--stdin", "--profile", "leak-repr"], repr_env(OKXLINK_DEBUG="1"),
            stdin=payload(_handed(sim, "no-ip-bound")), exits=(5,)),
        Run("keyring-refuses", ["setup", "--profile", "leak-refused"],
            env(**creds(_handed(sim, "lead-trader")), PYTHON_KEYRING_BACKEND="real_keyring.RefusingKeyring",
                PYTHONPATH=str(TESTS)), exits=(5,)),
    ]

    # the wizard in a pty: a hidden token prompt at the end, a retried passphrase, a Ctrl-C
    def intro(child: pexpect.spawn) -> None:
        for prompt, key in (("Which OKX site do you use?", ENTER), ("Do you have an OKX account?", "y"),
                            ("Is two-factor authentication on?", "y"), ("Is the key for live or demo", ENTER),
                            # no display here: the page is shown, no browser offered
                            ("How will your platform use the key?", DOWN + ENTER),
                            ("Generate a strong passphrase", "n"), ("Created the key and copied", "y")):
            child.expect_exact(prompt)
            child.send(key)

    def paste(child: pexpect.spawn, a: dict, passphrase: str | None = None) -> None:
        child.expect_exact("API key:")
        child.sendline(a["api_key"])
        child.expect_exact("Secret key (hidden):")
        child.sendline(a["secret_key"])
        child.expect_exact("Passphrase (hidden):")
        if passphrase is not None:
            child.sendline(passphrase)

    def wizard_links(child: pexpect.spawn) -> None:
        intro(child)
        paste(child, pty_ready, pty_ready["passphrase"])
        child.expect_exact("Linking service address (leave empty to skip):")
        child.send(ENTER)  # the default: OKXLINK_LINK_URL
        child.expect(r"Token from your platform at 127\.0\.0\.1:\d+ \(hidden\):")
        child.sendline(token)
        child.expect("Send key .* to 127.0.0.1")
        child.send("y")
        child.expect_exact("Spot ready")

    def wizard_retries(child: pexpect.spawn) -> None:
        intro(child)
        paste(child, wrong_pass, wrong_pass["passphrase"])
        child.expect_exact("What would you like to do?")
        child.send(ENTER)  # offered first: re-type the passphrase
        child.expect_exact("Passphrase (hidden):")
        child.sendline(right_pass)
        child.expect_exact("Saved profile leak-pty2")
        child.expect_exact("Linking service address (leave empty to skip):")
        child.send(ENTER)  # empty: not linked

    def wizard_interrupted(child: pexpect.spawn) -> None:
        intro(child)
        paste(child, pty_ready)
        child.sendintr()

    ptys = [
        lambda: run_pty("pty-setup-link", ["setup", "--profile", "leak-pty"], env(zh=False), wizard_links),
        lambda: run_pty("pty-setup-retry", ["setup", "--profile", "leak-pty2"], env(zh=False, OKXLINK_LINK_URL=None),
                        wizard_retries),
        lambda: run_pty("pty-setup-ctrl-c", ["setup", "--profile", "leak-pty3"], env(zh=False), wizard_interrupted,
                        exits=(130,)),
    ]
    phase(runs, ptys)

    # B. setup, non-interactive: the keys that are kept, two that are refused (every case's verify
    # ran in A), and a platform-bound key kept unverified
    runs = []
    for i, name in enumerate([*SAVED, "wrong-secret", "unavailable"]):
        a = _handed(sim, name)
        flag = flags(a)[:2] + (["--demo"] if a["demo"] else [])
        if i % 2 == 0:
            runs.append(Run(f"setup-env-{name}", ["setup", "--profile", f"leak-{name}", "--json", *flag],
                            env(**creds(a)), exits=(a["expect"]["exit"],)))
        else:
            runs.append(Run(f"setup-stdin-{name}", ["setup", "--profile", f"leak-{name}", "--stdin", *flag],
                            env(), stdin=payload(a), exits=(a["expect"]["exit"],)))
    bound = _handed(sim, "ip-not-whitelisted")
    runs.append(Run("setup-keep-unverified", ["setup", "--profile", "leak-bound", "--keep-unverified", "--stdin"],
                    env(), stdin=payload(bound)))
    phase(runs)

    # C. verify stored profiles, link (every way in for the token, and its failures), list, status
    stored = [f"leak-{n}" for n in SAVED] + ["leak-pty", "leak-pty2", "leak-bound"]
    phase([
        Run("verify-profile-json", ["verify", "--profile", "leak-no-ip-bound", "--json"], env()),
        Run("verify-profile-table", ["verify", "--profile", "leak-pty2"], env()),
        # 4 from here alone; 0 once link-bound (same phase, concurrent) has linked it: the platform's verdict
        Run("verify-profile-bound", ["verify", "--profile", "leak-bound", "--json"], env(), exits=(0, 4)),
        Run("link-json", ["link", "--profile", "leak-ready", "--yes", "--json"], env(OKXLINK_LINK_TOKEN=token)),
        Run("link-table", ["link", "--profile", "leak-no-ip-bound", "--yes"], env(OKXLINK_LINK_TOKEN=token)),
        Run("link-bound", ["link", "--profile", "leak-bound", "--yes"], env(OKXLINK_LINK_TOKEN=token)),
        Run("link-token-stdin", ["link", "--profile", "leak-funding-only", "--yes", "--token-stdin"], env(),
            stdin=token + "\n"),
        Run("link-wrong-token", ["link", "--profile", "leak-demo-ready", "--yes"], env(OKXLINK_LINK_TOKEN=wrong),
            exits=(2,)),
        Run("link-service-down", ["link", "--profile", "leak-rate-limited-once", "--yes", "--service", dead],
            env(OKXLINK_LINK_TOKEN=token), exits=(4,)),
        Run("link-plain-http-remote", ["link", "--profile", "leak-sub-account", "--yes", "--service",
                                       "http://example.com"], env(OKXLINK_LINK_TOKEN=token), exits=(2,)),
        # copy: one value to the display's clipboard and cleared; no clipboard; no terminal for three
        Run("copy-field", ["copy", "--profile", "leak-demo-ready", "--field", "secret-key", "--clear-after", "0.2"],
            env(DISPLAY=display)),
        Run("copy-no-clipboard", ["copy", "--profile", "leak-demo-ready", "--field", "passphrase"], env(), exits=(2,)),
        Run("copy-no-terminal", ["copy", "--profile", "leak-ready"], env(DISPLAY=display), exits=(2,)),
        Run("keyring-echoes-repr-entry", ["verify", "--profile", "leak-ready"], repr_env(), exits=(5,)),
        Run("keyring-echoes-repr-token", ["link", "--profile", "leak-ready", "--yes"], repr_env(), exits=(5,)),
        Run("profiles", ["profiles"], env()),
        Run("profiles-json", ["profiles", "--json"], env()),
        Run("status-offline", ["status", "--offline"], env(), exits=(0, 3, 4)),
    ])
    # every profile at once (verified again; one request per account, within OKX's rate limits)
    # leak-bound cannot be checked from here; it is linked, so its platform's verdict counts
    phase([Run("verify-all", ["verify", "--all"], env(), exits=(0,)),
           Run("verify-all-share", ["verify", "--all", "--share"], env(), exits=(0,)),  # with every link
           Run("status-json", ["status", "--json"], env(OKXLINK_LINK_TOKEN=token), exits=(0, 3, 4))])

    # D. interactive link (confirmation; the token now comes from the keyring) and remove; link again
    # (a no-op), unlink, crashes with the secrets (or the token) in the exception, refusals
    def confirm_link(child: pexpect.spawn) -> None:
        child.expect("Send key .* to 127.0.0.1")
        child.send("y")
        child.expect_exact("Spot ready")

    def copy_all(child: pexpect.spawn) -> None:
        for n in (1, 2, 3):
            child.expect_exact(f"{n}/3 ")
            child.send(ENTER)
        child.expect_exact("okxlink verify --profile leak-funding-only")

    def confirm_remove(child: pexpect.spawn) -> None:
        child.expect_exact("Remove profile leak-sub-account")
        child.send("y")
        child.expect_exact("Removed profile leak-sub-account")

    phase([
        Run("link-again", ["link", "--profile", "leak-ready", "--yes", "--json"], env(OKXLINK_LINK_TOKEN=token)),
        Run("unlink", ["unlink", "--profile", "leak-no-ip-bound", "--yes"], env(OKXLINK_LINK_TOKEN=token)),
        Run("unlink-json", ["unlink", "--profile", "leak-bound", "--yes", "--json"], env()),
        Run("unlink-unconfirmed", ["unlink", "--profile", "leak-ready"], env(OKXLINK_LINK_TOKEN=token), exits=(2,)),
        Run("crash-in-link-post", ["link", "--profile", "leak-rate-limited-once", "--yes"],
            env(OKXLINK_LINK_TOKEN=token, OKXLINK_DEBUG="1"), wrapper=CRASH_SEND, exits=(1,)),
        Run("crash-in-link-get", ["link", "--profile", "leak-ready", "--yes"], env(OKXLINK_DEBUG="1"),
            wrapper=CRASH_SEND, exits=(1,)),
        Run("remove-unconfirmed", ["remove", "--profile", "leak-ready"], env(), exits=(2,)),
        Run("remove-unknown", ["remove", "--profile", "nobody", "--yes"], env(), exits=(2,)),
    ], [
        lambda: run_pty("pty-link", ["link", "--profile", "leak-lead-trader"], env(zh=False), confirm_link),
        lambda: run_pty("pty-remove", ["remove", "--profile", "leak-sub-account"], env(zh=False), confirm_remove),
        lambda: run_pty("pty-copy", ["copy", "--profile", "leak-funding-only"], env(zh=False, DISPLAY=display),
                        copy_all),
    ])

    phase([Run("status", ["status"], env(), exits=(0, 3, 4))])

    # leak-rate-limited-once has a link pending with the dead service (link-service-down) and one
    # with the simulator's (crash-in-link-post): the token goes to the dead one, which does not
    # answer, so the profile is kept (exit 4)
    phase([Run("remove-service-down", ["remove", "--profile", "leak-rate-limited-once", "--yes"],
               env(OKXLINK_LINK_URL=dead, OKXLINK_LINK_TOKEN=token), exits=(4,))])

    # E. remove what is left, withdrawing each key from the services holding it (from the dead
    # service it cannot be: --keep-links); then the removed profiles are gone
    phase([Run(f"remove-{p}", ["remove", "--profile", p, "--yes",
                               *(["--keep-links"] if p == "leak-rate-limited-once" else [])], env())
           for p in stored if p != "leak-sub-account"])
    phase([Run("verify-removed", ["verify", "--profile", "leak-ready"], env(), exits=(2,)),
           Run("profiles-after", ["profiles", "--json"], env())])
    pool.shutdown()

    # what the link service gives back, and what the simulator logged
    listing = httpx.get(sim.link_url + "/v1/links", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert listing.status_code == 200
    sim.stop()
    assert sim.proc.stderr is not None
    sim_log = sim.proc.stderr.read().encode()

    # --- the search ---------------------------------------------------------------------------
    needles = [(c, name, f) for c in canaries for name, f in forms(c.value).items()]
    leaks: list[str] = []

    def search(where: str, data: bytes, allow: tuple[str, ...] = ()) -> None:
        where = where.replace("control-leaky", "control-leak")
        for c, form, needle in needles:
            if c.kind not in allow and needle in data:
                leaks.append(f"{where}: {c.kind} of {c.owner} ({form})")

    for d in done:
        for stream, data in d.streams.items():
            search(f"{d.name} {stream}", data, ("api_key",) if d.pty else ())
        if not d.argv_exempt:
            for argv in d.argvs:
                search(f"{d.name} argv {argv[:80]!r}", argv)
    search("GET /v1/links", listing.content)
    search("simulator argv", sim.argv)
    search("simulator log", sim_log)
    for path, data in versions:
        search(path, data)
    files, size = len({path for path, _data in versions}), sum(len(data) for _path, data in versions)

    control = [leak for leak in leaks if "control-leak" in leak]
    leaks = [leak for leak in leaks if "control-leak" not in leak]
    wrong_exit = [f"{d.name}: exit {d.code}, expected {d.exits}; last output: "
                  f"{b''.join(d.streams.values())[-300:].decode(errors='replace')!r}"
                  for d in done if d.code not in d.exits]
    samples = sum(d.samples for d in done)
    line = (f"leak harness: {len(done)} runs ({sum(d.debug for d in done)} with OKXLINK_DEBUG=1, "
            f"{sum(d.pty for d in done)} in a pty, "
            f"{sum(d.name.startswith(('crash', 'keyring')) for d in done)} forced crashes), "
            f"{len(canaries)} canaries x {len(needles) // len(canaries)} forms, {samples} argv samples, "
            f"{files} files in {len(versions)} versions ({size // 1024} KiB) scanned, "
            f"control leaks seen: {len(control)}, leaks: {len(leaks)}")
    with capsys.disabled():
        print("\n" + line)
        for leak in leaks[:40]:
            print("  LEAK " + leak)
        for w in wrong_exit:
            print("  unexpected exit: " + w)
    # the control's three leaks were seen: on stderr (base64, unaligned), in argv, in a file
    assert {("stderr" in c) + 2 * ("argv" in c) + 4 * ("control-leak.log" in c) for c in control} == {1, 2, 4}, \
        f"the harness missed a deliberate leak: {control}"
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks[:40])
    assert not wrong_exit, "paths that did not run as intended:\n" + "\n".join(wrong_exit)
    assert len(done) >= 80 and samples >= len(done)
