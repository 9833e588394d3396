"""The one object that owns terminal output: tables, spinners, JSON, and the colour rules.

Everything printed is plain text: never parsed as rich markup or emoji codes, and stripped of
control characters (okxlink.text) however it was built, so text from OKX, a linking service or
profiles.toml can neither crash the run nor act on the terminal. Colours are rich's, from styles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from okxlink.i18n import _, ngettext
from okxlink.text import json_text, terminal

if TYPE_CHECKING:
    from pydantic import SecretStr

    from okxlink.core.verify import Report

MARKS = {"pass": ("✓", "green"), "warn": ("!", "yellow"), "fail": ("✗", "red"), "skip": ("-", "dim")}


def shown(text: str, style: str = "") -> Text:
    """A printed text as rich should take it: literal (no markup), without control characters."""
    return Text(terminal(text), style=style)


class PlainConsole(Console):
    """A Console whose output holds no control character but rich's own (styles, cursor moves).

    The last line of defence, for whatever reaches `ui.out.print` / `ui.err.print` without going
    through `shown`: markup and emoji codes are off, and the text of every rendered segment is
    cleaned. rich's own escape codes are added after rendering, and its cursor moves are control
    segments, so both pass untouched."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kw)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterator[Segment]:
        for segment in super().render(renderable, options):
            if segment.control:
                yield segment
            else:
                text = terminal(segment.text)
                yield segment if text == segment.text else Segment(text, segment.style)


class UI:
    def __init__(self, json_mode: bool = False, out: TextIO | None = None, err: TextIO | None = None,
                 width: int | None = None) -> None:
        self.json_mode = json_mode
        self.out = PlainConsole(file=out, soft_wrap=False, width=width)
        self.err = PlainConsole(file=err, stderr=err is None, width=width)

    @contextmanager
    def spinner(self, text: str) -> Iterator[None]:
        """A spinner on stderr while waiting on the network; nothing when stderr is not a terminal."""
        if self.err.is_terminal:
            with self.err.status(shown(text)):  # rich's Status parses a str as markup
                yield
        else:
            yield

    def json(self, data: Any) -> None:
        """JSON keeps outside text whole, escaped (okxlink.text.json_text)."""
        self.out.file.write(json_text(data) + "\n")

    def note(self, text: str) -> None:
        self.err.print(shown(text, style="dim"))

    def say(self, text: str) -> None:
        self.out.print(shown(text))

    def step(self, number: int, total: int, title: str, why: str) -> None:
        self.out.print()
        self.out.print(shown(f"[{number}/{total}] {title}", style="bold cyan"))
        self.out.print(shown(why, style="dim"))

    def reveal(self, label: str, value: SecretStr) -> None:
        """The one place a secret is printed: a passphrase okxlink generated for the user to
        paste into OKX, shown once, on request, in an interactive session."""
        self.out.print(shown(label))
        self.out.print(Text("  " + value.get_secret_value(), style="bold"))

    def report(self, report: Report, title: str | None = None, wizard: bool = False) -> None:
        """`wizard`: inside the setup wizard, whose next question offers the way on (no command advice)."""
        table = Table(title=None if title is None else shown(title, style="table.title"), show_header=True,
                      header_style="bold", expand=False)
        table.add_column("", no_wrap=True)
        table.add_column(_("Check"), no_wrap=True)
        table.add_column(_("Result"))
        # A key bound to the platform's IPs: OKX tells this machine nothing more, and a column of
        # "Not checked" would read as failures. The platform makes those checks.
        bound = report.okx_code == "50110"
        visible = [c for c in report.checks if not (bound and c.status == "skip")]
        for check in visible:
            mark, colour = MARKS[check.status]
            result = shown(check.message)
            if check.fix and check.status in ("fail", "warn"):
                result.append("\n→ " + terminal(check.fix), style="bold")
            table.add_row(Text(mark, style=colour), shown(str(check.id)), result)
        self.out.print(table)
        if len(visible) < len(report.checks):
            hidden = len(report.checks) - len(visible)
            self.out.print(Text(ngettext(
                "Secret, passphrase, permissions, IP binding, account and funds ({n} check) "
                "are checked by your platform, from its IP addresses.",
                "Secret, passphrase, permissions, IP binding, account and funds ({n} checks) "
                "are checked by your platform, from its IP addresses.", hidden).format(n=hidden), style="dim"))
        self.out.print(self.verdict(report, wizard))

    @staticmethod
    def verdict(report: Report, wizard: bool = False) -> Text:
        if report.ready is True:
            return Text(_("Ready: this key can be used for copy trading."), style="bold green")
        if report.ready is False:
            return Text(_("Not ready: fix the problems marked ✗.") if wizard else
                        _("Not ready: fix the problems marked ✗, then run okxlink verify again."), style="bold red")
        if report.okx_code == "50110":
            return Text(_("Bound to your platform's IP addresses: this machine cannot use the key, as "
                          "expected; your platform verifies it."), style="bold yellow")
        return Text(_("Could not verify this key from here; see the rows marked above."), style="bold yellow")
