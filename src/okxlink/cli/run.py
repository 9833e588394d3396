"""The one place that turns what a command raised into a sentence and an exit code."""

from __future__ import annotations

import sys

import typer

from okxlink.errors import Exit, OkxlinkError
from okxlink.i18n import _


def run(app: typer.Typer, args: list[str]) -> int:
    try:
        result = typer.main.get_command(app).main(args=args, prog_name="okxlink", standalone_mode=False)
        if result == Exit.INTERRUPTED:  # typer turns a Ctrl-C into a returned 130
            return _interrupted()
        return int(result) if isinstance(result, int) else 0
    except OkxlinkError as exc:
        _say(exc.message, exc.fix)
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _interrupted()
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.TyperException as exc:  # bad flag, missing value: typer's own usage errors
        _show(exc)
        return 0 if type(exc).__name__ == "NoArgsIsHelpError" else int(Exit.USAGE)
    except Exception as exc:  # noqa: BLE001 - a bug: say so without a traceback full of locals
        from okxlink.cli import debug

        debug.bug(exc)
        _say(_("Unexpected error ({kind}); this is a bug in okxlink, please report it.").format(
            kind=type(exc).__name__))
        return int(Exit.BUG)


def _show(exc: typer.TyperException) -> None:
    """typer's usage errors print themselves (usage line, hint); its base class has no show()."""
    show = getattr(exc, "show", None)
    if callable(show):
        show()
    else:
        print(f"Error: {exc.format_message()}", file=sys.stderr)


def _interrupted() -> int:
    _say(_("Interrupted; nothing was written."))
    return int(Exit.INTERRUPTED)


def _say(message: str, fix: str | None = None) -> None:
    print(f"okxlink: {message}", file=sys.stderr)
    if fix:
        print(f"  {fix}", file=sys.stderr)
