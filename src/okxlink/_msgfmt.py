"""A small msgfmt: .po → .mo (GNU format). Used by the build hook and the catalog test, so the
project needs no gettext tools installed to build."""

from __future__ import annotations

import ast
import re
import struct
from pathlib import Path


class CatalogError(ValueError):
    pass


def parse_po(text: str) -> tuple[dict[str, str], list[str]]:
    """Returns (translations, fuzzy keys). The header entry (msgid "") is kept.

    Keys and values are those of the .mo: a plural entry is keyed by msgid + "\\0" + msgid_plural
    and its value is msgstr[0] + "\\0" + msgstr[1] … (GNU format)."""
    entries: dict[str, str] = {}
    fuzzy: list[str] = []
    msgid: list[str] | None = None
    plural: list[str] | None = None
    msgstr: list[str] | None = None
    forms: list[list[str]] = []
    target: list[str] | None = None
    is_fuzzy = False

    def flush() -> None:
        nonlocal msgid, plural, msgstr, is_fuzzy, target
        if msgid is not None and (msgstr is not None or forms):
            key = "".join(msgid)
            if plural is not None:
                key += "\0" + "".join(plural)
                entries[key] = "\0".join("".join(f) for f in forms)
            else:
                entries[key] = "".join(msgstr or [])
            if is_fuzzy and key:
                fuzzy.append(key)
        msgid = plural = msgstr = target = None
        forms.clear()
        is_fuzzy = False

    for lineno, raw in enumerate(text.split("\n"), 1):  # not splitlines: U+2028 may sit in a string
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            is_fuzzy = True
        elif not line or line.startswith("#~"):
            flush()
            is_fuzzy = False  # a flag before a blank line or an obsolete entry is not the next entry's
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            if msgid is None or msgstr is not None or forms or plural is not None:
                raise CatalogError(f"line {lineno}: msgid_plural without msgid")
            plural = [_string(line[13:], lineno)]
            target = plural
        elif line.startswith("msgid "):
            if msgstr is not None or forms:
                flush()
            msgid = [_string(line[6:], lineno)]
            target = msgid
        elif line.startswith("msgstr["):
            m = re.match(r"msgstr\[(\d+)\]\s", line)
            if m is None:
                raise CatalogError(f"line {lineno}: cannot parse {line[:40]!r}")
            if msgid is None or plural is None or msgstr is not None:
                raise CatalogError(f"line {lineno}: msgstr[] without msgid_plural")
            if int(m.group(1)) != len(forms):
                raise CatalogError(f"line {lineno}: msgstr[{m.group(1)}] out of order")
            forms.append([_string(line[m.end():], lineno)])
            target = forms[-1]
        elif line.startswith("msgstr "):
            if msgid is None or plural is not None or msgstr is not None:
                raise CatalogError(f"line {lineno}: msgstr without msgid")
            msgstr = [_string(line[7:], lineno)]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(_string(line, lineno))
        else:
            raise CatalogError(f"line {lineno}: cannot parse {line[:40]!r}")
    flush()
    return entries, fuzzy


def nplurals(header: str) -> int | None:
    """The number of plural forms the header's Plural-Forms line declares (None: no such line)."""
    m = re.search(r"^Plural-Forms:.*?\bnplurals\s*=\s*(\d+)", header, re.MULTILINE)
    return int(m.group(1)) if m else None


def _string(token: str, lineno: int) -> str:
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError) as exc:
        raise CatalogError(f"line {lineno}: bad string {token[:40]!r}") from exc
    if not isinstance(value, str):
        raise CatalogError(f"line {lineno}: not a string")
    return value


def mo_bytes(entries: dict[str, str]) -> bytes:
    """GNU .mo layout: header, two index tables, then the strings (untranslated entries left out,
    and plural entries with any form left empty). A plural entry (key with a "\\0") needs the
    header's Plural-Forms, and as many forms as it declares, or Python's gettext would pick the
    wrong one."""
    plural = [k for k, v in entries.items() if "\0" in k and _complete(v)]
    if plural:
        count = nplurals(entries.get("", ""))
        if count is None:
            raise CatalogError("plural entries need a Plural-Forms line in the header")
        for msgids in plural:
            forms = entries[msgids].count("\0") + 1
            if forms != count:
                raise CatalogError(f"{msgids.split(chr(0))[0][:40]!r}: {forms} plural forms, "
                                   f"the header's Plural-Forms says {count}")
    pairs = sorted((k.encode(), v.encode()) for k, v in entries.items() if _complete(v))
    n = len(pairs)
    ids_start = 7 * 4
    strs_start = ids_start + n * 8
    data_start = strs_start + n * 8
    ids_table, strs_table, blob = [], [], b""
    for key, _value in pairs:
        ids_table.append((len(key), data_start + len(blob)))
        blob += key + b"\0"
    for _key, value in pairs:
        strs_table.append((len(value), data_start + len(blob)))
        blob += value + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, n, ids_start, strs_start, 0, 0)
    out += b"".join(struct.pack("<2I", *e) for e in ids_table)
    out += b"".join(struct.pack("<2I", *e) for e in strs_table)
    return out + blob


def _complete(value: str) -> bool:
    return all(value.split("\0"))


def compile_tree(localedir: Path) -> list[Path]:
    written = []
    for po in sorted(localedir.glob("*/LC_MESSAGES/*.po")):
        entries, fuzzy = parse_po(po.read_text(encoding="utf-8"))
        for msgid in fuzzy:  # as msgfmt does: a fuzzy translation is not used
            entries.pop(msgid, None)
        mo = po.with_suffix(".mo")
        mo.write_bytes(mo_bytes(entries))
        written.append(mo)
    return written
