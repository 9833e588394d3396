"""Start-up stays light: `okxlink --version` and `okxlink --help` import nothing that only a
command needs (httpx, keyring, questionary, pydantic) nor the simulator's server parts
(okxlink.sim, starlette, uvicorn). Measured with `python -X importtime` in a fresh interpreter,
so whatever this test process has imported does not count. bench/run.py times the same commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")

HEAVY = ("httpx", "keyring", "questionary", "okxlink.sim", "starlette", "uvicorn", "pydantic")


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("OKX_", "OKXLINK_")) and k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    e.update(PYTHONPATH=SRC, NO_COLOR="1", LANG="C.UTF-8", COLUMNS="100")
    return e


def imported(*args: str) -> tuple[set[str], str]:
    """The modules `python -m okxlink ARGS` imports, and its stdout."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "okxlink", *args],
                          capture_output=True, text=True, timeout=60, env=env())
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    assert "okxlink" in names, "no -X importtime output: is this interpreter's okxlink the one in src/?"
    return names, done.stdout


def offending(names: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == b or n.startswith(b + ".") for b in banned))


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("--lang", "zh", "--help")],
                         ids=["--version", "--help", "--lang zh --help"])
def test_version_and_help_import_nothing_heavy(args):
    names, out = imported(*args)
    assert out.strip(), "printed nothing"
    assert offending(names, HEAVY) == []


def test_version_fast_path_does_not_import_typer_or_rich():
    names, out = imported("--version")
    assert out.startswith("okxlink ")
    assert offending(names, ("typer", "click", "rich")) == []


@pytest.mark.parametrize("command", ["setup", "verify", "link", "status", "sim", "demo"])
def test_command_help_does_not_import_what_the_command_needs(command):
    """A command's modules are imported when it runs, not when its help is shown. (pydantic is
    allowed here: typer >= 0.2x coerces option values with pydantic itself.)"""
    names, out = imported(command, "--help")
    assert "Usage" in out
    assert offending(names, tuple(m for m in HEAVY if m != "pydantic")) == []


def test_help_works_without_click():
    """click is no dependency of okxlink (typer vendors its own copy; only uvicorn, in the `sim`
    extra, pulls click in), so okxlink must start without it."""
    code = ("import sys; sys.modules['click'] = None; sys.argv = ['okxlink', '--help']; "
            "from okxlink.cli.app import main; main()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=env())
    assert done.returncode == 0 and "Usage" in done.stdout, done.stderr[-1500:]


def test_status_offline_loads_no_http_stack(tmp_path):
    """`status --offline` makes no network call, so it must not pay for httpx."""
    e = env()
    e["OKXLINK_CONFIG_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "okxlink", "status", "--offline"],
                          capture_output=True, text=True, timeout=60, env=e)
    assert done.returncode == 3, done.stderr[-2000:]  # no profile: nothing is ready
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and line.count("|") == 2}
    assert "okxlink.flows.status" in names and offending(names, ("httpx", "httpcore", "okxlink.sim")) == []
