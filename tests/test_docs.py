"""The documentation site: the command reference matches the real --help, `mkdocs build --strict`
passes, every command has a reference section, the contract lists every check id and exit code,
and shell completion (typer's, for bash, zsh and fish) works as docs/completion.md says.

mkdocs and mkdocs-material come with the `test` extra; a missing mkdocs fails, never skips.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from okxlink.core.diagnose import CHECK_IDS
from okxlink.errors import Exit

from conftest import clean_env

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATOR = ROOT / "scripts" / "gen_cli_reference.py"
SHELLS = ("bash", "zsh", "fish")


def env(**extra: str) -> dict[str, str]:
    """A child's environment without okxlink settings or a completion request leaking in."""
    base = {k: v for k, v in clean_env().items() if not k.startswith(("_OKXLINK_", "_TYPER_"))}
    base.update(extra)
    return base


def run(args: list[str], timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("env", env())
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT, **kwargs)


def okxlink(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "okxlink", *args], env=env(**extra_env))


def root_commands() -> list[str]:
    """The command names in the root help, read independently of the generator's parser."""
    text = okxlink("--help", COLUMNS="100").stdout
    section = text.split("\nCommands:\n", 1)[1]
    return [m.group(1) for m in re.finditer(r"^  (\S+)", section.split("\n\n", 1)[0], re.M)]


# --------------------------------------------------------------------------- reference + site

def test_reference_is_up_to_date():
    proc = run([sys.executable, str(GENERATOR), "--check"])
    assert proc.returncode == 0, (
        f"docs/reference.md differs from the real --help; run `python scripts/gen_cli_reference.py`.\n"
        f"{proc.stderr[-4000:]}")


def test_mkdocs_build_strict(tmp_path):
    assert importlib.util.find_spec("mkdocs") is not None, \
        "mkdocs is not installed: pip install --group dev (it brings mkdocs and mkdocs-material)"
    assert importlib.util.find_spec("material") is not None, "mkdocs-material is not installed"
    site = tmp_path / "site"
    proc = run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                "-d", str(site)], env=env(NO_MKDOCS_2_WARNING="1"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    for page in ("index.html", "getting-started/index.html", "getting-started.zh/index.html",
                 "reference/index.html", "troubleshooting/index.html", "headless/index.html",
                 "completion/index.html", "contract/index.html"):
        assert (site / page).is_file(), page


def test_every_command_has_a_reference_section():
    commands = root_commands()
    assert {"setup", "verify", "link", "status"} <= set(commands), commands
    reference = (DOCS / "reference.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## `([^`]+)`$", reference, re.M))
    assert "okxlink" in headings
    missing = [c for c in commands if f"okxlink {c}" not in headings]
    assert not missing, f"no section in docs/reference.md for: {missing}"


def test_contract_lists_every_check_id_and_exit_code():
    contract = (DOCS / "contract.md").read_text(encoding="utf-8")
    missing = [cid for cid in CHECK_IDS if f"`{cid}`" not in contract]
    assert not missing, f"check ids missing from docs/contract.md: {missing}"
    section = contract.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\|\s*(\d+)\s*\|", section, re.M)}
    assert documented == {int(code) for code in Exit}, (
        f"exit codes in docs/contract.md {sorted(documented)} != okxlink.errors.Exit {sorted(map(int, Exit))}")


def test_troubleshooting_names_only_real_check_ids():
    text = (DOCS / "troubleshooting.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z]+(?:-[a-z]+)*)`", text))
    checks = {n for n in named if n in CHECK_IDS or n.startswith(("permission-", "ip-", "account-"))}
    assert checks and checks <= set(CHECK_IDS), checks - set(CHECK_IDS)


# --------------------------------------------------------------------------- shell completion
# These need typer's completion enabled in the app (add_completion=True in okxlink.cli.app).

def complete(shell: str, line: str) -> list[str]:
    """What okxlink offers for `line` (the cursor at its end), through the shell's protocol."""
    if shell == "bash":
        words = line.split()
        cword = len(words) if line.endswith(" ") else len(words) - 1
        proc = okxlink(_OKXLINK_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(cword))
    elif shell == "zsh":
        proc = okxlink(_OKXLINK_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=line)
    else:
        proc = okxlink(_OKXLINK_COMPLETE="complete_fish", _TYPER_COMPLETE_ARGS=line,
                       _TYPER_COMPLETE_FISH_ACTION="get-args")
    assert proc.returncode == 0, proc.stderr
    if shell == "zsh":  # _arguments '*: :(("verify":"Check an OKX API key…"\n"sim":"…"))' or _files
        body = proc.stdout.strip()
        if body == "_files":
            return []
        assert body.startswith("_arguments '*: :((") and body.endswith("))'"), body
        return [re.match(r'"((?:[^"]|"")*)"', row).group(1).replace('""', '"')
                for row in body[len("_arguments '*: :(("):-len("))'")].splitlines()]
    return [row.split("\t", 1)[0] for row in proc.stdout.splitlines() if row.strip()]


def test_completion_options_are_in_the_root_help():
    text = okxlink("--help").stdout
    assert "--install-completion" in text and "--show-completion" in text


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_offers_commands(shell):
    assert complete(shell, "okxlink ve") == ["verify"]
    assert {"setup", "status", "sim"} <= set(complete(shell, "okxlink s"))


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_offers_options_and_site_values(shell):
    assert "--site" in complete(shell, "okxlink verify --s")
    assert complete(shell, "okxlink verify --site ") == ["global", "eea", "us", "tr", "auto"]


def test_completion_skips_lang():
    assert complete("bash", "okxlink --lang zh ve") == ["verify"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_script_for_each_shell(shell):
    proc = okxlink(_OKXLINK_COMPLETE=f"source_{shell}")
    assert proc.returncode == 0, proc.stderr
    assert f"_OKXLINK_COMPLETE=complete_{shell}" in proc.stdout and "okxlink" in proc.stdout


def test_show_and_install_completion_detect_bash(tmp_path):
    if shutil.which("bash") is None:
        pytest.fail("bash is required for this test")
    py = f'"{sys.executable}" -m okxlink'
    # `; exit $?` keeps bash from exec-ing python, so bash stays its parent and is detected
    shown = run(["bash", "--norc", "--noprofile", "-c", f"{py} --show-completion; exit $?"])
    assert shown.returncode == 0, shown.stderr
    assert "complete -o default -F _okxlink_completion okxlink" in shown.stdout
    installed = run(["bash", "--norc", "--noprofile", "-c", f"{py} --install-completion; exit $?"],
                    env=env(HOME=str(tmp_path)))
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "okxlink.sh"
    assert script.read_text() == shown.stdout.strip()
    assert str(script) in (tmp_path / ".bashrc").read_text()


def test_completion_in_a_real_bash(tmp_path):
    """Source the script in bash and call its function, as pressing Tab does."""
    shim = tmp_path / "bin" / "okxlink"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m okxlink "$@"\n')
    shim.chmod(0o755)
    script = ('eval "$(_OKXLINK_COMPLETE=source_bash okxlink)"; '
              'COMP_WORDS=(okxlink verify --si); COMP_CWORD=2; _okxlink_completion okxlink; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    proc = run(["bash", "--norc", "--noprofile", "-c", script],
               env=env(PATH=f"{shim.parent}{os.pathsep}{os.environ.get('PATH', '')}"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["--site"]
