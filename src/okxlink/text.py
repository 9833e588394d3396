"""Text okxlink did not write — OKX's messages, an account's label and uid, a linking service's
reasons, errors and link ids, whatever profiles.toml holds — made safe to show. Pure: no terminal
library, so every layer may use it.

On a terminal such text must not act: no escape sequence (a title, a cleared screen, a clipboard
write via OSC 52, a C1 CSI), no line of its own, no bidi control reordering what a person reads.
In JSON it stays whole, but escaped, so a consumer printing it is not hurt either.

- `plain(value)`: one outside value, as one bounded line (where it enters a printed sentence).
- `terminal(text)`: a whole printed text, ours or not, with our own line breaks kept (the sink).
- `json_text(data)`: JSON with every invisible or controlling character escaped as \\uXXXX.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

MAX = 200  # one outside value: a label, a reason, a service's message; a sentence, never a page

# Explicit bidi controls (Cf already, listed so the intent is written down): ALM, LRM, RLM,
# LRE..RLO, LRI..PDI. They reorder what a person reads ("txt.exe" shown as "exe.txt").
BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Format characters that are part of how text is written (Persian, Indic scripts, emoji sequences).
_JOINERS = frozenset([0x200C, 0x200D])
_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")


def _drop(ch: str) -> bool:
    """A character that acts on a terminal, or hides or reorders text, rather than showing."""
    code = ord(ch)
    if code in BIDI:
        return True
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Zl", "Zp") or (cat == "Cf" and code not in _JOINERS)


def _clean(text: str, keep_newlines: bool) -> str:
    # Fast path: str.isprintable() is False for every category dropped here (Cc, Cf, Cs, Zl, Zp)
    if (text.replace("\n", "") if keep_newlines else text).isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in _WHITESPACE_CONTROLS:
            out.append(" ")  # a line break or tab of theirs is a space: the words stay apart
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\ufffd")  # a lone surrogate (JSON allows "\ud800") cannot even be encoded
        elif not _drop(ch):
            out.append(ch)
    return "".join(out)


def plain(value: object, limit: int = MAX) -> str:
    """One outside value as one line: no control, format or bidi character, whitespace collapsed,
    at most `limit` characters (cut with "…"). None is ""."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    text = " ".join(_clean(text[:4 * limit], keep_newlines=False).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def terminal(text: str) -> str:
    """A text about to be printed: as `plain` but whole, keeping our own line breaks and spacing.
    Applied at the sink, whatever built the text."""
    return _clean(text, keep_newlines=True)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x80 or 0xD800 <= code <= 0xDFFF or _drop(ch):  # DEL, C1, bidi, separators, surrogates
        if code > 0xFFFF:  # JSON's \u holds 16 bits: a UTF-16 pair, as json.dumps itself writes
            high, low = divmod(code - 0x10000, 0x400)
            return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
        return f"\\u{code:04x}"
    return ch


_NON_ASCII = re.compile(r"[^\x00-\x7e]")  # as [\x7f-\U0010ffff], which takes 3 ms to compile


def json_text(data: Any) -> str:
    """`data` as indented JSON that keeps every value whole. json.dumps escapes C0 already; this
    escapes DEL, C1, U+2028/2029, bidi and other format characters and lone surrogates too.
    Outside strings JSON is ASCII, so each such character found is inside a string, where an
    escape means the same character."""
    return _NON_ASCII.sub(_escape, json.dumps(data, ensure_ascii=False, indent=2))
