"""Every command's cost grows with the number of profiles only where it must: profiles.toml is read
the same number of times for 1 profile as for 50 (`status --offline`: exactly once), the keyring is
asked for all the profiles' secrets at once (one `get_many`), and `status` records every verdict and
every link's answer in one write. Counted by spying on ProfilesFile and the secret store, in this process (tests/inproc.py)
against the simulator as a real server."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from okxlink.core.credentials import Credentials
from okxlink.sim.accounts import Account, dump_accounts
from okxlink.storage import MemoryStore, ProfileMeta, ProfileRepo, ProfilesFile

from conftest import start_sim
from inproc import InProcess

pytestmark = pytest.mark.e2e
MANY = 50
LINKED = 10  # linking costs a verification each: fewer, enough to tell constant from growing


class CountingStore(MemoryStore):
    """A MemoryStore that counts how it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()

    def get(self, profile: str) -> Credentials | None:
        self.calls["get"] += 1
        return super().get(profile)

    def get_many(self, profiles: list[str]) -> dict[str, Credentials | None]:
        self.calls["get_many"] += 1
        return {p: MemoryStore.get(self, p) for p in profiles}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A simulator whose accounts are MANY keys of this module's own (each its own rate limits)."""
    path = tmp_path_factory.mktemp("scaling") / "accounts.json"
    path.write_text(json.dumps(dump_accounts([Account(name=f"s{i}") for i in range(MANY)])))
    s = start_sim("--accounts", str(path))
    yield s
    s.stop()


@pytest.fixture()
def io_counts(monkeypatch) -> Counter[str]:
    """Every read of profiles.toml (plain or inside a write's transaction) and every write."""
    counts: Counter[str] = Counter()
    read, write = ProfilesFile._read_bytes, ProfilesFile._write

    def counted_read(self: ProfilesFile) -> bytes | None:
        counts["read"] += 1
        return read(self)

    def counted_write(self: ProfilesFile, profiles: dict[str, ProfileMeta]) -> None:
        counts["write"] += 1
        write(self, profiles)

    monkeypatch.setattr(ProfilesFile, "_read_bytes", counted_read)
    monkeypatch.setattr(ProfilesFile, "_write", counted_write)
    return counts


def stored(tmp_path: Path, server: Any, n: int, linked: bool = False) -> InProcess:
    """n profiles of the simulator's keys, stored directly (no verification), linked if asked."""
    store = CountingStore()
    run = InProcess(tmp_path / f"config{n}", base_url=server.template, secrets=store)
    repo = ProfileRepo(store, ProfilesFile(run.config_dir / "profiles.toml"))
    for i in range(n):
        a = server.account(f"s{i}")
        repo.save(f"p{i:02d}", Credentials(api_key=a["api_key"], secret_key=a["secret_key"],
                                           passphrase=a["passphrase"]))
    if linked:
        link = dataclasses.replace(run, link_url=server.link_url, link_token=server.link_token)
        for i in range(n):
            r = link("link", "--profile", f"p{i:02d}", "--yes")
            assert r.code == 0, r.err
    store.calls.clear()
    return run


def counted(run: InProcess, io_counts: Counter[str], *args: str) -> tuple[dict[str, int], Any]:
    io_counts.clear()
    r = run(*args)
    assert r.code in (0, 3, 4), r.err
    assert isinstance(run.secrets, CountingStore)
    return {**io_counts, **run.secrets.calls}, r.json()


def test_status_offline_reads_profiles_toml_once(tmp_path, server, io_counts):
    for n in (1, MANY):
        found, out = counted(stored(tmp_path, server, n), io_counts, "status", "--offline", "--json")
        assert len(out["profiles"]) == n
        assert found == {"read": 1}, n  # no write, no keyring read


def test_verify_all_reads_as_often_for_50_profiles_as_for_1(tmp_path, server, io_counts):
    seen = {}
    for n in (1, MANY):
        seen[n], out = counted(stored(tmp_path, server, n), io_counts, "verify", "--all", "--json")
        assert len(out) == n and all(r["ready"] for r in out)
    assert seen[1] == seen[MANY]
    # one plain read, one write (every verdict) with its read under the lock, one batch of secrets
    assert seen[MANY] == {"read": 2, "write": 1, "get_many": 1}


def test_status_online_reads_and_writes_as_often_for_10_linked_profiles_as_for_1(tmp_path, server, io_counts,
                                                                                 monkeypatch):
    from okxlink.cli.context import Context

    http = Context.http

    def counted_http(self: Context, **kw: Any) -> Any:
        io_counts["client"] += 1
        return http(self, **kw)

    monkeypatch.setattr(Context, "http", counted_http)
    seen = {}
    for n in (1, LINKED):
        seen[n], out = counted(stored(tmp_path, server, n, linked=True), io_counts, "status", "--json")
        assert len(out["profiles"]) == n
        assert all(p["link"]["state"] == "linked" and p["links"][0]["reachable"] for p in out["profiles"])
    assert seen[1] == seen[LINKED]
    # one client for the keys and the links alike (one wave); one write (the verdicts and the
    # platforms' answers together), read under its lock; one plain read before and one after; one
    # batch of secrets
    assert seen[LINKED] == {"client": 1, "read": 3, "write": 1, "get_many": 1}
