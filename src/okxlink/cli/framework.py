"""typer's own words — the usage line, section headings, the help of the options it adds, the
[default: …] notes, usage errors — in okxlink's language.

typer marks some of them for gettext (`typer.core._`: headings, [default: …], [env var: …],
[required], "No such command"): `install()` points that `_` at okxlink.i18n, once, when the app is
built. The click that typer (>= 0.29) bundles has no gettext: it writes the rest as plain English
f-strings, so they are translated where they come out — the help formatter of `Group`'s contexts
(the "Usage:" prefix, a heading's colon, the help of --help and the completion options) and
`usage_error` (a usage error, read back from typer's English by TEMPLATES).

Every msgid here is typer's English exactly: in English the output is typer's own, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import typer
import typer.core
from typer._click.formatting import HelpFormatter  # typer's bundled click: no public name for it

from okxlink import i18n
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
_PATTERNS = [(t, re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_FIELDS.get(part, '.+?')})"
                                    for i, part in enumerate(re.split(r"\{(\w+)\}", t))), re.DOTALL))
             for t in TEMPLATES]


def install() -> None:
    """typer's gettext-marked words come from okxlink's catalog (in the language of the run)."""
    typer.core._ = i18n._  # type: ignore[attr-defined]  # typer imported gettext's `_` under this name


def say(message: str) -> str:
    """A message typer wrote in English, in okxlink's language; as it is when no template fits."""
    for template, pattern in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            parts = {k: say(v) if k in ("message", "sentence", "reason") else v for k, v in match.groupdict().items()}
            return _(template).format(**parts)
    return message


def usage_error(exc: Exception) -> str:
    """What typer's `exc.show()` prints for a usage error (usage line, where to get help, the
    error), in okxlink's language."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # bare `okxlink`: its message is the help
        return f"{exc.format_message()}\n"  # type: ignore[attr-defined]
    head, ctx = "", getattr(exc, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(command=ctx.command_path,
                                                                 option=ctx.help_option_names[0]) + "\n"
        head = f"{ctx.get_usage()}\n{hint}\n"
    return head + _("Error: {message}").format(message=say(exc.format_message())) + "\n"  # type: ignore[attr-defined]


class Formatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        # Translators: a heading of --help ({heading}: Options, Commands); Chinese takes a full-width colon
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=heading)}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _(text) if text in OPTION_HELP else text) for term, text in rows],
                         col_max, col_spacing)


class Context(typer.Context):
    formatter_class = Formatter


class Group(typer.core.TyperGroup):
    """The app's root: it and every command in it write help and usage with Formatter."""

    context_class = Context

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for command in self.commands.values():
            command.context_class = Context
