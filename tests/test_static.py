"""Static checks, run as tests so that CI runs them: ruff, mypy --strict and bandit must pass, the
locked dependency set must have no known vulnerability, and a bug in okxlink must never print a
traceback with local variables (where a key's secret could be).

A missing checker fails its test rather than skipping it: `pip install --group dev` installs them
all. Only pip-audit's vulnerability service may be out of reach (it is from this project's machines:
see test_locked_dependencies_have_no_known_vulnerability); that is a skip with its reason, never a pass.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import clean_env

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def check(module: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` from the project root; fails (never skips) when MODULE is missing."""
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed: pip install --group dev")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


def passed(done: subprocess.CompletedProcess[str]) -> bool:
    print(done.stdout[-20000:], done.stderr[-5000:], sep="\n")  # shown by pytest on failure
    return done.returncode == 0


def test_ruff():
    assert passed(check("ruff", "check", "--no-cache", "src", "tests"))


def test_mypy_strict():
    assert passed(check("mypy", "--strict"))  # [tool.mypy] files = src


def test_bandit():
    assert passed(check("bandit", "-r", "src", "-c", "pyproject.toml", "-q"))


# ---- the locked dependency set ----------------------------------------------------------------

def locked() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_lock_pins_every_runtime_and_sim_dependency():
    """What pip-audit checks is what okxlink[sim] installs: every dependency, direct or not, is
    pinned, and the direct ones within pyproject.toml's ranges."""
    from importlib.metadata import distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = locked()
    todo, seen = [("okxlink", ("sim",))], set()
    while todo:
        name, extras = todo.pop()
        for raw in distribution(name).requires or []:
            req = Requirement(raw)
            key = canonicalize_name(req.name)
            if key == "okxlink" or (req.marker and not any(req.marker.evaluate({"extra": e})
                                                           for e in (*extras, ""))):
                continue
            assert key in pins, f"requirements.lock lacks {key} (needed by {name}): regenerate it"
            if name == "okxlink":
                assert req.specifier.contains(pins[key], prereleases=True), (
                    f"requirements.lock pins {key}=={pins[key]}, outside pyproject.toml's {req}")
            if (key, tuple(req.extras)) not in seen:
                seen.add((key, tuple(req.extras)))
                todo.append((req.name, tuple(req.extras)))


def test_what_is_tested_is_what_is_locked():
    """scripts/install.sh installs requirements.lock after the development tools: every pin is the
    version this suite runs with, so the set pip-audit checks is the set the tests exercise."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for name, pinned in locked().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert not wrong, f"installed versions differ from requirements.lock (pinned, installed): {wrong}"


def unreachable(done: subprocess.CompletedProcess[str], deps: list[dict[str, object]]) -> str | None:
    """Why pip-audit could not ask its vulnerability service about anything, if it could not."""
    if done.returncode != 0 and ("requests.exceptions." in done.stderr or "ServiceError" in done.stderr):
        return done.stderr.strip().splitlines()[-1]
    reasons = [str(d.get("skip_reason", "")) for d in deps]
    if deps and all("not found on PyPI" in r for r in reasons):  # PyPI's JSON API answered 404 to all
        return reasons[0]
    return None


def test_locked_dependencies_have_no_known_vulnerability():
    """pip-audit asks PyPI's JSON API (per name and version) about each pinned dependency.

    From this project's machines (the developers' and CI's alike) that API answers every
    per-version question with a bare 404, and the other services (OSV, ecosyste.ms) do not
    resolve, so nothing can be audited: that is a skip that says so (pytest -ra prints it),
    not a pass. Set OKXLINK_REQUIRE_AUDIT=1 where the service is reachable to make it a failure.
    A vulnerability, or an audit of only some dependencies, always fails."""
    done = check("pip_audit", "-r", str(LOCK), "--no-deps", "--disable-pip", "--progress-spinner", "off",
                 "-f", "json")
    try:
        deps = json.loads(done.stdout)["dependencies"]
    except (ValueError, KeyError):
        deps = []
    why = unreachable(done, deps)
    if why is not None:
        message = f"pip-audit could not reach its vulnerability service; nothing was audited: {why}"
        if os.environ.get("OKXLINK_REQUIRE_AUDIT") == "1":
            pytest.fail(message)
        pytest.skip(message)
    assert deps, f"pip-audit gave no report:\n{done.stderr[-3000:]}"
    vulnerable = {d["name"]: [v["id"] for v in d["vulns"]] for d in deps if d.get("vulns")}
    assert not vulnerable, f"known vulnerabilities in requirements.lock: {vulnerable}"
    not_audited = {d["name"]: d["skip_reason"] for d in deps if "skip_reason" in d}
    assert not not_audited, f"pip-audit could not audit: {not_audited}"
    assert done.returncode == 0, done.stderr[-3000:]


# ---- no locals in tracebacks --------------------------------------------------------------------

SECRET_LOCAL = "LOCAL-7f3c9a1e5b2d4c6e8a0f1b3d5c7e9a2b"
HIDDEN_MESSAGE = "internal detail 4d2b"
ENV_SECRET = "9F8E7D6C5B4A39281706F5E4D3C2B1A0"
ENV_PASSPHRASE = "Env-Passphrase-1!"

# okxlink's real entry point, with the core's verify replaced by one that fails like a bug would,
# holding a secret in a local variable of the failing frame.
CRASHING_OKXLINK = f"""
import sys

import okxlink.core.verify


async def verify(creds, **kw):
    secret_key = {SECRET_LOCAL!r}
    raise RuntimeError({HIDDEN_MESSAGE!r})


okxlink.core.verify.verify = verify
from okxlink.cli.entry import main

sys.argv = ["okxlink", *sys.argv[1:]]
main()
"""


def test_the_app_never_renders_pretty_tracebacks():
    from okxlink.cli.app import build_app
    from okxlink.cli.context import Context, settings_from

    app = build_app(Context(settings=settings_from({})))
    assert app.pretty_exceptions_enable is False or app.pretty_exceptions_show_locals is False


@pytest.mark.parametrize("args", [["verify"], ["verify", "--json"]])
def test_a_bug_prints_no_traceback_and_no_locals(tmp_path, args):
    env = clean_env(tmp_path, OKX_API_KEY="0f4b2a7c-1d3e-4f5a-8b9c-0123456789ab",
                    OKX_SECRET_KEY=ENV_SECRET, OKX_PASSPHRASE=ENV_PASSPHRASE)
    env.pop("_TYPER_STANDARD_TRACEBACK", None)  # typer's own switch must not be what hides them
    done = subprocess.run([sys.executable, "-c", CRASHING_OKXLINK, *args], capture_output=True,
                          text=True, timeout=60, env=env)
    out = done.stdout + done.stderr
    assert "RuntimeError" in done.stderr, out  # the fake verify really ran and failed
    assert done.returncode == 1, out
    for leak in ("Traceback", "secret_key", SECRET_LOCAL, HIDDEN_MESSAGE, ENV_SECRET, ENV_PASSPHRASE,
                 "locals", "╭"):
        assert leak not in out, f"{leak!r} in okxlink's output:\n{out}"
