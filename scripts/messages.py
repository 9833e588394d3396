#!/usr/bin/env python3
"""okxlink's message catalogs, with no dependency beyond Python itself (no gettext tools needed).

    python scripts/messages.py extract   source → src/okxlink/locales/okxlink.pot
    python scripts/messages.py update    extract, then merge into the zh_CN .po
    python scripts/messages.py check     non-zero exit when zh_CN is incomplete or wrong
    python scripts/messages.py compile   .po → .mo next to it (what the build hook does)

Extraction reads src/okxlink/**/*.py with `ast` and collects the first argument of every call to
`_` and `N_` (also `i18n._`). The argument must be a string literal (implicit concatenation is
fine). `ngettext(singular, plural, n)` (also `i18n.ngettext`, but not a translations object's own
`.ngettext`) gives a plural entry: its first two arguments must be string literals, and it is
written as `msgid`, `msgid_plural` and one `msgstr[i]` per plural form (the number of forms comes
from the header's Plural-Forms: one in zh_CN, two in the template). `N_` always needs a literal;
`_` may also take a plain name, attribute or subscript, because that is how a string marked
with `N_` is translated at use (`_(step.title)`). Anything else — an f-string, `"a" + b`,
`"…".format(…)` or `%` inside `_()` — is an error, reported as file:line: such a string can never
be found in the catalog. Apply `.format(name=…)` to the result of `_()` (or of `ngettext()`).

A comment line starting with `# Translators:` right above a call is copied into the catalogs as
an extracted comment (`#.`).

`check` wants every msgstr (every msgstr[i] of a plural entry) filled, not fuzzy, and with the
same placeholders as the English: each msgstr[i] of a plural entry carries every placeholder of
msgid and msgid_plural (Chinese has one form, used for every count, so it must name the count).

`update` keeps existing translations, translator comments and flags; gives new msgids an empty
msgstr; pre-fills a new msgid that closely resembles a dropped one with the old translation,
marked fuzzy (with `#|` showing the old msgid); and keeps dropped msgids with a translation at
the end as obsolete (`#~`) entries. It rewrites a file only when something besides the date
changed, so running it twice is a no-op.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "okxlink"
LOCALES = PACKAGE / "locales"
DOMAIN = "okxlink"
POT = LOCALES / f"{DOMAIN}.pot"
LANGUAGE = "zh_CN"
PO = LOCALES / LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"
KEYWORDS = ("_", "N_", "ngettext")
TEMPLATE_PLURAL_FORMS = "nplurals=INTEGER; plural=EXPRESSION;"
TEMPLATE_NPLURALS = 2  # msgstr[0] and msgstr[1] in the .pot, as xgettext writes them
WIDTH = 79
FUZZY_CUTOFF = 0.8

# A str.format replacement field: {name}, {name.attr}, {name[0]}, {name!r}, {name:.1f}, {0}.
# `{{` and `}}` are literal braces. Text such as {"api_key", …} in a help string is not a field.
_FIELD = re.compile(r"\{\{|\}\}|\{(?:[A-Za-z_][A-Za-z0-9_]*|\d+)(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]{}]*\])*"
                    r"(?:![rsa])?(?::[^{}]*)?\}")


@dataclass
class Entry:
    msgid: str
    msgstr: str = ""
    refs: list[str] = field(default_factory=list)        # "okxlink/cli/app.py:49"
    flags: list[str] = field(default_factory=list)       # "fuzzy", "python-brace-format"
    comments: list[str] = field(default_factory=list)    # translator comments "# …"
    extracted: list[str] = field(default_factory=list)   # "#. …" from the source
    previous: str | None = None                          # "#| msgid …" of a fuzzy entry
    obsolete: bool = False
    msgid_plural: str | None = None                      # set: a plural entry (ngettext)
    msgstr_plural: list[str] = field(default_factory=list)  # its msgstr[0], msgstr[1] …
    previous_plural: str | None = None                   # "#| msgid_plural …" of a fuzzy entry

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def plural(self) -> bool:
        return self.msgid_plural is not None

    @property
    def forms(self) -> list[str]:
        """The translations: [msgstr], or msgstr[0], msgstr[1] … of a plural entry."""
        return self.msgstr_plural if self.plural else [self.msgstr]

    @property
    def translated(self) -> bool:
        """Every form filled (fuzzy or not)."""
        return bool(self.forms) and all(self.forms)

    @property
    def key(self) -> str:
        """The entry's key in a .mo (and in okxlink._msgfmt.parse_po): msgid, or msgid NUL msgid_plural."""
        return self.msgid if self.msgid_plural is None else f"{self.msgid}\0{self.msgid_plural}"

    @property
    def mo_value(self) -> str:
        return "\0".join(self.forms)

    @property
    def placeholders(self) -> set[str]:
        """The fields every translation must carry: those of msgid and of msgid_plural."""
        return placeholders(self.msgid) | placeholders(self.msgid_plural or "")


class CatalogError(Exception):
    pass


# ---------------------------------------------------------------------------------- extraction

def placeholders(text: str) -> set[str]:
    """The str.format fields of a string, as written (`{seconds:.1f}`); escaped braces excluded."""
    return {m for m in _FIELD.findall(text) if m not in ("{{", "}}")}


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in KEYWORDS:
        return func.id
    if isinstance(func, ast.Attribute) and func.attr in KEYWORDS:
        if func.attr == "ngettext" and not (isinstance(func.value, ast.Name) and func.value.id == "i18n"):
            return None  # gettext's own method (`_translation.ngettext(…)` in okxlink.i18n)
        return func.attr
    return None


def _literal(arg: ast.expr) -> str | None:
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _translator_comments(lines: list[str], lineno: int) -> list[str]:
    """`# Translators: …` comment lines directly above line `lineno` (1-based)."""
    block: list[str] = []
    i = lineno - 2
    while i >= 0 and lines[i].lstrip().startswith("#"):
        block.insert(0, lines[i].strip().lstrip("#").strip())
        i -= 1
    for n, text in enumerate(block):
        if text.startswith("Translators:"):
            return block[n:]
    return []


def extract(src: Path = SRC, package: Path = PACKAGE) -> list[Entry]:
    """Every marked string under `package`, in order of first occurrence (files in path order).
    Raises CatalogError listing every bad call as file:line."""
    found: dict[str, Entry] = {}
    errors: list[str] = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text, filename=str(path))
        except SyntaxError as exc:
            errors.append(f"{rel}:{exc.lineno}: cannot parse: {exc.msg}")
            continue
        lines = text.splitlines()
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and _callee(n)),
                       key=lambda n: (n.lineno, n.col_offset))
        for call in calls:
            name = _callee(call)
            where = f"{rel}:{call.lineno}"
            plural: str | None = None
            if name == "ngettext":
                if len(call.args) != 3 or call.keywords:
                    errors.append(f"{where}: ngettext() takes exactly three positional arguments "
                                  "(singular, plural, n)")
                    continue
                texts = [_literal(a) for a in call.args[:2]]
                if texts[0] is None or texts[1] is None:
                    arg = call.args[0] if texts[0] is None else call.args[1]
                    errors.append(f"{where}: ngettext() needs string literals for singular and plural, not "
                                  f"{type(arg).__name__} ({ast.get_source_segment(text, arg) or '?'})"[:200])
                    continue
                msgid, plural = texts[0], texts[1]
            else:
                if len(call.args) != 1 or call.keywords:
                    errors.append(f"{where}: {name}() takes exactly one positional argument")
                    continue
                arg = call.args[0]
                literal = _literal(arg)
                if literal is not None:
                    msgid = literal
                elif name == "_" and isinstance(arg, (ast.Name, ast.Attribute, ast.Subscript)):
                    continue  # translating a string marked elsewhere with N_()
                else:
                    errors.append(f"{where}: {name}() needs a string literal, not {type(arg).__name__} "
                                  f"({ast.get_source_segment(text, arg) or '?'})"[:200])
                    continue
            if not msgid:
                errors.append(f"{where}: {name}('') — the empty msgid is the catalog header")
                continue
            entry = found.get(msgid)
            if entry is None:
                entry = found[msgid] = Entry(msgid, msgid_plural=plural)
                if entry.placeholders:
                    entry.flags.append("python-brace-format")
            elif entry.msgid_plural != plural:
                errors.append(f"{where}: {msgid[:40]!r} is also used with "
                              + (f"plural {entry.msgid_plural[:40]!r}" if entry.plural else "no plural")
                              + f" ({entry.refs[0]}); a msgid has one plural or none")
                continue
            if where not in entry.refs:
                entry.refs.append(where)
            for comment in _translator_comments(lines, call.lineno):
                if comment not in entry.extracted:
                    entry.extracted.append(comment)
    if errors:
        raise CatalogError("\n".join(errors))
    return list(found.values())


# ------------------------------------------------------------------------------- PO text format

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r",
            "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_UNESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
              "\\": "\\", '"': '"'}
_NO_BREAK_BEFORE = set("，。、；：？！）」』》】〉…—,.;:!?)]}%'\"")
_NO_BREAK_AFTER = set("（「『《【〈([{'\"")


def escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return "".join(out)


def unescape(body: str, where: str) -> str:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            raise CatalogError(f"{where}: unescaped quote")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in _UNESCAPES:
            out.append(_UNESCAPES[nxt])
            i += 2
        elif nxt and nxt in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            assert m
            out.append(chr(int(m.group(), 8)))
            i += 1 + len(m.group())
        elif nxt == "x" and re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2:]):
            m = re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2:])
            assert m
            out.append(chr(int(m.group(), 16)))
            i += 2 + len(m.group())
        else:
            raise CatalogError(f"{where}: unknown escape \\{nxt}")
    return "".join(out)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _atoms(text: str) -> list[str]:
    """Splits text where a line may break: after a run of spaces, and next to CJK characters
    (never before closing or after opening punctuation). Joining the atoms gives back the text."""
    atoms, cur = [], ""
    for i, ch in enumerate(text):
        cur += ch
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if not nxt:
            break
        if ch == " ":
            can = nxt != " "
        elif nxt == " ":
            can = False
        else:
            can = (_wide(ch) or _wide(nxt)) and nxt not in _NO_BREAK_BEFORE \
                and ch not in _NO_BREAK_AFTER
        if can:
            atoms.append(cur)
            cur = ""
    if cur:
        atoms.append(cur)
    return atoms


def po_string(keyword: str, text: str, prefix: str = "", width: int = WIDTH) -> list[str]:
    """`msgid "…"` as PO lines: one line when it fits and has no inner newline, else `""` and
    continuation lines that break after each \\n and wrap at spaces / CJK characters."""
    single = f'{prefix}{keyword} "{escape(text)}"'
    if "\n" not in text[:-1] and _width(single) <= width:
        return [single]
    lines = [f'{prefix}{keyword} ""']
    room = width - _width(prefix) - 2
    segments = re.findall(r"[^\n]*\n|[^\n]+", text)
    for segment in segments:
        line = ""
        for atom in _atoms(segment):
            if line and _width(escape(line + atom)) > room:
                lines.append(f'{prefix}"{escape(line)}"')
                line = ""
            line += atom
        if line:
            lines.append(f'{prefix}"{escape(line)}"')
    return lines


def _wrap_refs(refs: list[str], width: int = WIDTH) -> list[str]:
    lines, line = [], "#:"
    for ref in refs:
        if line != "#:" and len(line) + 1 + len(ref) > width:
            lines.append(line)
            line = "#:"
        line += " " + ref
    if line != "#:":
        lines.append(line)
    return lines


def _render_strings(e: Entry, prefix: str = "") -> list[str]:
    out = po_string("msgid", e.msgid, prefix)
    if e.msgid_plural is None:
        return out + po_string("msgstr", e.msgstr, prefix)
    out += po_string("msgid_plural", e.msgid_plural, prefix)
    for i, form in enumerate(e.msgstr_plural or [""]):
        out += po_string(f"msgstr[{i}]", form, prefix)
    return out


def render_entry(e: Entry) -> list[str]:
    out: list[str] = []
    if e.obsolete:
        out += [f"# {c}".rstrip() for c in e.comments]
        return out + _render_strings(e, "#~ ")
    out += [f"# {c}".rstrip() for c in e.comments]
    out += [f"#. {c}".rstrip() for c in e.extracted]
    out += _wrap_refs(e.refs)
    if e.flags:
        out.append("#, " + ", ".join(e.flags))
    if e.previous is not None:
        out += po_string("msgid", e.previous, "#| ")
    if e.previous_plural is not None:
        out += po_string("msgid_plural", e.previous_plural, "#| ")
    return out + _render_strings(e)


def render(header: Entry, entries: list[Entry]) -> str:
    blocks = [render_entry(header)] + [render_entry(e) for e in entries]
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"


def parse(text: str, name: str = "<po>") -> tuple[Entry | None, list[Entry]]:
    """Reads a PO/POT file: (header entry or None, other entries incl. obsolete ones)."""
    entries: list[Entry] = []
    cur = Entry("")
    target: list[str] | None = None   # the string that continuation lines extend
    prev_target: list[str] | None = None  # the same for `#|` lines
    parts: dict[str, list[str]] = {}   # msgid, msgid_plural, msgstr, previous, previous_plural
    forms: list[list[str]] = []        # msgstr[0], msgstr[1] …
    seen: set[tuple[str, bool]] = set()

    def done() -> bool:  # the entry has its translation: the next msgid or comment starts another
        return "msgstr" in parts or bool(forms)

    def finish() -> None:
        nonlocal cur, target, prev_target, parts, forms
        if "msgid" in parts:
            label = f"{name}: msgid {''.join(parts['msgid'])[:40]!r}"
            if "msgid_plural" in parts:
                if not forms:
                    raise CatalogError(f"{label} has msgid_plural but no msgstr[0]")
                cur.msgid_plural = "".join(parts["msgid_plural"])
                cur.msgstr_plural = ["".join(f) for f in forms]
            elif "msgstr" not in parts:
                raise CatalogError(f"{label} has no msgstr")
            cur.msgid = "".join(parts["msgid"])
            cur.msgstr = "".join(parts.get("msgstr", []))
            if "previous" in parts:
                cur.previous = "".join(parts["previous"])
            if "previous_plural" in parts:
                cur.previous_plural = "".join(parts["previous_plural"])
            key = (cur.msgid, cur.obsolete)
            if key in seen:
                raise CatalogError(f"{name}: duplicate msgid {cur.msgid[:40]!r}")
            seen.add(key)
            entries.append(cur)
        cur, target, prev_target, parts, forms = Entry(""), None, None, {}, []

    for lineno, raw in enumerate(text.split("\n"), 1):
        where = f"{name}:{lineno}"
        line = raw.strip()
        if not line:
            if done():
                finish()
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):
                continue
        elif line.startswith("#"):
            if done():
                finish()
            kind, rest = line[:2], line[2:].strip()
            if kind == "#:":
                cur.refs += rest.split()
            elif kind == "#,":
                cur.flags += [f.strip() for f in rest.split(",") if f.strip()]
            elif kind == "#.":
                cur.extracted.append(rest)
            elif kind == "#|":
                for keyword, part in (("msgid_plural ", "previous_plural"), ("msgid ", "previous")):
                    if rest.startswith(keyword):
                        prev_target = parts[part] = [unescape(_quoted(rest[len(keyword):], where), where)]
                        break
                else:
                    if rest.startswith('"') and prev_target is not None:
                        prev_target.append(unescape(_quoted(rest, where), where))
            else:
                cur.comments.append(line[1:].strip())
            continue
        if line.startswith("msgctxt"):
            raise CatalogError(f"{where}: msgctxt is not supported by okxlink's catalogs")
        if line.startswith("msgid_plural "):
            if "msgid" not in parts or "msgid_plural" in parts or done():
                raise CatalogError(f"{where}: msgid_plural without msgid")
            target = parts["msgid_plural"] = [unescape(_quoted(line[13:], where), where)]
        elif line.startswith("msgid "):
            if done():
                finish()
            if "msgid" in parts:
                raise CatalogError(f"{where}: msgid without msgstr before it")
            cur.obsolete = obsolete
            target = parts["msgid"] = [unescape(_quoted(line[6:], where), where)]
        elif line.startswith("msgstr["):
            m = re.match(r"msgstr\[(\d+)\]\s", line)
            if m is None:
                raise CatalogError(f"{where}: cannot parse {line[:40]!r}")
            if "msgid_plural" not in parts or "msgstr" in parts:
                raise CatalogError(f"{where}: msgstr[{m.group(1)}] without msgid_plural")
            if int(m.group(1)) != len(forms):
                raise CatalogError(f"{where}: msgstr[{m.group(1)}] where msgstr[{len(forms)}] belongs")
            target = [unescape(_quoted(line[m.end():], where), where)]
            forms.append(target)
        elif line.startswith("msgstr "):
            if "msgid" not in parts or done():
                raise CatalogError(f"{where}: msgstr without msgid")
            if "msgid_plural" in parts:
                raise CatalogError(f"{where}: msgstr after msgid_plural; expected msgstr[0]")
            target = parts["msgstr"] = [unescape(_quoted(line[7:], where), where)]
        elif line.startswith('"'):
            if target is None:
                raise CatalogError(f"{where}: string outside msgid/msgstr")
            target.append(unescape(_quoted(line, where), where))
        else:
            raise CatalogError(f"{where}: cannot parse {line[:40]!r}")
    finish()
    header = None
    if entries and entries[0].msgid == "" and not entries[0].obsolete:
        header = entries.pop(0)
        if header.plural:
            raise CatalogError(f"{name}: the header entry cannot be plural")
    if any(e.msgid == "" for e in entries):
        raise CatalogError(f"{name}: more than one header entry")
    return header, entries


def _quoted(token: str, where: str) -> str:
    token = token.strip()
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise CatalogError(f"{where}: expected a quoted string, got {token[:40]!r}")
    return token[1:-1]


# ----------------------------------------------------------------------------------- headers

def header_fields(header: Entry | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    if header is None:
        return fields
    for line in header.msgstr.split("\n"):
        if ":" in line:
            k, v = line.split(":", 1)
            fields[k.strip()] = v.strip()
    return fields


def plural_count(fields: dict[str, str]) -> int:
    """nplurals of a header's Plural-Forms; the template's two when it declares no number."""
    m = re.search(r"\bnplurals\s*=\s*(\d+)", fields.get("Plural-Forms", ""))
    return int(m.group(1)) if m else TEMPLATE_NPLURALS


def make_header(fields: dict[str, str], comments: list[str], fuzzy: bool = False) -> Entry:
    return Entry("", "".join(f"{k}: {v}\n" for k, v in fields.items()), comments=comments,
                 flags=["fuzzy"] if fuzzy else [])


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M%z")


POT_FIELDS = {
    "Project-Id-Version": "okxlink",
    "Report-Msgid-Bugs-To": "",
    "POT-Creation-Date": "",
    "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
    "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
    "Language-Team": "LANGUAGE <LL@li.org>",
    "Language": "",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": TEMPLATE_PLURAL_FORMS,
}

PO_REQUIRED = {
    "Language": LANGUAGE,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}


def _write_if_changed(path: Path, header: Entry, entries: list[Entry], date_field: str) -> bool:
    """Writes unless the file already says the same apart from `date_field`."""
    if path.exists() and path.stat().st_size:
        old_header, old_entries = parse(path.read_text(encoding="utf-8"), str(path))
        old_fields = header_fields(old_header)
        new_fields = header_fields(header)
        same_fields = {k: v for k, v in old_fields.items() if k != date_field} == \
                      {k: v for k, v in new_fields.items() if k != date_field}
        if same_fields and old_header is not None and old_header.comments == header.comments \
                and render(header, old_entries) == render(header, entries):
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(header, entries), encoding="utf-8", newline="\n")
    return True


# ---------------------------------------------------------------------------------- commands

def pot_text_entries(template: list[Entry]) -> list[Entry]:
    return [Entry(e.msgid, "", list(e.refs), list(e.flags), [], list(e.extracted), msgid_plural=e.msgid_plural,
                  msgstr_plural=[""] * TEMPLATE_NPLURALS if e.plural else []) for e in template]


def write_pot(template: list[Entry], path: Path = POT) -> bool:
    fields = dict(POT_FIELDS, **{"POT-Creation-Date": _now()})
    comments = ["Messages of okxlink (English source strings).",
                "Generated by scripts/messages.py extract; do not edit by hand."]
    return _write_if_changed(path, make_header(fields, comments, fuzzy=True),
                             pot_text_entries(template), "POT-Creation-Date")


def _reuse(entry: Entry, prev: Entry, nplurals: int) -> None:
    """Copies prev's translation and translator comments into entry, fitted to entry's shape: a
    plural entry gets `nplurals` forms (a singular translation fills them all; missing forms stay
    empty), a singular one the first form of a plural translation."""
    entry.comments = list(prev.comments)
    if entry.plural:
        forms = list(prev.msgstr_plural) if prev.plural else [prev.msgstr] * nplurals
        entry.msgstr_plural = (forms + [""] * nplurals)[:nplurals]
    else:
        entry.msgstr = prev.forms[0] if prev.forms else ""


def _mark_fuzzy(entry: Entry, msgid: str | None, msgid_plural: str | None) -> None:
    entry.flags.insert(0, "fuzzy")
    entry.previous, entry.previous_plural = msgid, msgid_plural


def merge(template: list[Entry], old: list[Entry], nplurals: int | None = None) -> list[Entry]:
    """The new catalog body: template order; translations, comments and the fuzzy flag kept by
    msgid; resembling dropped translations reused as fuzzy; the rest of the old ones obsolete.
    A plural entry gets `nplurals` msgstr[i] (default: the zh_CN Plural-Forms); one whose msgid
    now has another msgid_plural (or gained or lost its plural) keeps its translation as fuzzy."""
    if nplurals is None:
        nplurals = plural_count(PO_REQUIRED)
    live = {e.msgid: e for e in old if not e.obsolete}
    wanted = {t.msgid for t in template}
    # Translations worth keeping for later: real ones (not fuzzy guesses) of msgids now gone.
    dropped = {e.msgid: e for e in old
               if any(e.forms) and not e.fuzzy and (e.obsolete or e.msgid not in wanted)}
    out: list[Entry] = []
    for t in template:
        entry = Entry(t.msgid, refs=list(t.refs), extracted=list(t.extracted),
                      flags=[f for f in t.flags if f != "fuzzy"], msgid_plural=t.msgid_plural,
                      msgstr_plural=[""] * nplurals if t.plural else [])
        prev = live.get(t.msgid) or dropped.get(t.msgid)
        if prev is not None:
            _reuse(entry, prev, nplurals)
            if prev.msgid_plural != t.msgid_plural and any(prev.forms):
                _mark_fuzzy(entry, prev.msgid, prev.msgid_plural)
            elif prev.fuzzy and any(prev.forms):
                _mark_fuzzy(entry, prev.previous, prev.previous_plural)
            dropped.pop(t.msgid, None)
        else:
            close = difflib.get_close_matches(t.msgid, list(dropped), n=1, cutoff=FUZZY_CUTOFF)
            if close:
                prev = dropped.pop(close[0])
                _reuse(entry, prev, nplurals)
                _mark_fuzzy(entry, prev.msgid, prev.msgid_plural)
        out.append(entry)
    for e in dropped.values():
        out.append(Entry(e.msgid, e.msgstr, comments=list(e.comments), obsolete=True,
                         msgid_plural=e.msgid_plural, msgstr_plural=list(e.msgstr_plural)))
    return out


def write_po(template: list[Entry], path: Path = PO, pot_date: str | None = None) -> tuple[bool, list[Entry]]:
    header, old = (None, [])
    if path.exists() and path.stat().st_size:
        header, old = parse(path.read_text(encoding="utf-8"), str(path))
    fields = header_fields(header)
    base = {"Project-Id-Version": "okxlink", "Report-Msgid-Bugs-To": "",
            "POT-Creation-Date": pot_date or fields.get("POT-Creation-Date") or _now(),
            "PO-Revision-Date": _now(), "Last-Translator": "okxlink translators",
            "Language-Team": "Chinese (simplified)"}
    merged = {**base, **{k: v for k, v in fields.items() if v or k not in base}}
    if pot_date:
        merged["POT-Creation-Date"] = pot_date
    merged.update(PO_REQUIRED)
    entries = merge(template, old, plural_count(merged))
    comments = header.comments if header is not None and header.comments else [
        "Simplified Chinese (zh_CN) messages of okxlink.",
        "Terms follow OKX's own Chinese interface: see docs/zh-glossary.md.",
        "Update with: python scripts/messages.py update; verify with: python scripts/messages.py check"]
    new_header = make_header(merged, comments)
    changed = _write_if_changed(path, new_header, entries, "POT-Creation-Date")
    return changed, entries


def problems(template: list[Entry], po_text: str, name: str = "<po>") -> list[str]:
    """Everything `check` complains about, one line each."""
    try:
        header, entries = parse(po_text, name)
    except CatalogError as exc:
        return [f"cannot parse: {exc}"]
    out: list[str] = []
    fields = header_fields(header)
    for key, want in PO_REQUIRED.items():
        if key in ("MIME-Version", "Content-Transfer-Encoding"):
            continue
        if fields.get(key) != want:
            out.append(f"header: {key} is {fields.get(key)!r}, expected {want!r}")
    nplurals = plural_count(fields)
    live = {e.msgid: e for e in entries if not e.obsolete}
    for t in template:
        e = live.get(t.msgid)
        label = f"{t.msgid!r} ({t.refs[0]})"
        if e is None:
            out.append(f"missing: {label}")
        elif e.msgid_plural != t.msgid_plural:
            out.append(f"plural differs: {label}: the source has msgid_plural {t.msgid_plural!r}, "
                       f"the catalog {e.msgid_plural!r}")
        elif e.plural and len(e.msgstr_plural) != nplurals:
            out.append(f"plural forms: {label}: {len(e.msgstr_plural)} msgstr[], the header's "
                       f"Plural-Forms says {nplurals}")
        elif not e.translated:
            out.append(f"untranslated: {label}" if not e.plural or not any(e.forms) else
                       f"untranslated: {label}: msgstr{[i for i, f in enumerate(e.forms) if not f]} empty")
        elif e.fuzzy:
            out.append(f"fuzzy: {label}")
        elif not e.plural and placeholders(t.msgid) != placeholders(e.msgstr):
            out.append(f"placeholders differ: {label}: msgid has "
                       f"{sorted(placeholders(t.msgid))}, msgstr has {sorted(placeholders(e.msgstr))}")
        elif e.plural:
            for i, form in enumerate(e.msgstr_plural):
                if placeholders(form) != t.placeholders:
                    out.append(f"placeholders differ: {label}: msgid and msgid_plural have "
                               f"{sorted(t.placeholders)}, msgstr[{i}] has {sorted(placeholders(form))}")
    # The build compiles with okxlink._msgfmt: it must read the file the same way.
    sys.path.insert(0, str(SRC))
    try:
        from okxlink._msgfmt import CatalogError as MsgfmtError
        from okxlink._msgfmt import mo_bytes, parse_po
    finally:
        sys.path.pop(0)
    try:
        compiled, fuzzy = parse_po(po_text)
    except MsgfmtError as exc:
        out.append(f"okxlink._msgfmt cannot parse it: {exc}")
        return out
    mine = {e.key: e.mo_value for e in live.values()}
    theirs = {k: v for k, v in compiled.items() if k}
    if mine != theirs:
        out.append("okxlink._msgfmt reads different translations than expected: "
                   f"{sorted(set(mine.items()) ^ set(theirs.items()))[:3]}")
    if sorted(fuzzy) != sorted(e.key for e in live.values() if e.fuzzy):
        out.append("okxlink._msgfmt reads a different set of fuzzy entries than the file marks")
    try:
        mo_bytes({k: v for k, v in compiled.items() if k not in fuzzy})
    except MsgfmtError as exc:
        out.append(f"okxlink._msgfmt cannot compile it: {exc}")
    return out


def _extract_or_exit() -> list[Entry]:
    try:
        return extract()
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        print("messages: only string literals can be extracted; nothing was written", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_extract(_args: argparse.Namespace) -> int:
    template = _extract_or_exit()
    changed = write_pot(template)
    print(f"{POT.relative_to(ROOT)}: {len(template)} messages{'' if changed else ' (unchanged)'}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    template = _extract_or_exit()
    write_pot(template)
    pot_date = header_fields(parse(POT.read_text(encoding="utf-8"), str(POT))[0]).get("POT-Creation-Date")
    changed, entries = write_po(template, pot_date=pot_date)
    live = [e for e in entries if not e.obsolete]
    todo = sum(1 for e in live if not e.translated or e.fuzzy)
    print(f"{PO.relative_to(ROOT)}: {len(live)} messages, {todo} to translate, "
          f"{len(entries) - len(live)} obsolete{'' if changed else ' (unchanged)'}")
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    template = _extract_or_exit()
    found: list[str] = []
    if not PO.exists():
        found.append(f"{PO.relative_to(ROOT)} does not exist")
    else:
        found += problems(template, PO.read_text(encoding="utf-8"), str(PO.relative_to(ROOT)))
    if not POT.exists():
        found.append(f"{POT.relative_to(ROOT)} does not exist")
    else:
        _h, pot_entries = parse(POT.read_text(encoding="utf-8"), str(POT))
        if [(e.msgid, e.msgid_plural) for e in pot_entries] != [(t.msgid, t.msgid_plural) for t in template]:
            found.append(f"{POT.relative_to(ROOT)} is out of date with the source")
    for line in found:
        print(line)
    if found:
        print(f"messages: {len(found)} problem(s); run `python scripts/messages.py update`, "
              "then translate", file=sys.stderr)
        return 1
    print(f"{PO.relative_to(ROOT)}: all {len(template)} messages translated")
    return 0


def cmd_compile(_args: argparse.Namespace) -> int:
    sys.path.insert(0, str(SRC))
    from okxlink._msgfmt import compile_tree
    for mo in compile_tree(LOCALES):
        print(mo.relative_to(ROOT))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="messages.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="write the .pot from the source").set_defaults(func=cmd_extract)
    sub.add_parser("update", help="extract, then merge into the zh_CN .po").set_defaults(func=cmd_update)
    sub.add_parser("check", help="fail unless zh_CN translates every message").set_defaults(func=cmd_check)
    sub.add_parser("compile", help="compile .po to .mo in place").set_defaults(func=cmd_compile)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
