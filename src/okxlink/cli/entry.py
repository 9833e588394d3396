"""The console script's entry point: `okxlink --version` answers before anything else is imported
(not even the typer app's module), so it costs little more than starting Python."""

import os
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from okxlink import __version__

        print(f"okxlink {__version__}")
        sys.exit(0)
    # pydantic would look for plugins in every installed package's metadata (a scan at start-up), and
    # a plugin sees every value validated — okxlink's credentials included: none is ever loaded
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    from okxlink.cli.app import main as app_main

    app_main()
