"""Replacing a small file whole: profiles.toml and clock.json.

The data goes to a temporary file in the same directory (mode 0600), is fsynced, and is renamed
over the old file; then the directory is fsynced so the rename itself survives a power cut. A crash
at any point leaves the old file or the new one, never half of either; a failure removes the
temporary file. Callers that hold a lock may sweep temporary files a killed writer left
(`sweep`); without a lock another writer's file may be in use.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path


def write(path: Path, data: bytes) -> None:
    """Raises OSError; the caller knows what the file is and how to say so."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # mkstemp makes it 0600 on POSIX; say so where it may not
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def sweep(path: Path) -> None:
    """Remove the temporary files of writers of `path` that were killed half way."""
    for stray in path.parent.glob(f".{path.stem}.*.tmp"):
        with suppress(OSError):
            stray.unlink()


def _fsync_dir(path: Path) -> None:
    """Make the rename itself durable; not possible on every platform."""
    with suppress(OSError, AttributeError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
