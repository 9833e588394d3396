"""profiles.toml: where it lives, and how it is read and written safely.

One table per profile under [profiles.NAME] (fields: storage/meta.py). Every change is
read-modify-write under an exclusive lock, written to a temp file in the same directory, fsynced
and renamed over the old file: a crash leaves the old file or the new one, never half of either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from okxlink.errors import StorageError, UsageError
from okxlink.i18n import _
from okxlink.storage import atomic, toml_io
from okxlink.storage.meta import Corrupt, ProfileMeta

HEADER = ("okxlink profiles: non-secret metadata, one table per profile.\n"
          "The API key's secret and passphrase are in the OS keyring, never here.")


class ProfilesFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self, include_removing: bool = False) -> dict[str, ProfileMeta]:
        """No lock needed: writers replace the file whole, so a reader sees the old or the new one.
        A profile whose removal has begun (`removing = true`) is gone for every reader."""
        found = self._read_all()
        return found if include_removing else {n: m for n, m in found.items() if not m.removing}

    def _read_all(self) -> dict[str, ProfileMeta]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except UnicodeDecodeError:
            raise self._corrupt(_("not UTF-8 text")) from None
        except OSError as exc:
            raise StorageError(_("Could not read {path}: {reason}.").format(
                path=self.path, reason=exc.strerror or type(exc).__name__),
                _("Check the permissions of {dir}, or point OKXLINK_CONFIG_DIR elsewhere.").format(
                    dir=self.path.parent)) from None
        try:
            table = toml_io.loads(text).get("profiles", {})
            if not isinstance(table, dict):
                raise Corrupt("profiles")
            for name, t in table.items():
                if not isinstance(t, dict):
                    raise Corrupt(name)
            return {name: ProfileMeta.from_toml(name, t) for name, t in table.items()}
        except toml_io.TOMLDecodeError as exc:
            raise self._corrupt(str(exc)) from None
        except Corrupt as exc:
            raise self._corrupt(_("unexpected value for {field}").format(field=exc)) from None

    def get(self, name: str) -> ProfileMeta | None:
        return self.read().get(name)

    def put(self, meta: ProfileMeta) -> None:
        with self.transaction() as profiles:
            profiles[meta.name] = meta

    def delete(self, name: str) -> bool:
        with self.transaction() as profiles:
            return profiles.pop(name, None) is not None

    @contextmanager
    def transaction(self) -> Iterator[dict[str, ProfileMeta]]:
        """Lock, read, let the caller change the dict, write it back. An exception in the body
        writes nothing. Not re-entrant: flock would wait for itself."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = _lock(self.path.with_name(self.path.name + ".lock"))
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            profiles = self._read_all()
            yield profiles
            self._write(profiles)
        finally:
            if fd is not None:
                os.close(fd)  # releases the lock

    def _write(self, profiles: dict[str, ProfileMeta]) -> None:
        data = toml_io.dumps({"version": 1, "profiles": {n: m.to_toml() for n, m in sorted(profiles.items())}},
                             header=HEADER).encode("utf-8")
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

    def _unwritable(self, exc: OSError) -> StorageError:
        return StorageError(_("Could not write {path}: {reason}.").format(
            path=self.path, reason=exc.strerror or type(exc).__name__),
            _("Check the permissions of {dir} and the free disk space, or point OKXLINK_CONFIG_DIR "
              "elsewhere.").format(dir=self.path.parent))


def _lock(path: Path) -> int | None:
    """An exclusive flock on a side file, held until the descriptor closes (also on a crash)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; os.replace still keeps the file whole
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd
