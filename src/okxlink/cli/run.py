"""The one place that turns what a command raised into a sentence and an exit code (the codes
themselves are decided in okxlink.errors).

An error's sentence may quote OKX, a linking service or the command line, so it is printed as one
plain line (okxlink.text.plain), as is everything typer prints about a bad command line."""

from __future__ import annotations

import typer

from okxlink.cli.context import Context
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

        ctx.stderr.write(terminal(usage_error(exc)))
    else:
        print(f"Error: {plain(exc.format_message(), SENTENCE_MAX)}", file=ctx.stderr)


def _interrupted(ctx: Context) -> int:
    _say(ctx, _("Interrupted; nothing was written."))
    return int(Exit.INTERRUPTED)


def _say(ctx: Context, message: str, fix: str | None = None) -> None:
    print(f"okxlink: {plain(message, SENTENCE_MAX)}", file=ctx.stderr)
    if fix:
        print(f"  {plain(fix, SENTENCE_MAX)}", file=ctx.stderr)
