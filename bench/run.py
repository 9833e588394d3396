"""okxlink's benchmark: one run, one table; every figure a median with its spread [min–max].

    .venv/bin/python bench/run.py [--runs N] [--rt-runs N] [--venvs DIR]

Run it with the test environment's interpreter (it starts the simulator and the Secret Service
from there); what is measured runs elsewhere. Method (bench/README.md says more):

- clean environments: okxlink is installed with pip into a new virtualenv holding only its runtime
  dependencies; python-okx and ccxt each get one of their own. Extra packages change import costs
  (with click installed, `import httpx` also imports click, pygments and half of rich).
- whole processes, A and B interleaved, compared pair by pair (ratio of each pair, then the median
  and the spread of the ratios): the machine's drift hits both alike.
- round trips: every client runs once with 500 ms of round-trip time and once with 0, alternately;
  RT = (wall at 500 ms - wall at 0 ms) / 500 ms, pair by pair, whole process, the same for every client.
  The latency is a delay proxy (bench/delay_proxy.py) that charges each new connection its TCP
  handshake, not a server-side sleep; TLS is not modelled (the simulator speaks plain HTTP).
- `verify --all` and `status` read their 50 profiles from a real Secret Service (gnome-keyring on a
  private D-Bus session bus, as the tests start it).
- a verdict only where the spread allows one: PASS when every run meets the target, FAIL when none
  does, otherwise "spread" (the figure straddles the target).
Nothing outside a temporary directory is written; every process started is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO / "tests")]

from delay_proxy import DelayProxy  # noqa: E402

from okxlink.sim.child import SimChild, SimDidNotStart, spawn  # noqa: E402

from real_keyring import DROP, start_secret_service  # noqa: E402

PY = sys.executable
RTT_S = 0.5
N_PROFILES = 50
GROWTH = (2, 50, 200)
N_SINGLE = 48  # single-key accounts: runs rotate over them, so no per-account limit is near

CCXT_SCRIPT = r"""
import os, sys
import ccxt
ex = ccxt.okx({"apiKey": os.environ["OKX_API_KEY"], "secret": os.environ["OKX_SECRET_KEY"],
               "password": os.environ["OKX_PASSPHRASE"], "timeout": 10000,
               "enableRateLimit": os.environ["BENCH_RATE_LIMIT"] == "1"})
ex.urls["api"] = {"rest": os.environ["BENCH_OKX_URL"]}
config = ex.privateGetAccountConfig()
balance = ex.privateGetAccountBalance()
sys.exit(0 if config["code"] == "0" and balance["code"] == "0" else 1)
"""

RSS_HELPER = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""

STORE_SCRIPT = r"""
import json, sys
from okxlink.core.credentials import Credentials
from okxlink.storage import KeyringStore, ProfileMeta, ProfileRepo, ProfilesFile
from pathlib import Path
repo = ProfileRepo(KeyringStore(timeout=60), ProfilesFile(Path(sys.argv[1]) / "profiles.toml"))
for a in json.load(sys.stdin):
    repo.save(a["name"], Credentials(api_key=a["api_key"], secret_key=a["secret_key"],
                                     passphrase=a["passphrase"]), ProfileMeta(name=a["name"]))
print(len(repo.names()))
"""

WRITE_PROFILES = r"""
import sys
from pathlib import Path
from okxlink.storage import ProfileMeta, ProfilesFile, VerifySummary
with ProfilesFile(Path(sys.argv[1]) / "profiles.toml").transaction() as profiles:
    for i in range(int(sys.argv[2])):
        m = ProfileMeta(name=f"p{i:03d}", key=f"0f4b****{i:04d}", last_verified="2026-12-01T00:00:00Z",
                        verify=VerifySummary(ready=True, statuses={"reachable": "pass", "ip-whitelist": "warn"},
                                             reasons=["ip-whitelist"]))
        profiles[m.name] = m
"""


# -- figures ---------------------------------------------------------------------------------------

@dataclass
class Spread:
    values: list[float]

    @property
    def med(self) -> float:
        return statistics.median(self.values)

    def show(self, unit: str = "", scale: float = 1.0, digits: int = 2) -> str:
        lo, mid, hi = (f"{v * scale:.{digits}f}" for v in (min(self.values), self.med, max(self.values)))
        return f"{mid}{unit} [{lo}–{hi}]"

    def verdict(self, ok: Callable[[float], bool]) -> str:
        met = [ok(v) for v in self.values]
        return "PASS" if all(met) else "FAIL" if not any(met) else "spread"


@dataclass
class Run:
    wall: float
    code: int
    out: str
    err: str


def run(cmd: Sequence[str], env: dict[str, str], stdin: str | None = None) -> Run:
    """One child, timed from spawn to exit."""
    t0 = time.perf_counter()
    done = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True, env=env, timeout=300)
    return Run(time.perf_counter() - t0, done.returncode, done.stdout, done.stderr)


def ok(r: Run, what: str, codes: tuple[int, ...] = (0,)) -> Run:
    if r.code not in codes:
        sys.exit(f"bench: {what} exited {r.code}\n{r.out[-400:]}\n{r.err[-1200:]}")
    return r


def interleaved(cmds: dict[str, Callable[[int], tuple[list[str], dict[str, str]]]], runs: int,
                warmups: int = 1, gap_s: float = 0.0) -> dict[str, Spread]:
    """Each command in turn, `runs` times (after warm-ups); `cmds[k](i)` -> (argv, env) of run i."""
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    for i in range(warmups + runs):
        for key, make in cmds.items():
            if gap_s:
                time.sleep(gap_s)
            cmd, env = make(i)
            r = ok(run(cmd, env), f"{key}: {' '.join(cmd[:4])}")
            if i >= warmups:
                walls[key].append(r.wall)
    return {k: Spread(v) for k, v in walls.items()}


def ratio(a: Spread, b: Spread) -> Spread:
    return Spread([x / y for x, y in zip(a.values, b.values, strict=True)])


def round_trips(slow: Spread, fast: Spread) -> Spread:
    return Spread([(x - y) / RTT_S for x, y in zip(slow.values, fast.values, strict=True)])


def peak_rss_mb(cmd: Sequence[str], env: dict[str, str], tmp: Path, stdin: str | None = None) -> float:
    """Peak RSS of `cmd` alone: forked from a small helper interpreter, since a child's ru_maxrss
    starts from the RSS of the process it was forked from."""
    out = tmp / "maxrss"
    ok(run([PY, "-c", RSS_HELPER, str(out), *cmd], env, stdin), f"RSS of {' '.join(cmd[1:3])}")
    return int(out.read_text()) / 1024


# -- environments ----------------------------------------------------------------------------------

def venv(path: Path, *packages: str) -> Path | str:
    """A new virtualenv with `packages` (and their dependencies) only; the error's last line when pip
    cannot install them here."""
    if not (path / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    done = subprocess.run([str(path / "bin" / "pip"), "install", "-q", *packages], capture_output=True, text=True)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["pip failed"])[-1]
    return path / "bin"


def base_env(tmp: Path) -> dict[str, str]:
    """No credentials, okxlink or Python settings from this shell; bytecode may be cached (as after
    any pip install)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OKX_", "OKXLINK_", "PYTHON", "BENCH_")) and k not in ("LANG", "LC_ALL")}
    env.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "COLUMNS": "100"})
    return env


def fake_account(name: str) -> dict[str, str]:
    return {"name": name, "api_key": str(uuid.uuid4()), "secret_key": secrets.token_hex(16).upper(),
            "passphrase": "Bench-" + secrets.token_hex(4) + "!1aA"}


class Sim(SimChild):
    def log(self) -> list[dict[str, Any]]:
        """The requests the OKX simulator received since the last call (and forget them)."""
        with urllib.request.urlopen(self.url + "/__bench/log", timeout=10) as answer:
            return json.loads(answer.read())


def waves(log: list[dict[str, Any]]) -> str:
    """Requests per wave, e.g. '4' (all in one round trip) or '1+1' (one after the other): a wave is
    every request that arrived within half a round trip of its first."""
    counts: list[int] = []
    start = None
    for t in sorted(e["t"] for e in log if "/__bench" not in e["path"]):
        if start is None or t - start > RTT_S / 2:
            start = t
            counts.append(0)
        counts[-1] += 1
    return "+".join(map(str, counts)) or "0"


# -- the table -------------------------------------------------------------------------------------

ROWS: list[tuple[str, str, str, str, str, str]] = []


def row(what: str, okxlink: str, other: str, figure: str, target: str = "", verdict: str = "info") -> None:
    ROWS.append((what, okxlink, other, figure, target, verdict))
    print(f"  {what}: {figure} {verdict}", file=sys.stderr, flush=True)


def table() -> str:
    head = ("what", "okxlink", "compared with", "figure", "target", "verdict")
    rows = [head, *ROWS]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


# -- the benchmark ---------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per start-up figure (default 11)")
    parser.add_argument("--rt-runs", type=int, default=5, help="runs per latency figure (default 5)")
    parser.add_argument("--venvs", type=Path, help="keep the clean virtualenvs here (reused by the next run)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="okxlink-bench-"))
    envs = args.venvs or tmp / "venvs"
    started = time.monotonic()
    stop: list[Callable[[], object]] = []
    notes: list[str] = []
    try:
        # environments ------------------------------------------------------------------------
        print("bench: clean virtualenvs (okxlink, python-okx, ccxt)…", file=sys.stderr, flush=True)
        okx_bin = venv(envs / "okxlink", "--force-reinstall", "--no-deps", str(REPO)) \
            if (envs / "okxlink" / "bin" / "okxlink").exists() else venv(envs / "okxlink", str(REPO))
        if isinstance(okx_bin, str):
            sys.exit(f"bench: okxlink did not install: {okx_bin}")
        others = {"python-okx": venv(envs / "python-okx", "python-okx"), "ccxt": venv(envs / "ccxt", "ccxt")}
        okxlink, opy = str(okx_bin / "okxlink"), str(okx_bin / "python")
        env = base_env(tmp)

        # simulator, delay proxies, Secret Service --------------------------------------------
        single = [fake_account(f"s{i:02d}") for i in range(N_SINGLE)]
        profiles = [fake_account(f"p{i:02d}") for i in range(N_PROFILES)]
        (tmp / "accounts.json").write_text(json.dumps({"accounts": single + profiles}))
        token = secrets.token_urlsafe(24)
        try:
            child = spawn("--accounts", str(tmp / "accounts.json"), env={**env, "PYTHONPATH": str(BENCH)},
                          program=[PY, str(BENCH / "sim_counted.py")], link_token=token)
        except SimDidNotStart as exc:
            sys.exit(f"bench: the simulator did not start: {exc}")
        sim = Sim(child.proc, child.line)
        stop.append(sim.stop)
        okx_port, link_port = (int(u.rsplit(":", 1)[1].split("/")[0]) for u in (sim.url, sim.link_url))
        # One proxy for OKX and one for the link service, their delay set before each run (0 ms goes
        # through them too, so both sides of a difference pay their copying alike): the links that
        # profiles.toml records keep one address whatever the latency.
        proxies = [DelayProxy(okx_port, 0.0), DelayProxy(link_port, 0.0)]
        okx_url, link_url = (f"http://127.0.0.1:{p.start()}" for p in proxies)
        stop.extend(p.stop for p in proxies)

        def latency(rtt: float) -> str:
            for proxy in proxies:
                proxy.rtt = rtt
            return okx_url
        ss = start_secret_service(tmp / "keyring-home")
        stop.append(ss.stop)

        def creds(acct: dict[str, str], rtt: float, **extra: str) -> dict[str, str]:
            url = latency(rtt)
            return {**env, "OKX_API_KEY": acct["api_key"], "OKX_SECRET_KEY": acct["secret_key"],
                    "OKX_PASSPHRASE": acct["passphrase"], "OKXLINK_BASE_URL": url + "/{site}",
                    "BENCH_OKX_URL": url, "OKXLINK_CONFIG_DIR": str(tmp / "none"), **extra}

        # start-up ---------------------------------------------------------------------------
        print("bench: start-up…", file=sys.stderr, flush=True)
        offline = tmp / "offline"
        for n in GROWTH:
            ok(run([opy, "-c", WRITE_PROFILES, str(offline / str(n)), str(n)], env), "writing profiles")
        cfg = {n: {**env, "OKXLINK_CONFIG_DIR": str(offline / str(n))} for n in GROWTH}
        s = interleaved({
            "pass": lambda i: ([opy, "-c", "pass"], env),
            "typer": lambda i: ([opy, "-c", "import typer"], env),
            "version": lambda i: ([okxlink, "--version"], env),
            "lang-version": lambda i: ([okxlink, "--lang", "en", "--version"], env),
            "help": lambda i: ([okxlink, "--help"], env),
            "verify-help": lambda i: ([okxlink, "verify", "--help"], env),
            **{f"offline{n}": (lambda i, n=n: ([okxlink, "status", "--offline", "--json"], cfg[n])) for n in GROWTH},
        }, args.runs)
        row("okxlink --version", s["version"].show(" ms", 1e3, 0), "python -c pass " + s["pass"].show(" ms", 1e3, 0),
            ratio(s["version"], s["pass"]).show("×"), "≤ 1.5×",
            ratio(s["version"], s["pass"]).verdict(lambda v: v <= 1.5))
        for key, what in (("lang-version", "okxlink --lang en --version"), ("help", "okxlink --help"),
                          ("verify-help", "okxlink verify --help"),
                          ("offline2", "okxlink status --offline --json, 2 profiles")):
            row(what, s[key].show(" ms", 1e3, 0), "python -c 'import typer' " + s["typer"].show(" ms", 1e3, 0),
                ratio(s[key], s["typer"]).show("×"))
        for n in GROWTH[1:]:
            growth = ratio(s[f"offline{n}"], s["offline2"])
            row(f"status --offline --json, {n} vs 2 profiles", s[f"offline{n}"].show(" ms", 1e3, 0),
                s["offline2"].show(" ms", 1e3, 0), growth.show("×"), "≤ 1.5×", growth.verdict(lambda v: v <= 1.5))

        # verify, one key: whole process at 0 ms, and round trips ------------------------------
        print("bench: verify, one key…", file=sys.stderr, flush=True)
        clients: dict[str, Callable[[dict[str, str], float], list[str]]] = {
            "okxlink": lambda acct, rtt: [okxlink, "verify", "--json"]}
        if isinstance(others["python-okx"], Path):
            clients["python-okx"] = lambda acct, rtt: [str(others["python-okx"] / "python"),
                                                       str(BENCH / "pyokx_verify.py")]
        else:
            notes.append(f"python-okx could not be installed here: {others['python-okx']}")
        if isinstance(others["ccxt"], Path):
            clients["ccxt"] = clients["ccxt, no rate limiter"] = \
                lambda acct, rtt: [str(others["ccxt"] / "python"), "-c", CCXT_SCRIPT]  # type: ignore[operator]
        else:
            notes.append(f"ccxt could not be installed here: {others['ccxt']}")
        limiter = {"ccxt": "1", "ccxt, no rate limiter": "0"}
        turn = iter(range(10**6))

        def client_run(name: str, rtt: float) -> Callable[[int], tuple[list[str], dict[str, str]]]:
            def make(i: int) -> tuple[list[str], dict[str, str]]:
                acct = single[next(turn) % N_SINGLE]
                return clients[name](acct, rtt), creds(acct, rtt, BENCH_RATE_LIMIT=limiter.get(name, "1"))
            return make

        at0 = interleaved({name: client_run(name, 0.0) for name in clients}, args.runs)
        for name in clients:
            if name != "okxlink":
                r = ratio(at0["okxlink"], at0[name])
                row(f"verify --json at 0 ms, whole process, vs {name}", at0["okxlink"].show(" ms", 1e3, 0),
                    f"{name} " + at0[name].show(" ms", 1e3, 0), r.show("×"),
                    "≤ 1.0×" if name == "python-okx" else "",
                    r.verdict(lambda v: v <= 1.0) if name == "python-okx" else "info")
        rts, shapes = {}, {}
        for name in clients:
            timed = interleaved({"slow": client_run(name, RTT_S), "fast": client_run(name, 0.0)}, args.rt_runs,
                                gap_s=0.3)
            rts[name] = round_trips(timed["slow"], timed["fast"])
            sim.log()
            cmd, cenv = client_run(name, RTT_S)(0)
            ok(run(cmd, cenv), name)
            shapes[name] = waves(sim.log())
        for name, rt in rts.items():
            sent = f"sends {'4' if name == 'okxlink' else '2'} requests, per wave {shapes[name]}"
            row(f"verify at {RTT_S * 1e3:.0f} ms RTT: round trips, {name}", rts["okxlink"].show(" RT"),
                sent, rt.show(" RT"), "", "info")

        # 50 profiles in the real Secret Service ------------------------------------------------
        print("bench: 50 profiles in the Secret Service…", file=sys.stderr, flush=True)
        kcfg = tmp / "profiles50"
        kenv = {**{k: v for k, v in env.items() if k not in DROP}, **ss.vars, "OKXLINK_CONFIG_DIR": str(kcfg)}
        stored = ok(run([opy, "-c", STORE_SCRIPT, str(kcfg)], kenv, stdin=json.dumps(profiles)), "storing profiles")
        if stored.out.strip() != str(N_PROFILES):
            sys.exit(f"bench: stored {stored.out.strip()} profiles, not {N_PROFILES}")

        def at(rtt: float, **extra: str) -> dict[str, str]:
            return {**kenv, "OKXLINK_BASE_URL": latency(rtt) + "/{site}", **extra}

        def all_ready(r: Run) -> None:
            reports = json.loads(r.out)
            if len(reports) != N_PROFILES or not all(x["ready"] for x in reports):
                sys.exit("bench: verify --all did not find 50 ready profiles")

        all_ready(ok(run([okxlink, "verify", "--all", "--json"], at(0.0)), "verify --all"))
        time.sleep(2.1)  # OKX's windows are 2 s: start empty
        sim.log()
        a = interleaved({"slow": lambda i: ([okxlink, "verify", "--all", "--json"], at(RTT_S)),
                         "fast": lambda i: ([okxlink, "verify", "--all", "--json"], at(0.0))},
                        args.rt_runs, warmups=0, gap_s=2.1)
        refused = sum(e["status"] == 429 for e in sim.log())
        all_rt = round_trips(a["slow"], a["fast"])
        time.sleep(2.1)
        all_ready(ok(run([okxlink, "verify", "--all", "--json"], at(RTT_S)), "verify --all"))
        notes.append(f"verify --all, {N_PROFILES} profiles: requests per wave at {RTT_S * 1e3:.0f} ms: "
                     f"{waves(sim.log())}")
        row(f"verify --all --json, {N_PROFILES} profiles: round trips", all_rt.show(" RT"),
            f"at 0 ms {a['fast'].show(' ms', 1e3, 0)}; one key {at0['okxlink'].show(' ms', 1e3, 0)}",
            f"{all_rt.show(' RT')}, {refused}×429", "≤ 2 RT, 0×429",
            "FAIL" if refused else all_rt.verdict(lambda v: v <= 2.0))

        # link them all (4 at a time), then status online
        link_env = {"OKXLINK_LINK_TOKEN": token}
        with ThreadPoolExecutor(4) as pool:
            for r in pool.map(lambda p: run([okxlink, "link", "--profile", p["name"], "--yes", "--json",
                                             "--service", link_url], at(0.0, **link_env)), profiles):
                ok(r, "okxlink link")
        time.sleep(2.1)
        st = interleaved({"slow": lambda i: ([okxlink, "status", "--json"], at(RTT_S, **link_env)),
                          "fast": lambda i: ([okxlink, "status", "--json"], at(0.0, **link_env))},
                         args.rt_runs, warmups=0, gap_s=2.1)
        st_rt = round_trips(st["slow"], st["fast"])
        row(f"status --json, {N_PROFILES} linked profiles: round trips", st_rt.show(" RT"),
            f"at 0 ms {st['fast'].show(' ms', 1e3, 0)}", st_rt.show(" RT"),
            "≤ 2 RT (one wave, on new connections)", st_rt.verdict(lambda v: v <= 2.0))

        # peak RSS ------------------------------------------------------------------------------
        print("bench: peak RSS…", file=sys.stderr, flush=True)
        setup_in = json.dumps({k: single[-1][k] for k in ("api_key", "secret_key", "passphrase")})
        def rss_of(cmd: list[str], make_env: Callable[[int], dict[str, str]], stdin: str | None = None,
                   gap_s: float = 0.0) -> Spread:
            found = []
            for i in range(3):
                time.sleep(gap_s)  # the 50-profile commands: OKX's 2 s windows start empty
                found.append(peak_rss_mb(cmd, make_env(i), tmp, stdin))
            return Spread(found)

        rss = {
            "setup (verify and store one key)": rss_of([okxlink, "setup", "--profile", "new", "--stdin", "--no-link",
                                                        "--json"], lambda i: at(0.0), setup_in),
            f"status --json, {N_PROFILES} linked": rss_of([okxlink, "status", "--json"],
                                                          lambda i: at(0.0, **link_env), gap_s=2.1),
            f"verify --all --json, {N_PROFILES}": rss_of([okxlink, "verify", "--all", "--json"],
                                                         lambda i: at(0.0), gap_s=2.1),
            "verify --json (environment)": rss_of([okxlink, "verify", "--json"], lambda i: creds(single[i], 0.0)),
        }
        floor = rss_of([opy, "-c", "pass"], lambda i: env)
        for what, figure in rss.items():
            row(f"peak RSS: {what}", figure.show(" MB", digits=1), "python -c pass " + floor.show(" MB", digits=1),
                figure.show(" MB", digits=1), "≤ 60 MB", figure.verdict(lambda v: v <= 60))

        print(table())
        for n in notes:
            print(f"- {n}")
        print(f"- {args.runs} runs per start-up and 0 ms figure, {args.rt_runs} per latency figure (after one "
              f"warm-up, none for the 50-profile rows); RT = (wall at {RTT_S * 1e3:.0f} ms - wall at 0 ms) / "
              f"{RTT_S * 1e3:.0f} ms, pair by pair; {time.monotonic() - started:.0f} s in all")
        return 0
    finally:
        for halt in reversed(stop):
            halt()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
