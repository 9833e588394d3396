"""Faults from the network, OKX and the linking service: every one must end with one clear sentence,
the documented exit code (4: OKX unavailable or no answer; the link service's LinkError codes), and
within a bounded time — never a traceback, never an unbounded wait or an unbounded read.

A hostile HTTP server in this file (a thread on 127.0.0.1; the first path segment picks the fault)
resets connections, hangs, drips a body one byte at a time, sends HTML error pages, 5xx and 429
storms, malformed JSON, a 50 MB body, the wrong content type, redirects and non-HTTP bytes; a TLS
client is sent to plain-HTTP ports (ours, and the simulator's uvicorn). The simulator's own
--fail-status / --malformed / --hang knobs are tried too. okxlink runs as a real process for each
fault (`verify --json` with credentials in the environment; `link --yes` with a stored profile in
the real keyring), all started at once by a module fixture and awaited by one test per fault.
"""

from __future__ import annotations

import json
import shutil
import socket
import socketserver
import struct
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from conftest import OKXLINK, clean_env, start_sim
from loopback import Loopback
from real_keyring import secret_service  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

# A hang or a drip ends at okxlink's own deadline (okx.py: 15 s per exchange, no retry after a timeout;
# linking.py: 30 s). What is asserted is how it ends — the documented exit code and sentence —
# not how long it took: a process still running at these generous limits is killed and fails the
# case, so a deadline that does not fire is caught without timing anything on a busy machine.
VERIFY_KILL_S = 90.0
LINK_KILL_S = 120.0
MAX_RSS_MB = 120        # okxlink verify with httpx and asyncio takes ~33-50 MB here (bench/README.md)
HUGE = 50 * 1024 * 1024
CREDS = {"OKX_API_KEY": "6f2c1d6e-5a3b-4c2d-9e8f-0a1b2c3d4e5f",
         "OKX_SECRET_KEY": "00112233445566778899AABBCCDDEEFF", "OKX_PASSPHRASE": "Fault-Pass-1!"}


# --- the hostile server -------------------------------------------------------------------------

def _resp(status: int, reason: str, body: bytes = b"", ctype: str = "application/json", extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n{extra}\r\n").encode() + body


CANNED = {
    "s503": _resp(503, "Service Unavailable", b'{"msg":"Service temporarily unavailable","code":"50001"}'),
    "s429": _resp(429, "Too Many Requests", b'{"msg":"Too Many Requests","code":"50011"}'),
    "link503": _resp(503, "Service Unavailable", b'{"error":{"code":"internal","message":"down"}}'),
    "link429": _resp(429, "Too Many Requests", b'{"error":{"code":"rate_limited","message":"slow down"}}',
                     extra="Retry-After: 3600\r\n"),
    "html502": _resp(502, "Bad Gateway", b"<html><head><title>502 Bad Gateway</title></head><body><center>"
                     b"<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", "text/html"),
    "empty500": _resp(500, "Internal Server Error", b"", "text/plain"),
    "malformed": _resp(200, "OK", b'{"code":"0","data":[{'),
    "wrongshape": _resp(200, "OK", b'["not", "an", "envelope"]'),
    # a captive portal / login page: 200, text/html
    "portal": _resp(200, "OK", b"<!doctype html><html><body><form action=/login>Sign in to the Wi-Fi</form>"
                    b"</body></html>", "text/html; charset=utf-8"),
    # JSON of the right shape under the wrong content type, with nothing usable in it
    "texttype": _resp(200, "OK", b'{"code":"0","msg":"","data":[]}', "text/plain"),
    "linktexttype": _resp(201, "Created", b'{"unexpected": true}', "text/plain"),
}


class Hostile(Loopback, socketserver.ThreadingTCPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()   # by first path segment: "<fault>.<run>"
        self.serve()

    def stop(self) -> None:
        self.stopping.set()
        super().stop()


class _Handler(socketserver.BaseRequestHandler):
    server: Hostile

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(60)
        try:
            data = sock.recv(65536)
            if data[:2] == b"\x16\x03":  # a TLS ClientHello: answer as a plain HTTP server does
                sock.sendall(_resp(400, "Bad Request", b"This is a plain HTTP port.", "text/plain"))
                return
            while b"\r\n\r\n" not in data:
                more = sock.recv(65536)
                if not more:
                    return
                data += more
            head, _sep, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            target = lines[0].split(" ")[1]
            length = next((int(v) for k, _c, v in (ln.partition(":") for ln in lines[1:])
                           if k.strip().lower() == "content-length"), 0)
            while len(body) < length:
                more = sock.recv(65536)
                if not more:
                    break
                body += more
            segment = target.split("/")[1] if "/" in target else ""
            with self.server.lock:
                self.server.hits[segment] += 1
            fault = segment.split(".")[0]
            if fault in CANNED:
                sock.sendall(CANNED[fault])
            else:
                getattr(self, "fault_" + fault, self.fault_unknown)(sock)
        except OSError:
            pass

    def fault_unknown(self, sock: socket.socket) -> None:
        sock.sendall(_resp(404, "Not Found", b'{"msg":"Not Found","code":"404"}'))

    def fault_reset(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close → RST
        sock.close()

    def fault_close(self, sock: socket.socket) -> None:
        sock.shutdown(socket.SHUT_RDWR)  # an empty reply

    def fault_garbage(self, sock: socket.socket) -> None:
        sock.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe not http at all\r\n\r\n")

    def fault_hang(self, sock: socket.socket) -> None:
        self.server.stopping.wait(600)

    def fault_drip(self, sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        for byte in b'{"code":"0","data":[' + b" " * 100000:
            if self.server.stopping.wait(0.5):
                return
            sock.sendall(bytes([byte]))

    def fault_huge(self, sock: socket.socket) -> None:
        sock.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {HUGE}\r\n\r\n"
                     .encode())
        sent, chunk = 0, b'{"code":"0","data":[' + b" " * (65536 - 20)
        while sent < HUGE and not self.server.stopping.is_set():
            sock.sendall(chunk[: HUGE - sent])
            sent += len(chunk)
            chunk = b" " * 65536

    def fault_redirect(self, sock: socket.socket) -> None:
        # to another "host" that would happily take the POST and its secrets
        sock.sendall(_resp(307, "Temporary Redirect", b"", "text/plain",
                           f"Location: http://127.0.0.1:{self.server.server_address[1]}/stolen/v1/links\r\n"))

    def fault_stolen(self, sock: socket.socket) -> None:
        sock.sendall(_resp(201, "Created", b'{"id": "lnk_stolen", "spot": {"state": "ready", "reasons": []}}'))


# --- running okxlink under a fault ----------------------------------------------------------------

@dataclass
class Outcome:
    code: int | None       # None: still running at the limit (then killed)
    out: str
    err: str
    wall: float
    rss_mb: float


def _peak_rss(pid: int, stop: threading.Event, out: list[int]) -> None:
    """VmHWM (peak RSS, kB) of okxlink itself: sampled once the child has exec'd, since a forked child
    counts its parent's pages until then (and getrusage's maxrss keeps that figure across exec)."""
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                ours = f.read().split(b"\0")[1:3] == [b"-m", b"okxlink"]
            if ours:
                with open(f"/proc/{pid}/status") as f:
                    out.extend(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        except OSError:
            pass
        stop.wait(0.01)


def timed(args: list[str], env: dict[str, str], limit: float) -> Outcome:
    """Run okxlink; kill it at `limit` s."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([*OKXLINK, *args], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        stop, peaks = threading.Event(), [0]
        sampler = threading.Thread(target=_peak_rss, args=(proc.pid, stop, peaks), daemon=True)
        sampler.start()
        try:
            code: int | None = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None
        wall = time.monotonic() - start
        stop.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        return Outcome(code, out.read().decode(errors="replace"), err.read().decode(errors="replace"), wall,
                       max(peaks) / 1024)


@dataclass
class Case:
    id: str
    kind: str               # "verify" or "link"
    target: str             # OKXLINK_BASE_URL (verify) or --service (link)
    segment: str = ""       # the hostile server's path segment, to count what reached it
    exit: int = 4
    args: tuple[str, ...] = ()
    max_hits: int | None = None
    link_ready: bool = False   # the link is made, in state attention (the service's OKX is down)


def keyring_env(ss, **extra: str) -> dict[str, str]:
    """The real keyring's environment, without this machine's OKX_/OKXLINK_ settings."""
    env = {k: v for k, v in ss.env().items() if not k.startswith(("OKX_", "OKXLINK_"))}
    return {**env, "NO_COLOR": "1", "COLUMNS": "120", "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8", **extra}


def _verify_env(base: str) -> dict[str, str]:
    return clean_env(None, OKXLINK_BASE_URL=base, **CREDS)


@pytest.fixture(scope="module")
def hostile():
    server = Hostile()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def knob_sims():
    """The simulator's global fault knobs, one simulator each, starting (at once) while the other
    fixtures are set up: `outcomes` waits for them."""
    knobs = {"sim-503": ("--fail-status", "503"), "sim-429": ("--fail-status", "429"),
             "sim-500": ("--fail-status", "500"), "sim-malformed": ("--malformed",), "sim-hang": ("--hang",)}
    with ThreadPoolExecutor(len(knobs)) as pool:
        futures = {name: pool.submit(start_sim, *args) for name, args in knobs.items()}
        yield futures
        for f in futures.values():
            f.result().stop()


@pytest.fixture(scope="module")
def link_config(secret_service, sim, tmp_path_factory):  # noqa: F811
    """A stored, verified profile `faulty` (the simulator's ready key in the real keyring), to be
    linked under every fault; each case gets its own copy of the config directory."""
    base = tmp_path_factory.mktemp("fault-config")
    env = keyring_env(secret_service, OKXLINK_CONFIG_DIR=str(base / "config"), OKXLINK_BASE_URL=sim.template)
    account = sim.account("ready")
    payload = json.dumps({k: account[k] for k in ("api_key", "secret_key", "passphrase")})
    r = subprocess.run([*OKXLINK, "setup", "--profile", "faulty", "--stdin"], input=payload, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return base, env


def _cases(hostile: Hostile, sims: dict, sim) -> list[Case]:
    h = hostile.url
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    tls_sim_okx = sim.url.replace("http://", "https://")
    tls_sim_link = sim.link_url.replace("http://", "https://")
    # a storm: every try answered the same way; 4 requests (time, config, 2 balances) × 3 tries
    verify_storm = 12
    cases = [
        # slow ones first: they set the module's wall time
        Case("verify-hang-auto-site", "verify", sims["sim-hang"].template, args=("--site", "auto")),
        Case("link-hang", "link", f"{h}/hang.L"),
        Case("link-drip", "link", f"{h}/drip.L"),
        Case("verify-hang", "verify", f"{h}/hang.V", "hang.V"),
        Case("verify-drip", "verify", f"{h}/drip.V", "drip.V"),
        Case("verify-sim-hang", "verify", sims["sim-hang"].url),
    ]
    for fault in ("reset", "close", "garbage", "s503", "s429", "html502", "empty500", "malformed",
                  "wrongshape", "portal", "texttype", "huge", "redirect"):
        cases.append(Case(f"verify-{fault}", "verify", f"{h}/{fault}.V", f"{fault}.V", max_hits=verify_storm))
    cases += [
        Case("verify-refused", "verify", f"http://127.0.0.1:{dead}"),
        Case("verify-tls-to-plain-http", "verify", f"https://127.0.0.1:{hostile.server_address[1]}/tls.V"),
        Case("verify-tls-to-sim-http", "verify", tls_sim_okx),
    ]
    for name in ("sim-503", "sim-429", "sim-500", "sim-malformed"):
        cases.append(Case(f"verify-{name}", "verify", sims[name].template))
    for fault in ("reset", "close", "garbage", "link503", "link429", "html502", "empty500", "malformed",
                  "wrongshape", "portal", "linktexttype", "huge", "redirect"):
        cases.append(Case(f"link-{fault}", "link", f"{h}/{fault}.L", f"{fault}.L", max_hits=3))
    cases += [
        Case("link-refused", "link", f"http://127.0.0.1:{dead}"),
        Case("link-tls-to-plain-http", "link", f"https://127.0.0.1:{hostile.server_address[1]}/tls.L"),
        Case("link-tls-to-sim-http", "link", tls_sim_link),
        # the service is fine, OKX behind it is down: linked, in state attention (exit 0)
        Case("link-service-okx-down", "link", sims["sim-503"].link_url, exit=0, link_ready=True),
    ]
    return cases


@pytest.fixture(scope="module")
def outcomes(hostile, knob_sims, sim, link_config):
    """Every case started at once (a few at a time: 2 cores), awaited by the tests below."""
    base, link_env = link_config
    knob_sims = {name: f.result() for name, f in knob_sims.items()}
    cases = _cases(hostile, knob_sims, sim)
    pool = ThreadPoolExecutor(max_workers=8)
    futures: dict[str, tuple[Case, Future[Outcome]]] = {}
    for case in cases:
        if case.kind == "verify":
            env = _verify_env(case.target)
            futures[case.id] = (case, pool.submit(timed, ["verify", "--json", *case.args], env,
                                                  VERIFY_KILL_S))
        else:
            config = base / f"config-{case.id}"
            shutil.copytree(base / "config", config)
            token = knob_sims["sim-503"].link_token if case.link_ready else "fault-token"
            env = {**link_env, "OKXLINK_CONFIG_DIR": str(config), "OKXLINK_LINK_TOKEN": token}
            futures[case.id] = (case, pool.submit(timed, ["link", "--profile", "faulty", "--yes", "--json",
                                                          "--service", case.target], env, LINK_KILL_S))
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


VERIFY_IDS = (["verify-hang-auto-site", "verify-hang", "verify-drip", "verify-sim-hang"]
              + [f"verify-{f}" for f in ("reset", "close", "garbage", "s503", "s429", "html502", "empty500",
                                         "malformed", "wrongshape", "portal", "texttype", "huge", "redirect",
                                         "refused", "tls-to-plain-http", "tls-to-sim-http", "sim-503",
                                         "sim-429", "sim-500", "sim-malformed")])
LINK_IDS = (["link-hang", "link-drip"]
            + [f"link-{f}" for f in ("reset", "close", "garbage", "link503", "link429", "html502", "empty500",
                                     "malformed", "wrongshape", "portal", "linktexttype", "huge", "redirect",
                                     "refused", "tls-to-plain-http", "tls-to-sim-http", "service-okx-down")])


def _one_sentence(line: str) -> bool:
    return bool(line) and "\n" not in line and line.rstrip().endswith((".", "。")) and len(line) < 400


def _judge_verify(case: Case, o: Outcome, hostile: Hostile) -> list[str]:
    problems = []
    if o.code is None:
        return [f"still running at {VERIFY_KILL_S:g} s (killed): the deadline did not end it"]
    if o.code != case.exit:
        problems.append(f"exit {o.code}, documented {case.exit}")
    if "Traceback" in o.out + o.err:
        problems.append("a traceback")
    if len(o.err.strip().splitlines()) > 2:
        problems.append(f"stderr is not one sentence: {o.err!r}")
    try:
        report = json.loads(o.out)
    except ValueError:
        return [*problems, f"stdout is not JSON: {o.out[:200]!r}"]
    network = next((c for c in report.get("checks", []) if c["id"] == "network"), None)
    if report.get("ready") is not None or network is None or network["status"] != "fail":
        problems.append(f"not reported as OKX unavailable: ready={report.get('ready')}, network={network}")
    elif not _one_sentence(network["message"]):
        problems.append(f"network message is not one clear sentence: {network['message']!r}")
    if case.max_hits is not None and hostile.hits[case.segment] > case.max_hits:
        problems.append(f"{hostile.hits[case.segment]} requests reached the server (> {case.max_hits})")
    if o.rss_mb > MAX_RSS_MB:
        problems.append(f"peak memory {o.rss_mb:.0f} MB > {MAX_RSS_MB} MB")
    return problems


def _judge_link(case: Case, o: Outcome, hostile: Hostile) -> list[str]:
    problems = []
    if o.code is None:
        return [f"still running at {LINK_KILL_S:g} s (killed): the deadline did not end it"]
    if o.code != case.exit:
        problems.append(f"exit {o.code}, documented {case.exit}: {o.err.strip()!r}")
    if "Traceback" in o.out + o.err:
        problems.append("a traceback")
    lines = o.err.strip().splitlines()
    if case.link_ready:
        try:
            link = json.loads(o.out)
        except ValueError:
            return [*problems, f"stdout is not JSON: {o.out[:200]!r}"]
        if link["spot"]["state"] != "attention" or "network" not in [r["check"] for r in link["spot"]["reasons"]]:
            problems.append(f"expected a link needing attention for network: {link['spot']}")
    else:
        # one sentence (and at most one line with the fix), nothing on stdout
        if not lines or len(lines) > 2 or not lines[0].startswith("okxlink: ") or not _one_sentence(lines[0]):
            problems.append(f"stderr is not one clear sentence: {o.err!r}")
        if o.out.strip():
            problems.append(f"stdout not empty: {o.out[:200]!r}")
    if case.max_hits is not None and hostile.hits[case.segment] > case.max_hits:
        problems.append(f"{hostile.hits[case.segment]} requests reached the server (> {case.max_hits})")
    if o.rss_mb > MAX_RSS_MB:
        problems.append(f"peak memory {o.rss_mb:.0f} MB > {MAX_RSS_MB} MB (the answer was read whole)")
    return problems


@pytest.mark.parametrize("case_id", VERIFY_IDS)
def test_verify_fault(case_id, outcomes, hostile):
    case, future = outcomes[case_id]
    o = future.result()
    problems = _judge_verify(case, o, hostile)
    assert not problems, f"{case_id} ({o.wall:.1f} s, exit {o.code}): " + "; ".join(problems)


@pytest.mark.parametrize("case_id", LINK_IDS)
def test_link_fault(case_id, outcomes, hostile):
    case, future = outcomes[case_id]
    o = future.result()
    problems = _judge_link(case, o, hostile)
    assert not problems, f"{case_id} ({o.wall:.1f} s, exit {o.code}): " + "; ".join(problems)


def test_link_never_follows_a_redirect_with_the_secrets(outcomes, hostile):
    _case, future = outcomes["link-redirect"]
    future.result()
    assert hostile.hits["stolen"] == 0, "okxlink re-sent the link request (key, secret, passphrase) to a redirect"
    assert 1 <= hostile.hits["redirect.L"] <= 3


def test_fault_counts(outcomes, hostile, capsys):
    """The summary CI shows: how many faults were tried and how many ended as documented. It judges
    every case itself (the per-fault tests above assert them one by one)."""
    results = {case_id: (_judge_verify if case.kind == "verify" else _judge_link)(case, future.result(), hostile)
               for case_id, (case, future) in outcomes.items()}
    walls = {cid: f.result().wall for cid, (_c, f) in outcomes.items()}
    bad = {cid: p for cid, p in results.items() if p}
    verify_n = sum(1 for c, _f in outcomes.values() if c.kind == "verify")
    slowest = max(walls, key=walls.__getitem__)
    line = (f"fault harness: faults tried: {len(outcomes)} (verify {verify_n}, link {len(outcomes) - verify_n}), "
            f"as documented: {len(outcomes) - len(bad)}, tracebacks: "
            f"{sum('a traceback' in p for p in results.values())}, slowest: {slowest} {walls[slowest]:.1f} s")
    with capsys.disabled():
        print("\n" + line)
        for cid, problems in sorted(bad.items()):
            print(f"  {cid}: {'; '.join(problems)}")
    assert len(outcomes) >= 40
    assert set(outcomes) == set(VERIFY_IDS) | set(LINK_IDS)  # every fault run has its own test above
