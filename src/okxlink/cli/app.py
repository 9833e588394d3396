"""The typer app. Built after the language is known so that --help is translated, and kept
light: each command imports what it needs when it runs (`okxlink --version` imports no httpx)."""

from __future__ import annotations

import dataclasses
import os
import sys
from enum import Enum
from typing import TYPE_CHECKING, Optional

from okxlink import __version__, i18n
from okxlink.cli.context import Context, settings_from
from okxlink.errors import OkxlinkError, exit_for
from okxlink.i18n import _
from okxlink.text import terminal

if TYPE_CHECKING:
    import typer


class SiteChoice(str, Enum):
    global_ = "global"
    eea = "eea"
    us = "us"
    tr = "tr"
    auto = "auto"


LangChoice = Enum("LangChoice", [(lang, lang) for lang in i18n.LANGS], type=str)  # type: ignore[misc]


def _take_lang(argv: list[str]) -> tuple[str | None, list[str]]:
    """--lang may stand anywhere on the line; it is read before anything is printed. A value okxlink
    does not speak (or none) is handed to the root's --lang option, which refuses it as the usage
    error it is (exit 2), said in the language of the environment."""
    lang, rest, it, given = None, [], iter(argv), False
    for arg in it:
        if arg == "--lang":
            lang, given = next(it, None), True
        elif arg.startswith("--lang="):
            lang, given = arg.split("=", 1)[1], True
        else:
            rest.append(arg)
    if given and lang not in i18n.LANGS:
        return None, [f"--lang={lang or ''}", *rest]
    return lang, rest


def _version(value: bool) -> None:
    import typer

    if value:
        typer.echo(f"okxlink {__version__}")
        raise typer.Exit()


def build_app(run: Context) -> typer.Typer:
    """The commands, each handed this run's context."""
    import typer

    from okxlink.cli import coercion, framework

    framework.install()  # typer's own words (usage, headings, errors) in the run's language
    coercion.install()  # option values coerced without pydantic where the result is certain
    app = typer.Typer(
        name="okxlink", cls=framework.Group, no_args_is_help=True, add_completion=True, rich_markup_mode=None,
        pretty_exceptions_enable=False,
        help=_("Set up, verify and link an OKX API key for copy trading, safely.\n\n"
               "Start with `okxlink demo` to see the whole flow against a built-in OKX simulator, "
               "then `okxlink setup` for your own key."))

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                     help=_("Show the version and exit.")),
        lang: Optional[LangChoice] = typer.Option(None, "--lang", metavar="en|zh",
                                           help=_("Language of messages (default: OKXLINK_LANG, then the locale).")),
    ) -> None:
        pass

    profile_opt = typer.Option("default", "--profile", envvar="OKXLINK_PROFILE", metavar="NAME",
                               help=_("Profile name (a stored key)."))

    service_opt = typer.Option(None, "--service", metavar="URL", envvar="OKXLINK_LINK_URL",
                               help=_("Your platform's linking service (https://…)."))

    @app.command(help=_("Guided set-up: create an OKX API key, check it, and store it in your "
                        "system keyring.\n\n"
                        "Without a terminal (or with --non-interactive) it reads the credentials "
                        "from OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE or from --stdin JSON, "
                        "and never asks. The key is stored only if it verifies."))
    def setup(
        profile: str = profile_opt,
        site: SiteChoice = typer.Option(SiteChoice.global_, "--site", envvar="OKXLINK_SITE",
                                        help=_("OKX site of the key; auto asks every site.")),
        demo: bool = typer.Option(False, "--demo", help=_("The key is a demo-trading key.")),
        yes: bool = typer.Option(False, "--yes", "-y", help=_("Accept every default.")),
        non_interactive: bool = typer.Option(False, "--non-interactive",
                                             help=_("Never prompt (implied when standard input is not a terminal).")),
        stdin: bool = typer.Option(False, "--stdin", help=_("Read the credentials as JSON from standard input.")),
        keep_unverified: bool = typer.Option(False, "--keep-unverified",
                                             help=_("Store a key that answers 50110 here (bound to a platform's IPs).")),
        json_out: bool = typer.Option(False, "--json", help=_("Print one JSON object (non-interactive only).")),
        service: Optional[str] = service_opt,
        no_link: bool = typer.Option(False, "--no-link", help=_("Do not offer linking at the end.")),
    ) -> None:
        from okxlink.cli.setup_cmd import run_setup

        raise typer.Exit(run_setup(run, profile=profile, site=site.value, demo=demo, yes=yes,
                                   non_interactive=non_interactive, stdin=stdin,
                                   keep_unverified=keep_unverified, json_out=json_out,
                                   service=None if no_link else service, no_link=no_link))

    @app.command(help=_("Check an OKX API key and explain every problem with its fix.\n\n"
                        "Credentials come from OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE (they win), "
                        "from --stdin as a JSON object {\"api_key\", \"secret_key\", \"passphrase\"}, "
                        "or from a stored profile; never from the command line. "
                        "Exit codes: 0 ready, 3 not ready, 4 could not verify."))
    def verify(
        profile: str = profile_opt,
        all_profiles: bool = typer.Option(False, "--all", help=_("Verify every stored profile.")),
        site: Optional[SiteChoice] = typer.Option(None, "--site", envvar="OKXLINK_SITE",
                                                  help=_("OKX site of the key; auto asks every site "
                                                         "(default: the profile's, else global).")),
        demo: Optional[bool] = typer.Option(None, "--demo/--live",
                                            help=_("Demo-trading or live key (default: the profile's, else live).")),
        json_out: bool = typer.Option(False, "--json", help=_("Print JSON (the documented schema).")),
        stdin: bool = typer.Option(False, "--stdin", help=_("Read the credentials as JSON from standard input.")),
        local_only: bool = typer.Option(False, "--local-only",
                                        help=_("Judge only from this machine: for a key bound to your "
                                               "platform's IPs, do not ask the platform (exit 4).")),
        share: bool = typer.Option(False, "--share",
                                   help=_("Print a report to paste into a support ticket or chat (plain text, "
                                          "nothing secret).")),
    ) -> None:
        from okxlink.cli.verify_cmd import run_verify

        raise typer.Exit(run_verify(run, profile=profile, site=site.value if site else None, demo=demo,
                                    json_out=json_out, stdin=stdin, all_profiles=all_profiles,
                                    local_only=local_only, share=share))

    @app.command(help=_("Try the whole set-up against a built-in OKX simulator: fake keys, no "
                        "account, no network, nothing saved."))
    def demo(yes: bool = typer.Option(False, "--yes", "-y", help=_("Run unattended, accepting every default."))) -> None:
        from okxlink.cli.demo_cmd import run_demo

        raise typer.Exit(run_demo(run, yes=yes))

    @app.command(help=_("List stored profiles (no secrets, no keyring access)."))
    def profiles(json_out: bool = typer.Option(False, "--json", help=_("Print JSON."))) -> None:
        from okxlink.cli.profiles_cmd import run_profiles

        raise typer.Exit(run_profiles(run, json_out=json_out))

    @app.command(help=_("Forget a stored profile: withdraw its key from every linking service it is "
                        "linked to, then delete its secrets from the keyring and its metadata."))
    def remove(profile: str = profile_opt,
               yes: bool = typer.Option(False, "--yes", "-y", help=_("Do not ask for confirmation.")),
               keep_links: bool = typer.Option(False, "--keep-links",
                                               help=_("Remove it even where a service cannot be reached, "
                                                      "and say where the key remains."))) -> None:
        from okxlink.cli.profiles_cmd import run_remove

        raise typer.Exit(run_remove(run, profile=profile, yes=yes, keep_links=keep_links))

    @app.command(help=_("Send a stored profile's key to your platform's linking service, which checks "
                        "it with OKX from its own servers. Asks before any secret leaves this machine.\n\n"
                        "The token comes from OKXLINK_LINK_TOKEN, --token-stdin, the keyring, or a hidden prompt."))
    def link(profile: str = profile_opt, service: Optional[str] = service_opt,
             yes: bool = typer.Option(False, "--yes", "-y", help=_("Do not ask before sending.")),
             token_stdin: bool = typer.Option(False, "--token-stdin", help=_("Read the token from standard input.")),
             json_out: bool = typer.Option(False, "--json", help=_("Print JSON."))) -> None:
        from okxlink.cli.link_cmd import run_link

        raise typer.Exit(run_link(run, profile=profile, service=service, yes=yes, token_stdin=token_stdin,
                                  json_out=json_out))

    @app.command(help=_("Hand a stored profile's key over by clipboard, for a platform that takes it in "
                        "its web form: the API key, then the Secret key, then the Passphrase, each when "
                        "you press Enter. Nothing secret is printed. Each value is cleared from the "
                        "clipboard after --clear-after seconds and when the command ends, unless you "
                        "copied something else since.\n\n"
                        "Without a terminal it copies the one value --field names and ends when it is cleared."))
    def copy(profile: str = profile_opt,
             field: Optional[str] = typer.Option(None, "--field", metavar="api-key|secret-key|passphrase",
                                                 help=_("Copy this one value only.")),
             clear_after: float = typer.Option(30.0, "--clear-after", min=0.1, max=3600, metavar="SECONDS",
                                               envvar="OKXLINK_CLIPBOARD_SECONDS",
                                               help=_("Clear each value from the clipboard after this long.")),
             osc52: bool = typer.Option(False, "--osc52",
                                        help=_("Copy through the terminal (OSC 52) instead of the system "
                                               "clipboard: each value travels through the terminal, and "
                                               "tmux or ssh in between."))) -> None:
        from okxlink.cli.copy_cmd import run_copy

        raise typer.Exit(run_copy(run, profile=profile, field=field, clear_after=clear_after, osc52=osc52))

    @app.command(help=_("Withdraw a profile's key from a linking service it was sent to: copying "
                        "there stops. Asks first."))
    def unlink(profile: str = profile_opt,
               service: Optional[str] = typer.Option(None, "--service", metavar="URL",
                                                     help=_("Which service, when the key is linked to several.")),
               all_links: bool = typer.Option(False, "--all", help=_("Withdraw it from every service.")),
               yes: bool = typer.Option(False, "--yes", "-y", help=_("Do not ask for confirmation.")),
               token_stdin: bool = typer.Option(False, "--token-stdin", help=_("Read the token from standard input.")),
               json_out: bool = typer.Option(False, "--json", help=_("Print JSON."))) -> None:
        from okxlink.cli.link_cmd import run_unlink

        raise typer.Exit(run_unlink(run, profile=profile, service=service, all_links=all_links, yes=yes,
                                    token_stdin=token_stdin, json_out=json_out))

    @app.command(help=_("Replace a profile's key with a new one, everywhere it is linked, with no gap: "
                        "the new key is checked, linked to each platform and, once that platform says "
                        "ready, the old one is withdrawn there. A run that stops is continued by running "
                        "it again.\n\n"
                        "Without a terminal it reads the new key from OKX_API_KEY, OKX_SECRET_KEY and "
                        "OKX_PASSPHRASE or from --stdin JSON, and needs --yes."))
    def rotate(profile: str = profile_opt,
               yes: bool = typer.Option(False, "--yes", "-y", help=_("Do not ask before sending the new key.")),
               stdin: bool = typer.Option(False, "--stdin", help=_("Read the new credentials as JSON from standard input.")),
               abandon: bool = typer.Option(False, "--abandon",
                                            help=_("Take back a rotation under way: every platform keeps or gets "
                                                   "back the old key and loses the new one.")),
               json_out: bool = typer.Option(False, "--json", help=_("Print JSON."))) -> None:
        from okxlink.cli.rotate_cmd import run_abandon, run_rotate

        if abandon:
            raise typer.Exit(run_abandon(run, profile=profile, yes=yes, json_out=json_out))
        raise typer.Exit(run_rotate(run, profile=profile, yes=yes, stdin=stdin, json_out=json_out))

    @app.command(help=_("Per profile: Spot and unified-account readiness, permissions, IP binding, "
                        "this machine's check and the platform's, each with its age.\n\n"
                        "Exit codes: 0 every profile ready, 3 one needs attention (or there is no "
                        "profile), 4 one could not be checked."))
    def status(json_out: bool = typer.Option(False, "--json", help=_("Print JSON.")),
               offline: bool = typer.Option(False, "--offline",
                                            help=_("Show what is remembered, with its age; no network."))) -> None:
        from okxlink.cli.status_cmd import run_status

        raise typer.Exit(run_status(run, json_out=json_out, offline=offline))

    from okxlink.cli.sim_help import DESCRIPTION as SIM_HELP

    # Its options and errors are defined once, in okxlink.cli.sim_cmd (shared with
    # `python -m okxlink.sim`): every argument, --help included, goes there unparsed.
    def sim(ctx: typer.Context) -> None:
        from okxlink.cli.sim_cmd import main as sim_main

        raise typer.Exit(sim_main(ctx.args, prog="okxlink sim"))

    # typer evaluates annotations in this module's globals, where `typer` is not (imported lazily)
    sim.__annotations__["ctx"] = typer.Context
    app.command(help=_(SIM_HELP), add_help_option=False,
                context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                  "help_option_names": []})(sim)

    return app


def main(argv: list[str] | None = None) -> None:
    sys.exit(invoke(sys.argv[1:] if argv is None else argv))


def invoke(argv: list[str], context: Context | None = None) -> int:
    """Run okxlink with these arguments; returns the exit code. The context is built here from the
    environment unless a caller (a test, the demo) passes its own."""
    lang, args = _take_lang(argv)
    if context is None:
        i18n.setup(i18n.detect(lang, os.environ))  # a setting's error is said in the run's language
        try:
            context = Context(settings=settings_from(os.environ, lang))
        except OkxlinkError as exc:  # a setting okxlink may not use: said before anything runs
            print(f"okxlink: {terminal(exc.message)}\n  {terminal(exc.fix or '')}", file=sys.stderr)
            return int(exit_for(exc))
    elif lang is not None:
        context = dataclasses.replace(context, settings=dataclasses.replace(context.settings, lang=lang))
    i18n.setup(context.settings.lang)
    from okxlink.cli.run import run

    app = build_app(context)
    if args:
        _keep_only(app, args[0])
    return run(app, args, context)


def _keep_only(app: typer.Typer, name: str) -> None:
    """A line naming a command builds only that command: typer turns every registered command's
    signature into options before it parses anything (~6 ms for all of them). Anything else (the
    root's help, completion, a mistyped name that gets its "did you mean") sees them all."""
    picked = [c for c in app.registered_commands
              if (c.name or getattr(c.callback, "__name__", "").replace("_", "-")) == name]
    if picked:
        app.registered_commands = picked
