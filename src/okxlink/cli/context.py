"""One context per run: the Settings read from the flags and the environment (here, and nowhere
else), the terminal's streams, and factories for what a command uses — the UI, the asker, the
profile repository, the HTTP client. Commands receive it; tests build their own and run commands
in-process with captured output, a scripted asker, a memory keyring and a temporary config dir.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from okxlink.i18n import _
from okxlink.settings import Settings

if TYPE_CHECKING:
    import httpx

    from okxlink.cli.ask import Asker
    from okxlink.cli.clipboard import Clipboard
    from okxlink.cli.ui import UI
    from okxlink.errors import UsageError
    from okxlink.storage import ProfileRepo, ProfilesFile, SecretStore


def config_dir(env: Mapping[str, str], platform: str = sys.platform) -> Path:
    """OKXLINK_CONFIG_DIR, else the platform's per-user config directory plus /okxlink."""
    if env.get("OKXLINK_CONFIG_DIR"):
        return Path(env["OKXLINK_CONFIG_DIR"]).expanduser()
    home = Path(env.get("HOME") or Path.home())
    if platform == "win32":
        base = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    return base / "okxlink"


def settings_from(env: Mapping[str, str], lang: str | None = None) -> Settings:
    """The one place okxlink's own environment variables are read (typer reads the options' envvars:
    OKXLINK_PROFILE, OKXLINK_SITE, OKXLINK_LINK_URL for --service). `lang`: --lang, if given.
    An OKXLINK_BASE_URL okxlink may not send signed requests to is a UsageError (exit 2), as is an
    OKXLINK_LANG it does not speak when there is no --lang (the variable is okxlink's own: a typo
    there is said, not quietly replaced by the locale's language)."""
    from okxlink import i18n
    from okxlink.errors import UsageError

    if lang is None and env.get("OKXLINK_LANG") and env["OKXLINK_LANG"] not in i18n.LANGS:
        raise UsageError(_("OKXLINK_LANG must be en or zh, not {value}.").format(value=repr(env["OKXLINK_LANG"])),
                         _("Set it to en or zh, or unset it to follow the locale."))
    base_url = env.get("OKXLINK_BASE_URL") or None
    settings = Settings(config_dir=config_dir(env), base_url=base_url,
                        link_url=env.get("OKXLINK_LINK_URL") or None,
                        link_token=env.get("OKXLINK_LINK_TOKEN", "").strip() or None,
                        lang=i18n.detect(lang, env),
                        debug=env.get("OKXLINK_DEBUG", "") not in ("", "0"),
                        rotate_after_days=_days(env.get("OKXLINK_ROTATE_AFTER_DAYS", "")))
    if base_url and base_url_problem(base_url):
        raise base_url_error(base_url)
    return settings


def _days(raw: str) -> int:
    """OKXLINK_ROTATE_AFTER_DAYS: whole days, 0 for never; unset: 90 (a quarter, as many exchanges advise)."""
    from okxlink.errors import UsageError

    if not raw.strip():
        return Settings.rotate_after_days
    if not raw.strip().isdigit() or int(raw) > 36500:
        raise UsageError(_("OKXLINK_ROTATE_AFTER_DAYS must be a whole number of days (0: never suggest rotating)."),
                         _("Set it to a number such as 90, or unset it."))
    return int(raw)


def base_url_problem(url: str) -> str | None:
    """OKX's requests carry the key and passphrase in headers: the same rule as a linking service's
    address (https://, plain http:// only to this machine). `{site}` stands for a site's name."""
    from okxlink.core.urls import url_problem

    return url_problem(url.replace("{site}", "global"))


def base_url_error(url: str) -> UsageError:
    from okxlink.errors import UsageError

    return UsageError(_("OKXLINK_BASE_URL cannot be used: {problem}.").format(problem=base_url_problem(url)),
                      _("Unset it to talk to OKX, or set it to an https:// address."))


def _keyring() -> SecretStore:
    from okxlink.storage import KeyringStore

    return KeyringStore()


def _questionary() -> Asker:
    from okxlink.cli.ask import QuestionaryAsker

    return QuestionaryAsker()


def _clipboard() -> Clipboard:
    from okxlink.cli.clipboard import system

    return system()


def _browser(url: str) -> bool:
    """False when no browser opened (the wizard then says so): webbrowser answers False when it
    found none, and raises when the one it found fails to start."""
    import webbrowser

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


@dataclass
class Context:
    settings: Settings
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    width: int | None = None            # None: the terminal's (rich reads COLUMNS)
    interactive: bool | None = None     # None: both stdin and stdout are terminals
    secrets: Callable[[], SecretStore] = _keyring
    asker: Callable[[], Asker] = _questionary
    open_url: Callable[[str], object] = _browser
    clipboard: Callable[[], Clipboard] = _clipboard  # UsageError (exit 2) when there is none
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    _repo: ProfileRepo | None = field(default=None, init=False, repr=False)

    @property
    def can_ask(self) -> bool:
        """A person is there to answer questions."""
        if self.interactive is not None:
            return self.interactive
        return self.stdin.isatty() and self.stdout.isatty()

    @property
    def stdin_is_terminal(self) -> bool:
        return self.interactive if self.interactive is not None else self.stdin.isatty()

    def ui(self, json_mode: bool = False) -> UI:
        from okxlink.cli.ui import UI

        return UI(json_mode=json_mode, out=self.stdout, err=self.stderr, width=self.width)

    def profiles_file(self) -> ProfilesFile:
        from okxlink.storage import ProfilesFile

        return ProfilesFile(self.settings.profiles_path)

    def repo(self) -> ProfileRepo:
        """One repository per run (its keyring store opens its backend once)."""
        if self._repo is None:
            from okxlink.storage import ProfileRepo

            self._repo = ProfileRepo(self.secrets(), self.profiles_file())
        return self._repo

    def http(self, **kw: Any) -> httpx.AsyncClient:
        """The run's HTTP client (used as `async with ctx.http() as client`), with the debug hooks.
        Proxies from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) are used for
        every host but this machine's: plain http is allowed to loopback only because it never
        leaves the machine, and a proxy would read the key, passphrase and token in it."""
        import httpx

        from okxlink.cli import debug

        return httpx.AsyncClient(event_hooks=debug.hooks(self.settings.debug, self.stderr),
                                 transport=_loopback_direct(kw.get("limits")), **kw)

    def note_endpoint(self, ui: UI) -> None:
        """Whoever's OKX requests go elsewhere (OKXLINK_BASE_URL) is told where, in human output."""
        if self.settings.base_url and not ui.json_mode:
            ui.note(_("OKX requests go to {url}, not to OKX's own sites.").format(url=self.settings.base_url))


def _loopback_direct(limits: httpx.Limits | None) -> httpx.AsyncBaseTransport:
    """A transport that sends requests for loopback hosts straight to them, and every other request
    through an httpx client of its own, which applies the environment's proxies as usual.

    Each way is built on its first request: a run that only talks to this machine (the simulator,
    a local service) never reads the proxy settings, and plain http:// to loopback never loads the
    CA bundle (tens of ms of a command's start-up) — its transport never makes a TLS connection."""
    import httpx

    from okxlink.core.urls import is_loopback

    pool = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's default

    class LoopbackDirect(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.ways: dict[str, httpx.AsyncBaseTransport | httpx.AsyncClient] = {}

        def way(self, request: httpx.Request) -> httpx.AsyncBaseTransport | httpx.AsyncClient:
            name = "routed" if not is_loopback(request.url.host) else \
                "plain" if request.url.scheme == "http" else "direct"
            if name not in self.ways:  # "plain" carries only http://, so it never makes a TLS
                # connection: verify=False spares it the CA bundle and weakens nothing
                self.ways[name] = httpx.AsyncClient(limits=pool) if name == "routed" else \
                    httpx.AsyncHTTPTransport(limits=pool, verify=name == "direct")
            return self.ways[name]

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            way = self.way(request)
            if isinstance(way, httpx.AsyncClient):
                return await way.send(request, stream=True)
            return await way.handle_async_request(request)

        async def aclose(self) -> None:
            for way in self.ways.values():
                await way.aclose()

    return LoopbackDirect()
