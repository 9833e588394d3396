"""rich's side of cli/ui.py: the console that prints plain text, and texts wrapped by okxlink's rules.

Kept apart from `ui.py` so that a run printing only JSON (`verify --json`) never imports rich:
`UI` builds its consoles on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from okxlink.cli import wrap
from okxlink.text import terminal


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
