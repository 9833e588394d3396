"""KeyringStore: a profile's secrets as one entry in the OS keyring, every call under a timeout.

Entry: service "okxlink", username = profile name, password = the JSON of the three secrets.
The backend is python-keyring's choice (so PYTHON_KEYRING_BACKEND and keyringrc.cfg are honoured),
minus the ones we refuse: fail (nothing available), null (stores nothing), keyrings.alt's plaintext.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from okxlink.i18n import _
from okxlink.storage import keyring_errors as errors
from okxlink.storage.secrets import SERVICE, TOKEN_SERVICE, decode, encode

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from okxlink.core.credentials import Credentials

T = TypeVar("T")
# Not a password (bandit): the class of keyring's Secret Service backend
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"  # nosec B105
PREFLIGHT_USER = "okxlink-preflight"  # read, never written: absent in every keyring

NAMES = {
    SECRET_SERVICE: "Secret Service",
    "keyring.backends.libsecret.Keyring": "Secret Service (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyrings.cryptfile.cryptfile.CryptFileKeyring": "encrypted file (keyrings.cryptfile)",
}


class KeyringStore:
    """The OS keyring. `backend` is for tests that must not depend on python-keyring's process-wide
    choice; without it the backend is resolved on first use, inside the timeout like every call."""

    def __init__(self, timeout: float = 5.0, backend: KeyringBackend | None = None) -> None:
        self.timeout = timeout
        self._backend = backend
        self._usable: KeyringBackend | None = None  # the backend once checked
        self._provider: str | None = None
        self._tokens: dict[str, str | None] = {}  # service URL → token, as read or written this run

    def preflight(self) -> str:
        """Resolve the backend and do one harmless read, so setup fails before asking for a key."""
        self._call(lambda b: b.get_password(SERVICE, PREFLIGHT_USER), None)
        return self.describe()

    def get(self, profile: str) -> Credentials | None:
        text = self._call(lambda b: b.get_password(SERVICE, profile), profile)
        return None if text is None else decode(profile, text, self.describe())

    def get_many(self, profiles: list[str]) -> dict[str, Credentials | None]:
        """Several profiles' secrets. The Secret Service backend opens a D-Bus connection per call
        (~20 ms each): for several profiles they are read over one (`_read_all`); any other backend,
        or a single profile, reads entry by entry as `get` does."""
        if len(profiles) > 1 and self._batched():
            texts = self._call(lambda b: _read_all(b, profiles), None)
            where = self.describe()
            return {p: None if (text := texts[p]) is None else decode(p, text, where) for p in profiles}
        return {profile: self.get(profile) for profile in profiles}

    def _batched(self) -> bool:
        """The backend (resolved here, under the timeout) is keyring's Secret Service one itself."""
        self._call(lambda b: None, None)
        cls = type(self._backend)
        return f"{cls.__module__}.{cls.__qualname__}" == SECRET_SERVICE

    def set(self, profile: str, creds: Credentials) -> None:
        payload = encode(creds)
        self._call(lambda b: b.set_password(SERVICE, profile, payload), profile)

    def delete(self, profile: str) -> bool:
        def delete(b: KeyringBackend) -> bool:
            from keyring.errors import PasswordDeleteError

            if b.get_password(SERVICE, profile) is None:
                return False
            try:
                b.delete_password(SERVICE, profile)
            except PasswordDeleteError:  # gone in between: what we wanted
                return False
            return True

        return self._call(delete, profile)

    def get_token(self, service_url: str) -> str | None:
        """A linking service's bearer token (service "okxlink-link", user = the service URL); read
        once per run (status asks one service about many links, each with the same token)."""
        if service_url not in self._tokens:
            self._tokens[service_url] = self._call(lambda b: b.get_password(TOKEN_SERVICE, service_url), None)
        return self._tokens[service_url]

    def set_token(self, service_url: str, token: str) -> None:
        self._call(lambda b: b.set_password(TOKEN_SERVICE, service_url, token), None)
        self._tokens[service_url] = token

    def describe(self) -> str:
        if self._backend is None:
            self._call(lambda b: None, None)
        cls = type(self._backend)
        name = NAMES.get(f"{cls.__module__}.{cls.__qualname__}") or str(getattr(self._backend, "name", cls.__name__))
        return f"{name} ({self._provider})" if self._provider else name

    def __repr__(self) -> str:
        state = type(self._backend).__name__ if self._backend is not None else "unresolved"
        return f"KeyringStore(backend={state}, timeout={self.timeout:g})"

    def _call(self, op: Callable[[KeyringBackend], T], profile: str | None) -> T:
        """Run `op(backend)` in a daemon thread and wait at most `timeout`. A keyring that waits for an
        unlock prompt nobody can see would otherwise hang the command forever; a daemon thread left
        behind cannot keep the process alive."""
        value: list[T] = []
        error: list[BaseException] = []

        def work() -> None:
            try:
                backend = self._resolve()
                try:
                    value.append(op(backend))
                except Exception as exc:
                    if not _replaced_meanwhile(exc):
                        raise
                    value.append(op(backend))  # found, then replaced by another process: ask again
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, which raises it
                error.append(exc)

        worker = threading.Thread(target=work, name="okxlink-keyring", daemon=True)
        worker.start()
        # The first call also finds the backend (imports, entry points, a D-Bus connection), which a
        # busy machine can take seconds over: it gets three times as long as every later call.
        limit = self.timeout * (3 if self._usable is None and self._backend is None else 1)
        worker.join(None if self._asks_the_user() else limit)
        where = self._where()
        if worker.is_alive():
            raise errors.timed_out(where, limit)
        if error:
            raise errors.translate(error[0], where, profile) from None
        return value[0]

    def _asks_the_user(self) -> bool:
        """keyrings.cryptfile asks for its password on the terminal: a person typing it is not a
        hang, so no timeout then. Without a terminal it cannot ask, and the timeout stands."""
        chosen = type(self._backend).__module__ if self._backend is not None else \
            os.environ.get("PYTHON_KEYRING_BACKEND", "")
        return "cryptfile" in chosen and sys.stdin is not None and sys.stdin.isatty()

    def _where(self) -> str:
        """The backend's name for a message; never a new keyring call (it could hang too)."""
        return self.describe() if self._backend is not None else _("not yet identified")

    def _resolve(self) -> KeyringBackend:
        """python-keyring's choice (or the injected backend), checked once: refused backends raise."""
        if self._usable is not None:
            return self._usable
        backend = self._backend
        if backend is None:
            _skip_macos_bindings()
            import keyring

            try:
                backend = keyring.get_keyring()
            except Exception as exc:  # noqa: BLE001 - only a named backend (env or keyringrc.cfg) fails here
                raise errors.unloadable(os.environ.get("PYTHON_KEYRING_BACKEND") or "keyringrc.cfg", exc) from None
        from keyring.backends.chainer import ChainerBackend

        if isinstance(backend, ChainerBackend):
            # A chain falls back to the next backend when one fails, and the next could be plain text.
            usable = [b for b in backend.backends if errors.refusal(b) is None]
            if not usable:
                raise errors.no_backend()
            backend = usable[0]
        kind = errors.refusal(backend)
        if kind == "fail":
            raise errors.no_backend()
        if kind:
            cls = type(backend)
            raise errors.refused(kind, f"{cls.__module__}.{cls.__qualname__}")
        self._provider = _secret_service_provider() if type(backend).__module__.endswith("SecretService") else None
        self._backend = self._usable = backend
        return backend


def _skip_macos_bindings(platform: str = sys.platform) -> None:
    """keyring looks at every backend it ships to choose one, and its macOS backend loads its ctypes
    bindings even elsewhere: off macOS they search for Security.framework with ldconfig (~50 ms of
    every keyring command) and fail, and the backend is then refused because the system is not
    Darwin — which it checks first anyway. Marking the bindings absent skips the search and changes
    no choice: the import fails at once, as keyring expects (it catches it)."""
    if platform != "darwin":
        sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]


def _replaced_meanwhile(exc: BaseException) -> bool:
    """The Secret Service found an item, and another process replaced or deleted it before it was
    read or written (two `okxlink setup` of one profile at once). Every operation here is
    idempotent (read, write, delete if present), so it is simply asked again, once."""
    cls = type(exc)
    return f"{cls.__module__}.{cls.__qualname__}" == "secretstorage.exceptions.ItemNotFoundException"


def _read_all(backend: KeyringBackend, users: list[str]) -> dict[str, str | None]:
    """`backend.get_password(SERVICE, user)` for every user, over one D-Bus connection and one
    Secret Service session: the backend's own collection choice, unlock and query, so the answers
    (and the failures, which `translate` maps) are the ones per-item reads give."""
    from contextlib import closing

    collection = backend.get_preferred_collection()  # type: ignore[attr-defined]
    found: dict[str, str | None] = {}
    with closing(collection.connection):
        for user in users:
            found[user] = None
            for item in collection.search_items(backend._query(SERVICE, user)):  # type: ignore[attr-defined]
                backend.unlock(item)  # type: ignore[attr-defined]
                found[user] = item.get_secret().decode("utf-8")
                collection.session = collection.session or item.session  # one key exchange for all
                break
    return found


def _secret_service_provider() -> str | None:
    """Which program owns org.freedesktop.secrets (gnome-keyring, KWallet, KeePassXC…): users know
    those names, not "Secret Service". Best effort; Linux only (/proc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
        with open_dbus_connection(bus="SESSION") as conn:
            reply = conn.send_and_get_reply(
                new_method_call(bus, "GetConnectionUnixProcessID", "s", ("org.freedesktop.secrets",)), timeout=1)
        comm = Path(f"/proc/{reply.body[0]}/comm").read_text().strip()
    except Exception:  # noqa: BLE001 - best effort: any failure only leaves the name out
        return None
    for prefix, name in (("gnome-keyring", "gnome-keyring"), ("kwalletd", "KWallet"), ("keepassxc", "KeePassXC")):
        if comm.lower().startswith(prefix):
            return name
    return comm or None
