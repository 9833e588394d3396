"""An exclusive lock on a side file, on every platform, given up at a deadline.

    POSIX     fcntl.flock(LOCK_EX | LOCK_NB) on the whole lock file
    Windows   msvcrt.locking(LK_NBLCK) on its first byte

Either way the lock belongs to an open descriptor of the lock file: it is released when that closes,
also when the process is killed, and a second descriptor (another process, or another thread
that opens the file again) waits for it. The lock file is never written or renamed, so the data it
guards can be replaced (os.replace) and read while it is held, on Windows too.

Both platforms share one loop (`retry`): a non-blocking attempt, then waits that double from 5 ms to
0.1 s, until `timeout` seconds have passed; then `TimedOut`. The platform call, the clock and
the sleep are parameters, so the loop is tested on any platform with fakes.
"""

from __future__ import annotations

import errno
import importlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOCK_TIMEOUT = 15.0  # seconds: far longer than any okxlink holds the lock, short of "hung for good"
FIRST_WAIT = 0.005
MAX_WAIT = 0.1


class TimedOut(Exception):
    """The lock was still held by someone else at the deadline. Not an OSError: nothing failed."""


def retry(attempt: Callable[[], bool], timeout: float, *, clock: Callable[[], float] = time.monotonic,
          sleep: Callable[[float], None] = time.sleep) -> None:
    """Call `attempt` until it returns True; TimedOut once `timeout` seconds have passed. The first
    attempt is made at once and the last one at the deadline; errors from `attempt` propagate."""
    deadline = clock() + timeout
    wait = FIRST_WAIT
    while not attempt():
        left = deadline - clock()
        if left <= 0:
            raise TimedOut
        sleep(min(wait, left))
        wait = min(wait * 2, MAX_WAIT)


# --- the platform calls: True = locked, False = someone else holds it, OSError = failed ----------

def _try_lock_posix(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # EWOULDBLOCK: held elsewhere
        return False
    return True


def _unlock_posix(fd: int) -> None:
    """Nothing: closing the descriptor releases the flock."""


def _msvcrt() -> Any:
    return importlib.import_module("msvcrt")  # Windows only; looked up by name so tests can fake it


def _try_lock_windows(fd: int) -> bool:
    msvcrt = _msvcrt()
    os.lseek(fd, 0, os.SEEK_SET)  # locking() locks from the current position: always byte 0
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EDEADLK):  # held elsewhere
            return False
        raise
    return True


def _unlock_windows(fd: int) -> None:
    """Windows releases a closed handle's locks only eventually: unlock first."""
    msvcrt = _msvcrt()
    os.lseek(fd, 0, os.SEEK_SET)
    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


if os.name == "nt":
    TRY_LOCK, UNLOCK = _try_lock_windows, _unlock_windows
else:
    TRY_LOCK, UNLOCK = _try_lock_posix, _unlock_posix


class Held:
    """A held lock; `release()` (or leaving the `with`) gives it up. Releasing twice is harmless."""

    def __init__(self, fd: int, unlock: Callable[[int], None]) -> None:
        self._fd: int | None = fd
        self._unlock = unlock

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            self._unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class FileLock:
    """An exclusive lock on `path` (created 0600 when missing). Not re-entrant: a second acquire in
    the same process waits for the first like another process would, and times out."""

    def __init__(self, path: Path, timeout: float = LOCK_TIMEOUT, *,
                 try_lock: Callable[[int], bool] = TRY_LOCK, unlock: Callable[[int], None] = UNLOCK,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._try_lock = try_lock
        self._unlock = unlock
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> Held:
        """Raises TimedOut when someone else holds it for `timeout` seconds, OSError when the lock
        file cannot be opened or locked."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            retry(lambda: self._try_lock(fd), self.timeout, clock=self._clock, sleep=self._sleep)
        except BaseException:
            os.close(fd)
            raise
        return Held(fd, self._unlock)
