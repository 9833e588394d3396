"""The one object that owns terminal output: tables, spinners, JSON, and the colour rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from okxlink.i18n import _

if TYPE_CHECKING:
    from pydantic import SecretStr

    from okxlink.core.verify import Report

MARKS = {"pass": ("✓", "green"), "warn": ("!", "yellow"), "fail": ("✗", "red"), "skip": ("-", "dim")}


class UI:
    def __init__(self, json_mode: bool = False, out: TextIO | None = None, err: TextIO | None = None,
                 width: int | None = None) -> None:
        self.json_mode = json_mode
        self.out = Console(file=out, highlight=False, soft_wrap=False, width=width)
        self.err = Console(file=err, stderr=err is None, highlight=False, width=width)

    @contextmanager
    def spinner(self, text: str) -> Iterator[None]:
        """A spinner on stderr while waiting on the network; nothing when stderr is not a terminal."""
        if self.err.is_terminal:
            with self.err.status(text):
                yield
        else:
            yield

    def json(self, data: Any) -> None:
        self.out.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def note(self, text: str) -> None:
        self.err.print(text, style="dim")

    def say(self, text: str) -> None:
        self.out.print(text)

    def step(self, number: int, total: int, title: str, why: str) -> None:
        self.out.print()
        self.out.print(Text(f"[{number}/{total}] {title}", style="bold cyan"))
        self.out.print(Text(why, style="dim"))

    def reveal(self, label: str, value: SecretStr) -> None:
        """The one place a secret is printed: a passphrase okxlink generated for the user to
        paste into OKX, shown once, on request, in an interactive session."""
        self.out.print(label)
        self.out.print(Text("  " + value.get_secret_value(), style="bold"))

    def report(self, report: Report, title: str | None = None) -> None:
        table = Table(title=title, show_header=True, header_style="bold", expand=False)
        table.add_column("", no_wrap=True)
        table.add_column(_("Check"), no_wrap=True)
        table.add_column(_("Result"))
        # A key bound to the platform's IPs: OKX tells this machine nothing more, and a column of
        # "Not checked" would read as failures. The platform makes those checks.
        bound = report.okx_code == "50110"
        shown = [c for c in report.checks if not (bound and c.status == "skip")]
        for check in shown:
            mark, colour = MARKS[check.status]
            result = Text(check.message)
            if check.fix and check.status in ("fail", "warn"):
                result.append("\n→ " + check.fix, style="bold")
            table.add_row(Text(mark, style=colour), str(check.id), result)
        self.out.print(table)
        if len(shown) < len(report.checks):
            self.out.print(Text(_("Secret, passphrase, permissions, IP binding, account and funds ({n} checks) "
                                  "are checked by your platform, from its IP addresses.").format(
                                      n=len(report.checks) - len(shown)), style="dim"))
        self.out.print(self.verdict(report))

    @staticmethod
    def verdict(report: Report) -> Text:
        if report.ready is True:
            return Text(_("Ready: this key can be used for copy trading."), style="bold green")
        if report.ready is False:
            return Text(_("Not ready: fix the problems marked ✗, then run okxlink verify again."),
                        style="bold red")
        if report.okx_code == "50110":
            return Text(_("Bound to your platform's IP addresses: this machine cannot use the key, as "
                          "expected; your platform verifies it."), style="bold yellow")
        return Text(_("Could not verify this key from here; see the rows marked above."), style="bold yellow")
