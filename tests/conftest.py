"""Shared fixtures: the simulator as a real process on 127.0.0.1, and okxlink run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from okxlink.sim.child import SimChild, spawn

from scripted import ScriptedAsker

OKXLINK = [sys.executable, "-m", "okxlink"]
SRC_LOCALES = Path(__file__).resolve().parents[1] / "src" / "okxlink" / "locales"


def pytest_sessionstart(session: pytest.Session) -> None:
    """An editable install compiled the catalogs when it was made; a .po edited since then must
    still be what okxlink (in this process and in every child) reads."""
    from okxlink import i18n
    from okxlink._msgfmt import compile_tree

    if Path(i18n._LOCALEDIR).resolve() == SRC_LOCALES.resolve():
        compile_tree(SRC_LOCALES)


@pytest.fixture()
def script():
    """Makes scripted askers; a test fails when one of them holds an answer no prompt asked for."""
    made: list[ScriptedAsker] = []

    def make(answers: dict[str, Any]) -> ScriptedAsker:
        made.append(ScriptedAsker(answers))
        return made[-1]

    yield make
    for asker in made:
        asker.assert_used_up()


def start_sim(*args: str, env: dict[str, str] | None = None) -> SimChild:
    return spawn(*args, env=env)


@pytest.fixture(scope="session")
def sim():
    s = start_sim()
    yield s
    s.stop()


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def clean_env(tmp: Path | None = None, **extra: str) -> dict[str, str]:
    """The child's environment: no credentials or okxlink settings leaking in from this machine."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OKX_", "OKXLINK_")) and k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120", "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8"})
    if tmp is not None:
        env["OKXLINK_CONFIG_DIR"] = str(tmp / "config")
    env.update(extra)
    return env


def okxlink(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 60) -> Result:
    proc = subprocess.run([*OKXLINK, *args], input=stdin, capture_output=True, text=True,
                          env=env if env is not None else clean_env(), timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def creds_env(account: dict[str, Any], base: str, **extra: str) -> dict[str, str]:
    return clean_env(OKX_API_KEY=account["api_key"], OKX_SECRET_KEY=account["secret_key"],
                     OKX_PASSPHRASE=account["passphrase"], OKXLINK_BASE_URL=base, **extra)
