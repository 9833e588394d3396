"""kill -9 at every point of setup, link and remove (of a linked profile too), and concurrent setups:
nothing is ever half-written or lost.

okxlink runs as a real process (the simulator and its link service on loopback, the real Secret
Service keyring) under a tiny `python -c` wrapper that intercepts the storage and linking steps —
the keyring write / delete / token write, the write of profiles.toml's temporary file, its rename
over profiles.toml, the POST that creates a link and its answer — and SIGKILLs itself at step N.
A traced run of each command first lists its steps, so every point is hit deterministically, with
no timing. A kill inside the temporary file's write leaves it half-written.

After each kill: `okxlink profiles --json` (profiles.toml must parse), `okxlink verify --profile P
--json` (a listed profile must be usable) and `secret-tool lookup` (what the keyring really holds)
must show exactly the old state or the new one: the profile listed ⇔ its secret present and the
metadata describing that secret (the masked key). Then the command is run again and must reach the
new state; a link left pending must be retried with the same Idempotency-Key and the service must
hold exactly one link for the key (GET /v1/links).

Concurrency: two `okxlink setup` for the same profile, or for two new profiles, meet at a barrier
just before profiles.toml's lock, and the first to get it holds it until the other has asked for it
(so every round is contended, without timing), 20 rounds: profiles.toml always parses and holds
every profile, the winner's metadata matches the winner's secret, and the lock's critical sections
never overlap. A setup that fails has its stderr in the failure message.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from okxlink.core.credentials import mask
from okxlink.sim.accounts import Account, dump_accounts

from conftest import start_sim
from real_keyring import secret_service  # noqa: F401  (the fixture)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.slow

ROUNDS = 20
WRAPPER = r"""
import json, os, signal, sys, time

KILL = int(os.environ.get("ATOM_KILL", "-1"))       # die at this step (0-based)
TRACE = os.environ.get("ATOM_TRACE")                # one JSON line per step
BARRIER = os.environ.get("ATOM_BARRIER")            # "DIR:N": N processes meet before locking
step = 0


def note(event, **info):
    global step
    if step == KILL:
        os.kill(os.getpid(), signal.SIGKILL)
    if TRACE:
        with open(TRACE, "a") as f:
            f.write(json.dumps({"step": step, "event": event, "t": time.monotonic(), **info}) + "\n")
    step += 1


import okxlink.storage.keyring_store as ks
for name in ("set", "delete", "set_token"):
    def hooked(self, *args, _real=getattr(ks.KeyringStore, name), _name=name):
        note("keyring." + _name)
        return _real(self, *args)
    setattr(ks.KeyringStore, name, hooked)

_replace = os.replace
def replace(src, dst, *a, **kw):
    if str(dst).endswith("profiles.toml"):
        note("toml.replace")
    return _replace(src, dst, *a, **kw)
os.replace = replace


class Torn:
    # profiles.toml's temporary file: at the kill step, write half of it and die
    def __init__(self, f):
        self._f = f
    def write(self, data):
        if step == KILL:
            self._f.write(data[: len(data) // 2])
            self._f.flush()
        note("toml.write", size=len(data))
        return self._f.write(data)
    def __getattr__(self, name):
        return getattr(self._f, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self._f.__exit__(*exc)

_fdopen = os.fdopen
def fdopen(fd, *a, **kw):
    f = _fdopen(fd, *a, **kw)
    try:
        path = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return f
    return Torn(f) if os.path.basename(path).startswith(".profiles.") else f
os.fdopen = fdopen

import okxlink.core.linking as linking
_create = linking.LinkClient.create
async def create(self, creds, **kw):
    note("link.create", idempotency_key=kw.get("idempotency_key"))
    link = await _create(self, creds, **kw)
    note("link.created", id=link.id)
    return link
linking.LinkClient.create = create
_delete = linking.LinkClient.delete
async def delete(self, link_id):
    note("link.delete", id=link_id)
    await _delete(self, link_id)
    note("link.deleted", id=link_id)
linking.LinkClient.delete = delete

import okxlink.storage.profiles as profiles
_lock = profiles._lock
def meet(where, prefix, n):
    # wait until N processes left a file `prefix<pid>` in `where`; a process that died before
    # arriving only costs 20 s (the test then reports its exit)
    deadline = time.monotonic() + 20
    while sum(x.startswith(prefix) for x in os.listdir(where)) < n and time.monotonic() < deadline:
        time.sleep(0.002)


def lock(path):
    # With a barrier: all meet, then each says it asks for the lock before asking, and the one that
    # gets it holds it until all have asked: every round is contended, by construction, not by timing.
    if BARRIER:
        where, n = BARRIER.rsplit(":", 1)
        open(os.path.join(where, f"at-{os.getpid()}"), "w").close()
        meet(where, "at-", int(n))
    asked = time.monotonic()
    if BARRIER:
        open(os.path.join(where, f"asking-{os.getpid()}"), "w").close()
    fd = _lock(path)
    t = time.monotonic()
    if BARRIER:
        meet(where, "asking-", int(n))
    if TRACE:
        with open(TRACE, "a") as f:
            f.write(json.dumps({"event": "locked", "asked": asked, "t": t, "pid": os.getpid()}) + "\n")
    return fd
profiles._lock = lock
_write = profiles.ProfilesFile._write
def write(self, data):
    _write(self, data)
    if TRACE:
        with open(TRACE, "a") as f:
            f.write(json.dumps({"event": "written", "t": time.monotonic(), "pid": os.getpid()}) + "\n")
profiles.ProfilesFile._write = write

from okxlink.cli.app import main
main(sys.argv[1:])
"""


# --- the world: a simulator with our own accounts, the real keyring --------------------------------

def _account(name: str, i: int) -> Account:
    key = f"a7a7{i:04x}-{secrets.token_hex(2)}-4{secrets.token_hex(2)[1:]}-8{secrets.token_hex(2)[1:]}-" \
          f"{secrets.token_hex(4)}{i:04x}"  # unique first and last four: the service's mask tells them apart
    return Account(name=name, api_key=key)


@dataclass
class World:
    sim: Any
    accounts: dict[str, dict[str, Any]]
    ss: Any
    root: Path
    _next: int = 0

    def take(self) -> str:
        """A fresh account (the caller's alone)."""
        self._next += 1
        return f"k{self._next - 1}"

    def store(self, config: Path, profile: str, account: str) -> None:
        """A stored profile as `okxlink setup --keep-unverified` leaves one (secret in the keyring,
        metadata without OKX's label), written by okxlink's own ProfileRepo in this process."""
        from okxlink.core.credentials import Credentials
        from okxlink.storage import KeyringStore, ProfileMeta, ProfileRepo, ProfilesFile

        a = self.accounts[account]
        ProfileRepo(KeyringStore(backend=self.ss.backend()), ProfilesFile(config / "profiles.toml")).save(
            profile, Credentials(api_key=a["api_key"], secret_key=a["secret_key"], passphrase=a["passphrase"]),
            ProfileMeta(name=profile, site="global", demo=False))

    def env(self, config: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in self.ss.env().items() if not k.startswith(("OKX_", "OKXLINK_"))}
        return {**env, "NO_COLOR": "1", "COLUMNS": "120", "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8",
                "OKXLINK_CONFIG_DIR": str(config), "OKXLINK_BASE_URL": self.sim.template,
                "OKXLINK_LINK_URL": self.sim.link_url, "OKXLINK_LINK_TOKEN": self.sim.link_token, **extra}

    def creds(self, name: str) -> dict[str, str]:
        a = self.accounts[name]
        return {"OKX_API_KEY": a["api_key"], "OKX_SECRET_KEY": a["secret_key"], "OKX_PASSPHRASE": a["passphrase"]}

    def okxlink(self, config: Path, *args: str, wrapped: bool = False, **extra: str) -> tuple[int, str, str]:
        cmd = [sys.executable, "-c", WRAPPER] if wrapped else [sys.executable, "-m", "okxlink"]
        r = subprocess.run([*cmd, *args], env=self.env(config, **extra), capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr

    def links(self) -> list[dict[str, Any]]:
        r = httpx.get(self.sim.link_url + "/v1/links", timeout=10,
                      headers={"Authorization": f"Bearer {self.sim.link_token}"})
        r.raise_for_status()
        return list(r.json()["links"])


ACCOUNTS = 120  # one per role and kill point: the simulator rate-limits each account as OKX does


@pytest.fixture(scope="module")
def world(secret_service, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("atomicity")
    accounts = [_account(f"k{i}", i) for i in range(ACCOUNTS)]
    (root / "accounts.json").write_text(json.dumps(dump_accounts(accounts)))
    sim = start_sim("--accounts", str(root / "accounts.json"))
    # the old states are written in this process (okxlink's own ProfileRepo) straight into the keyring
    with pytest.MonkeyPatch.context() as mp:
        for name, value in secret_service.vars.items():
            mp.setenv(name, value)
        yield World(sim, {a["name"]: a for a in sim.line["accounts"]}, secret_service, root)
    sim.stop()


# --- observing a profile ------------------------------------------------------------------------

@dataclass
class Seen:
    profiles_exit: int
    listed: bool
    key: str | None          # masked key in the metadata
    secret: str | None       # api key in the keyring
    verify_exit: int
    link: dict[str, Any] | None
    litter: int              # temporary files left in the config directory

    def who(self, world: World) -> tuple[str, str]:
        """('absent' | an account name | 'half: …', details): an account name means listed, usable,
        and the metadata and the secret in the keyring agree."""
        if self.profiles_exit != 0:
            return "half: profiles.toml unreadable", f"okxlink profiles exit {self.profiles_exit}"
        if not self.listed:
            if self.verify_exit == 2:
                return "absent", ""
            return "half: not listed yet usable", f"verify exit {self.verify_exit}"
        if self.secret is None:
            return "half: listed without its secret", f"key {self.key}, verify exit {self.verify_exit}"
        if mask(self.secret) != self.key:
            owner = next((n for n, a in world.accounts.items() if a["api_key"] == self.secret), "?")
            return ("half: metadata of one key over another key's secret",
                    f"metadata says {self.key}, the keyring holds {mask(self.secret)} ({owner})")
        if self.verify_exit != 0:
            return "half: listed with its secret, not usable", f"verify exit {self.verify_exit}"
        return next((n for n, a in world.accounts.items() if a["api_key"] == self.secret), "?"), ""


def observe(world: World, config: Path, profile: str) -> Seen:
    code, out, _err = world.okxlink(config, "profiles", "--json")
    rows = {p["name"]: p for p in json.loads(out)["profiles"]} if code == 0 else {}
    vcode, _out, _err = world.okxlink(config, "verify", "--profile", profile, "--json")
    raw = world.ss.lookup(profile)
    toml = config / "profiles.toml"
    table = tomllib.loads(toml.read_text()).get("profiles", {}).get(profile, {}) if code == 0 and toml.exists() else {}
    return Seen(code, profile in rows, rows.get(profile, {}).get("key"), json.loads(raw)["api_key"] if raw else None,
                vcode, next(iter(table.get("links") or []), None), len(list(config.glob(".profiles.*"))))


def quick(world: World, config: Path, profile: str) -> tuple[bool, str | None, str | None, dict | None]:
    """The same without processes: okxlink's own reader, and secret-tool."""
    from okxlink.storage import ProfilesFile

    metas = ProfilesFile(config / "profiles.toml").read()
    raw = world.ss.lookup(profile)
    meta = metas.get(profile)
    record = meta.links[0] if meta is not None and meta.links else None
    link = None if record is None else {"id": record.id, "state": record.state, **record.extra}
    return meta is not None, meta.key if meta else None, json.loads(raw)["api_key"] if raw else None, link


def trace(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --- the kill points ------------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    args: tuple[str, ...]
    before: bool              # the profile exists (account "old") before the command
    allowed: tuple[str, ...]  # what may be seen after a kill: "absent", "old", "new"
    final: str                # what must be seen after the command ran again
    creds: bool = False       # the command reads account "new" from the environment
    linked: bool = False      # the profile is linked to the simulator's service before the command


SCENARIOS = [
    Scenario("setup-new", ("setup", "--non-interactive"), False, ("absent", "new"), "new", creds=True),
    Scenario("setup-replace", ("setup", "--non-interactive"), True, ("old", "new"), "new", creds=True),
    Scenario("remove", ("remove", "--yes"), True, ("old", "absent"), "absent"),
    Scenario("remove-linked", ("remove", "--yes"), True, ("old", "absent"), "absent", linked=True),
    Scenario("link", ("link", "--yes", "--json"), True, ("old",), "old"),  # the secret stays; the link comes
]


@dataclass
class Point:
    scenario: Scenario
    step: int
    event: str
    profile: str
    config: Path
    old: str = ""
    new: str = ""
    problems: list[str] = field(default_factory=list)
    after: str = ""
    litter: int = 0

    def run(self, world: World, **extra: str) -> tuple[int, str, str]:
        s = self.scenario
        creds = world.creds(self.new) if s.creds else {}
        return world.okxlink(self.config, s.args[0], "--profile", self.profile, *s.args[1:], wrapped=True,
                             **creds, **extra)


def new_point(world: World, s: Scenario, step: int, event: str, profile: str) -> Point:
    p = Point(s, step, event, profile, world.root / profile, world.take() if s.before else "",
              world.take() if s.creds else "")
    if s.before:
        world.store(p.config, profile, p.old)
    if s.linked:
        code, _out, err = world.okxlink(p.config, "link", "--profile", profile, "--yes")
        assert code == 0, err
    return p


def kill_at(world: World, point: Point) -> Point:
    s, profile, config = point.scenario, point.profile, point.config
    code, _out, err = point.run(world, ATOM_KILL=str(point.step), ATOM_TRACE=str(config / "kill.trace"))
    if code != -9:
        point.problems.append(f"not killed at step {point.step} (exit {code}): {err.strip()[-200:]}")
        return point
    seen = observe(world, config, profile)
    point.litter = seen.litter
    who, detail = seen.who(world)
    roles = {point.old: "old", point.new: "new", "absent": "absent"}
    point.after = roles.get(who, who)
    if point.after not in s.allowed:
        point.problems.append(f"after kill -9 at step {point.step} ({point.event}): {who} ({detail})")
    pending = (seen.link or {}).get("pending_idempotency_key")
    key_of = {"old": point.old, "new": point.new}
    final = world.accounts[key_of[s.final]]["api_key"] if s.final != "absent" else None
    links_before = [x for x in world.links() if x["api_key"] == mask(final)] if s.name == "link" and final else []
    held = [x["id"] for x in world.links() if x["api_key"] == mask(world.accounts[point.old]["api_key"])] \
        if s.linked else []
    if held and not (seen.listed and seen.link and seen.link.get("id") == held[0]):
        point.problems.append(f"after kill -9: the service holds link {held}, the profile lost track of it: "
                              f"{point.after}, {seen.link}")
    if s.name == "link" and seen.link and seen.link.get("state") == "linked" and \
            [x["id"] for x in links_before] != [seen.link.get("id")]:
        point.problems.append(f"after kill -9: the profile says linked to {seen.link.get('id')}, the service "
                              f"holds {[x['id'] for x in links_before]}")
    # the command again, to completion
    retry_trace = config / "retry.trace"
    code, _out, err = point.run(world, ATOM_TRACE=str(retry_trace))
    # nothing left to remove (2), or the rest of an interrupted removal finished (0)
    expect_exit: tuple[int, ...] = (0, 2) if s.name == "remove" and point.after == "absent" else (0,)
    if code not in expect_exit:
        point.problems.append(f"running it again: exit {code} (expected {expect_exit}): {err.strip()[-300:]}")
    listed, key, secret, link = quick(world, config, profile)
    if final is None and (listed or secret is not None):
        point.problems.append(f"after running it again: listed={listed}, secret left={secret is not None}")
    if s.linked and [x for x in world.links() if x["api_key"] == mask(world.accounts[point.old]["api_key"])]:
        point.problems.append("after running it again: the service still holds the key")
    if final is not None and (not listed or secret != final or key != mask(final)):
        point.problems.append(f"after running it again: listed={listed}, key={key}, secret of "
                              f"{mask(secret) if secret else None}, expected {mask(final)}")
    if s.name == "link" and final:
        mine = [x for x in world.links() if x["api_key"] == mask(final)]
        if len(links_before) > 1 or len(mine) != 1:
            point.problems.append(f"the service holds {len(links_before)} then {len(mine)} links for the key")
        if not link or link.get("state") != "linked" or not mine or link.get("id") != mine[0]["id"]:
            point.problems.append(f"the profile's link {link} is not the service's {mine}")
        sent = [e.get("idempotency_key") for e in trace(retry_trace) if e["event"] == "link.create"]
        if pending and sent != [pending]:
            point.problems.append(f"a pending link was retried with Idempotency-Key {sent}, not {pending}")
        point.after += " (pending)" if pending else " (linked)" if link and seen.link else ""
    return point


@pytest.fixture(scope="module")
def kill_points(world):
    """Trace each command once (that run is also proof the new state is reachable), then kill it at
    every step it took, each in its own config directory, profile and accounts, a few at a time."""
    def traced_run(p: Point) -> list[dict[str, Any]]:
        code, _out, err = p.run(world, ATOM_TRACE=str(p.config / "trace"))
        assert code == 0, f"{p.scenario.name}: {err}"
        return [e for e in trace(p.config / "trace") if "step" in e]

    with ThreadPoolExecutor(max_workers=4) as pool:
        tracers = [new_point(world, s, -1, "", f"trace-{s.name}") for s in SCENARIOS]
        traced = dict(zip([s.name for s in SCENARIOS], pool.map(traced_run, tracers), strict=True))
        points = [new_point(world, s, e["step"], e["event"], f"atom-{s.name}-{e['step']}")
                  for s in SCENARIOS for e in traced[s.name]]
        done = list(pool.map(lambda p: kill_at(world, p), points))
    return traced, done


POINT_IDS = [f"{s.name}" for s in SCENARIOS]


@pytest.mark.parametrize("scenario", POINT_IDS)
def test_kill_9_at_every_step_leaves_old_or_new(scenario, kill_points):
    traced, done = kill_points
    mine = [p for p in done if p.scenario.name == scenario]
    assert mine and len(mine) == len(traced[scenario])
    problems = [f"step {p.step} {p.event}: {'; '.join(p.problems)}" for p in mine if p.problems]
    assert not problems, f"{scenario}: {len(problems)} of {len(mine)} kill points:\n" + "\n".join(problems)


def test_every_write_is_a_kill_point(kill_points):
    """The traced steps cover every write each command makes: the keyring, profiles.toml, the link."""
    traced, _done = kill_points
    events = {name: {e["event"] for e in steps} for name, steps in traced.items()}
    assert {"keyring.set", "toml.write", "toml.replace"} <= events["setup-new"]
    assert {"keyring.set", "toml.write", "toml.replace"} <= events["setup-replace"]
    assert {"keyring.delete", "toml.write", "toml.replace"} <= events["remove"]
    assert {"link.delete", "link.deleted", "keyring.delete", "toml.write", "toml.replace"} <= events["remove-linked"]
    assert {"toml.write", "toml.replace", "link.create", "link.created", "keyring.set_token"} <= events["link"]


def test_a_pending_link_survives_a_verify_before_the_retry(world):
    """The service made the link but okxlink died before it recorded it; the user then runs
    `okxlink verify`, which records what OKX says about the key (here its label: the profile was kept
    unverified, so it had none; a key relabelled on OKX, or a `verify --site/--demo`, does the same)
    and links again. The retry must reuse the Idempotency-Key with the same body, as linking.md
    promises, and end with the one link."""
    p = new_point(world, next(s for s in SCENARIOS if s.name == "link"), 3, "link.created", "pending-then-verify")
    code, _out, err = p.run(world, ATOM_KILL="3")
    assert code == -9, err
    key = mask(world.accounts[p.old]["api_key"])
    assert [x["api_key"] for x in world.links()].count(key) == 1
    code, _out, err = world.okxlink(p.config, "verify", "--profile", p.profile, "--json")
    assert code == 0, err
    code, out, err = world.okxlink(p.config, "link", "--profile", p.profile, "--yes", "--json")
    assert code == 0, f"the retry failed: {err.strip()}"
    mine = [x for x in world.links() if x["api_key"] == key]
    assert len(mine) == 1 and json.loads(out)["id"] == mine[0]["id"]


# --- concurrency --------------------------------------------------------------------------------

def _tail(err: str, lines: int = 3) -> str:
    """The last lines of a process's stderr, for a failure message: they name the cause."""
    return " | ".join(err.strip().splitlines()[-lines:]) or "(stderr empty)"


def test_concurrent_setups_never_corrupt_or_lose(world, capsys):
    config = world.root / "concurrent"
    expected: set[str] = set()
    contended, problems = 0, []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(ROUNDS):
            barrier = world.root / f"barrier-{n}"
            barrier.mkdir()
            same = n % 2 == 0
            a, b = world.take(), world.take()
            jobs = [("shared", a), ("shared", b)] if same else [(f"r{n}-a", a), (f"r{n}-b", b)]
            tr = world.root / f"concurrent-{n}.trace"
            futures = [pool.submit(world.okxlink, config, "setup", "--profile", profile, "--non-interactive",
                                   wrapped=True, ATOM_BARRIER=f"{barrier}:2", ATOM_TRACE=str(tr),
                                   **world.creds(account))
                       for profile, account in jobs]
            ran = [f.result() for f in futures]
            codes = [code for code, _out, _err in ran]
            expected |= {p for p, _a in jobs}
            from okxlink.storage import ProfilesFile

            try:
                metas = ProfilesFile(config / "profiles.toml").read()
            except Exception as exc:  # noqa: BLE001 - a corrupt file is what we look for
                problems.append(f"round {n}: profiles.toml unreadable: {exc}")
                continue
            if codes != [0, 0]:
                why = "; ".join(f"{profile} exit {code}: {_tail(err)}"
                                for (profile, _a), (code, _out, err) in zip(jobs, ran, strict=True) if code)
                problems.append(f"round {n}: exits {codes} ({why})")
            if set(metas) != expected:
                problems.append(f"round {n}: profiles {sorted(metas)}, expected {sorted(expected)}")
            if "shared" in metas:
                raw = world.ss.lookup("shared")
                if not raw or mask(json.loads(raw)["api_key"]) != metas["shared"].key:
                    problems.append(f"round {n}: shared's metadata ({metas['shared'].key}) is not its secret's")
            events = trace(tr)
            locked = sorted((e["t"], e["pid"]) for e in events if e["event"] == "locked")
            written = {e["pid"]: e["t"] for e in events if e["event"] == "written"}
            second_asked = {e["pid"]: e["asked"] for e in events if e["event"] == "locked"}
            if len(locked) == 2 and all(pid in written for _t, pid in locked):
                first, second = locked
                if second[0] < written[first[1]]:
                    problems.append(f"round {n}: both held profiles.toml's lock at once")
                if second_asked[second[1]] < written[first[1]]:  # asked while the other held it
                    contended += 1
                else:
                    problems.append(f"round {n}: the second process asked for the lock only after the "
                                    f"first released it: the round was not contended")
            else:
                problems.append(f"round {n}: expected two locked writes, trace {events}")
    with capsys.disabled():
        print(f"\natomicity: concurrent setups: {ROUNDS} rounds, {contended} contended, "
              f"problems: {len(problems)}")
    assert not problems, "\n".join(problems)
    assert contended == ROUNDS


def test_atomicity_counts(kill_points, capsys):
    _traced, done = kill_points
    losses = [p for p in done if p.problems]
    seen = sorted({f"{p.scenario.name}:{p.after}" for p in done})
    per = ", ".join(f"{s.name} {sum(p.scenario is s for p in done)}" for s in SCENARIOS)
    line = (f"atomicity: kill points: {len(done)} ({per}), "
            f"states after kill: {', '.join(seen)}, halves/losses: {len(losses)}; "
            f"temporary files left by kills: {sum(p.litter for p in done)}")
    with capsys.disabled():
        print("\n" + line)
        for p in losses:
            print(f"  {p.scenario.name} step {p.step} ({p.event}): {'; '.join(p.problems)}")
    assert len(done) >= 12
