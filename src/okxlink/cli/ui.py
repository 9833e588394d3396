"""The one object that owns terminal output: tables, spinners, JSON, and the colour rules.

Everything printed is plain text: never parsed as rich markup or emoji codes, and stripped of
control characters (okxlink.text) however it was built, so text from OKX, a linking service or
profiles.toml can neither crash the run nor act on the terminal. Colours are rich's, from styles.

Nothing is cut off: every text is wrapped by okxlink's rules (cli/wrap.py: by display width,
between CJK characters, never before closing punctuation), at whatever width it is given, a table
cell's or the terminal's, and a table too narrow to read well becomes one block per row.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

from okxlink.core.checks import name
from okxlink.i18n import _, ngettext
from okxlink.text import json_text

if TYPE_CHECKING:
    from rich.console import Group
    from rich.text import Text

    from okxlink.cli.console import PlainConsole
    from okxlink.core.checks import Check
    from okxlink.core.secret import SecretStr
    from okxlink.core.verify import Report

MARKS = {"pass": ("✓", "green"), "warn": ("!", "yellow"), "fail": ("✗", "red"), "skip": ("-", "dim")}
# The verify table while its Result column gets this many cells (about seven English words or
# twenty Chinese characters a line); one block per check below that (60 columns, en and zh).
MIN_RESULT = 44
TABLE_FRAME = 11  # the verify table's borders and padding: "│ ✓ │ name │ result │"
RICH_TERMINAL_ENV = ("FORCE_TERMINAL", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")  # rich's own overrides


class UI:
    def __init__(self, json_mode: bool = False, out: TextIO | None = None, err: TextIO | None = None,
                 width: int | None = None) -> None:
        self.json_mode = json_mode
        self._files, self._width = (out, err), width

    # Built on first use: a run that prints only JSON never imports rich (cli/console.py).
    @cached_property
    def out(self) -> PlainConsole:
        from okxlink.cli.console import PlainConsole

        return PlainConsole(file=self._files[0], soft_wrap=False, width=self._width)

    @cached_property
    def err(self) -> PlainConsole:
        from okxlink.cli.console import PlainConsole

        return PlainConsole(file=self._files[1], stderr=self._files[1] is None, width=self._width)

    @contextmanager
    def spinner(self, text: str) -> Iterator[None]:
        """A spinner on stderr while waiting on the network; nothing when stderr is not a terminal."""
        if self._may_be_terminal() and self.err.is_terminal:
            from okxlink.cli.console import shown

            with self.err.status(shown(text)):  # rich's Status parses a str as markup
                yield
        else:
            yield

    def _may_be_terminal(self) -> bool:
        """False when stderr is plainly no terminal, told without building its console (rich)."""
        if "err" in self.__dict__:
            return True
        isatty = getattr(self._files[1] or sys.stderr, "isatty", None)
        return bool(isatty and isatty()) or any(os.environ.get(v) for v in RICH_TERMINAL_ENV)

    def json(self, data: Any) -> None:
        """JSON keeps outside text whole, escaped (okxlink.text.json_text)."""
        (self._files[0] or sys.stdout).write(json_text(data) + "\n")

    def note(self, text: str) -> None:
        from okxlink.cli.console import shown

        self.err.print(shown(text, style="dim"))

    def say(self, text: str) -> None:
        from okxlink.cli.console import shown

        self.out.print(shown(text))

    def step(self, number: int, total: int, title: str, why: str) -> None:
        from okxlink.cli.console import shown

        self.out.print()
        self.out.print(shown(f"[{number}/{total}] {title}", style="bold cyan"))
        self.out.print(shown(why, style="dim"))

    def reveal(self, label: str, value: SecretStr) -> None:
        """The one place a secret is printed: a passphrase okxlink generated for the user to
        paste into OKX, shown once, on request, in an interactive session."""
        from rich.text import Text

        from okxlink.cli.console import shown

        self.out.print(shown(label))
        self.out.print(Text("  " + value.get_secret_value(), style="bold"))

    def report(self, report: Report, title: str | None = None, wizard: bool = False) -> None:
        """The checks as a table, or at a width where its Result column would be too narrow to
        read, one block per check: the mark and the check's name, its message and fix below.
        `wizard`: inside the setup wizard, whose next question offers the way on (no command advice)."""
        from rich.cells import cell_len
        from rich.table import Table
        from rich.text import Text

        from okxlink.cli.console import shown

        # A key bound to the platform's IPs: OKX tells this machine nothing more, and a column of
        # "Not checked" would read as failures. The platform makes those checks.
        bound = report.okx_code == "50110"
        visible = [c for c in report.checks if not (bound and c.status == "skip")]
        if title is not None:
            self.out.print(shown(title, style="bold"))
        names = [name(c.id) for c in visible]
        if self.out.width - TABLE_FRAME - max(map(cell_len, names), default=0) >= MIN_RESULT:
            table = Table(show_header=True, header_style="bold", expand=False)
            table.add_column("", no_wrap=True)
            table.add_column(_("Check"), no_wrap=True)
            table.add_column(_("Result"))
            for check, label in zip(visible, names, strict=True):
                table.add_row(self._mark(check.status), shown(label), self._result(check))
            self.out.print(table)
        else:
            for check, label in zip(visible, names, strict=True):
                self.out.print(Text.assemble(self._mark(check.status), " ", shown(label, style="bold")))
                self.out.print(self._result(check, indent="  "))
        if len(visible) < len(report.checks):
            hidden = len(report.checks) - len(visible)
            self.out.print(Text(ngettext(
                "Secret, passphrase, permissions, IP binding, account and funds ({n} check) "
                "are checked by your platform, from its IP addresses.",
                "Secret, passphrase, permissions, IP binding, account and funds ({n} checks) "
                "are checked by your platform, from its IP addresses.", hidden).format(n=hidden), style="dim"))
        self.out.print(self.verdict(report, wizard))

    @staticmethod
    def _mark(status: str) -> Text:
        from rich.text import Text

        mark, colour = MARKS[status]
        return Text(mark, style=colour)

    @staticmethod
    def _result(check: Check, indent: str = "") -> Group:
        """The message, and the fix of a problem after an arrow, its lines hanging under the text."""
        from rich.console import Group

        from okxlink.cli.console import Para

        parts = [Para(check.message, first=indent, rest=indent)]
        if check.fix and check.status in ("fail", "warn"):
            parts.append(Para("→ " + check.fix, first=indent, rest=indent + "  ", style="bold"))
        return Group(*parts)

    @staticmethod
    def verdict(report: Report, wizard: bool = False) -> Text:
        from rich.text import Text

        if report.ready is True:
            return Text(_("Ready: this key can be used for copy trading."), style="bold green")
        if report.ready is False:
            return Text(_("Not ready: fix the problems marked ✗.") if wizard else
                        _("Not ready: fix the problems marked ✗, then run okxlink verify again."), style="bold red")
        if report.okx_code == "50110":
            return Text(_("Bound to your platform's IP addresses: this machine cannot use the key, as "
                          "expected; your platform verifies it."), style="bold yellow")
        return Text(_("Could not verify this key from here; see the rows marked above."), style="bold yellow")
