"""typer's own words — the usage line, section headings, the help of the options it adds, the
[default: …] notes, usage errors — in okxlink's language.

typer marks some of them for gettext (`typer.core._`: headings, [default: …], [env var: …],
[required], "No such command"): `install()` points that `_` at okxlink.i18n, once, when the app is
built. The click that typer (>= 0.29) bundles has no gettext: it writes the rest as plain English
f-strings, so they are translated where they come out — the help formatter of `Group`'s contexts
(the "Usage:" prefix, a heading's colon, the help of --help and the completion options) and
`usage_error` (a usage error, read back from typer's English by TEMPLATES).

click wraps help by character count and breaks only at spaces, so Chinese would run past the
terminal's edge: Formatter wraps text with wide characters by display width, with
okxlink.cli.wrap's rules (and text without them by click, as typer always has). The root's command
list shows each command's first sentence whole, wrapped in its column, where click would cut it
short with "...".

Every msgid here is typer's English exactly: in English the output is typer's own, byte for byte
(but for the command list, which is never cut short).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import typer
import typer.core
from rich.cells import cell_len
from typer import _click as click  # typer's bundled click
from typer._click.formatting import HelpFormatter, wrap_text

from okxlink import i18n
from okxlink.cli import wrap
from okxlink.i18n import N_, _

# typer.core's own gettext calls, listed so that scripts/messages.py extracts them
MARKED = (N_("Options"), N_("Arguments"), N_("Commands"), N_("default: {default}"), N_("env var: {var}"),
          N_("required"), N_("(dynamic)"), N_("Missing command."), N_("No such command {name!r}."),
          N_("Aborted!"))

# The help of the options typer adds to every app (--help) and to the root (completion)
OPTION_HELP = frozenset((N_("Show this message and exit."), N_("Install completion for the current shell."),
                         N_("Show completion for the current shell, to copy it or customize the installation.")))

# The English of typer's usage errors, most specific first. A message that matches one whole is
# said with its translation; the parts named `message`, `sentence` and `reason` are themselves messages.
TEMPLATES = (
    # Translators: {sentence} is a whole sentence that already ends with its full stop
    N_("{sentence}. Did you mean {suggestions}?"),
    N_("{message} (Possible options: {options})"),
    N_("Invalid value for {option} (env var: {var}): {reason}"),
    N_("Invalid value for {option}: {reason}"),
    N_("Invalid value: {reason}"),
    # Translators: pydantic's prefix of a value's error; Chinese drops it
    N_("Value error, {reason}"),
    N_("{value} is not one of {choices}."),
    N_("No such option: {name}"),
    N_("Option {option} requires an argument."),
    N_("Option {option} does not take a value."),
    N_("Missing option {option}."),
    N_("Missing argument {option}."),
    N_("Got unexpected extra argument(s) ({arguments})"),
)
_QUOTED = r"'[^']*'(?: / '[^']*')*"  # how typer names an option in a message: '--site', '--demo' / '--live'
_FIELDS = {"option": _QUOTED, "var": _QUOTED, "name": r"\S+"}


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each template as a pattern reading typer's English back; compiled on the first message
    (~1 ms): a run that prints none of typer's words pays nothing."""
    return [(t, re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_FIELDS.get(part, '.+?')})"
                                   for i, part in enumerate(re.split(r"\{(\w+)\}", t))), re.DOTALL))
            for t in TEMPLATES]


def install() -> None:
    """typer's gettext-marked words come from okxlink's catalog (in the language of the run)."""
    typer.core._ = i18n._  # type: ignore[attr-defined]  # typer imported gettext's `_` under this name


def say(message: str) -> str:
    """A message typer wrote in English, in okxlink's language; as it is when no template fits."""
    for template, pattern in _patterns():
        match = pattern.fullmatch(message)
        if match:
            parts = {k: say(v) if k in ("message", "sentence", "reason") else v for k, v in match.groupdict().items()}
            return _(template).format(**parts)
    return message


def usage_error(exc: Exception, width: int | None = None) -> str:
    """What typer's `exc.show()` prints for a usage error (usage line, where to get help, the
    error), in okxlink's language; at a terminal (`width`: its width) the sentences are wrapped
    to it by okxlink.cli.wrap's rules, as okxlink's own errors are."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # bare `okxlink`: its message is the help
        return f"{exc.format_message()}\n"  # type: ignore[attr-defined]
    head, ctx = "", getattr(exc, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(command=ctx.command_path,
                                                                 option=ctx.help_option_names[0])
            hint = f"{_lines(hint, width)}\n"
        head = f"{ctx.get_usage()}\n{hint}\n"
    error = _("Error: {message}").format(message=say(exc.format_message()))  # type: ignore[attr-defined]
    return f"{head}{_lines(error, width)}\n"


def _lines(sentence: str, width: int | None) -> str:
    return sentence if width is None else "\n".join(wrap.wrap(sentence, width))


def fill(text: str, width: int, first: str = "", rest: str = "") -> str:
    """click's `wrap_text(preserve_paragraphs=True)`: paragraphs apart by a blank line, each wrapped
    to `width` cells, its lines led by `first`, then `rest`; a paragraph whose first line is "\\b" is
    kept as it is. Text with wide characters (Chinese) by display width with okxlink.cli.wrap's
    rules, other text by click itself."""
    if not wrap.wide(text + first + rest):
        return wrap_text(text, width, initial_indent=first, subsequent_indent=rest, preserve_paragraphs=True)
    out = []
    for paragraph in re.split(r"\n{2,}", text.expandtabs().strip("\n")):
        lines = paragraph.split("\n")
        if lines[0].strip() == "\b":
            out.append("\n".join((first if i == 0 else rest) + line for i, line in enumerate(lines[1:])))
            continue
        extra = " " * (len(lines[0]) - len(lines[0].lstrip(" ")))  # the paragraph's own indent
        joined = lines[0].strip()
        for line in (line.strip() for line in lines[1:]):  # a line break is a space, but between two CJK
            joined += ("" if wrap.wide(joined[-1:]) and wrap.wide(line[:1]) else " ") + line
        out.append("\n".join(wrap.wrap(joined, width, first + extra, rest + extra)))
    return "\n\n".join(out)


# Where a sentence ends: at a full stop, question or exclamation mark before a space (English), or
# at a full-width one (Chinese).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|(?<=[。！？])")


def first_sentence(help_text: str) -> str:
    """A command's line in the command list: the first sentence of its help, whole."""
    paragraph = " ".join(help_text.strip().split("\n\n", 1)[0].split())
    return _SENTENCE_END.split(paragraph, 1)[0].strip()


# typer's notes after an option's help: "HELP  [env var: X; default: Y]"
_NOTES = re.compile(r"(?P<help>.+?)  \[(?P<notes>[^][]+)\]", re.DOTALL)


def notes(text: str) -> str:
    """An option's help with typer's notes after it, punctuated in the run's language."""
    match = _NOTES.fullmatch(text)
    if match is None:
        return text
    # Translators: separates an option's notes ("env var: X; default: Y"); Chinese takes a full-width semicolon
    said = _("; ").join(match["notes"].split("; "))
    # Translators: an option's help, then typer's notes on it ("env var: X; default: Y")
    return _("{help}  [{notes}]").format(help=match["help"], notes=said)


TEXT_MIN = 40  # cells: the narrowest a term's text gets, so that words and names are not folded


class Formatter(HelpFormatter):
    """click's help formatter in okxlink's language, by display width (see the module's doc)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = _("Usage: ") if prefix is None else prefix
        lead = f"{prefix:>{self.current_indent}}{prog} "
        width = self.width - self.current_indent
        if width >= cell_len(lead) + 20:  # the arguments fit beside the prefix
            self.write(fill(args, width, lead, " " * cell_len(lead)))
        else:
            indent = " " * (max(self.current_indent, cell_len(prefix)) + 4)
            self.write(f"{lead}\n{fill(args, width, indent, indent)}")
        self.write("\n")

    def write_heading(self, heading: str) -> None:
        # Translators: a heading of --help ({heading}: Options, Commands); Chinese takes a full-width colon
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=heading)}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(f"{fill(text, self.width, indent, indent)}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """click's two columns (a term, its text wrapped beside it), measured in cells, the text's
        never narrower than TEXT_MIN (click's at 80 columns is 44)."""
        rows = [(term, _(text) if text in OPTION_HELP else notes(text)) for term, text in rows]
        # the text keeps TEXT_MIN cells (in a narrow terminal a long term then stands on a line of its own)
        col_max = min(col_max, max(self.width - 2 - col_spacing - TEXT_MIN, 0))
        first_col = min(max((cell_len(term) for term, _text in rows), default=0), col_max) + col_spacing
        margin = " " * (first_col + self.current_indent)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if cell_len(term) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_len(term)))
            else:  # a long term: its text starts on the next line
                self.write(f"\n{margin}")
            lines = fill(text, max(self.width - first_col - 2, 10)).splitlines()
            self.write("".join(f"{margin if i else ''}{line}\n" for i, line in enumerate(lines)))


class Context(typer.Context):
    formatter_class = Formatter


class Group(typer.core.TyperGroup):
    """The app's root: it and every command in it write help and usage with Formatter."""

    context_class = Context

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for command in self.commands.values():
            command.context_class = Context

    def format_commands(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        """Each command with its first sentence, whole (click cuts it to fit one line, with "...")."""
        rows = [(name, command.short_help or first_sentence(command.help or ""))
                for name, command in self.commands.items() if not command.hidden]
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)
