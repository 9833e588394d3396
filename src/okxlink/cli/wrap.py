"""Where a printed line may break, by display width: pure, no terminal I/O (rich only measures).

okxlink's text mixes English and Chinese, so breaking only at spaces (as rich does) leaves a lone
"。" on a line or cuts off whatever does not fit. The rules here:

- a line may break at a run of spaces (the spaces go), or between two characters when either is
  wide (CJK: ideographs, kana, full-width punctuation), with nothing dropped;
- never before closing punctuation (。，、；：？！）」” …) nor after opening punctuation (（「“ …);
- a Latin word, a number, a flag or a command (`gnome-keyring`, `--site`, `set-ntp`) is never
  broken, unless it alone is wider than the line: then it is folded (a URL may be);
- our own line breaks ("\\n") stay.

`spans` gives the lines as slices of the text (so styled text can be cut at the same places);
`wrap` gives them as strings.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len

# May not begin a line (closing brackets and quotes, sentence and clause marks, small kana, iteration marks).
NO_START = frozenset(
    "。．，、；：？！）」』】〕〉》〗〙〛｝］”’…‥·・ー～々〻ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ％"
    ".,;:!?)]}%")
# May not end a line (opening brackets and quotes).
NO_END = frozenset("（「『【〔〈《〖〘〚｛［“‘([{")


@lru_cache(maxsize=4096)
def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _may_break(before: str, after: str) -> bool:
    """A break between two adjacent non-space characters."""
    return (_wide(before) or _wide(after)) and after not in NO_START and before not in NO_END


def units(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """The unbreakable pieces of one paragraph text[start:end], as (gap, begin, end): the spaces
    text[gap:begin] stand before the piece (a break there drops them). Leading spaces belong to the
    first piece; trailing spaces to no piece."""
    end = len(text) if end is None else end
    found: list[tuple[int, int, int]] = []
    gap = begin = start
    k = start
    while k < end and text[k] == " ":  # an indent of the text's own: kept, never a break
        k += 1
    lead = k
    while k < end:
        if text[k] == " ":
            stop = k
            while k < end and text[k] == " ":
                k += 1
            found.append((gap, begin, stop))
            gap, begin = stop, k
            continue
        if k > max(begin, lead) and _may_break(text[k - 1], text[k]):
            found.append((gap, begin, k))
            gap = begin = k
        k += 1
    if begin < end:
        found.append((gap, begin, end))
    return found


def _fold(text: str, begin: int, end: int, width: int) -> list[tuple[int, int]]:
    """A piece wider than the line, cut into slices of at most `width` cells (at least one character)."""
    out, start, used = [], begin, 0
    for k in range(begin, end):
        w = cell_len(text[k])
        if used + w > width and k > start:
            out.append((start, k))
            start, used = k, 0
        used += w
    out.append((start, end))
    return out


def spans(text: str, width: int, first: int | None = None) -> list[tuple[int, int]]:
    """The lines of `text` at `width` cells (`first`: the first line's width, when it differs), as
    (begin, end) slices of `text`. An empty paragraph is one empty line."""
    lines: list[tuple[int, int]] = []
    avail = max(1, width if first is None else first)
    width = max(1, width)
    para = 0
    while True:
        stop = text.find("\n", para)
        stop = len(text) if stop < 0 else stop
        line: tuple[int, int] | None = None
        used = 0
        for gap, begin, end in units(text, para, stop):
            w = cell_len(text[begin:end])
            if line is not None and used + (begin - gap) + w <= avail:
                line, used = (line[0], end), used + (begin - gap) + w
                continue
            if line is not None:
                lines.append(line)
                avail = width
            pieces = [(begin, end)] if w <= avail else _fold(text, begin, end, avail)
            for piece in pieces[:-1]:
                lines.append(piece)
                avail = width
            line, used = pieces[-1], cell_len(text[pieces[-1][0]:pieces[-1][1]])
        lines.append(line if line is not None else (para, para))
        avail = width
        if stop == len(text):
            return lines
        para = stop + 1


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """`text` as lines of at most `width` cells, the first led by `first`, the others by `rest`
    (a hanging indent), as long as no unbreakable piece is wider than its line."""
    found = spans(text, width - cell_len(rest), width - cell_len(first))
    return [((first if i == 0 else rest) + text[b:e]) if e > b else "" for i, (b, e) in enumerate(found)]


def measure(text: str) -> tuple[int, int]:
    """The narrowest width at which nothing is folded (the widest piece), and the widest paragraph."""
    narrow = wide = 0
    para = 0
    for paragraph in text.split("\n"):
        pieces = units(text, para, para + len(paragraph))
        narrow = max([narrow, *(cell_len(text[b:e]) for _gap, b, e in pieces)])
        wide = max(wide, cell_len(paragraph.rstrip(" ")))
        para += len(paragraph) + 1
    return narrow, wide


def wide(text: str) -> bool:
    """Whether `text` holds a wide character (its display width is not its length)."""
    return any(_wide(ch) for ch in text)
