"""okxlink's benchmark: one run, one table, every figure a ratio or a count of round trips.

    .venv/bin/python bench/run.py [--runs N] [--verify-runs N] [--all-runs N]

Run it with the interpreter of the environment okxlink is installed in (the `okxlink` console
script is taken from the same bin directory). ccxt and python-okx are needed for the comparison
rows (they are in okxlink's `test` extra); without them those rows say "not installed".

Method (see bench/README.md):
- start-up: each command as a subprocess, 2 warm-ups then N runs, interleaved, medians.
- verify: the simulator as a real process (bench/sim_counted.py = `python -m okxlink.sim` plus a
  request log), once with --latency-ms 100 and once with 0, same accounts file. Round trips =
  (median wall at 100 ms - median wall at 0 ms) / 100 ms; for ccxt and python-okx the same
  difference of the calls alone, timed inside their script (import and set-up shown apart). The
  log says how many requests each
  command sent, in how many waves (requests arriving within 50 ms of a wave's first), and how many
  were refused with 429 / 50011.
- verify --all: 50 profiles stored through okxlink.storage in a benchmark-only JSON-file keyring
  (bench/bench_keyring.py), each a different simulator account (so per-account limits allow
  them to go out together), timed like verify.
- peak RSS: ru_maxrss (wait4) of one `okxlink verify --json`, forked from a small helper
  interpreter (a child's ru_maxrss starts at the RSS of the process it was forked from).
Nothing outside a temporary directory is written; the simulators are stopped at the end.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okxlink.sim.child import SimChild, SimDidNotStart, spawn

BENCH = Path(__file__).resolve().parent
PY = sys.executable
BIN = Path(PY).parent
LATENCY_MS = 100
N_PROFILES = 50
N_SINGLE = 40  # single-key accounts: each run uses a fresh one, so no per-account limit is near

TARGETS = {"version": 1.5, "help": 1.25, "verify_rt": 1.3, "all_rt": 2.0, "rss_mb": 60.0}

CCXT_SCRIPT = r"""
import json, os, time
t0 = time.perf_counter()
import ccxt
t1 = time.perf_counter()
ex = ccxt.okx({"apiKey": os.environ["OKX_API_KEY"], "secret": os.environ["OKX_SECRET_KEY"],
               "password": os.environ["OKX_PASSPHRASE"], "timeout": 10000})
ex.urls["api"] = {"rest": os.environ["BENCH_OKX_URL"]}
t15 = time.perf_counter()
config = ex.privateGetAccountConfig()
balance = ex.privateGetAccountBalance()
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "setup_s": t15 - t1, "calls_s": t2 - t15,
                  "ok": config["code"] == "0" and balance["code"] == "0"}))
"""

PYOKX_SCRIPT = r"""
import json, os, time
t0 = time.perf_counter()
from okx import Account
t1 = time.perf_counter()
api = Account.AccountAPI(api_key=os.environ["OKX_API_KEY"], api_secret_key=os.environ["OKX_SECRET_KEY"],
                         passphrase=os.environ["OKX_PASSPHRASE"], flag="0",
                         domain=os.environ["BENCH_OKX_URL"], debug=False)
t15 = time.perf_counter()
config = api.get_account_config()
balance = api.get_account_balance()
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "setup_s": t15 - t1, "calls_s": t2 - t15,
                  "ok": config["code"] == "0" and balance["code"] == "0"}))
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
from okxlink.storage import KeyringStore, ProfileMeta, ProfileRepo
repo = ProfileRepo(KeyringStore(timeout=30))
for a in json.load(sys.stdin):
    repo.save(a["name"], Credentials(api_key=a["api_key"], secret_key=a["secret_key"],
                                     passphrase=a["passphrase"]), ProfileMeta(name=a["name"]))
print(len(repo.names()))
"""


# -- processes -----------------------------------------------------------------------------------

@dataclass
class Run:
    wall: float
    code: int
    out: str
    err: str
    maxrss_kb: int


def run(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> Run:
    """One child, timed from spawn to exit; its own peak RSS from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp:
        if stdin is not None:
            inp.write(stdin.encode())
            inp.seek(0)
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=inp, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(wall, proc.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"), usage.ru_maxrss)


def base_env(tmp: Path) -> dict[str, str]:
    """No credentials, okxlink settings or PYTHONPATH from this shell; a private config dir."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OKX_", "OKXLINK_", "PYTHON")) and k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    env.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "COLUMNS": "100",
                "OKXLINK_CONFIG_DIR": str(tmp / "config")})
    return env


class Sim(SimChild):
    latency_ms: int = 0

    def log(self) -> list[dict[str, Any]]:
        """The requests since the last call (and forget them)."""
        with urllib.request.urlopen(self.url + "/__bench/log", timeout=10) as answer:
            return json.loads(answer.read())


def start_sim(env: dict[str, str], latency_ms: int, accounts: Path) -> Sim:
    """The simulator with a request log (bench/sim_counted.py), as a child process."""
    try:
        child = spawn("--no-link", "--latency-ms", str(latency_ms), "--accounts", str(accounts),
                      env={**env, "PYTHONPATH": str(BENCH)}, program=[PY, str(BENCH / "sim_counted.py")])
    except SimDidNotStart as exc:
        sys.exit(f"bench: the simulator did not start: {exc}")
    sim = Sim(child.proc, child.line)
    sim.latency_ms = latency_ms
    return sim


# -- figures -------------------------------------------------------------------------------------

def median_walls(cmds: dict[str, list[str]], env: dict[str, str], runs: int, warmups: int = 2) -> dict[str, float]:
    """Interleaved, so that drift (CPU frequency, caches) hits every command alike."""
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    for i in range(warmups + runs):
        for key, cmd in cmds.items():
            r = run(cmd, env)
            if r.code != 0:
                sys.exit(f"bench: {' '.join(cmd)} exited {r.code}: {r.err[-500:]}")
            if i >= warmups:
                walls[key].append(r.wall)
    return {k: statistics.median(v) for k, v in walls.items()}


def waves(log: list[dict[str, Any]], latency_ms: int) -> list[int]:
    """Request counts per wave: a wave is every request that arrived within half a latency of its first."""
    counts: list[int] = []
    start = None
    for t in sorted(e["t"] for e in log):
        if start is None or t - start > latency_ms / 2000:
            start = t
            counts.append(0)
        counts[-1] += 1
    return counts


@dataclass
class Timed:
    walls: dict[int, list[float]] = field(default_factory=lambda: {0: [], LATENCY_MS: []})
    logs: dict[int, list[list[dict[str, Any]]]] = field(default_factory=lambda: {0: [], LATENCY_MS: []})
    extra: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: {0: [], LATENCY_MS: []})

    def med(self, lat: int) -> float:
        return statistics.median(self.walls[lat])

    def rt(self) -> float:
        return (self.med(LATENCY_MS) - self.med(0)) / (LATENCY_MS / 1000)

    def inner(self, key: str, lat: int) -> float:
        """Median of a figure the script measured itself (import_s, work_s)."""
        return statistics.median(e[key] for e in self.extra[lat])

    def calls_rt(self) -> float:
        """Round trips added to the requests alone (timed inside the script, so import time's noise
        is left out)."""
        return (self.inner("calls_s", LATENCY_MS) - self.inner("calls_s", 0)) / (LATENCY_MS / 1000)

    def offsets(self) -> str:
        """Arrival of each request after the first, last run at 100 ms, e.g. '0,220 ms'."""
        log = self.logs[LATENCY_MS][-1]
        t0 = min(e["t"] for e in log)
        return ",".join(str(round((e["t"] - t0) * 1000)) for e in sorted(log, key=lambda e: e["t"])) + " ms"

    def refused(self) -> int:
        return sum(e["status"] == 429 for lat in self.logs for log in self.logs[lat] for e in log)

    def refused_on(self) -> str:
        names = sorted({e["path"].split("/api/v5/")[-1] for lat in self.logs for log in self.logs[lat]
                        for e in log if e["status"] == 429})
        return ", ".join(names) or "-"

    def shape(self) -> str:
        """Requests per wave of the last run at 100 ms, e.g. '4' or '100+51'."""
        log = self.logs[LATENCY_MS][-1]
        return "+".join(map(str, waves(log, LATENCY_MS)))

    def paths(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.logs[LATENCY_MS][-1]:
            name = e["path"].split("/api/v5/")[-1]
            out[name] = out.get(name, 0) + 1
        return out


def timed_runs(sims: dict[int, Sim], runs: int, make: Any, check: Any, gap_s: float = 0.0,
               warmups: int = 1) -> Timed:
    """`make(sim, i)` -> (cmd, env); runs alternate between the two simulators."""
    res = Timed()
    last_end = {lat: 0.0 for lat in sims}
    i = 0
    for n in range(warmups + runs):
        for lat, sim in sims.items():
            if gap_s:
                time.sleep(max(0.0, last_end[lat] + gap_s - time.monotonic()))
            sim.log()  # forget earlier requests
            cmd, env = make(sim, i)
            i += 1
            r = run(cmd, env)
            last_end[lat] = time.monotonic()
            check(r, cmd)
            log = sim.log()
            if n >= warmups:
                res.walls[lat].append(r.wall)
                res.logs[lat].append(log)
                if r.out.strip().startswith("{") and '"import_s"' in r.out:
                    res.extra[lat].append(json.loads(r.out))
    return res


def must_succeed(r: Run, cmd: list[str]) -> None:
    if r.code != 0:
        sys.exit(f"bench: {' '.join(cmd[:3])}… exited {r.code}\n{r.out[-400:]}\n{r.err[-800:]}")
    if '"ok": false' in r.out:
        sys.exit(f"bench: {' '.join(cmd[:3])}… did not read config and balance: {r.out[-400:]}")


def peak_rss_mb(cmd: list[str], env: dict[str, str], tmp: Path) -> float:
    """Peak RSS of `cmd` alone. A child's ru_maxrss starts from the RSS of the process it was forked
    from, so the command is forked from a small helper interpreter, not from this one (floor ~10 MB)."""
    out = tmp / "maxrss"
    r = run([PY, "-c", RSS_HELPER, str(out), *cmd], env)
    if r.code != 0:
        sys.exit(f"bench: {' '.join(cmd[:3])}… exited {r.code}: {r.err[-500:]}")
    return int(out.read_text()) / 1024


def have(module: str) -> bool:
    return subprocess.run([PY, "-c", f"import {module}"], capture_output=True).returncode == 0


def fake_account(name: str) -> dict[str, str]:
    return {"name": name, "api_key": str(uuid.uuid4()), "secret_key": secrets.token_hex(16).upper(),
            "passphrase": "Bench-" + secrets.token_hex(4) + "!1aA"}


def creds_env(env: dict[str, str], acct: dict[str, str], sim: Sim) -> dict[str, str]:
    return {**env, "OKX_API_KEY": acct["api_key"], "OKX_SECRET_KEY": acct["secret_key"],
            "OKX_PASSPHRASE": acct["passphrase"], "OKXLINK_BASE_URL": sim.template,
            "BENCH_OKX_URL": sim.url}


# -- the table -----------------------------------------------------------------------------------

def verdict(ok: bool | None) -> str:
    return "info" if ok is None else ("PASS" if ok else "FAIL")


def table(rows: list[tuple[str, ...]]) -> str:
    head = ("what", "okxlink", "baseline", "ratio / RT", "target", "result")
    rows = [head, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    line = "+".join("-" * (w + 2) for w in widths)
    out = []
    for n, r in enumerate(rows):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + line + "|")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="start-up runs per command (default 15)")
    parser.add_argument("--verify-runs", type=int, default=5, help="runs per verify figure (default 5)")
    parser.add_argument("--all-runs", type=int, default=3, help="runs of verify --all per latency (default 3)")
    args = parser.parse_args()
    okxlink = BIN / "okxlink"
    if not okxlink.exists():
        sys.exit(f"bench: no okxlink console script next to {PY}; run it with the venv's python")
    tmp = Path(tempfile.mkdtemp(prefix="okxlink-bench-"))
    sims: dict[int, Sim] = {}
    started = time.monotonic()
    try:
        env = base_env(tmp)
        rows: list[tuple[str, ...]] = []
        notes: list[str] = []

        # start-up --------------------------------------------------------------------------
        w = median_walls({"pass": [PY, "-c", "pass"], "version": [str(okxlink), "--version"],
                          "typer": [PY, "-c", "import typer"], "help": [str(okxlink), "--help"]},
                         env, args.runs)
        r_version, r_help = w["version"] / w["pass"], w["help"] / w["typer"]
        rows.append(("start-up: okxlink --version vs python -c pass", f"{w['version']*1e3:.1f} ms",
                     f"{w['pass']*1e3:.1f} ms", f"{r_version:.2f}x", f"<= {TARGETS['version']}x",
                     verdict(r_version <= TARGETS["version"])))
        rows.append(("start-up: okxlink --help vs python -c 'import typer'", f"{w['help']*1e3:.1f} ms",
                     f"{w['typer']*1e3:.1f} ms", f"{r_help:.2f}x", f"<= {TARGETS['help']}x",
                     verdict(r_help <= TARGETS["help"])))

        # simulators ------------------------------------------------------------------------
        single = [fake_account(f"s{i:02d}") for i in range(N_SINGLE)]
        profiles = [fake_account(f"p{i:02d}") for i in range(N_PROFILES)]
        accounts = tmp / "accounts.json"
        accounts.write_text(json.dumps({"accounts": single + profiles}))
        for lat in (0, LATENCY_MS):
            sims[lat] = start_sim(env, lat, accounts)

        def verify_cmd(sim: Sim, i: int) -> tuple[list[str], dict[str, str]]:
            return [str(okxlink), "verify", "--json"], creds_env(env, single[i % 12], sim)

        v = timed_runs(sims, args.verify_runs, verify_cmd, must_succeed)
        o_rss = 36  # single[36:] are left for the peak RSS runs
        rows.append((f"verify --json @{LATENCY_MS} ms/request: round trips added",
                     f"{v.rt():.2f} RT ({v.med(LATENCY_MS)*1e3:.0f} ms)", f"@0 ms: {v.med(0)*1e3:.0f} ms",
                     f"{v.rt():.2f} RT", f"<= {TARGETS['verify_rt']} RT", verdict(v.rt() <= TARGETS["verify_rt"])))
        notes.append(f"okxlink verify: {sum(v.paths().values())} requests, per wave {v.shape()}: "
                     + ", ".join(f"{k} x{n}" for k, n in sorted(v.paths().items()))
                     + f"; 429/50011 answers: {v.refused()}")

        for label, script, module, offset in (("ccxt", CCXT_SCRIPT, "ccxt", 12),
                                              ("python-okx", PYOKX_SCRIPT, "okx.Account", 24)):
            what = f"  same, {label} (import + account config + balance)"
            if not have(module):
                rows.append((what, "", "not installed", "", "", "info"))
                continue
            c = timed_runs(sims, args.verify_runs,
                           lambda sim, i, s=script, o=offset: ([PY, "-c", s], creds_env(env, single[o + i % 12], sim)),
                           must_succeed)
            imp, setup = c.inner("import_s", LATENCY_MS), c.inner("setup_s", LATENCY_MS)
            calls0 = c.inner("calls_s", 0)
            rows.append((what, f"{v.med(LATENCY_MS)*1e3:.0f} ms, {v.rt():.2f} RT",
                         f"{c.med(LATENCY_MS)*1e3:.0f} ms, {c.calls_rt():.2f} RT (import {imp*1e3:.0f}, "
                         f"setup {setup*1e3:.0f}, calls@0 {calls0*1e3:.0f} ms)",
                         f"{v.med(LATENCY_MS)/c.med(LATENCY_MS):.2f}x time, {v.rt()/c.calls_rt():.2f}x RT",
                         "", "info"))
            rss_other = peak_rss_mb([PY, "-c", script], creds_env(env, single[o_rss], sims[0]), tmp)
            o_rss += 1
            notes.append(f"{label}: {sum(c.paths().values())} requests, per wave {c.shape()}, "
                         f"sent at {c.offsets()}; "
                         f"peak RSS {rss_other:.0f} MB")

        # verify --all over 50 profiles ---------------------------------------------------------
        kenv = {**env, "PYTHONPATH": str(BENCH), "PYTHON_KEYRING_BACKEND": "bench_keyring.JsonFileKeyring",
                "BENCH_KEYRING_FILE": str(tmp / "keyring.json")}
        stored = run([PY, "-c", STORE_SCRIPT], kenv, stdin=json.dumps(profiles))
        if stored.code != 0 or stored.out.strip() != str(N_PROFILES):
            sys.exit(f"bench: storing {N_PROFILES} profiles failed: {stored.out}{stored.err[-800:]}")

        def all_cmd(sim: Sim, i: int) -> tuple[list[str], dict[str, str]]:
            return [str(okxlink), "verify", "--all", "--json"], {**kenv, "OKXLINK_BASE_URL": sim.template}

        def all_ready(r: Run, cmd: list[str]) -> None:
            must_succeed(r, cmd)
            reports = json.loads(r.out)
            if len(reports) != N_PROFILES or not all(x["ready"] for x in reports):
                sys.exit(f"bench: verify --all did not find {N_PROFILES} ready profiles")

        time.sleep(2.1)  # public/time counts per IP over 2 s: start with an empty window
        a = timed_runs(sims, args.all_runs, all_cmd, all_ready, gap_s=2.1, warmups=0)
        ok_all = a.rt() <= TARGETS["all_rt"] and a.refused() == 0
        rows.append((f"verify --all --json, {N_PROFILES} profiles: round trips added",
                     f"{a.rt():.2f} RT ({a.med(LATENCY_MS)*1e3:.0f} ms)",
                     f"@0 ms: {a.med(0)*1e3:.0f} ms; 1 key: {v.med(0)*1e3:.0f} ms",
                     f"{a.rt():.2f} RT, {a.refused()} x 50011",
                     f"<= {TARGETS['all_rt']:g} RT, 0 x 50011", verdict(ok_all)))
        notes.append(f"verify --all: {sum(a.paths().values())} requests, per wave {a.shape()}: "
                     + ", ".join(f"{k} x{n}" for k, n in sorted(a.paths().items()))
                     + f"; 429/50011 answers over {2*args.all_runs} runs: {a.refused()} (on {a.refused_on()})")

        # peak RSS ----------------------------------------------------------------------------
        rss = peak_rss_mb([str(okxlink), "verify", "--json"], creds_env(env, single[o_rss], sims[LATENCY_MS]), tmp)
        base_rss = peak_rss_mb([PY, "-c", "pass"], env, tmp)
        all_rss = peak_rss_mb([str(okxlink), "verify", "--all", "--json"],
                              {**kenv, "OKXLINK_BASE_URL": sims[0].template}, tmp)
        rows.append(("peak RSS: okxlink verify --json (1 key)", f"{rss:.1f} MB",
                     f"python -c pass: {base_rss:.1f} MB", f"{rss:.1f} MB", f"<= {TARGETS['rss_mb']:g} MB",
                     verdict(rss <= TARGETS["rss_mb"])))
        rows.append(("  peak RSS: okxlink verify --all (50 keys)", f"{all_rss:.1f} MB", "", "", "", "info"))

        print(table(rows))
        for n in notes:
            print("  - " + n)
        print(f"  ({args.runs} start-up runs per command after 2 warm-ups; {args.verify_runs} verify runs per "
              f"latency; {args.all_runs} --all runs per latency; RT = (median@{LATENCY_MS} - median@0) / "
              f"{LATENCY_MS} ms; {time.monotonic()-started:.0f} s)")
        return 0
    finally:
        for sim in sims.values():
            sim.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
