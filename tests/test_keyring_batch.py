"""Several profiles' secrets from the real Secret Service in one batch: the same secrets as reading
them one by one, over one D-Bus connection instead of one per entry, and the same StorageError when
the keyring is locked. Connections are counted by wrapping secretstorage.dbus_init, which keyring's
Secret Service backend calls for every operation."""

from __future__ import annotations

import json

import pytest
import secretstorage

from okxlink.core.credentials import Credentials
from okxlink.errors import StorageError
from okxlink.storage import KeyringStore, MemoryStore

from real_keyring import DROP, keyring_env, secret_service, start_secret_service  # noqa: F401

pytestmark = pytest.mark.e2e


def creds(i: int) -> Credentials:
    return Credentials(api_key=f"0f4b2a7c-1d3e-4f5a-8b9c-{i:012d}", secret_key=f"{i:032X}", passphrase=f"pass {i}")


@pytest.fixture()
def connections(monkeypatch) -> list[int]:
    opened: list[int] = []
    real = secretstorage.dbus_init

    def counted():
        opened.append(1)
        return real()

    monkeypatch.setattr(secretstorage, "dbus_init", counted)
    return opened


def test_batched_read_returns_what_per_item_reads_do_over_one_connection(keyring_env, connections):  # noqa: F811
    store = KeyringStore(backend=keyring_env.backend())
    names = [f"batch-{i}" for i in range(8)]
    for i, name in enumerate(names):
        store.set(name, creds(i))
    asked = [*names, "batch-absent"]

    connections.clear()
    one_by_one = {name: store.get(name) for name in asked}
    assert len(connections) == len(asked)  # what each profile cost before

    connections.clear()
    batched = store.get_many(asked)
    assert len(connections) == 1
    assert batched == one_by_one and batched["batch-absent"] is None
    assert batched["batch-3"] == creds(3)  # and both are what was stored
    assert json.loads(keyring_env.lookup("batch-3") or "{}")["secret_key"] == creds(3).secret_key.get_secret_value()


def test_one_profile_is_read_as_before(keyring_env, connections):  # noqa: F811
    store = KeyringStore(backend=keyring_env.backend())
    store.set("batch-single", creds(1))
    connections.clear()
    assert store.get_many(["batch-single"]) == {"batch-single": creds(1)}
    assert len(connections) == 1


def test_other_backends_read_entry_by_entry():
    store = MemoryStore()
    store.set("a", creds(1))
    assert store.get_many(["a", "b"]) == {"a": creds(1), "b": None}


@pytest.mark.slow
def test_a_locked_keyring_fails_the_batch_as_it_fails_one_read(tmp_path, monkeypatch):
    """The keyring unlocked with the wrong password stays locked: both reads say so, in the same words."""
    home = tmp_path / "home"
    ss = start_secret_service(home, password="password-A")
    ss.store("locked-1", "{}")
    ss.stop()
    ss = start_secret_service(home, password="password-B")
    try:
        for name in DROP:
            monkeypatch.delenv(name, raising=False)
        for name, value in ss.vars.items():
            monkeypatch.setenv(name, value)
        errors = []
        for read in (lambda s: s.get("locked-1"), lambda s: s.get_many(["locked-1", "locked-2"])):
            with pytest.raises(StorageError) as caught:
                read(KeyringStore(backend=ss.backend()))
            errors.append((caught.value.message, caught.value.fix, caught.value.exit_code))
    finally:
        ss.stop()
    assert errors[0] == errors[1] and "locked" in errors[0][0]


CHOICE = r"""
import json, sys
if sys.argv[1] == "skip":
    from okxlink.storage.keyring_store import _skip_macos_bindings
    _skip_macos_bindings()
import keyring, keyring.backend
chosen = keyring.get_keyring()
print(json.dumps({"chosen": type(chosen).__module__ + "." + type(chosen).__name__,
                  "viable": sorted(type(b).__module__ + "." + type(b).__name__ for b in keyring.backend.get_all_keyring()),
                  "searched": "ctypes.util" in sys.modules}))
"""


@pytest.mark.parametrize("named", [None, "keyring.backends.null.Keyring"], ids=["detected", "PYTHON_KEYRING_BACKEND"])
def test_skipping_the_macos_bindings_changes_no_choice(secret_service, named):  # noqa: F811
    """Off macOS keyring chooses the same backends, from the same candidates, without its macOS
    bindings' library search."""
    import subprocess
    import sys

    env = secret_service.env(**({"PYTHON_KEYRING_BACKEND": named} if named else {}))
    found = {}
    for how in ("keyring", "skip"):
        done = subprocess.run([sys.executable, "-c", CHOICE, how], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-1500:]
        found[how] = json.loads(done.stdout)
    assert found["keyring"]["searched"] and not found["skip"]["searched"]
    assert (found["skip"]["chosen"], found["skip"]["viable"]) == (found["keyring"]["chosen"], found["keyring"]["viable"])
    assert found["skip"]["chosen"].endswith(named or "SecretService.Keyring")


def test_a_service_token_is_read_once_per_run(keyring_env, connections):  # noqa: F811
    """status asks one linking service about many links, each with the same token: one keyring read."""
    store = KeyringStore(backend=keyring_env.backend())
    store.set_token("https://copy.example", "tok-1")
    connections.clear()
    assert [store.get_token("https://copy.example") for _ in range(5)] == ["tok-1"] * 5
    assert store.get_token("https://other.example") is None
    assert len(connections) == 1  # the other service's read; the first one's was kept when it was set
    assert KeyringStore(backend=keyring_env.backend()).get_token("https://copy.example") == "tok-1"  # stored
