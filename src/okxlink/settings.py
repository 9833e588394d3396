"""What a run of okxlink is configured with, decided once at the edge (okxlink.cli.context reads
the flags and the environment) and passed down. Nothing below the CLI reads okxlink's environment
variables: the demo, tests and the reference link service each build the Settings they need."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    config_dir: Path                  # profiles.toml and clock.json
    base_url: str | None = None       # an OKX-compatible server instead of OKX's sites; may hold {site}
    link_url: str | None = None       # the linking service when none is given on the command line
    link_token: str | None = field(default=None, repr=False)  # its bearer token
    lang: str = "en"
    debug: bool = False               # one line per HTTP exchange; frames of an unexpected error
    rotate_after_days: int = 90       # status suggests `okxlink rotate` for keys older than this; 0: never

    @property
    def profiles_path(self) -> Path:
        return self.config_dir / "profiles.toml"

    @property
    def clock_path(self) -> Path:
        return self.config_dir / "clock.json"
