"""okxlink run in this process: the real typer app and commands, handed a Context of the test's —
captured output at a fixed width, a memory keyring, a config dir of its own, a fixed clock for ages,
and a scripted asker when the run is to be interactive. Fast, and exact about what a person sees."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from okxlink import i18n
from okxlink.cli.app import invoke
from okxlink.cli.clipboard import unavailable
from okxlink.cli.context import Context
from okxlink.settings import Settings
from okxlink.storage import MemoryStore

from conftest import Result

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@dataclass
class InProcess:
    config_dir: Path
    base_url: str | None = None
    link_url: str | None = None
    link_token: str | None = None
    secrets: MemoryStore = field(default_factory=MemoryStore)  # kept from one run to the next
    clipboard: Any = None  # a fake clipboard (tests/test_copy.py); None: there is none

    def __call__(self, *args: str, lang: str = "en", width: int = 80, stdin: str = "",
                 environ: dict[str, str] | None = None, asker: Any = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        settings = Settings(config_dir=self.config_dir, base_url=self.base_url, link_url=self.link_url,
                            link_token=self.link_token, lang=lang)
        ctx = Context(settings=settings, environ=environ or {}, stdin=io.StringIO(stdin), stdout=out,
                      stderr=err, width=width, interactive=asker is not None, secrets=lambda: self.secrets,
                      asker=lambda: asker, open_url=lambda url: None, now=lambda: NOW,
                      clipboard=self._clipboard)
        before = i18n.current()
        try:
            code = invoke(list(args), ctx)
        finally:
            i18n.setup(before)  # the language is process-wide: leave it as the next test expects
        return Result(code, out.getvalue(), err.getvalue())

    def _clipboard(self) -> Any:
        if self.clipboard is None:  # never this machine's: a test's outcome must not depend on its desktop
            raise unavailable()
        return self.clipboard
