"""Reading TOML (tomllib) and a tiny writer for what profiles.toml holds:
strings, bools, ints, floats, lists of those, and nested tables. None means "absent" (TOML has no
null). Anything else is a bug and raises TypeError rather than writing something unreadable.

`loads` refuses, as `Damaged`, what would cost tomllib or a later reader more than any okxlink file
is worth. tomllib recurses into arrays and inline tables (a thousand `[` raise RecursionError), and
its work for a dotted key grows with the square of the key's length: one 200 kB line of `a.a.a…`
takes gigabytes. So keys of more than MAX_KEY_PARTS parts and values nested deeper than MAX_NESTING
are refused before tomllib sees them, and a result deeper than MAX_DEPTH after (the writer and
the readers of the tables recurse too). okxlink itself writes keys of at most 5 parts."""

from __future__ import annotations

import math
import re
from typing import Any

MAX_KEY_PARTS = 16
MAX_NESTING = 16
MAX_DEPTH = 32
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


class Damaged(ValueError):
    """Not TOML, or TOML shaped far beyond anything okxlink writes; the text says which."""


def loads(text: str) -> dict[str, Any]:
    import tomllib  # only when there is a file to read (~2 ms)

    _screen(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Damaged(str(exc)) from None
    except RecursionError:  # the screen should have stopped it; a smaller stack must not crash us
        raise Damaged("nested too deeply") from None
    if _depth(data) > MAX_DEPTH:
        raise Damaged("nested too deeply")
    return data


# What the screen has to see: strings (skipped whole), comments, newlines and the structure.
_SPECIAL = re.compile(r"[\"'#\n.=\[\]{},]")
# A string as TOML ends it: multi-line ones at three quotes (plus up to two more that belong to the
# text); basic ones honour backslash escapes. An unterminated one ends where tomllib will refuse it.
_STRING = re.compile(r'"""(?:\\.|[^\\])*?(?:"""(?:"{1,2})?|\Z)|\'\'\'.*?(?:\'\'\'(?:\'{1,2})?|\Z)'
                     r'|"(?:\\.|[^"\\\n])*"?|\'[^\'\n]*\'?', re.S)


def _screen(text: str) -> None:
    """Count each key's parts and each value's nesting as tomllib will read them. Keys are read at
    the start of a line outside any array, in a [table] header, and after `{` or `,` in an inline
    table; values after `=`. Where the two readings could part, the text is not TOML and tomllib
    stops there."""
    nesting: list[str] = []  # the open '[' (arrays) and '{' (inline tables) of the current value
    in_key, parts = True, 1
    at = 0
    while match := _SPECIAL.search(text, at):
        c, at = match.group(), match.end()
        if c in "\"'":
            string = _STRING.match(text, match.start())
            at = string.end() if string else len(text)
        elif c == "#":
            at = len(text) if (newline := text.find("\n", at)) < 0 else newline
        elif c == "\n":
            if not nesting:
                in_key, parts = True, 1
        elif in_key:
            if c == ".":
                parts += 1
                if parts > MAX_KEY_PARTS:
                    raise Damaged(f"a key of more than {MAX_KEY_PARTS} parts")
            elif c == "=":
                in_key = False
            elif c == "}" and nesting:  # an empty inline table
                nesting.pop()
                in_key = False
        elif c in "[{":
            nesting.append(c)
            if len(nesting) > MAX_NESTING:
                raise Damaged("nested too deeply")
            in_key, parts = c == "{", 1
        elif c in "]}":
            if nesting:
                nesting.pop()
        elif c == "," and nesting and nesting[-1] == "{":
            in_key, parts = True, 1


def _depth(data: Any) -> int:
    """How deeply tables and arrays nest, without recursing."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        todo.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def dumps(data: dict[str, Any], header: str = "") -> str:
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _table(lines, [], data)
    return "\n".join(lines).lstrip("\n") + "\n"


def _is_tables(v: Any) -> bool:
    """A non-empty list of tables: written as an array of tables ([[name]] headers)."""
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _table(lines: list[str], path: list[str], table: dict[str, Any], array: bool = False) -> None:
    scalars = [(k, v) for k, v in table.items()
               if v is not None and not isinstance(v, dict) and not _is_tables(v)]
    tables = [(k, v) for k, v in table.items() if isinstance(v, dict) or _is_tables(v)]
    name = ".".join(key(p) for p in path)
    if array:  # each element has its header, even an empty one: it is an element
        lines += ["", f"[[{name}]]"]
    elif path and (scalars or not tables):
        # A table with only sub-tables needs no header of its own; an empty one does, or it would vanish.
        lines += ["", f"[{name}]"]
    lines += [f"{key(k)} = {value(v)}" for k, v in scalars]
    for k, v in tables:
        for element in v if isinstance(v, list) else [v]:
            _table(lines, [*path, k], element, array=isinstance(v, list))


def key(k: str) -> str:
    if not isinstance(k, str):
        raise TypeError(f"TOML keys are strings, not {type(k).__name__}")
    return k if _BARE.fullmatch(k) else string(k)


def string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(v: Any) -> str:
    if isinstance(v, bool):  # before int: bool is an int
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)  # shortest round-tripping form; always has '.' or 'e'
    if isinstance(v, str):
        return string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v if x is not None) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")
