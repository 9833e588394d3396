"""The one object that owns terminal output: tables, spinners, JSON, and the colour rules.

Everything printed is plain text: never parsed as rich markup or emoji codes, and stripped of
control characters (okxlink.text) however it was built, so text from OKX, a linking service or
profiles.toml can neither crash the run nor act on the terminal. Colours are rich's, from styles.

Nothing is cut off: every text is wrapped by okxlink's rules (cli/wrap.py: by display width,
between CJK characters, never before closing punctuation), at whatever width it is given, a table
cell's or the terminal's, and a table too narrow to read well becomes one block per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from okxlink.cli import wrap
from okxlink.core.checks import name
from okxlink.i18n import _, ngettext
from okxlink.text import json_text, terminal

if TYPE_CHECKING:
    from pydantic import SecretStr

    from okxlink.core.checks import Check
    from okxlink.core.verify import Report

MARKS = {"pass": ("✓", "green"), "warn": ("!", "yellow"), "fail": ("✗", "red"), "skip": ("-", "dim")}
# The verify table while its Result column gets this many cells (about seven English words or
# twenty Chinese characters a line); one block per check below that (60 columns, en and zh).
MIN_RESULT = 44
TABLE_FRAME = 11  # the verify table's borders and padding: "│ ✓ │ name │ result │"


def shown(text: str, style: str = "") -> Text:
    """A printed text as rich should take it: literal (no markup), without control characters."""
    return Text(terminal(text), style=style)


def fit(text: Text, width: int, first: str = "", rest: str = "") -> Text:
    """`text` (styles kept) broken into lines of at most `width` cells by okxlink's rules, the
    first led by `first`, the others by `rest` (a hanging indent)."""
    lines = wrap.spans(text.plain, width - cell_len(rest), width - cell_len(first))
    out = Text(style=text.style, justify=text.justify, end=text.end, no_wrap=True, overflow="ignore")
    for i, (begin, end) in enumerate(lines):
        if i:
            out.append("\n")
        if end > begin:
            out.append(first if i == 0 else rest)
            out.append_text(text[begin:end])
    return out


class Para:
    """A text wrapped by okxlink's rules at the width it is rendered at: a table cell's or the
    console's. `first` and `rest` lead the first and the following lines."""

    def __init__(self, text: Text | str, first: str = "", rest: str = "", style: str = "") -> None:
        self.text = shown(text, style) if isinstance(text, str) else text
        self.first, self.rest = first, rest

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield fit(self.text, options.max_width, self.first, self.rest)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        narrow, wide = wrap.measure(self.text.plain)
        indent = max(cell_len(self.first), cell_len(self.rest))
        return Measurement(narrow + indent, wide + indent).clamp(max_width=options.max_width)


class Items:
    """Short items on one line, `gap` apart, as many as fit; an item never split from its mark."""

    def __init__(self, items: list[Text], indent: str = "", gap: str = "   ") -> None:
        self.items, self.indent, self.gap = items, indent, gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines: list[Text] = []
        for item in self.items:
            if lines and cell_len(lines[-1].plain + self.gap + item.plain) <= width:
                lines[-1].append(self.gap).append_text(item)
            else:
                lines.append(Text(self.indent).append_text(item))
        for line in lines:  # an item wider than the line itself wraps, hanging under its words
            yield fit(line, width, rest=self.indent + "  ")


class PlainConsole(Console):
    """A Console whose output holds no control character but rich's own (styles, cursor moves).

    The last line of defence, for whatever reaches `ui.out.print` / `ui.err.print` without going
    through `shown`: markup and emoji codes are off, and the text of every rendered segment is
    cleaned. rich's own escape codes are added after rendering, and its cursor moves are control
    segments, so both pass untouched. A text that may wrap is wrapped by okxlink's rules, not
    rich's (which break Chinese only at spaces, and cut off what does not fit)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kw)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterator[Segment]:
        if isinstance(renderable, Text) and not renderable.no_wrap and not (options or self.options).no_wrap:
            renderable = Para(renderable)
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
        """The checks as a table, or at a width where its Result column would be too narrow to
        read, one block per check: the mark and the check's name, its message and fix below.
        `wizard`: inside the setup wizard, whose next question offers the way on (no command advice)."""
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
        mark, colour = MARKS[status]
        return Text(mark, style=colour)

    @staticmethod
    def _result(check: Check, indent: str = "") -> Group:
        """The message, and the fix of a problem after an arrow, its lines hanging under the text."""
        parts = [Para(check.message, first=indent, rest=indent)]
        if check.fix and check.status in ("fail", "warn"):
            parts.append(Para("→ " + check.fix, first=indent, rest=indent + "  ", style="bold"))
        return Group(*parts)

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
