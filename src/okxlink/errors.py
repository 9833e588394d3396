"""One exception tree for okxlink; every error knows its exit code.

    OkxlinkError                 exit 1  (a bug unless a subclass says otherwise)
    ├── UsageError               exit 2  bad input, unknown profile, missing credentials
    ├── StorageError             exit 5  no keyring backend, locked, prompt dismissed, timed out
    └── OkxError                         OKX answered with a non-zero code (or did not answer)
        ├── AuthError                    50100-50119: the key, secret, passphrase, site or IP was refused
        ├── PermissionDenied             50120: the key lacks the permission for this call
        ├── RateLimited                  50011, HTTP 429
        ├── Unavailable          exit 4  OKX busy or down (5xx, 50001/50013/50026), or a malformed answer
        └── NetworkError         exit 4  no answer at all: refused, reset, timed out, DNS

`message` is one sentence for the user; it never contains a secret.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    BUG = 1
    USAGE = 2
    NOT_READY = 3
    UNVERIFIED = 4
    STORAGE = 5
    INTERRUPTED = 130


class OkxlinkError(Exception):
    exit_code: Exit = Exit.BUG

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class UsageError(OkxlinkError):
    exit_code = Exit.USAGE


class StorageError(OkxlinkError):
    exit_code = Exit.STORAGE


class OkxError(OkxlinkError):
    """OKX answered `code` (a string, as OKX sends it) with HTTP `status`."""

    exit_code = Exit.NOT_READY

    def __init__(self, code: str, msg: str, status: int = 200) -> None:
        super().__init__(f"OKX error {code}: {msg}" if msg else f"OKX error {code}")
        self.code = code
        self.msg = msg
        self.status = status


class AuthError(OkxError):
    pass


class PermissionDenied(OkxError):
    pass


class RateLimited(OkxError):
    pass


class Unavailable(OkxError):
    exit_code = Exit.UNVERIFIED


class NetworkError(OkxError):
    exit_code = Exit.UNVERIFIED

    def __init__(self, detail: str, timed_out: bool = False) -> None:
        super().__init__("network", detail, 0)
        self.timed_out = timed_out
