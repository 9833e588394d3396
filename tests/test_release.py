"""The release check: what `python -m build` makes is what a user should get.

The sdist carries the catalog sources (.po, .pot) and the build-time compiler (okxlink/_msgfmt.py), and
the wheel is built from that sdist (as `python -m build` does), so a wheel can always be made from it.
The wheel carries the compiled .mo catalogs, py.typed and the licence, but not what only the build
needs. Then the wheel is installed, with its runtime dependencies only, into a clean virtualenv: the
command runs, and the simulator's commands say how to get their missing server parts.

Building and installing take pip's package index (as `pip install --group dev` does): slow, and
marked so.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from conftest import clean_env

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str | Path, timeout: float = 600, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("okxlink-*.whl")
    return found


@pytest.fixture(scope="module")
def sdist_names(dist: Path) -> list[str]:
    (found,) = dist.glob("okxlink-*.tar.gz")
    with tarfile.open(found) as tar:
        return [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as whl:
        return whl.namelist()


def metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as whl:
        (name,) = [n for n in whl.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(whl.read(name))


def test_wheel_carries_the_compiled_catalogs_the_marker_and_the_licence(wheel_names: list[str]) -> None:
    assert "okxlink/locales/zh_CN/LC_MESSAGES/okxlink.mo" in wheel_names
    assert "okxlink/py.typed" in wheel_names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel_names), wheel_names
    assert "okxlink/cli/entry.py" in wheel_names


def test_wheel_leaves_out_what_only_the_build_needs(wheel_names: list[str]) -> None:
    left_in = [n for n in wheel_names if n.endswith((".po", ".pot")) or n.endswith("/_msgfmt.py")]
    assert not left_in


def test_wheel_metadata(wheel: Path) -> None:
    meta = metadata(wheel)
    assert meta["Name"] == "okxlink"
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File", [])
    classifiers = meta.get_all("Classifier", [])
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.10" not in classifiers
    assert [r for r in meta.get_all("Requires-Dist", []) if r.startswith("tomli")] == []


def test_sdist_carries_the_sources_a_wheel_is_built_from(sdist_names: list[str]) -> None:
    for name in ("LICENSE", "README.md", "pyproject.toml", "hatch_build.py", "src/okxlink/_msgfmt.py",
                 "src/okxlink/py.typed", "src/okxlink/locales/okxlink.pot",
                 "src/okxlink/locales/zh_CN/LC_MESSAGES/okxlink.po"):
        assert name in sdist_names
    assert not [n for n in sdist_names if n.startswith((".hypothesis/", ".venv/", ".mypy_cache/"))]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtualenv with the wheel and its runtime dependencies only (not the [sim] extra)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True, clear=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    done = run(bin_dir / "python", "-m", "pip", "install", "-q", wheel)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    return bin_dir


def test_installed_wheel_runs(installed: Path, tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    version = run(installed / "okxlink", "--version", env=env, timeout=60)
    assert version.returncode == 0, version.stderr
    import okxlink

    assert okxlink.__version__ in version.stdout
    helped = run(installed / "okxlink", "verify", "--help", env=env, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "--profile" in helped.stdout
    # the zh catalog came with the wheel (compiled at build time): Chinese help, not English
    zh = run(installed / "okxlink", "--lang", "zh", "verify", "--help", env=env, timeout=60)
    assert zh.returncode == 0, zh.stderr
    assert any("\u4e00" <= c <= "\u9fff" for c in zh.stdout), zh.stdout


@pytest.mark.parametrize("command", [["sim"], ["demo", "--yes"]])
def test_simulator_commands_name_the_extra_when_it_is_missing(installed: Path, tmp_path: Path,
                                                              command: list[str]) -> None:
    done = run(installed / "okxlink", *command, env=clean_env(tmp_path), timeout=60,
               stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "okxlink[sim]" in done.stdout + done.stderr
