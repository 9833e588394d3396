"""Hostile or broken files and input cannot hurt the user (issue 12): a profile name with a trailing
newline, a config dir that cannot be written, a disk that fills half way through a save, a config
dir or profiles.toml other users can write, and a profiles.toml nested or sized to crash a reader.

Real okxlink processes where the behaviour is the CLI's, in this process (tests/inproc.py) where a
failure has to be injected, and the storage classes themselves for the write and read paths."""

from __future__ import annotations

import errno
import os
import stat
import uuid
from pathlib import Path

import pytest

import okxlink.storage.atomic as atomic
from okxlink.core.credentials import Credentials
from okxlink.errors import StorageError, UsageError
from okxlink.flows.verifying import verify_profiles
from okxlink.settings import Settings
from okxlink.storage import KeyringStore, MemoryStore, ProfileMeta, ProfileRepo, ProfilesFile, toml_io
from okxlink.storage import profiles as profiles_module
from okxlink.storage.repo import PREVIOUS

from conftest import clean_env, okxlink
from inproc import InProcess
from real_keyring import keyring_env, secret_service  # noqa: F401  (fixtures)

NEWLINE_NAME = "default\n"


def creds(n: int = 0) -> Credentials:
    return Credentials(api_key=f"0f4b2a7c-1d3e-4f5a-8b9c-0123456789{n:02d}",
                       secret_key=f"7D3A9C1F0E2B4D6F8A0C2E4F6A8B0D{n:02d}", passphrase=f"pass-{n}")


def account_creds(account: dict[str, str]) -> Credentials:
    return Credentials(api_key=account["api_key"], secret_key=account["secret_key"],
                       passphrase=account["passphrase"])


def fail_writes(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Every atomic write fails as the OS would (ENOSPC: disk full, EROFS: read-only mount). Under
    root chmod stops nothing, and no small or read-only mount is available to the tests."""
    def refuse(path: Path, data: bytes) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic, "write", refuse)


# --- 1. a profile name with a trailing newline ---------------------------------------------------

def test_a_name_with_a_trailing_newline_is_refused_and_nothing_is_written(sim, secret_service,  # noqa: F811
                                                                          tmp_path):
    account = sim.account("ready")
    config = tmp_path / "config"
    env = secret_service.env(**clean_env(tmp_path), OKXLINK_BASE_URL=sim.template,
                             OKX_API_KEY=account["api_key"], OKX_SECRET_KEY=account["secret_key"],
                             OKX_PASSPHRASE=account["passphrase"])
    result = okxlink("setup", "--profile", NEWLINE_NAME, "--non-interactive", env=env)
    assert result.code == 2, (result.out, result.err)
    said = [line for line in result.err.splitlines() if line.startswith("okxlink:")]
    assert said == ["okxlink: 'default\\n' is not a valid profile name."], result.err
    assert not (config / "profiles.toml").exists()
    assert secret_service.lookup(NEWLINE_NAME) is None and secret_service.lookup("default") is None
    listed = okxlink("profiles", "--json", env=env)
    assert listed.code == 0 and listed.json() == {"profiles": []}


@pytest.mark.parametrize("name", [NEWLINE_NAME, "a\n", "x" * 64 + "\n"])
def test_every_name_check_matches_the_whole_name(tmp_path, name):
    repo = ProfileRepo(MemoryStore(), ProfilesFile(tmp_path / "profiles.toml"))
    with pytest.raises(UsageError):
        repo.save(name, creds())
    with pytest.raises(UsageError) as err:
        repo.load(name)  # not "profile … not found" with a raw newline in it: the name is shown escaped
    assert "\n" not in err.value.message
    assert toml_io.key(name) != name  # never written as a bare key: "a\n" is quoted
    assert toml_io.loads(toml_io.dumps({"profiles": {name: {"site": "global"}}})) == {
        "profiles": {name: {"site": "global"}}}


# --- 2. a config dir that cannot be written --------------------------------------------------------

@pytest.fixture
def stored_ready(sim, tmp_path):
    """A profile `main` holding the simulator's ready key, in this process's memory keyring."""
    run = InProcess(tmp_path / "config", base_url=sim.template)
    ProfileRepo(run.secrets, ProfilesFile(tmp_path / "config" / "profiles.toml")).save(
        "main", account_creds(sim.account("ready")))
    return run


def warned_once(err: str) -> bool:
    """The one sentence saying so, once (stderr is wrapped at the terminal's width)."""
    said = " ".join(err.split())
    return said.count("Could not record the results in ") == 1 and "will not know them." in said


def test_verify_in_a_read_only_config_dir_shows_the_report_and_its_exit(stored_ready, monkeypatch):
    before = (stored_ready.config_dir / "profiles.toml").read_bytes()
    fail_writes(monkeypatch, errno.EROFS)
    result = stored_ready("verify", "--profile", "main", "--json")
    assert result.code == 0, result.err
    assert result.json()["ready"] is True and result.json()["profile"] == "main"
    assert warned_once(result.err) and "(Read-only file system):" in " ".join(result.err.split())
    assert (stored_ready.config_dir / "profiles.toml").read_bytes() == before
    human = stored_ready("verify", "--profile", "main")
    assert human.code == 0 and "main" in human.out and warned_once(human.err)


def test_status_in_a_read_only_config_dir_shows_this_runs_verdicts(stored_ready, monkeypatch):
    fail_writes(monkeypatch, errno.EROFS)
    result = stored_ready("status", "--json")
    assert result.code == 0, result.err
    (row,) = result.json()["profiles"]
    assert row["spot"] == "ready" and row["local"]["ready"] is True and row["last_verified"]
    assert warned_once(result.err)


def test_verify_profiles_gives_the_failure_back_and_keeps_the_results(sim, tmp_path, monkeypatch):
    repo = ProfileRepo(MemoryStore(), ProfilesFile(tmp_path / "profiles.toml"))
    repo.save("main", account_creds(sim.account("ready")))
    settings = Settings(config_dir=tmp_path, base_url=sim.template)
    fail_writes(monkeypatch, errno.ENOSPC)
    with pytest.raises(StorageError):  # a caller that did not ask to be told still fails, as before
        verify_profiles(repo, ["main"], settings, _http)
    said: list[str] = []
    repo.on_unrecorded = said.append
    loaded, reports = verify_profiles(repo, ["main"], settings, _http)
    assert [r.ready for r in reports] == [True] and [m.name for m, _c in loaded] == ["main"]
    assert len(said) == 1 and str(repo.profiles.path) in said[0] and "No space left on device" in said[0]
    assert repo.known()["main"].verify.ready is True  # this run knows the verdict it could not keep
    assert repo.profiles.read()["main"].verify.ready is None
    verify_profiles(repo, ["main"], settings, _http)
    assert len(said) == 1  # said once per run
    with pytest.raises(StorageError):  # outside a result's recording a failed write still fails
        repo.update_meta("main", lambda m: setattr(m, "label", "x"))


def _http(**kw):
    import httpx

    return httpx.AsyncClient(**kw)


# --- 3. the disk fills during setup ------------------------------------------------------------------

@pytest.fixture(params=["memory", "keyring"])
def store(request):
    if request.param == "memory":
        return MemoryStore()
    return KeyringStore(timeout=5.0, backend=request.getfixturevalue("keyring_env").backend())


def test_a_failed_metadata_write_takes_a_new_secret_back(store, tmp_path, monkeypatch):
    repo = ProfileRepo(store, ProfilesFile(tmp_path / "profiles.toml"))
    name = f"full-{uuid.uuid4().hex[:8]}"  # the session keyring is shared by every test
    fail_writes(monkeypatch, errno.ENOSPC)
    with pytest.raises(StorageError) as err:
        repo.save(name, creds(1))
    assert "No space left on device" in err.value.message and err.value.exit_code == 5
    assert store.get(name) is None and repo.names() == []


def test_a_failed_metadata_write_puts_the_replaced_secret_back(store, tmp_path, monkeypatch):
    repo = ProfileRepo(store, ProfilesFile(tmp_path / "profiles.toml"))
    name = f"full-{uuid.uuid4().hex[:8]}"
    repo.save(name, creds(1))
    before = repo.profiles.path.read_bytes()
    with monkeypatch.context() as patched:  # the keyring fixture's own patches must stay
        fail_writes(patched, errno.ENOSPC)
        with pytest.raises(StorageError):
            repo.save(name, creds(2))
    assert store.get(name) == creds(1) and store.get(name + PREVIOUS) is None
    assert repo.profiles.path.read_bytes() == before
    assert repo.load(name)[1] == creds(1)
    store.delete(name)


def test_taking_a_secret_back_keeps_the_rollback_a_crash_left(tmp_path, monkeypatch):
    """A replacement killed between the two writes left #previous (the listed key) and a new secret:
    a failed save afterwards must not delete that #previous, which is what rolls the profile back."""
    repo = ProfileRepo(MemoryStore(), ProfilesFile(tmp_path / "profiles.toml"))
    repo.save("main", creds(1))
    repo.secrets.set("main" + PREVIOUS, creds(1))
    repo.secrets.set("main", creds(2))
    fail_writes(monkeypatch, errno.ENOSPC)
    with pytest.raises(StorageError):
        repo.save("main", creds(3))
    assert repo.load("main")[1] == creds(1)


def test_a_secret_that_cannot_be_taken_back_is_named_with_its_remedy(tmp_path, monkeypatch):
    class Stuck(MemoryStore):
        def delete(self, profile: str) -> bool:
            raise StorageError("locked")

    repo = ProfileRepo(Stuck(), ProfilesFile(tmp_path / "profiles.toml"))
    fail_writes(monkeypatch, errno.ENOSPC)
    with pytest.raises(StorageError) as err:
        repo.save("main", creds())
    assert "No space left on device" in err.value.message
    assert err.value.fix and "okxlink setup --profile main" in err.value.fix


# --- 4. a config dir or profiles.toml other users can write -------------------------------------------

def modes(config: Path) -> tuple[int, int]:
    return stat.S_IMODE(config.stat().st_mode), stat.S_IMODE((config / "profiles.toml").stat().st_mode)


def test_loose_modes_of_our_own_files_are_made_private(tmp_path):
    config = tmp_path / "config"
    ProfilesFile(config / "profiles.toml").put(ProfileMeta(name="main"))
    config.chmod(0o777)
    (config / "profiles.toml").chmod(0o666)
    result = okxlink("profiles", "--json", env=clean_env(tmp_path))
    assert result.code == 0, result.err
    assert [p["name"] for p in result.json()["profiles"]] == ["main"] and result.err == ""
    assert modes(config) == (0o700, 0o600)


def test_modes_that_let_no_one_else_write_are_left_alone(tmp_path):
    config = tmp_path / "config"
    ProfilesFile(config / "profiles.toml").put(ProfileMeta(name="main"))
    config.chmod(0o755)
    (config / "profiles.toml").chmod(0o644)
    assert okxlink("profiles", "--json", env=clean_env(tmp_path)).code == 0
    assert modes(config) == (0o755, 0o644)


@pytest.mark.parametrize("loose", ["dir", "file"])
def test_someone_elses_loose_files_are_refused_with_the_chmod_to_run(tmp_path, monkeypatch, loose):
    config = tmp_path / "config"
    ProfilesFile(config / "profiles.toml").put(ProfileMeta(name="main"))
    target, mode = (config, "700") if loose == "dir" else (config / "profiles.toml", "600")
    target.chmod(0o777 if loose == "dir" else 0o666)
    monkeypatch.setattr(os, "geteuid", lambda: target.stat().st_uid + 1)  # owned by another user
    result = InProcess(config)("profiles")
    assert result.code == 5 and result.out == ""
    assert result.err.splitlines() == [f"okxlink: {target} can be changed by other users and okxlink cannot "
                                       f"change that: run chmod {mode} {target} as its owner."]
    assert stat.S_IMODE(target.stat().st_mode) in (0o777, 0o666)


def test_a_shared_sticky_directory_is_refused(tmp_path):
    shared = tmp_path / "shared"
    ProfilesFile(shared / "profiles.toml").put(ProfileMeta(name="main"))
    shared.chmod(0o1777)
    result = okxlink("profiles", env=clean_env(tmp_path, OKXLINK_CONFIG_DIR=str(shared)))
    assert result.code == 5 and str(shared) in result.err and "OKXLINK_CONFIG_DIR" in result.err
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777  # not ours to close


# --- 5. a profiles.toml shaped or sized to crash a reader ----------------------------------------------

HOSTILE = {
    "deep arrays": "x = " + "[" * 100_000 + "]" * 100_000,
    "deep inline tables": "x = " + "{a=" * 5_000 + "1" + "}" * 5_000,
    "a long dotted key": "x." + ".".join(["a"] * 100_000) + " = 1",  # gigabytes in tomllib, from 200 kB
    "a long table header": "[" + ".".join(["1"] * 100_000) + "]",
    "deep tables by parts": "".join(f"[{'.'.join(['t'] * 15)}.{'.'.join(['u'] * n)}]\n" for n in range(1, 3)),
    "too large": "[profiles.main]\nlabel = \"" + "x" * (5 * 1024 * 1024) + "\"\n",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_profiles_file_is_a_damaged_file_error_naming_it(tmp_path, text):
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.path.write_text(text)
    with pytest.raises(UsageError) as err:
        f.read()
    assert str(f.path) in err.value.message and err.value.exit_code == 2


def test_nesting_within_the_limits_still_reads(tmp_path):
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.path.write_text("[profiles.main]\nextra.a.b.c = [[1, [2]], {x = {y = 'z.z.z'}}]\n")
    assert f.read()["main"].extra == {"extra": {"a": {"b": {"c": [[1, [2]], {"x": {"y": "z.z.z"}}]}}}}


def test_a_fifo_in_place_of_profiles_toml_does_not_hang(tmp_path):
    f = ProfilesFile(tmp_path / "profiles.toml")
    os.mkfifo(f.path)
    with pytest.raises(UsageError) as err:
        f.read()
    assert str(f.path) in err.value.message


def test_a_huge_profiles_file_is_exit_2_in_a_real_process(tmp_path):
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    (config / "profiles.toml").write_text(HOSTILE["a long dotted key"])
    result = okxlink("profiles", env=clean_env(tmp_path), timeout=30)
    assert result.code == 2 and result.err.startswith(f"okxlink: {config / 'profiles.toml'} is not a valid")


def test_a_file_too_large_to_read_back_is_never_written(tmp_path, monkeypatch):
    f = ProfilesFile(tmp_path / "profiles.toml")
    f.put(ProfileMeta(name="main"))
    before = f.path.read_bytes()
    monkeypatch.setattr(profiles_module, "MAX_BYTES", len(before) + 10)
    with pytest.raises(StorageError):
        f.put(ProfileMeta(name="second", label="x" * 100))
    assert f.path.read_bytes() == before

