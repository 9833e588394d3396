"""Storage: one contract test class for every secret store (memory, and the real Secret Service in a
private D-Bus session), profiles.toml safety (round trip, mode, atomicity, concurrent writers, no
secrets), the repository that joins them, and `okxlink profiles` / `remove`."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import types
import uuid
from pathlib import Path

import pytest

from okxlink.cli.context import config_dir
from okxlink.core.credentials import Credentials
from okxlink.errors import StorageError, UsageError
from okxlink.storage import (
    KeyringStore,
    LinkRecord,
    MemoryStore,
    PendingLink,
    ProfileMeta,
    ProfileRepo,
    ProfilesFile,
    Rotation,
    VerifySummary,
    filelock,
    toml_io,
)

from inproc import InProcess
from real_keyring import keyring_env, secret_service  # noqa: F401  (fixtures)

API_KEY = "0f4b2a7c-1d3e-4f5a-8b9c-0123456789ab"
SECRET = "7D3A9C1F0E2B4D6F8A0C2E4F6A8B0D1E"
PASSPHRASE = "Correct horse 电池 \"staple\" ✓"


def creds(n: int = 0, passphrase: str = PASSPHRASE) -> Credentials:
    return Credentials(api_key=API_KEY[:-2] + f"{n:02d}", secret_key=SECRET[:-2] + f"{n:02d}", passphrase=passphrase)


def unique(prefix: str = "p") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"  # the session keyring is shared by every test


@pytest.fixture(params=["memory", "keyring"])
def store(request: pytest.FixtureRequest):
    if request.param == "memory":
        return MemoryStore()
    ss = request.getfixturevalue("keyring_env")
    return KeyringStore(timeout=5.0, backend=ss.backend())


class TestSecretStoreContract:
    def test_missing_is_none(self, store):
        assert store.get(unique()) is None

    def test_set_get(self, store):
        name = unique()
        store.set(name, creds())
        got = store.get(name)
        assert got is not None and got == creds()
        assert got.secret_key.get_secret_value() == SECRET[:-2] + "00"

    def test_overwrite_is_whole(self, store):
        name = unique()
        store.set(name, creds(1))
        store.set(name, creds(2, passphrase="second"))
        got = store.get(name)
        assert got == creds(2, passphrase="second")

    def test_delete(self, store):
        name = unique()
        store.set(name, creds())
        assert store.delete(name) is True
        assert store.get(name) is None
        assert store.delete(name) is False

    def test_unicode_passphrase(self, store):
        name = unique("uni")
        store.set(name, creds(passphrase="密码 ünï \"q\" \\ 🔑"))
        assert store.get(name).passphrase.get_secret_value() == "密码 ünï \"q\" \\ 🔑"

    def test_many_profiles_stay_apart(self, store):
        names = [unique(f"m{i}") for i in range(12)]
        for i, name in enumerate(names):
            store.set(name, creds(i))
        assert [store.get(n).api_key for n in names] == [creds(i).api_key for i in range(12)]

    def test_describe_and_repr_hold_no_secret(self, store):
        name = unique()
        store.set(name, creds())
        text = store.describe() + repr(store)
        assert store.describe() == ("Secret Service (gnome-keyring)" if isinstance(store, KeyringStore)
                                    else "memory (forgotten when okxlink exits)")
        assert SECRET[:-2] not in text and "horse" not in text


def test_keyring_entry_is_readable_by_secret_tool(keyring_env):  # noqa: F811
    name = unique("st")
    KeyringStore(backend=keyring_env.backend()).set(name, creds(7))
    stored = keyring_env.lookup(name)
    assert stored is not None, keyring_env.log()
    assert json.loads(stored) == {"api_key": creds(7).api_key, "secret_key": SECRET[:-2] + "07",
                                  "passphrase": PASSPHRASE}


def test_entry_written_by_secret_tool_in_other_format_is_a_storage_error(keyring_env):  # noqa: F811
    name = unique("odd")
    keyring_env.store(name, "not json at all: hunter2")
    with pytest.raises(StorageError) as err:
        KeyringStore(backend=keyring_env.backend()).get(name)
    assert "not in okxlink's format" in err.value.message and "hunter2" not in str(err.value)


def test_default_backend_in_a_real_process_is_gnome_keyring(secret_service, tmp_path):  # noqa: F811
    """Without an injected backend: python-keyring's own choice, as `okxlink` makes it."""
    code = ("from okxlink.storage import KeyringStore; s = KeyringStore(); print(s.preflight()); "
            "print(s.get('okxlink-absent'))")
    r = subprocess.run([sys.executable, "-c", code], env=secret_service.env(), capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["Secret Service (gnome-keyring)", "None"]


# --- profiles.toml ------------------------------------------------------------------------------

def full_meta(name: str = "main") -> ProfileMeta:
    return ProfileMeta(
        name=name, site="eea", demo=True, key="0f4b…89ab", label='Lead "alpha" \\ 跟单 ✓\ttab\nline',
        uid="44012345678", created="2025-01-02T03:04:05Z", last_verified="2025-01-02T03:05:00Z",
        verify=VerifySummary(ready=False, statuses={"network": "pass", "permission-trade": "fail"},
                           reasons=["Trade permission missing", 'quote " and \\ backslash']),
        links=[LinkRecord(id="lnk_1", service="https://link.example", key="0f4b…89ab", state="pending",
                          spot="attention", reasons=["funds"], extra={"attempts": 2},
                          pending=PendingLink("okxlink-1", site="eea", demo=True, label="L", extra={"future": 1})),
               LinkRecord(id="lnk_2", service="https://other.example/v", key="0f4b…89ab", state="linked",
                          spot="ready", checked_at="2025-01-02T03:06:00Z"),
               LinkRecord(id="lnk_3", service="https://other.example/v", key="aaaa…bbbb", state="linked")],
        rotation=Rotation(key="aaaa…bbbb", started="2025-01-03T00:00:00Z", extra={"later": "x"}),
        key_stored="2025-01-02T03:04:05Z",
        extra={"future_field": 1.5, "future_table": {"enabled": True, "tags": ["a", "b"]}})


def test_profiles_round_trip(tmp_path):
    f = ProfilesFile(tmp_path / "cfg" / "profiles.toml")
    metas = [full_meta("main"), ProfileMeta(name="bare"), full_meta("名字.with-dots_1")]
    for m in metas:
        f.put(m)
    assert f.read() == {m.name: m for m in metas}
    assert f.get("bare").verify.ready is None and f.get("bare").links == [] and f.get("bare").rotation is None


def test_toml_writer_round_trips_awkward_values():
    data = {"s": 'q"uo\\te \x00\x1f\x7f é 中 🔑', "b": False, "i": -7, "f": 0.1, "big": 1e300,
            "l": ["x", 'y"', ""], "e": [], "t": {"u": {}, "weird key.with dots": {"v": 1}}}
    assert toml_io.loads(toml_io.dumps(data)) == data
    with pytest.raises(TypeError):
        toml_io.dumps({"x": object()})


def test_profiles_file_and_dir_modes(tmp_path):
    f = ProfilesFile(tmp_path / "new" / "okxlink" / "profiles.toml")
    f.put(ProfileMeta(name="a"))
    assert stat.S_IMODE(f.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(f.path.parent.stat().st_mode) == 0o700


def test_failed_write_leaves_old_file_intact(tmp_path, monkeypatch):
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.put(full_meta("keep"))
    before = f.path.read_bytes()

    def crash(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)  # the new content is written, not yet durable
    with pytest.raises(StorageError) as err:
        f.put(ProfileMeta(name="lost"))
    assert "No space left on device" in err.value.message
    monkeypatch.undo()
    assert f.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profiles.toml", "profiles.toml.lock"]


def test_exception_inside_transaction_writes_nothing(tmp_path):
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.put(ProfileMeta(name="a"))
    with pytest.raises(RuntimeError), f.transaction() as profiles:
        profiles["b"] = ProfileMeta(name="b")
        raise RuntimeError("boom")
    assert list(f.read()) == ["a"]


def _writer(path: str, worker: int, count: int) -> None:
    f = ProfilesFile(Path(path))
    for i in range(count):
        f.put(ProfileMeta(name=f"w{worker}-{i}", label=f"worker {worker} item {i}"))


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "profiles.toml"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 50)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    profiles = ProfilesFile(path).read()
    assert sorted(profiles) == sorted(f"w{w}-{i}" for w in range(2) for i in range(50))
    assert profiles["w1-49"].label == "worker 1 item 49"


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _hold_the_lock(path: str, locked, release) -> None:
    """A second okxlink in the middle of a change: it holds the lock until told to finish."""
    with ProfilesFile(Path(path)).transaction() as profiles:
        profiles["holder"] = ProfileMeta(name="holder")
        locked.set()
        release.wait(60)


def test_a_writer_waits_for_another_process_then_times_out_and_changes_nothing(tmp_path):
    path = tmp_path / "profiles.toml"
    ProfilesFile(path).put(ProfileMeta(name="before"))
    before = path.read_bytes()
    ctx = multiprocessing.get_context("fork")
    locked, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_the_lock, args=(str(path), locked, release))
    holder.start()
    try:
        assert locked.wait(30), "the holder never got the lock"
        with pytest.raises(StorageError) as err:
            ProfilesFile(path, lock_timeout=0.05).put(ProfileMeta(name="late"))
        assert err.value.exit_code == 5 and err.value.fix
        assert err.value.message.startswith(f"Another okxlink is still changing {path} after 0.05 s")
        assert "Traceback" not in err.value.message and err.value.__suppress_context__
        assert path.read_bytes() == before

        # A writer with time to wait gets the lock once the holder is done, and keeps both changes.
        asked = threading.Event()

        def try_lock(fd: int) -> bool:
            got = filelock.TRY_LOCK(fd)
            if not got:
                asked.set()
            return got

        waiter = ProfilesFile(path, lock_timeout=60)
        waiter.lock = filelock.FileLock(waiter.lock.path, 60, try_lock=try_lock)
        failed: list[BaseException] = []

        def wait_and_put() -> None:
            try:
                waiter.put(ProfileMeta(name="waited"))
            except BaseException as exc:  # noqa: BLE001 - reported below
                failed.append(exc)

        writer = threading.Thread(target=wait_and_put)
        writer.start()
        assert asked.wait(30), "the writer never found the lock held"
        release.set()
        writer.join(60)
        assert not writer.is_alive() and not failed
    finally:
        release.set()
        holder.join(60)
    assert holder.exitcode == 0
    assert sorted(ProfilesFile(path).read()) == ["before", "holder", "waited"]


def test_a_lock_held_for_the_whole_timeout_is_busy_with_the_default_timeout(tmp_path):
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.put(ProfileMeta(name="a"))
    before = f.path.read_bytes()
    t = FakeTime()
    f.lock = filelock.FileLock(f.lock.path, filelock.LOCK_TIMEOUT, try_lock=lambda fd: False,
                               clock=t.clock, sleep=t.sleep)
    with pytest.raises(StorageError) as err:
        f.put(ProfileMeta(name="b"))
    assert err.value.exit_code == 5 and str(f.path) in err.value.message and "15 s" in err.value.message
    assert sum(t.slept) == pytest.approx(filelock.LOCK_TIMEOUT)
    assert f.path.read_bytes() == before
    assert ProfilesFile(f.path).lock.timeout == filelock.LOCK_TIMEOUT


def test_retry_backs_off_until_the_third_attempt_succeeds(tmp_path):
    t = FakeTime()
    answers = iter([False, False, True])
    seen: list[int] = []
    released: list[int] = []

    def try_lock(fd: int) -> bool:
        seen.append(fd)
        return next(answers)

    lock = filelock.FileLock(tmp_path / "x.lock", 1.0, try_lock=try_lock, unlock=released.append,
                             clock=t.clock, sleep=t.sleep)
    with lock.acquire():
        assert len(seen) == 3 and len(set(seen)) == 1
        assert t.slept == [filelock.FIRST_WAIT, 2 * filelock.FIRST_WAIT]
        assert released == []
    assert released == seen[:1]
    with pytest.raises(OSError):
        os.fstat(seen[0])  # closed on release


def test_retry_that_never_succeeds_times_out_at_the_deadline():
    t = FakeTime()
    attempts: list[float] = []

    def never() -> bool:
        attempts.append(t.now)
        return False

    start = t.now
    with pytest.raises(filelock.TimedOut):
        filelock.retry(never, 2.0, clock=t.clock, sleep=t.sleep)
    assert attempts[0] == start and attempts[-1] == pytest.approx(start + 2.0)  # first at once, last at the end
    assert len(attempts) == len(t.slept) + 1
    assert t.slept == sorted(t.slept[:-1]) + t.slept[-1:] and max(t.slept) == filelock.MAX_WAIT
    assert sum(t.slept) == pytest.approx(2.0)


def test_a_timed_out_acquire_closes_its_descriptor(tmp_path):
    t = FakeTime()
    seen: list[int] = []
    lock = filelock.FileLock(tmp_path / "x.lock", 0.5, try_lock=lambda fd: seen.append(fd) or False,
                             clock=t.clock, sleep=t.sleep)
    with pytest.raises(filelock.TimedOut):
        lock.acquire()
    with pytest.raises(OSError):
        os.fstat(seen[0])


def test_the_windows_lock_calls_with_a_fake_msvcrt(tmp_path, monkeypatch):
    """msvcrt cannot run here: a stand-in records the calls. Busy (EACCES) is retried, byte 0 is
    locked and unlocked, any other error is raised."""
    calls: list[tuple[int, int, int]] = []
    busy = [2]
    error = [0]

    def locking(fd: int, mode: int, nbytes: int) -> None:
        calls.append((mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))
        if error[0]:
            raise OSError(error[0], os.strerror(error[0]))
        if mode == fake.LK_NBLCK and busy[0]:
            busy[0] -= 1
            raise OSError(errno.EACCES, "Permission denied")

    fake = types.SimpleNamespace(LK_UNLCK=0, LK_LOCK=1, LK_NBLCK=2, locking=locking)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    t = FakeTime()
    path = tmp_path / "profiles.toml.lock"
    path.write_bytes(b"xyz")
    lock = filelock.FileLock(path, 1.0, try_lock=filelock._try_lock_windows, unlock=filelock._unlock_windows,
                             clock=t.clock, sleep=t.sleep)
    with lock.acquire():
        assert calls == [(fake.LK_NBLCK, 1, 0)] * 3 and len(t.slept) == 2
    assert calls[3:] == [(fake.LK_UNLCK, 1, 0)]

    error[0] = errno.EBADF
    with pytest.raises(OSError) as err:
        lock.acquire()
    assert err.value.errno == errno.EBADF and not isinstance(err.value, filelock.TimedOut)


def test_the_real_lock_excludes_a_second_descriptor(tmp_path):
    """The platform lock itself (flock here): a second open of the lock file is refused until the
    first lets go, within the same process too."""
    first = filelock.FileLock(tmp_path / "x.lock", 0).acquire()
    with pytest.raises(filelock.TimedOut):
        filelock.FileLock(tmp_path / "x.lock", 0).acquire()
    first.release()
    first.release()  # twice is harmless
    filelock.FileLock(tmp_path / "x.lock", 0).acquire().release()


@pytest.mark.parametrize("text", ["[profiles\nx=", "profiles = 3", "[profiles.a]\ndemo = \"yes\"",
                                  "[profiles.a.verify]\nreasons = [1]"])
def test_corrupt_file_is_a_usage_error_naming_it(tmp_path, text):
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.path.write_text(text)
    with pytest.raises(UsageError) as err:
        f.read()
    assert str(f.path) in err.value.message and err.value.exit_code == 2 and err.value.fix


def test_config_dir_choice(tmp_path):
    assert config_dir({"OKXLINK_CONFIG_DIR": str(tmp_path)}) == tmp_path
    assert config_dir({"HOME": "/h", "XDG_CONFIG_HOME": "/x"}, "linux") == Path("/x/okxlink")
    assert config_dir({"HOME": "/h"}, "linux") == Path("/h/.config/okxlink")
    assert config_dir({"HOME": "/h"}, "darwin") == Path("/h/Library/Application Support/okxlink")
    assert config_dir({"HOME": "/h", "APPDATA": "/a"}, "win32") == Path("/a/okxlink")


def test_an_older_files_link_table_reads_as_the_one_link_of_the_profiles_key(tmp_path):
    """profiles.toml as the previous version wrote it: one [link] table (the pending request and the
    platform's verdict untyped keys of it), no key per link; its ip_count is read as it is written
    now. It is read as the one element of `links`, holding the profile's key, and
    written back as [[links]] with nothing lost."""
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.path.write_text('''version = 1
[profiles.main]
site = "global"
demo = false
key = "0f4b…8900"
[profiles.main.verify]
ready = true
acct_lv = "3"
ip_count = 2
[profiles.main.link]
id = ""
service = "https://link.example"
state = "pending"
spot = "attention"
reasons = ["funds"]
pending_idempotency_key = "okxlink-abc"
[profiles.main.link.pending_request]
site = "eea"
demo = true
label = "x"
''')
    meta = f.read()["main"]
    assert meta.verify.acct_lv == "3" and meta.verify.ip_count == 2 and meta.verify.extra == {}
    [link] = meta.links
    assert link.spot == "attention" and link.reasons == ["funds"] and link.key == "0f4b…8900"
    assert link.pending == PendingLink("okxlink-abc", site="eea", demo=True, label="x")
    assert link.extra == {} and not link.linked and meta.extra == {}
    assert meta.link_to("https://link.example") is link and meta.services() == ["https://link.example"]
    before = toml_io.loads(f.path.read_text())["profiles"]["main"]
    f.put(meta)
    after = toml_io.loads(f.path.read_text())["profiles"]["main"]
    assert "link" not in after and after["links"] == [{**before["link"], "key": "0f4b…8900"}]
    assert {k: v for k, v in after.items() if k != "links"} == {k: v for k, v in before.items() if k != "link"}
    assert f.read()["main"] == meta


def test_links_are_one_record_per_service_and_key():
    meta = ProfileMeta(name="m", key="0f4b…8900")
    meta.put_link(LinkRecord(service="https://a.example", key=meta.key, id="1", state="linked"))
    meta.put_link(LinkRecord(service="https://b.example", key=meta.key, id="2", state="linked"))
    meta.put_link(LinkRecord(service="https://a.example", key="new1…new2", id="3", state="pending"))
    meta.put_link(LinkRecord(service="https://a.example", key=meta.key, id="4", state="linked"))  # replaces "1"
    assert [(r.service, r.id) for r in meta.links] == [
        ("https://b.example", "2"), ("https://a.example", "3"), ("https://a.example", "4")]
    assert meta.link_to("https://a.example").id == "4" and meta.link_to("https://a.example", "new1…new2").id == "3"
    assert meta.services() == ["https://b.example", "https://a.example"]
    meta.drop_link("https://a.example", meta.key)
    assert [r.id for r in meta.links] == ["2", "3"]


# --- the repository -----------------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path):
    return ProfileRepo(MemoryStore(), ProfilesFile(tmp_path / "config" / "profiles.toml"))


def test_key_stored_changes_with_the_key_and_not_with_a_resave(repo, monkeypatch):
    from okxlink.storage import repo as repo_module

    monkeypatch.setattr(repo_module, "now_iso", lambda: "2026-01-01T00:00:00Z")
    assert repo.save("main", creds(1)).key_stored == "2026-01-01T00:00:00Z"
    monkeypatch.setattr(repo_module, "now_iso", lambda: "2026-02-01T00:00:00Z")
    assert repo.save("main", creds(1)).key_stored == "2026-01-01T00:00:00Z"  # the same key: as old as it was
    assert repo.save("main", creds(2)).key_stored == "2026-02-01T00:00:00Z"  # a new key: new from now


def test_a_rotation_keeps_both_secrets_until_the_new_one_replaces_the_old(repo):
    from okxlink.storage.repo import NEXT

    repo.save("main", creds(1))
    assert repo.next_key("main") is None
    repo.begin_rotation("main", creds(2))
    meta, current = repo.load("main")
    assert current == creds(1) and meta.key == "0f4b…8901"  # the profile still uses the old key
    assert meta.rotation is not None and meta.rotation.key == "0f4b…8902"
    assert repo.next_key("main") == creds(2)
    repo.secrets.set("main" + NEXT, creds(3))  # a #next that is not the recorded one is not used
    assert repo.next_key("main") is None
    repo.secrets.set("main" + NEXT, creds(2))
    repo.save("main", creds(2), ProfileMeta(name="main"))
    repo.forget_next("main")
    assert repo.load("main")[1] == creds(2) and repo.secrets.get("main" + NEXT) is None


def test_remove_deletes_a_rotations_new_key_too(repo):
    from okxlink.storage.repo import NEXT

    repo.save("main", creds(1))
    repo.begin_rotation("main", creds(2))
    repo.remove("main")
    assert repo.secrets.get("main") is None and repo.secrets.get("main" + NEXT) is None


def test_begin_rotation_of_an_unknown_profile_stores_nothing(repo):
    from okxlink.storage.repo import NEXT

    with pytest.raises(UsageError):
        repo.begin_rotation("ghost", creds(2))
    assert repo.secrets.get("ghost" + NEXT) is None


def test_repo_save_load_keeps_created_and_masks_key(repo):
    first = repo.save("main", creds(1), ProfileMeta(name="ignored", site="eea", label="L"))
    assert first.name == "main" and first.key == "0f4b…8901" and first.created
    again = repo.save("main", creds(2), ProfileMeta(name="main", created="1999-01-01T00:00:00Z"))
    meta, got = repo.load("main")
    assert got == creds(2) and meta.created == first.created and meta.key == "0f4b…8902"
    assert repo.names() == ["main"] and again.site == "global"


def test_repo_unknown_profile_lists_known(repo):
    repo.save("alpha", creds())
    repo.save("beta", creds())
    with pytest.raises(UsageError) as err:
        repo.load("gamma")
    assert "gamma" in err.value.message and "alpha, beta" in err.value.fix


def test_repo_secret_without_metadata_is_absent_and_overwritten(repo):
    repo.secrets.set("orphan", creds(1))  # what a crash between the two writes leaves
    assert repo.names() == []
    with pytest.raises(UsageError):
        repo.load("orphan")
    repo.save("orphan", creds(2))
    assert repo.load("orphan")[1] == creds(2)


def test_repo_remove_and_failed_remove(repo, monkeypatch):
    repo.save("a", creds())
    repo.save("b", creds())

    def locked(name):
        raise StorageError("locked")

    monkeypatch.setattr(repo.secrets, "delete", locked)
    with pytest.raises(StorageError):
        repo.remove("a")
    assert repo.names() == ["a", "b"]  # the keyring refused: nothing forgotten
    monkeypatch.undo()
    assert repo.remove("a").name == "a"
    assert repo.names() == ["b"] and repo.secrets.get("a") is None
    with pytest.raises(UsageError):
        repo.remove("a")


def test_repo_metadata_without_secret_says_so(repo):
    repo.save("a", creds())
    repo.secrets.delete("a")
    with pytest.raises(UsageError) as err:
        repo.load("a")
    assert "no credentials" in err.value.message


@pytest.mark.parametrize("bad", ["", "-x", ".hidden", "a/b", "a b", "x" * 65])
def test_repo_rejects_bad_names(repo, bad):
    with pytest.raises(UsageError):
        repo.save(bad, creds())


def test_repo_update_meta(repo):
    repo.save("a", creds())
    repo.update_meta("a", lambda m: setattr(m, "verify", VerifySummary(ready=True, statuses={"network": "pass"})))
    assert repo.meta("a").verify.ready is True and repo.secrets.get("a") == creds()


def test_no_secret_in_any_file_under_config_dir(keyring_env, tmp_path):  # noqa: F811
    repo = ProfileRepo(KeyringStore(backend=keyring_env.backend()), ProfilesFile(tmp_path / "cfg" / "profiles.toml"))
    names = [unique("leak") for _ in range(3)]
    for i, name in enumerate(names):
        repo.save(name, creds(i), full_meta(name))
    repo.remove(names[0])
    blobs = [p.read_bytes() for p in (tmp_path / "cfg").rglob("*") if p.is_file()]
    assert blobs and any(names[1].encode() in b for b in blobs)
    for needle in [SECRET[:-2], "horse", API_KEY[:-2], *(creds(i).api_key for i in range(3))]:
        assert not any(needle.encode() in b for b in blobs), needle


# --- okxlink profiles / remove (in this process: tests/inproc.py) --------------------------------

@pytest.fixture
def run(repo):
    inproc = InProcess(repo.profiles.path.parent)
    inproc.secrets = repo.secrets
    return inproc


def test_profiles_json(repo, run):
    repo.save("main", creds(), full_meta("main"))
    r = run("profiles", "--json")
    assert r.code == 0 and json.loads(r.out) == {"profiles": [{
        "name": "main", "site": "eea", "demo": True, "key": "0f4b…8900", "label": full_meta().label,
        "uid": "44012345678", "last_verified": "2025-01-02T03:05:00Z"}]}


def test_profiles_table_and_empty(repo, run):
    r = run("profiles", width=200)
    assert r.code == 0 and "No profiles yet" in r.out
    repo.save("main", creds(), ProfileMeta(name="main", label="[bold]x[/bold]"))
    out = run("profiles", width=200).out
    assert "main" in out and "0f4b…8900" in out and "[bold]x[/bold]" in out and SECRET[:-2] not in out


def test_remove_needs_yes_without_a_terminal(repo, run):
    repo.save("main", creds())
    r = run("remove", "--profile", "main")
    assert r.code == 2 and "--yes" in r.err and repo.names() == ["main"]


def test_remove_with_yes_and_with_confirmation(repo, run, script):
    repo.save("a", creds())
    repo.save("b", creds())
    r = run("remove", "--profile", "a", "--yes")
    assert r.code == 0 and "Removed profile a" in r.out and repo.names() == ["b"]
    r = run("remove", "--profile", "b", asker=script({"remove-profile": False}))
    assert r.code == 0 and repo.names() == ["b"]
    r = run("remove", "--profile", "b", asker=script({"remove-profile": KeyboardInterrupt}))
    assert r.code == 130 and repo.names() == ["b"]
    asker = script({"remove-profile": True})
    assert run("remove", "--profile", "b", asker=asker).code == 0
    assert repo.names() == [] and "b" in asker.messages[0]
    assert run("remove", "--profile", "b", "--yes").code == 2


def test_importing_storage_imports_no_keyring():
    code = ("import sys, okxlink.storage, okxlink.cli.profiles_cmd; "
            "print([m for m in ('keyring', 'pydantic', 'questionary', 'jeepney') if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert r.stdout.strip() == "[]", r.stderr
