"""The one place that turns what a command raised into a sentence and an exit code (the codes
themselves are decided in okxlink.errors).

An error's sentence may quote OKX, a linking service or the command line, so it is made one
plain line (okxlink.text.plain), as is everything typer prints about a bad command line; on a
terminal it is then wrapped to its width (cli/wrap.py)."""

from __future__ import annotations

import shutil

import typer

from okxlink.cli.context import Context
from okxlink.cli.wrap import wrap
from okxlink.errors import Exit, OkxlinkError, exit_for
from okxlink.i18n import _
from okxlink.text import plain, terminal

SENTENCE_MAX = 1000  # an error's sentence (or its fix) with whatever it quotes; each quote is bounded too


def run(app: typer.Typer, args: list[str], ctx: Context) -> int:
    try:
        result = typer.main.get_command(app).main(args=args, prog_name="okxlink", standalone_mode=False)
        if result == Exit.INTERRUPTED:  # typer turns a Ctrl-C into a returned 130
            return _interrupted(ctx)
        return int(result) if isinstance(result, int) else int(Exit.OK)
    except OkxlinkError as exc:
        _say(ctx, exc.message, exc.fix)
        return int(exit_for(exc))
    except (typer.Abort, KeyboardInterrupt):
        return _interrupted(ctx)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.TyperException as exc:  # bad flag, missing value: typer's own usage errors
        _show(exc, ctx)
        help_only = type(exc).__name__ == "NoArgsIsHelpError"  # bare `okxlink`: help, not an error
        return int(Exit.OK if help_only else Exit.USAGE)
    except Exception as exc:  # noqa: BLE001 - a bug: say so without a traceback full of locals
        from okxlink.cli import debug

        debug.bug(exc, ctx.settings.debug, ctx.stderr)
        _say(ctx, _("Unexpected error ({kind}); this is a bug in okxlink, please report it.").format(
            kind=type(exc).__name__))
        return int(Exit.BUG)


def _show(exc: typer.TyperException, ctx: Context) -> None:
    """typer's usage errors (usage line, hint, sentence), in okxlink's language; its base class has
    no show(). They quote the command line, which a script may have built from outside text."""
    if callable(getattr(exc, "show", None)):
        from okxlink.cli.framework import usage_error

        ctx.stderr.write(terminal(usage_error(exc, _width(ctx))))
    else:
        print(f"Error: {plain(exc.format_message(), SENTENCE_MAX)}", file=ctx.stderr)


def _interrupted(ctx: Context) -> int:
    _say(ctx, _("Interrupted; nothing was written."))
    return int(Exit.INTERRUPTED)


def _say(ctx: Context, message: str, fix: str | None = None) -> None:
    """The sentence, then its fix indented; on a terminal each wrapped to its width by okxlink's
    rules (never inside a word or a command), the fix's lines keeping its indent. Into a file or a
    pipe each stays one line, whole for grep and for whoever wraps it."""
    width = _width(ctx)
    lines = _lines(plain(message, SENTENCE_MAX), width, "okxlink: ", "")
    if fix:
        lines += _lines(plain(fix, SENTENCE_MAX), width, "  ", "  ")
    ctx.stderr.write("".join(line + "\n" for line in lines))


def _lines(text: str, width: int | None, first: str, rest: str) -> list[str]:
    return wrap(text, width, first, rest) if width else [first + text]


def _width(ctx: Context) -> int | None:
    """The terminal's width (the run's, when it fixes one) when stderr is a terminal; else None."""
    isatty = getattr(ctx.stderr, "isatty", None)
    if not (callable(isatty) and isatty()):
        return None
    return ctx.width or shutil.get_terminal_size().columns
