"""`okxlink rotate` against two real platforms: each a simulator process with its own reference
link service and token, both serving the same accounts (so each can check the keys with "its"
OKX), and a third simulator as the OKX okxlink itself asks.

Each test uses keys of its own account (a pair: old and new, one uid), so no test sees another's
links and none meets another's request limits (OKX counts them per account).

- end to end: okxlink as real processes with the real Secret Service keyring;
- in this process (tests/inproc.py): the run stopped at every step boundary (Ctrl-C), a platform
  down, a platform not ready for the new key, the wizard, and the refusals. Each stopped run is
  run again and must end where an uninterrupted run ends."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from okxlink.core.credentials import mask
from okxlink.flows import rotating
from okxlink.sim.accounts import Account, default_accounts, dump_accounts, new_uid
from okxlink.sim.child import SimChild, spawn
from okxlink.storage import ProfileMeta, ProfilesFile

from conftest import clean_env, okxlink, start_sim
from inproc import InProcess
from real_keyring import secret_service  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
PAIRS = ("plain", "k0", "k1", "k2", "k3", "k4", "k5", "down", "attn", "wizard", "refuse", "lost",
         "ab-linked-A", "ab-withdrawn-A", "ab-withdrawn-B")
STOPS = ("after begin", "linked A", "withdrawn A", "linked B", "withdrawn B", "before finish")
# what each platform holds once the run stopped there (o: the old key, n: the new one)
HELD_AT_STOP = {"after begin": ("o", "o"), "linked A": ("on", "o"), "withdrawn A": ("n", "o"),
                "linked B": ("n", "on"), "withdrawn B": ("n", "n"), "before finish": ("n", "n")}
FIELDS = ("api_key", "secret_key", "passphrase")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Platform:
    """A simulator whose link service can stop and start again on its port, with its links (the
    database) and its token: a platform that goes down and comes back."""
    accounts: Path
    db: Path
    port: int
    token: str
    child: SimChild | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, accounts: Path | None = None) -> None:
        self.child = spawn("--accounts", str(accounts or self.accounts), "--link-db", str(self.db),
                           "--link-port", str(self.port), link_token=self.token)
        assert self.child.link_url == self.url

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()
            self.child = None

    def held(self, *keys: str) -> list[str]:
        """Which of `keys` (masked) the platform holds, as it lists them. Every test links with the
        same token, so the platform lists the other tests' keys too."""
        r = httpx.get(self.url + "/v1/links", headers={"Authorization": f"Bearer {self.token}"}, timeout=10)
        assert r.status_code == 200, r.text
        return sorted(link["api_key"] for link in r.json()["links"] if link["api_key"] in keys)


@dataclass
class World:
    okx: SimChild        # the OKX okxlink asks
    a: Platform
    b: Platform
    accounts: dict[str, Account]
    path: Path

    def creds(self, name: str) -> dict[str, str]:
        return {k: getattr(self.accounts[name], k) for k in FIELDS}

    def payload(self, name: str) -> str:
        return json.dumps(self.creds(name))

    def masked(self, name: str) -> str:
        return mask(self.accounts[name].api_key)


def pair(name: str, *more: str, **server: Any) -> list[Account]:
    uid = new_uid()  # two (or more) keys of one account
    return [Account(name=f"{name}-{role}", uid=uid, **server) for role in ("old", "new", *more)]


def write_accounts(path: Path, accounts: list[Account]) -> Path:
    path.write_text(json.dumps(dump_accounts(accounts)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("rotate")
    listed = [*default_accounts()[:2]]  # ready and ready-2: two keys of one account
    for name in PAIRS:
        listed += pair(name, "third") if name == "lost" else pair(name)
    listed += pair("bound", ip=["127.0.0.2"])  # keys bound to the platforms' address only
    refuse_uid = next(a.uid for a in listed if a.name == "refuse-old")
    listed += [Account(name="other-account"),  # a ready key of another account
               Account(name="refuse-no-trade", uid=refuse_uid, perm=["read_only"]),
               Account(name="refuse-bound", uid=refuse_uid, ip=["127.0.0.2"])]
    path = write_accounts(root / "accounts.json", listed)
    okx = start_sim("--accounts", str(path), "--no-link")
    platforms = [Platform(path, root / f"{n}.db", free_port(), f"token-{n}-" + new_uid()) for n in "ab"]
    try:
        for p in platforms:
            p.start()
        yield World(okx, *platforms, {a.name: a for a in listed}, path)
    finally:
        for p in platforms:
            p.stop()
        okx.stop()


# ---- in this process ------------------------------------------------------------------------------
@pytest.fixture()
def run(world: World, tmp_path: Path) -> InProcess:
    return InProcess(tmp_path / "config", base_url=world.okx.template)


def meta(run: InProcess, profile: str = "p") -> ProfileMeta:
    return ProfilesFile(run.config_dir / "profiles.toml").read()[profile]


def linked(world: World, run: InProcess, old: str, *flags: str, profile: str = "p") -> None:
    """Profile `profile` holds key `old` and is linked to both platforms, as okxlink link leaves it."""
    done = run("setup", "--profile", profile, "--stdin", *flags, stdin=world.payload(old))
    assert done.code == 0, done.err
    for p in (world.a, world.b):
        run.link_token = p.token  # OKXLINK_LINK_TOKEN, for the service given with --service only
        done = run("link", "--profile", profile, "--service", p.url, "--yes")
        assert done.code == 0, done.out + done.err
    run.link_token = None  # rotate finds each platform's token where link kept it


def rotate(world: World, run: InProcess, new: str, *extra: str, profile: str = "p", width: int = 200):
    return run("rotate", "--profile", profile, "--stdin", "--yes", *extra, stdin=world.payload(new), width=width)


def end_state(world: World, run: InProcess, old: str, new: str, profile: str = "p") -> dict[str, Any]:
    """Everything a rotation leaves, with the keys named by role: comparable across pairs."""
    role = {world.masked(old): "old", world.masked(new): "new"}
    m = meta(run, profile)
    stored = run.secrets.get(profile)
    return {
        "platforms": [[role[k] for k in p.held(*role)] for p in (world.a, world.b)],
        "key": role.get(m.key, m.key), "rotation": m.rotation,
        "links": sorted((r.service, role.get(r.key, r.key), r.state, r.spot) for r in m.links),
        "secret": stored is not None and stored.api_key == world.accounts[new].api_key
        and stored.secret_key.get_secret_value() == world.accounts[new].secret_key
        and stored.passphrase.get_secret_value() == world.accounts[new].passphrase,
        "next": run.secrets.get(profile + "#next"),
    }


def rotated(world: World) -> dict[str, Any]:
    return {"platforms": [["new"], ["new"]], "key": "new", "rotation": None,
            "links": sorted((p.url, "new", "linked", "ready") for p in (world.a, world.b)),
            "secret": True, "next": None}


def test_rotation_moves_every_platform_to_the_new_key(world, run):
    linked(world, run, "plain-old")
    old, new = world.masked("plain-old"), world.masked("plain-new")
    done = rotate(world, run, "plain-new")
    assert done.code == 0, done.out + done.err
    assert end_state(world, run, "plain-old", "plain-new") == rotated(world)
    assert done.out == (
        f"Profile p now uses key {new}.\n"
        f"  {world.a.host} holds the new key {new}; the old key is withdrawn there.\n"
        f"  {world.b.host} holds the new key {new}; the old key is withdrawn there.\n"
        "The new key is stored in memory (forgotten when okxlink exits); the old key's secret is deleted from it.\n"
        f"Delete the old key {old} on OKX now: https://www.okx.com/account/my-api?go-live-trading=1\n")
    assert meta(run).verify.ready is True and meta(run).label == "okxlink-sim plain-new (fake)"


def interrupt(monkeypatch: pytest.MonkeyPatch, stop: str, world: World) -> None:
    """Ctrl-C at `stop`: right after begin, after a recorded step of move_links, or before finish."""
    if stop == "after begin":
        begin = rotating.begin

        def begun(*args: Any) -> None:
            begin(*args)
            raise KeyboardInterrupt
        monkeypatch.setattr(rotating, "begin", begun)
    elif stop == "before finish":
        def finish(*args: Any) -> None:
            raise KeyboardInterrupt
        monkeypatch.setattr(rotating, "finish", finish)
    else:
        kind, which = stop.split()
        at = f"{kind} {(world.a if which == 'A' else world.b).url}"
        move = rotating.move_links

        def moving(repo, profile, tokens, http, checkpoint=lambda step: None):
            def stopping(step: str) -> None:
                checkpoint(step)
                if step == at:
                    raise KeyboardInterrupt
            return move(repo, profile, tokens, http, stopping)
        monkeypatch.setattr(rotating, "move_links", moving)


@pytest.mark.parametrize("k", range(len(STOPS)), ids=lambda k: STOPS[k].replace(" ", "-"))
def test_stopped_at_any_step_then_run_again_ends_as_one_run_does(world, run, monkeypatch, k):
    stop, old, new = STOPS[k], f"k{k}-old", f"k{k}-new"
    linked(world, run, old)
    interrupt(monkeypatch, stop, world)
    stopped = rotate(world, run, new)
    monkeypatch.undo()
    assert stopped.code == 130, stopped.out + stopped.err
    # each platform holds the old key, the new one, or both, and okxlink still has both secrets
    names = {"o": world.masked(old), "n": world.masked(new)}
    for platform, held in zip((world.a, world.b), HELD_AT_STOP[stop], strict=True):
        assert platform.held(*names.values()) == sorted(names[c] for c in held), (stop, platform.host)
        line = next(line for line in stopped.err.splitlines() if f"{platform.host} holds" in line)
        assert ("the old key " + names["o"] in line) == ("o" in held), line
        assert ("the new key " + names["n"] in line) == ("n" in held), line
        assert "perhaps" not in line
    assert run.secrets.get("p").api_key == world.accounts[old].api_key
    assert run.secrets.get("p#next").api_key == world.accounts[new].api_key
    assert meta(run).key == names["o"] and meta(run).rotation.key == names["n"]
    assert "Run okxlink rotate --profile p again to continue." in stopped.err
    assert f"Both keys' secrets stay in memory (forgotten when okxlink exits): {names['o']} and {names['n']}." \
        in stopped.err

    again = run("rotate", "--profile", "p", "--yes")  # no new credentials: the recorded rotation goes on
    assert again.code == 0, again.out + again.err
    assert again.out.startswith(f"Continuing the rotation to key {names['n']} started ")
    assert end_state(world, run, old, new) == rotated(world)


def test_a_platform_down_stops_the_rotation_and_the_next_run_finishes_it(world, run):
    linked(world, run, "down-old")
    old, new = world.masked("down-old"), world.masked("down-new")
    world.b.stop()
    try:
        stopped = rotate(world, run, "down-new")
    finally:
        world.b.start()
    assert stopped.code == 4, stopped.out + stopped.err
    assert f"{world.a.host} holds the new key {new}\n" in stopped.err
    # the request to B was prepared, and may have arrived: B perhaps holds the new key too
    assert f"{world.b.host} holds the old key {old}, the new key {new} (perhaps)\n" in stopped.err
    assert "Could not reach the linking service" in stopped.err and "again to continue" in stopped.err
    assert (world.a.held(old, new), world.b.held(old, new)) == ([new], [old])

    again = rotate(world, run, "down-new")  # the same command, run again, with the same key
    assert again.code == 0, again.out + again.err
    assert end_state(world, run, "down-old", "down-new") == rotated(world)


def test_a_platform_not_ready_for_the_new_key_keeps_the_old_one(world, run, tmp_path):
    linked(world, run, "attn-old")
    old, new = world.masked("attn-old"), world.masked("attn-new")
    # on B's OKX the new key lacks Trade: B takes it but says it needs attention
    accounts = json.loads(world.path.read_text())
    for a in accounts["accounts"]:
        if a["name"] == "attn-new":
            a["perm"] = ["read_only"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(accounts))
    world.b.stop()
    try:
        world.b.start(broken)
        stopped = rotate(world, run, "attn-new")
    finally:
        world.b.stop()
        world.b.start()  # the key is fixed on OKX
    assert stopped.code == 3, stopped.out + stopped.err
    assert f"Linked to {world.b.host}: Spot needs attention." in stopped.out
    assert "permission-trade" in stopped.out
    assert "says it needs attention; it still holds the old key" in stopped.err
    assert f"{world.b.host} holds the old key {old}, the new key {new}\n" in stopped.err
    assert (world.a.held(old, new), world.b.held(old, new)) == ([new], sorted([old, new]))

    again = run("rotate", "--profile", "p", "--yes")  # B checks the key again, now ready
    assert again.code == 0, again.out + again.err
    assert end_state(world, run, "attn-old", "attn-new") == rotated(world)


def test_a_key_bound_to_the_platforms_moves_to_another_bound_key(world, run):
    # only the platforms can check both keys (50110 here): each says ready before the old key leaves it
    linked(world, run, "bound-old", "--keep-unverified")
    assert meta(run).verify.statuses["ip-whitelist"] == "warn"
    done = rotate(world, run, "bound-new")
    assert done.code == 0, done.out + done.err
    assert end_state(world, run, "bound-old", "bound-new") == rotated(world)
    assert meta(run).verify.statuses["ip-whitelist"] == "warn" and meta(run).verify.ready is None


def test_the_wizard_makes_the_new_key_and_asks_once(world, tmp_path, script):
    run = InProcess(tmp_path / "config", base_url=world.okx.template)
    linked(world, run, "wizard-old")
    old, new = world.masked("wizard-old"), world.masked("wizard-new")
    creds = world.creds("wizard-new")
    steps = {"key-use": "third-party", "generate-passphrase": False, "key-created": True,
             "api-key": creds["api_key"], "secret-key": creds["secret_key"], "passphrase": creds["passphrase"]}
    before = (run.secrets.get("p"), meta(run), world.a.held(old, new), world.b.held(old, new))
    asker = script({**steps, "rotate-send": False})
    declined = run("rotate", "--profile", "p", asker=asker, width=200)
    assert declined.code == 2 and "Stopped before sending anything." in declined.err
    assert (run.secrets.get("p"), meta(run), world.a.held(old, new), world.b.held(old, new)) == before
    assert declined.out.startswith(f"Make the new key where the old key {old} is (Global · live): "
                                   "with Read and Trade, never Withdraw, and bound to the same IP addresses.\n")
    assert "[1/3] Create the API key" in declined.out and "[3/3] Check the key with OKX" in declined.out
    hosts = f"{world.a.host}, {world.b.host}"
    assert asker.messages[-1] == (f"Send new key {new} to {hosts} and withdraw old key {old} there once "
                                  "each says ready?")

    done = run("rotate", "--profile", "p", asker=script({**steps, "rotate-send": True}))
    assert done.code == 0, done.out + done.err
    assert end_state(world, run, "wizard-old", "wizard-new") == rotated(world)


def test_refusals_change_nothing(world, run):
    linked(world, run, "refuse-old")
    keys = [world.masked(n) for n in ("refuse-old", "refuse-new", "other-account", "refuse-no-trade", "refuse-bound")]
    before = ((run.config_dir / "profiles.toml").read_bytes(), repr(run.secrets), world.a.held(*keys),
              world.b.held(*keys))
    assert before[2:] == ([keys[0]], [keys[0]])

    def unchanged() -> None:
        assert ((run.config_dir / "profiles.toml").read_bytes(), repr(run.secrets), world.a.held(*keys),
                world.b.held(*keys)) == before

    no_yes = run("rotate", "--profile", "p", "--stdin", stdin=world.payload("refuse-new"))
    assert no_yes.code == 2 and "no terminal to ask in" in no_yes.err and "--yes" in no_yes.err
    assert len(no_yes.err.strip().splitlines()) == 2  # one sentence and its fix
    unchanged()
    same = rotate(world, run, "refuse-old")
    assert same.code == 2 and "That is the key profile p already has." in same.err
    unchanged()
    other = rotate(world, run, "other-account")
    assert other.code == 2 and "belongs to the OKX account with UID" in other.err
    unchanged()
    not_ready = rotate(world, run, "refuse-no-trade")
    assert not_ready.code == 3 and "Trade permission" in not_ready.out
    assert "Not rotated; nothing changed." in not_ready.err
    unchanged()
    # bound to the platforms' address while the old key is not: refused, though OKX knows the key
    bound = rotate(world, run, "refuse-bound")
    assert bound.code == 3 and "OKX refuses the new key from this machine's IP address" in bound.err
    assert "Not rotated; nothing changed." in bound.err
    unchanged()
    nothing = run("rotate", "--profile", "p", "--yes")  # no terminal, no credentials
    assert nothing.code == 2 and "needs the new key's credentials" in nothing.err
    unchanged()
    unknown = run("rotate", "--profile", "nobody", "--yes")
    assert unknown.code == 2 and "Profile nobody not found." in unknown.err
    unchanged()


def test_a_lost_new_secret_is_asked_for_again_and_every_other_key_withdrawn(world, run, monkeypatch):
    linked(world, run, "lost-old")
    interrupt(monkeypatch, "linked A", world)
    assert rotate(world, run, "lost-new").code == 130
    monkeypatch.undo()
    run.secrets.delete("p#next")  # A holds lost-new, and okxlink no longer has its secret
    again = rotate(world, run, "lost-third", "--json")
    assert again.code == 0, again.out + again.err
    assert "started, but its secret is no longer in memory" in again.err
    keys = [world.masked(n) for n in ("lost-old", "lost-new", "lost-third")]
    assert (world.a.held(*keys), world.b.held(*keys)) == ([keys[2]], [keys[2]])
    third = keys[2]
    report = again.json()
    assert report == {"profile": "p", "old_key": world.masked("lost-old"), "new_key": third,
                      "services": [{"service": p.url, "id": report["services"][i]["id"], "spot": "ready"}
                                   for i, p in enumerate((world.a, world.b))], "rotated": True}
    assert meta(run).key == third and run.secrets.get("p").api_key == world.accounts["lost-third"].api_key


# ---- end to end: real processes, the real keyring ------------------------------------------------
def test_end_to_end_with_the_real_keyring(world, secret_service, tmp_path):  # noqa: F811
    config = tmp_path / "config"
    env = secret_service.env(**{k: v for k, v in clean_env(tmp_path).items()
                                if k in ("NO_COLOR", "LANG", "PYTHONUNBUFFERED", "COLUMNS")},
                             OKXLINK_CONFIG_DIR=str(config), OKXLINK_BASE_URL=world.okx.template)
    results = [okxlink("setup", "--profile", "rotated", "--stdin", env=env, stdin=world.payload("ready"))]
    for p in (world.a, world.b):
        results.append(okxlink("link", "--profile", "rotated", "--service", p.url, "--yes",
                               env={**env, "OKXLINK_LINK_TOKEN": p.token}))
    assert [r.code for r in results] == [0, 0, 0], [r.err for r in results]
    old, new = world.masked("ready"), world.masked("ready-2")
    assert (world.a.held(old, new), world.b.held(old, new)) == ([old], [old])

    done = okxlink("rotate", "--profile", "rotated", "--stdin", "--yes", "--json", env=env,
                   stdin=world.payload("ready-2"))
    results.append(done)
    assert done.code == 0, done.out + done.err
    assert done.json()["new_key"] == new and done.json()["rotated"] is True
    assert [s["service"] for s in done.json()["services"]] == [world.a.url, world.b.url]
    assert (world.a.held(old, new), world.b.held(old, new)) == ([new], [new])  # exactly one link each
    # the keyring holds ready-2 (read back by okxlink and by secret-tool); #next is gone
    verify = okxlink("verify", "--profile", "rotated", "--json", env=env)
    results.append(verify)
    assert verify.code == 0 and verify.json()["ready"] is True
    assert verify.json()["account"]["label"] == "okxlink-sim ready-2 (fake)"
    assert json.loads(secret_service.lookup("rotated"))["api_key"] == world.accounts["ready-2"].api_key
    assert secret_service.lookup("rotated#next") is None
    m = ProfilesFile(config / "profiles.toml").read()["rotated"]
    assert m.key == new and m.rotation is None
    assert sorted((r.service, r.key, r.state) for r in m.links) == sorted([(world.a.url, new, "linked"),
                                                                             (world.b.url, new, "linked")])
    secrets = [getattr(world.accounts[n], k) for n in ("ready", "ready-2") for k in FIELDS]
    secrets += [world.a.token, world.b.token]
    for r in results:
        for secret in secrets:
            assert secret not in r.out and secret not in r.err


@pytest.mark.parametrize("stop", ["linked A", "withdrawn A", "withdrawn B"])
def test_a_rotation_taken_back_leaves_every_platform_with_the_old_key_alone(world, run, monkeypatch, stop):
    """--abandon from any point: a platform that had lost the old key gets it back first, then every
    platform loses the new one; the new secret and the rotation are gone, the old key stays."""
    k = stop.replace(" ", "-")
    old, new = f"ab-{k}-old", f"ab-{k}-new"
    linked(world, run, old)
    interrupt(monkeypatch, stop, world)
    assert rotate(world, run, new).code == 130
    monkeypatch.undo()
    o, n = world.masked(old), world.masked(new)
    assert world.a.held(o, n) == ([n] if stop != "linked A" else sorted([o, n]))  # A lost the old key, or not yet

    refused = run("rotate", "--profile", "p", "--abandon")  # no terminal, no --yes: nothing happens
    assert refused.code == 2 and meta(run).rotation is not None

    done = run("rotate", "--profile", "p", "--abandon", "--yes", width=200)
    assert done.code == 0, done.out + done.err
    assert [p.held(o, n) for p in (world.a, world.b)] == [[o], [o]]
    m = meta(run)
    assert m.rotation is None and m.key == o and run.secrets.get("p#next") is None
    assert run.secrets.get("p").api_key == world.accounts[old].api_key
    assert sorted((r.service, r.key, r.state) for r in m.links) == sorted(
        (p.url, o, "linked") for p in (world.a, world.b))
    assert done.out.startswith(f"Rotation to key {n} taken back: profile p keeps key {o}.\n")
    again = run("rotate", "--profile", "p", "--abandon", "--yes")
    assert again.code == 0 and again.out == "No rotation of profile p is under way.\n"
