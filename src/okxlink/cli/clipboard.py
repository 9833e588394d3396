"""The clipboard: which tool reaches it, putting a value there, reading it back, and clearing it only
while it still holds what okxlink put there (the user may have copied something else since).

pyperclip knows each platform's tool and picks one (macOS pbcopy, Windows, WSL's clip.exe; on Linux
wl-clipboard under Wayland, else xclip, xsel). The Linux tools okxlink then runs itself, with the
same command lines plus two things pyperclip does not do: the tool's background process (it keeps
serving the value) gets no handle on okxlink's output, so a pipe reading okxlink ends when okxlink
does; and wl-copy, from wl-clipboard 2.3, is asked for `--sensitive`, which also offers the
`x-kde-passwordManagerHint` type that clipboard managers (Klipper, CopyQ, cliphist) read as
"a password: keep no history of it". xclip and xsel serve one type per value, so there the hint
cannot be set. pyperclip's Klipper tool is refused: it passes the value on a command line, where any
process on the machine can read it.

OSC 52 (only when the user asks) writes the value, base64-encoded, to the terminal, which puts it
on its own clipboard: it travels through the terminal, and tmux or ssh in between."""

from __future__ import annotations

import base64
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from okxlink.errors import OkxlinkError, UsageError
from okxlink.i18n import _

HINT = "x-kde-passwordManagerHint"


class Clipboard(Protocol):
    tool: str    # named in messages ("xclip")
    hint: bool   # clipboard managers are told the value is a password (HINT)

    def copy(self, text: str) -> None: ...
    def paste(self) -> str | None: ...  # None: this clipboard cannot be read back


def failed(tool: str) -> UsageError:
    return UsageError(_("{tool} could not reach the clipboard.").format(tool=tool),
                      _("Check that your desktop session is running, or copy through your terminal with --osc52."))


def unavailable() -> UsageError:
    return UsageError(_("No clipboard here: okxlink copy needs xclip or xsel on X11, or wl-clipboard on "
                        "Wayland, and a desktop session to reach."),
                      _("Install one of them, or copy through your terminal with okxlink copy --osc52."))


@dataclass
class Commands:
    """A Linux tool okxlink runs: `put` reads the value on stdin, `get` prints it, `clear` empties
    the clipboard (None: put nothing)."""
    tool: str
    put: list[str]
    get: list[str]
    clear: list[str] | None = None
    hint: bool = False

    def _run(self, args: list[str], text: str = "", out: Any = subprocess.DEVNULL) -> str:
        try:
            # a fixed command line; the tool is looked up on PATH, as pyperclip looked for it
            done = subprocess.run(args, input=text.encode(), stdout=out,  # nosec B603 B607
                                  stderr=subprocess.DEVNULL, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            raise failed(self.tool) from None
        if done.returncode != 0 and out is subprocess.DEVNULL:
            raise failed(self.tool)
        return done.stdout.decode(errors="replace") if out is subprocess.PIPE else ""

    def copy(self, text: str) -> None:
        self._run(self.put if text or self.clear is None else self.clear, text)

    def paste(self) -> str:
        return self._run(self.get, out=subprocess.PIPE)  # an empty clipboard: xclip fails, and that is ""


@dataclass
class Library:
    """pyperclip's own functions (macOS, Windows, WSL, Qt)."""
    tool: str
    put: Any
    get: Any
    hint: bool = False

    def copy(self, text: str) -> None:
        try:
            self.put(text)
        except Exception:  # noqa: BLE001  (pyperclip raises its own, OSError, ctypes errors: none names the value)
            raise failed(self.tool) from None

    def paste(self) -> str:
        try:
            return str(self.get())
        except Exception:  # noqa: BLE001
            raise failed(self.tool) from None


@dataclass
class Terminal:
    """OSC 52: the terminal's clipboard. It cannot be read back, so it is always cleared."""
    out: TextIO
    tool: str = "OSC 52"
    hint: bool = False

    def copy(self, text: str) -> None:
        self.out.write(f"\x1b]52;c;{base64.b64encode(text.encode()).decode()}\x07")
        self.out.flush()

    def paste(self) -> None:
        return None


def _sensitive_supported() -> bool:
    """wl-copy 2.3 and later: --sensitive."""
    try:
        done = subprocess.run(["wl-copy", "--help"], capture_output=True, text=True,  # nosec B603 B607
                              timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--sensitive" in done.stdout + done.stderr


def system() -> Clipboard:
    """The clipboard pyperclip finds here; UsageError (exit 2) when there is none."""
    import pyperclip

    put, get = pyperclip.determine_clipboard()
    name = getattr(put, "__name__", "")
    if name == "copy_xclip":
        return Commands("xclip", ["xclip", "-selection", "clipboard", "-i"], ["xclip", "-selection", "clipboard", "-o"])
    if name == "copy_xsel":
        return Commands("xsel", ["xsel", "--clipboard", "--input"], ["xsel", "--clipboard", "--output"],
                        ["xsel", "--clipboard", "--clear"])
    if name == "copy_wl":
        sensitive = _sensitive_supported()
        return Commands("wl-copy", ["wl-copy", *(["--sensitive"] if sensitive else [])],
                        ["wl-paste", "--no-newline", "--type", "text"], ["wl-copy", "--clear"], hint=sensitive)
    if not put or name == "copy_klipper":
        raise unavailable()
    return Library(name.removeprefix("copy_") or "pyperclip", put, get)


def clear_if_unchanged(board: Clipboard, value: str) -> bool:
    """Empties the clipboard if it still holds `value`; False when the user copied something else."""
    held = board.paste()
    if held == "":  # empty already (another program cleared it): nothing of ours is left
        return True
    if held is not None and held != value:
        return False
    board.copy("")
    return True


@dataclass
class Held:
    """One value on the clipboard until `seconds` pass or `release()` is called, whichever comes
    first; then cleared, unless the clipboard holds something else by then. `done` is set once
    that was decided; `replaced` says the user's copy was left alone, `error` that clearing failed."""
    board: Clipboard
    value: str = field(repr=False)
    seconds: float
    done: threading.Event = field(default_factory=threading.Event)
    replaced: bool = False
    error: OkxlinkError | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ended = threading.Event()
        self.board.copy(self.value)
        threading.Thread(target=self._expire, daemon=True, name="okxlink-clipboard").start()

    def _expire(self) -> None:
        if not self._ended.wait(self.seconds):
            self.release()

    def release(self) -> None:
        with self._lock:
            if self.done.is_set():
                return
            try:
                self.replaced = not clear_if_unchanged(self.board, self.value)
            except OkxlinkError as exc:
                self.error = exc
            finally:
                self.done.set()

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *exc: object) -> None:
        self._ended.set()
        self.release()
