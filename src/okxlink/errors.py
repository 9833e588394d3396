"""One exception tree for okxlink, and the one place that decides exit codes.

    OkxlinkError                 exit 1  (a bug unless a subclass says otherwise)
    ├── UsageError               exit 2  bad input, unknown profile, missing credentials
    ├── StorageError             exit 5  no keyring backend, locked, prompt dismissed, timed out
    ├── WizardQuit               exit 3  the user stopped the wizard; nothing was saved
    ├── NotReady                 exit 3  a platform says the key needs attention (rotate stops there)
    ├── Interrupted              exit 130  Ctrl-C in a command that says what it had done by then
    ├── LinkError                exit 4  the linking service did not answer, failed or refused the request
    │                                    (2 when it refused our token)
    └── OkxError                 exit 3  OKX answered with a non-zero code (or did not answer)
        ├── AuthError                    50100-50121 (core/codes.py): the key, secret, passphrase, site or IP was refused
        ├── PermissionDenied             50120: the key lacks the permission for this call
        ├── RateLimited                  50011, HTTP 429
        ├── Unavailable          exit 4  OKX busy or down (5xx, 50001/50004/50013/50026), or a malformed answer
        └── NetworkError         exit 4  no answer at all: refused, reset, timed out, DNS

`message` is one sentence for the user; it never contains a secret. Exit codes are decided here and
nowhere else: `exit_for(exception)`, `exit_for_ready(verdict)` and `worst(codes)`.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    @property
    def exit_code(self) -> Exit:
        return exit_for(self)


class UsageError(OkxlinkError):
    pass


class StorageError(OkxlinkError):
    pass


class WizardQuit(OkxlinkError):
    """The user chose to stop before anything was saved."""


class NotReady(OkxlinkError):
    """A verdict, not a failure: a platform says the key needs attention."""


class Interrupted(OkxlinkError):
    """Ctrl-C, said by a command that knows what was done by then (else the CLI says it)."""


class LinkError(OkxlinkError):
    """The linking service's error: `code` is its error code (or "unreachable"), `status` its HTTP
    status (0: no answer), `existing_id` the link it already has for this key (on 409)."""

    def __init__(self, message: str, fix: str | None = None, code: str = "", status: int = 0,
                 existing_id: str | None = None) -> None:
        super().__init__(message, fix)
        self.code = code
        self.status = status
        self.existing_id = existing_id


class OkxError(OkxlinkError):
    """OKX answered `code` (a string, as OKX sends it) with HTTP `status`."""

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
    pass


class NetworkError(OkxError):
    def __init__(self, detail: str, timed_out: bool = False) -> None:
        super().__init__("network", detail, 0)
        self.timed_out = timed_out


# Most specific first: the first class an error is an instance of decides.
_BY_CLASS: tuple[tuple[type[OkxlinkError], Exit], ...] = (
    (UsageError, Exit.USAGE),
    (StorageError, Exit.STORAGE),
    (WizardQuit, Exit.NOT_READY),
    (NotReady, Exit.NOT_READY),
    (Interrupted, Exit.INTERRUPTED),
    (Unavailable, Exit.UNVERIFIED),
    (NetworkError, Exit.UNVERIFIED),
    (OkxError, Exit.NOT_READY),
)
# A refused token is the user's input to fix (2). A request the service calls invalid (422) is
# exit 4 like any failed link, not 1: a hostile service must not be able to make okxlink report a bug.
_LINK_BY_STATUS = {401: Exit.USAGE}


def exit_for(exc: BaseException) -> Exit:
    if isinstance(exc, KeyboardInterrupt):
        return Exit.INTERRUPTED
    if isinstance(exc, LinkError):
        return _LINK_BY_STATUS.get(exc.status, Exit.UNVERIFIED)
    return next((code for cls, code in _BY_CLASS if isinstance(exc, cls)), Exit.BUG)


def exit_for_ready(ready: bool | None) -> Exit:
    """A verdict on a key: ready, not ready, or could not be determined."""
    return {True: Exit.OK, False: Exit.NOT_READY, None: Exit.UNVERIFIED}[ready]


def worst(codes: Iterable[Exit]) -> Exit:
    """Across several keys: any not ready beats any unverifiable beats ready."""
    seen = set(codes)
    return next((code for code in (Exit.NOT_READY, Exit.UNVERIFIED) if code in seen), Exit.OK)
