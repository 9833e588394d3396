"""profiles.toml: where it lives, and how it is read and written safely.

One table per profile under [profiles.NAME] (fields: storage/meta.py). Every change is
read-modify-write under an exclusive lock on the side file profiles.toml.lock (storage/filelock.py:
every platform, given up after `lock_timeout` seconds), written to a temp file in the same directory,
fsynced and renamed over the old file: a crash leaves the old file or the new one, never half of either.

The file decides where `okxlink link` sends a key, so on POSIX neither it nor its directory may be
writable by other users: okxlink makes its own private again (0600 / 0700) and refuses someone
else's. What is read is bounded (MAX_BYTES, and toml_io's limits on shape): a damaged or hostile
file is an error naming it, never a crash or a machine out of memory.
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from okxlink.errors import StorageError, UsageError
from okxlink.i18n import _
from okxlink.storage import atomic, filelock, toml_io
from okxlink.storage.meta import Corrupt, ProfileMeta

HEADER = ("okxlink profiles: non-secret metadata, one table per profile.\n"
          "The API key's secret and passphrase are in the OS keyring, never here.")
# A profile takes about 600 bytes: room for some 1,700. tomllib needs seconds and hundreds of MB
# for a hostile megabyte (measured), so much more than this is not read at all.
MAX_BYTES = 1024 * 1024


class Unwritable(StorageError):
    """profiles.toml could not be written (read-only, full, not permitted); nothing was changed."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(_("Could not write {path}: {reason}.").format(path=path, reason=reason),
                         _("Check the permissions of {dir} and the free disk space, or point "
                           "OKXLINK_CONFIG_DIR elsewhere.").format(dir=path.parent))
        self.path = path
        self.reason = reason


class Busy(StorageError):
    """Another process held profiles.toml's lock for the whole timeout; nothing was changed."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__(_("Another okxlink is still changing {path} after {seconds:g} s, so nothing was "
                           "changed: try again when it has finished.").format(path=path, seconds=timeout),
                         _("If none seems to be running, look for a stopped or hung okxlink (one suspended "
                           "with Ctrl-Z, say), end it, and try again."))
        self.path = path


class ProfilesFile:
    """`lock_timeout`: how many seconds a change waits for another process's change to end."""

    def __init__(self, path: Path, lock_timeout: float = filelock.LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self.lock = filelock.FileLock(self.path.with_name(self.path.name + ".lock"), lock_timeout)

    def read(self, include_removing: bool = False) -> dict[str, ProfileMeta]:
        """No lock needed: writers replace the file whole, so a reader sees the old or the new one.
        A profile whose removal has begun (`removing = true`) is gone for every reader."""
        found = self._read_all()
        return found if include_removing else {n: m for n, m in found.items() if not m.removing}

    def _read_all(self) -> dict[str, ProfileMeta]:
        raw = self._read_bytes()
        if raw is None:
            return {}
        if len(raw) > MAX_BYTES:
            raise self._corrupt(_("larger than {size} MiB").format(size=MAX_BYTES // (1024 * 1024)))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self._corrupt(_("not UTF-8 text")) from None
        try:
            table = toml_io.loads(text).get("profiles", {})
            if not isinstance(table, dict):
                raise Corrupt("profiles")
            for name, t in table.items():
                if not isinstance(t, dict):
                    raise Corrupt(name)
            return {name: ProfileMeta.from_toml(name, t) for name, t in table.items()}
        except toml_io.Damaged as exc:
            raise self._corrupt(str(exc)) from None
        except Corrupt as exc:
            raise self._corrupt(_("unexpected value for {field}").format(field=exc)) from None

    def _read_bytes(self) -> bytes | None:
        """At most MAX_BYTES + 1 of the file, checked on the descriptor that reads it (no swap in
        between); None when there is no file. Non-blocking, so a FIFO put there cannot hang us."""
        if self.path.parent.is_dir():
            _private(self.path.parent, os.stat(self.path.parent), 0o700)
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._unreadable(exc) from None
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise self._corrupt(_("not a regular file"))
            _private(self.path, info, 0o600, fd)
            try:
                return f.read(MAX_BYTES + 1)
            except OSError as exc:
                raise self._unreadable(exc) from None

    def get(self, name: str) -> ProfileMeta | None:
        return self.read().get(name)

    def put(self, meta: ProfileMeta) -> None:
        with self.transaction() as profiles:
            profiles[meta.name] = meta

    def delete(self, name: str) -> bool:
        with self.transaction() as profiles:
            return profiles.pop(name, None) is not None

    @contextmanager
    def transaction(self, undo: Callable[[], None] | None = None) -> Iterator[dict[str, ProfileMeta]]:
        """Lock, read, let the caller change the dict, write it back. An exception in the body
        writes nothing. When the write fails, `undo` runs still under the lock (so no other writer
        comes between), then Unwritable is raised. Busy when another process keeps the lock past
        the timeout. Not re-entrant: a nested transaction would wait for itself, then be Busy."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            held = _lock(self.lock)
        except filelock.TimedOut:
            raise Busy(self.path, self.lock.timeout) from None
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            profiles = self._read_all()
            yield profiles
            try:
                self._write(profiles)
            except Unwritable:
                if undo is not None:
                    undo()
                raise
        finally:
            held.release()

    def _write(self, profiles: dict[str, ProfileMeta]) -> None:
        data = toml_io.dumps({"version": 1, "profiles": {n: m.to_toml() for n, m in sorted(profiles.items())}},
                             header=HEADER).encode("utf-8")
        if len(data) > MAX_BYTES:  # it would not be read back: refuse now rather than lock the user out
            raise Unwritable(self.path, _("more than {size} MiB of profiles").format(
                size=MAX_BYTES // (1024 * 1024)))
        try:
            atomic.write(self.path, data)
        except OSError as exc:
            raise self._unwritable(exc) from None
        atomic.sweep(self.path)  # under the lock no other writer is half way: a leftover is a killed one's

    def _corrupt(self, reason: str) -> UsageError:
        return UsageError(_("{path} is not a valid okxlink profiles file ({reason}).").format(
            path=self.path, reason=reason),
            _("Fix the file or move it away; the secrets in the keyring are not affected, and okxlink setup "
              "writes the profile again."))

    def _unwritable(self, exc: OSError) -> Unwritable:
        return Unwritable(self.path, exc.strerror or type(exc).__name__)

    def _unreadable(self, exc: OSError) -> StorageError:
        return StorageError(_("Could not read {path}: {reason}.").format(
            path=self.path, reason=exc.strerror or type(exc).__name__),
            _("Check the permissions of {dir}, or point OKXLINK_CONFIG_DIR elsewhere.").format(
                dir=self.path.parent))


def _private(path: Path, info: os.stat_result, mode: int, fd: int | None = None) -> None:
    """POSIX: a file or directory other users can write is made `mode` when it is ours, and refused
    when it is not (or cannot be changed): whoever can write profiles.toml chooses where keys go."""
    if os.name != "posix" or not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return
    if stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX:  # /tmp and the like: shared by design
        raise StorageError(_("{path} is a directory shared with other users: okxlink keeps profiles only in "
                             "a directory of your own; point OKXLINK_CONFIG_DIR at one.").format(path=path))
    if info.st_uid == os.geteuid():
        try:
            if fd is None:
                os.chmod(path, mode)
            else:
                os.fchmod(fd, mode)
            return
        except OSError:
            pass  # a read-only file system, say: refused below like someone else's
    raise StorageError(_("{path} can be changed by other users and okxlink cannot change that: "
                         "run chmod {mode:o} {arg} as its owner.").format(path=path, mode=mode,
                                                                           arg=shlex.quote(str(path))))


def _lock(lock: filelock.FileLock) -> filelock.Held:
    """Every transaction takes its lock here (tests/test_atomicity.py wraps this to order writers)."""
    return lock.acquire()
