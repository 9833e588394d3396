"""The simulator's command line, for both of its entry points: `okxlink sim` (which hands its raw
arguments over) and `python -m okxlink.sim`. One option definition, one error mapping.

Light on purpose: `--help` imports nothing of okxlink.sim (no starlette, uvicorn, cryptography),
so it works without the `sim` extra; the runner is imported only to run.

The link token is never an argument: argv is visible to every user of the machine (`ps`), so it
comes from OKXLINK_SIM_LINK_TOKEN or, with --link-token-stdin, from standard input.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from okxlink.cli.sim_help import DESCRIPTION
from okxlink.errors import Exit
from okxlink.i18n import N_, _
from okxlink.text import plain

if TYPE_CHECKING:
    import argparse

    from okxlink.sim.accounts import Answer

PIP_LINE = "pip install 'okxlink[sim]'"
TOKEN_VAR = "OKXLINK_SIM_LINK_TOKEN"  # nosec B105 - the name of a variable, not a token
_PORT_FLAG = {"simulator": "--port", "link service": "--link-port"}


def _port(text: str) -> int:
    import argparse

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            _("{value} is not a port number (0 to 65535)").format(value=text))
    return port


def _seconds(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(
            _("{value} is not a number of seconds greater than 0").format(value=text))
    return value


def _answer(text: str) -> tuple[str, Answer]:
    """ENDPOINT=CODE[:HTTP_STATUS[:MSG]] → (endpoint, okxlink.sim.accounts.Answer). The parser lives
    with the accounts (light: no server parts), imported only when the flag is given."""
    import argparse

    from okxlink.sim.accounts import ENDPOINTS, AnswerError, parse_answer_flag

    try:
        return parse_answer_flag(text)
    except AnswerError as exc:
        if exc.what == "endpoint":
            reason = _("{endpoint} is not an endpoint of the simulator ({known})").format(
                endpoint=exc.value, known=", ".join(("*", *ENDPOINTS)))
        elif exc.what == "code":
            reason = _("{code} is not an OKX code (digits, such as 50113)").format(code=exc.value)
        elif exc.what == "status":
            reason = _("{status} is not an HTTP status (100 to 599)").format(status=exc.value)
        else:
            reason = _("expected ENDPOINT=CODE[:HTTP_STATUS[:MSG]]")
        raise argparse.ArgumentTypeError(reason) from None


# argparse's own words, which it says through gettext (`argparse._`): listed so that
# scripts/messages.py extracts them; the ones an okxlink sim command line can meet.
ARGPARSE = (N_("%(prog)s: error: %(message)s\n"), N_("argument %(argument_name)s: %(message)s"),
            N_("unrecognized arguments: %s"), N_("expected one argument"),
            N_("invalid %(type)s value: %(value)r"), N_("ignored explicit argument %r"))


def build_parser(prog: str) -> argparse.ArgumentParser:
    """Built at call time, once the language is chosen, so that the help is translated."""
    import argparse
    import re

    from rich.cells import cell_len

    from okxlink import i18n
    from okxlink.cli import wrap

    argparse._ = i18n._  # type: ignore[attr-defined]  # argparse imported gettext's `_` under this name

    class Formatter(argparse.HelpFormatter):
        """argparse's help as every other okxlink help: "Usage:", the headings' colon in the run's
        language, and text with wide characters (Chinese) wrapped by display width with
        okxlink.cli.wrap's rules (argparse counts characters)."""

        def __init__(self, prog: str) -> None:
            super().__init__(prog)
            self.prefix = ""
            self.headings: list[str] = []

        def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                      groups: Iterable[argparse._MutuallyExclusiveGroup],
                      prefix: str | None = None) -> None:
            self.prefix = _("Usage: ") if prefix is None else prefix
            # laid out after a blank as wide as the prefix, which then takes its place
            super().add_usage(usage, actions, groups, " " * cell_len(self.prefix))

        def start_section(self, heading: str | None) -> None:
            if heading:
                self.headings.append(heading)
            super().start_section(heading)

        def format_help(self) -> str:
            text = super().format_help()
            if self.prefix:
                usage, gap, rest = text.partition("\n\n")
                usage = self.prefix + usage[cell_len(self.prefix):]
                if any(cell_len(line) > self._width for line in usage.splitlines()):
                    # a part too wide beside the prefix and the program: the parts go below the prefix
                    lead = f"{self.prefix}{self._prog} "
                    parts = re.findall(r"\[[^]]*(?:\][^]\s]*)*\]|\S+", usage[len(lead):])
                    lines = wrap.wrap(" ".join(p.replace(" ", "\xa0") for p in parts), self._width, lead,
                                      " " * cell_len(self.prefix))
                    usage = "\n".join(lines).replace("\xa0", " ")
                text = usage + gap + rest
            for heading in self.headings:  # argparse writes "Options:"; Chinese takes a full-width colon
                said = _("{heading}:").format(heading=heading).replace("\\", "\\\\")  # a template
                text = re.sub(rf"^{re.escape(heading)}:$", said, text, flags=re.M)
            return text

        def _split_lines(self, text: str, width: int) -> list[str]:
            if not wrap.wide(text):
                return super()._split_lines(text, width)
            return wrap.wrap(" ".join(text.split()), width)

        def _fill_text(self, text: str, width: int, indent: str) -> str:
            if not wrap.wide(text):
                return super()._fill_text(text, width, indent)
            return "\n".join(wrap.wrap(" ".join(text.split()), width, indent, indent))

    parser = argparse.ArgumentParser(prog=prog, description=_(DESCRIPTION), add_help=False,
                                     allow_abbrev=False, formatter_class=Formatter)
    sim = parser.add_argument_group(_("Options"))
    sim.add_argument("-h", "--help", action="help", help=_("Show this message and exit."))
    sim.add_argument("--port", type=_port, default=0, metavar="N",
                     help=_("Port to listen on (0: any free port)."))
    sim.add_argument("--latency-ms", type=float, default=0.0, metavar="N",
                     help=_("Delay added to every answer."))
    sim.add_argument("--accounts", metavar="FILE",
                     help=_("Accounts file to serve instead of the built-in ones (JSON, or TOML "
                            "on Python 3.11+)."))
    sim.add_argument("--clock-offset-s", type=float, default=0.0, metavar="S",
                     help=_("Make the server clock differ by this many seconds."))
    sim.add_argument("--fail-status", type=int, metavar="CODE",
                     help=_("Answer every request with this HTTP status (503, 429, 500)."))
    sim.add_argument("--malformed", action="store_true",
                     help=_("Answer every request with a broken body."))
    sim.add_argument("--hang", action="store_true",
                     help=_("Answer nothing until the hang delay has passed, then HTTP 400 with "
                            "OKX's timeout code 50004."))
    sim.add_argument("--hang-s", type=_seconds, metavar="S",
                     help=_("The hang delay of --hang and of accounts' hang faults (default: 60)."))
    sim.add_argument("--answer", type=_answer, action="append", dest="answers",
                     metavar="ENDPOINT=CODE[:HTTP_STATUS[:MSG]]",
                     help=_("Make ENDPOINT (such as account/config, or * for every one) answer "
                            "the OKX code CODE, with OKX's HTTP status and message for it unless "
                            "given; code 0 is the usual answer with that HTTP status. Repeat for "
                            "more endpoints."))
    link = parser.add_argument_group(
        _("Reference linking service"),
        _("Runs beside the simulator, on a second port (see docs/link-service.md)."))
    link.add_argument("--link-port", type=_port, default=0, metavar="N",
                      help=_("Port of the reference linking service (0: any free port)."))
    link.add_argument("--link-db", metavar="FILE",
                      help=_("SQLite file of the linking service, its key in FILE.key (default: "
                             "temporary, deleted at exit)."))
    link.add_argument("--link-token-stdin", action="store_true",
                      help=_("Read the bearer token the linking service accepts from standard "
                             "input (one line). Without it: {var} if set, else a random token; "
                             "either way it is shown in the ready line.").format(var=TOKEN_VAR))
    link.add_argument("--link-source-ip", metavar="IP", action="append", dest="link_source_ips",
                      help=_("Address the linking service verifies keys from; repeat for more, "
                             "tried in order after a 50110 (default: 127.0.0.2)."))
    link.add_argument("--no-link", action="store_true",
                      help=_("Do not run the reference linking service."))
    sim.add_argument("--json", action="store_true",
                     help=_("Print the one JSON line even in a terminal (for programs)."))
    return parser


def _link_token(from_stdin: bool, env: Mapping[str, str]) -> str | None:
    """--link-token-stdin's line (hidden when typed at a terminal), else TOKEN_VAR, else None (the
    runner makes a random one). An empty line is passed on: the runner refuses it."""
    if not from_stdin:
        return env.get(TOKEN_VAR, "").strip() or None
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(_("Link token (hidden): ")).strip()
    try:  # bytes, so the token does not depend on the locale's encoding
        return sys.stdin.buffer.readline().decode("utf-8").strip()
    except UnicodeDecodeError:  # its text would quote the token's bytes
        raise ValueError(_("the link token on standard input is not UTF-8 text")) from None


def main(argv: Sequence[str] | None = None, prog: str = "okxlink sim",
         env: Mapping[str, str] | None = None, terminal: bool | None = None) -> int:
    """Parse, run the simulator until it is stopped, and return the exit status: 0 after a clean
    stop, 2 for a usage error (argparse's, or one of the errors below, said in one sentence).
    `env`: where TOKEN_VAR is read (default: this process's environment). `terminal`: whether a
    person reads stdout (default: whether it is a terminal); then the guide, unless --json."""
    try:
        args = build_parser(prog).parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # --help (0) or a usage error argparse has already printed (2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    from okxlink.sim import runner

    try:
        link_token = None if args.no_link else _link_token(args.link_token_stdin,
                                                           os.environ if env is None else env)
        return runner.run(port=args.port, latency_ms=args.latency_ms, accounts_file=args.accounts,
                          clock_offset_s=args.clock_offset_s, fail_status=args.fail_status,
                          malformed=args.malformed, hang=args.hang, link_port=args.link_port,
                          link_db=args.link_db, link_token=link_token,
                          link_source_ips=args.link_source_ips or ("127.0.0.2",),
                          no_link=args.no_link, hang_s=args.hang_s,
                          answers=dict(args.answers or ()),
                          announce=json.dumps if args.json or not _terminal(terminal) else Guide(prog))
    except runner.MissingServerParts as exc:
        _say(prog, _("The simulator needs {module}, which is not installed; install its server "
                     "parts with:").format(module=exc.module) + f"\n  {PIP_LINE}")
    except runner.PortUnavailable as exc:
        flag = _PORT_FLAG.get(exc.service, "--port")
        if exc.in_use:
            _say(prog, _("Port {port} is already in use; choose another with {flag}, or 0 for any "
                         "free port.").format(port=exc.port, flag=flag))
        else:
            _say(prog, _("Cannot listen on port {port} ({reason}); choose another with {flag}, "
                         "or 0 for any free port.").format(port=exc.port, reason=exc.reason,
                                                           flag=flag))
    except runner.AccountsFileError as exc:
        _say(prog, _("The accounts file {file} cannot be used: {reason}.").format(
            file=exc.path, reason=exc.reason))
    except (OSError, ValueError) as exc:  # the link database or token: the runner's own words
        _say(prog, str(exc))
    return int(Exit.USAGE)


def _say(prog: str, sentence: str) -> None:
    print(f"{prog}: {sentence}", file=sys.stderr)


def _terminal(given: bool | None) -> bool:
    if given is not None:
        return given
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except ValueError:  # closed
        return False


# The accounts the guide shows, one per case a newcomer wants to see; the rest are in --json.
GUIDE_CASES = (("ready", N_("every check passes")),
               ("wrong-passphrase", N_("the passphrase is wrong")),
               ("other-site", N_("a key of OKX EEA; okxlink finds its site")),
               ("no-trade", N_("no Trade permission")),
               ("withdraw-on", N_("Withdraw permission is on")))


class Guide:
    """The ready dict as a person at a terminal wants it: where the simulator runs, the lines that
    point okxlink at it, and a few fake keys with the case each one shows.

    Its words are translated when it is made: once the linking service runs, the simulator's process
    speaks English (its reasons are the platform's words, see okxlink.sim.runner)."""

    def __init__(self, prog: str) -> None:
        from rich.cells import cell_len

        from okxlink.core import sites

        self.prog = prog
        self.cases = {name: _(why) for name, why in GUIDE_CASES}
        self.where = {(site, demo): sites.describe(site, demo) for site in sites.SITES for demo in (False, True)}
        self.running = _("Simulated OKX: {url} (fake; nothing leaves this machine)")
        self.link = _("Linking service: {url}")
        self.point = _("In another terminal, point okxlink at it:")
        self.keys = _("Fake keys to paste (they work only here):")
        fields = (_("API key"), _("Secret key"), _("Passphrase"))
        width = max(cell_len(f) for f in fields)  # by display width: the labels may be Chinese
        self.fields = tuple(f + " " * (width - cell_len(f)) for f in fields)
        self.more = _("Every account, as JSON: {prog} --json")
        self.stop = _("Stop it with Ctrl-C.")
        self.case = _("{name} ({where}): {case}")
        self.account = _("{name} ({where})")

    def __call__(self, ready: dict[str, Any]) -> str:
        lines = [self.running.format(url=ready["okx_url"])]
        if ready.get("link_url"):
            lines.append(self.link.format(url=ready["link_url"]))
        lines += ["", self.point, "  export OKXLINK_BASE_URL=" + shlex.quote(ready["okx_url_template"])]
        if ready.get("link_url"):
            lines += ["  export OKXLINK_LINK_URL=" + shlex.quote(ready["link_url"]),
                      "  export OKXLINK_LINK_TOKEN=" + shlex.quote(ready["link_token"])]
        lines += ["  okxlink setup", "", self.keys]
        accounts = {a["name"]: a for a in ready["accounts"]}
        shown = [n for n, _why in GUIDE_CASES if n in accounts] or list(accounts)[:len(GUIDE_CASES)]
        for name in shown:
            a = accounts[name]  # an --accounts file's words: made plain
            where = self.where.get((a["site"], a["demo"]), plain(a["site"]))
            lines.append("  " + (self.case.format(name=name, where=where, case=self.cases[name])
                                 if name in self.cases else self.account.format(name=plain(name), where=where)))
            for field, key in zip(self.fields, ("api_key", "secret_key", "passphrase"), strict=True):
                lines.append(f"    {field}  {plain(a[key])}")
        lines += ["", self.more.format(prog=self.prog), self.stop]
        return "\n".join(lines)
