"""The console script's entry point: `okxlink --version` answers before anything else is imported
(not even the typer app's module), so it costs little more than starting Python."""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from okxlink import __version__

        print(f"okxlink {__version__}")
        sys.exit(0)
    from okxlink.cli.app import main as app_main

    app_main()
