"""A real Secret Service keyring for tests, started like a database server and stopped by PID.

`secret_service` (session scope) gives a private D-Bus session bus and an unlocked
gnome-keyring-daemon in a temporary HOME. Use it from any test module with

    from real_keyring import secret_service  # noqa: F401  (registers the fixture)

- subprocess (how e2e tests run `okxlink`): `env=secret_service.env(OKXLINK_CONFIG_DIR=...)` is
  os.environ plus the bus address, HOME and XDG dirs, minus PYTHON_KEYRING_BACKEND and DISPLAY;
  a child's python-keyring then picks the Secret Service by itself.
- in this process: the `keyring_env` fixture points os.environ at the bus (monkeypatch); pass
  `KeyringStore(backend=secret_service.backend())` rather than relying on keyring's own choice,
  which it makes once per process and caches (get_all_keyring is memoised), so whichever test
  asked first would decide for all the others.
- `secret_service.lookup(profile)` reads an entry back with secret-tool: an independent check.

A missing gnome-keyring, dbus or secret-tool fails the tests (scripts/test installs them).
Also here: tiny keyring backends that hang or refuse, for the failure tests. They are viable only
when PYTHON_KEYRING_BACKEND names them, so merely importing this module never changes the backend
python-keyring would choose in this process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordSetError

PASSWORD = "okxlink-test-keyring"
TOOLS = ("dbus-daemon", "dbus-send", "gnome-keyring-daemon", "secret-tool")
DROP = ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "DISPLAY",
        "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME")


def stop_process(proc: subprocess.Popen[Any], timeout: float) -> None:
    """A daemon a test started, stopped by its PID: asked first, killed if it does not go in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


@dataclass
class SecretService:
    home: Path
    vars: dict[str, str]
    password: str | None
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    watched: bool = False  # the session's: its daemons must outlive every test (tests may replace their own)

    def env(self, **extra: str) -> dict[str, str]:
        self.check_alive()
        return isolated_env(self.vars, **extra)

    def check_alive(self) -> None:
        """A session-wide daemon that went away fails the tests that need it with one plain sentence
        naming it, rather than as okxlink's exit 5 (a keyring error) in whatever test came next."""
        for proc in self.procs if self.watched else ():
            if proc.poll() is not None:
                name = Path(str(proc.args[0] if isinstance(proc.args, list) else proc.args)).name
                raise AssertionError(f"{name} (pid {proc.pid}), started for this test session's Secret Service, "
                                     f"exited with code {proc.returncode}; its log:\n{self.log()[-2000:]}")

    def backend(self) -> KeyringBackend:
        from keyring.backends.SecretService import Keyring

        self.check_alive()
        return Keyring()

    def lookup(self, profile: str, service: str = "okxlink") -> str | None:
        r = subprocess.run(["secret-tool", "lookup", "service", service, "username", profile],
                           env=self.env(), capture_output=True, text=True, timeout=10)
        return r.stdout if r.returncode == 0 else None

    def store(self, profile: str, secret: str, service: str = "okxlink") -> None:
        subprocess.run(["secret-tool", "store", "--label", f"{service} {profile}", "service", service,
                        "username", profile], input=secret, env=self.env(), check=True, timeout=10,
                       capture_output=True, text=True)

    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.home.glob("*.log")))

    def stop(self) -> None:
        """Keyring daemon first, then the bus, each by the PID we started."""
        for proc in reversed(self.procs):
            stop_process(proc, timeout=3)
        self.procs.clear()


def isolated_env(vars: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROP}
    env.update(vars)
    env.update(extra)
    return env


def require_tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        raise AssertionError(f"missing {', '.join(missing)}: apt-get install gnome-keyring dbus libsecret-tools "
                             "(scripts/test installs them)")


def start_secret_service(home: Path, password: str | None = PASSWORD, timeout: float = 5.0) -> SecretService:
    """A session bus and gnome-keyring-daemon for `home`. password=None starts the daemon without
    --unlock (on a fresh home that is the "Prompt dismissed" case). Reusing a home reuses its keyring."""
    require_tools()
    runtime = home / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    vars = {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share")}
    ss = SecretService(home, vars, password)
    stamp = len(list(home.glob("*.log")))
    with open(home / f"{stamp:02d}-dbus.log", "wb") as log:
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=log, env=isolated_env(vars))
    ss.procs.append(bus)
    assert bus.stdout is not None
    address = bus.stdout.readline().decode().strip()
    bus.stdout.close()
    if not address:
        ss.stop()
        raise AssertionError(f"dbus-daemon printed no address:\n{ss.log()}")
    vars["DBUS_SESSION_BUS_ADDRESS"] = address
    args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
    if password is not None:
        args.insert(1, "--unlock")
    with open(home / f"{stamp:02d}-keyring.log", "wb") as log:
        daemon = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log,
                                  env=isolated_env(vars))
    ss.procs.append(daemon)
    assert daemon.stdin is not None
    daemon.stdin.write((password or "").encode())
    daemon.stdin.close()  # the daemon reads the password up to EOF
    deadline = time.monotonic() + timeout
    while not name_has_owner(vars, "org.freedesktop.secrets"):
        if daemon.poll() is not None or time.monotonic() > deadline:
            ss.stop()
            raise AssertionError(f"gnome-keyring-daemon did not take org.freedesktop.secrets:\n{ss.log()}")
        time.sleep(0.03)
    return ss


def name_has_owner(vars: dict[str, str], name: str) -> bool:
    r = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
                        "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                       env=isolated_env(vars), capture_output=True, text=True, timeout=5)
    return "boolean true" in r.stdout


def owner_pid(vars: dict[str, str], name: str = "org.freedesktop.secrets") -> int | None:
    """PID of the process owning `name` on the bus; None while nobody does."""
    r = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
                        "org.freedesktop.DBus.GetConnectionUnixProcessID", f"string:{name}"],
                       env=isolated_env(vars), capture_output=True, text=True, timeout=5)
    return int(r.stdout.split()[-1]) if r.returncode == 0 else None


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    ss = start_secret_service(tmp_path_factory.mktemp("keyring-home"))
    ss.watched = True
    try:
        yield ss
    finally:
        ss.stop()


@pytest.fixture
def keyring_env(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> SecretService:
    """This process's environment pointed at the private bus, for in-process keyring calls."""
    for name in DROP:
        monkeypatch.delenv(name, raising=False)
    for name, value in secret_service.vars.items():
        monkeypatch.setenv(name, value)
    return secret_service


# --- test-only backends -------------------------------------------------------------------------

class _OnlyWhenNamed(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        if os.environ.get("PYTHON_KEYRING_BACKEND") != f"{cls.__module__}.{cls.__name__}":
            raise RuntimeError("test-only backend: selected only through PYTHON_KEYRING_BACKEND")
        return 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("not implemented")

    def delete_password(self, service: str, username: str) -> None:
        return None


class SlowKeyring(_OnlyWhenNamed):
    """Hangs like a keyring waiting for an unlock prompt nobody will ever answer."""

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(float(os.environ.get("OKXLINK_TEST_HANG_S", "30")))
        return None


class RefusingKeyring(_OnlyWhenNamed):
    """Reads fine, refuses every write (keyring's PasswordSetError), naming the password as it does."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"refusing to store {password}")


class EchoingKeyring(_OnlyWhenNamed):
    """Fails a write with an unexpected error whose text holds the secret: it must not reach us."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"backend exploded while storing {password}")


# keyrings.alt's plaintext backend, as okxlink sees it (by module and class name), without keyrings.alt.
PlaintextKeyring = type("PlaintextKeyring", (_OnlyWhenNamed,), {
    "__module__": "keyrings.alt.file", "__qualname__": "PlaintextKeyring",
    "get_password": lambda self, service, username: None,
    "set_password": lambda self, service, username, password: None,
})


def chain_of(*backends: KeyringBackend) -> KeyringBackend:
    """A keyring ChainerBackend over exactly these backends (keyring's chooses them from the process)."""
    from keyring.backends.chainer import ChainerBackend

    cls = type("TestChain", (ChainerBackend,), {"__module__": __name__, "backends": list(backends),
                                                "viable": False})  # never a candidate in this process
    return cls()


# A backend that quotes what it is handed with repr(), as careless ones do: escaped, a value no
# longer matches itself, so only showing none of a backend's text keeps it out of okxlink's messages.
# It runs in okxlink's process as PYTHON_KEYRING_BACKEND="reprkeyring.ReprKeyring", beside the
# entries.json it "holds" (keyed by the keyring user, else the service).
REPR_KEYRING = """
import json, pathlib
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

ENTRIES = pathlib.Path(__file__).with_name("entries.json")

class ReprKeyring(KeyringBackend):
    priority = 1

    def set_password(self, service, username, password):
        raise KeyringError(f"cannot store {password!r} for {username!r}")

    def get_password(self, service, username):
        entries = json.loads(ENTRIES.read_text(encoding="utf-8"))
        stored = entries.get(username, entries.get(service))
        if stored is None:
            return None
        raise RuntimeError(f"entry {username!r} is damaged: {stored!r}")

    def delete_password(self, service, username):
        raise KeyringError(f"cannot delete {username!r}")
"""


def repr_keyring(folder: Path, entries: dict[str, str]) -> str:
    """Writes the repr-quoting backend and what it holds into `folder`; returns the PYTHONPATH entry."""
    folder.mkdir(exist_ok=True)
    (folder / "reprkeyring.py").write_text(REPR_KEYRING, encoding="utf-8")
    (folder / "entries.json").write_text(json.dumps(entries), encoding="utf-8")
    return str(folder)
