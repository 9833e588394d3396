"""The layers of docs/architecture.md, held against the code: who may import whom, and where
configuration may be read. Read from the source (every import, lazy and type-only ones included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "okxlink"
TERMINAL = ("typer", "rich", "questionary", "click")

# layer → okxlink packages it must never import (its own and the ones below it are fine)
FORBIDDEN = {
    "core": ("okxlink.storage", "okxlink.flows", "okxlink.cli", "okxlink.sim", "okxlink.settings"),
    "storage": ("okxlink.flows", "okxlink.cli", "okxlink.sim"),
    "flows": ("okxlink.cli", "okxlink.sim"),
    "sim": ("okxlink.cli", "okxlink.flows", "okxlink.storage"),
}
# Where the environment may be read below the CLI: keyring's own PYTHON_KEYRING_BACKEND convention.
ENV_READERS = {"storage/keyring_store.py", "storage/keyring_errors.py"}


def modules(layer: str) -> list[Path]:
    """A layer's library modules. `__main__.py` is an entry point (`python -m okxlink.sim`): it stands
    at the edge, above every layer, like the console script, and may hand over to the CLI."""
    return sorted(p for p in (PKG / layer).rglob("*.py") if p.name != "__main__.py")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update([node.module] + [f"{node.module}.{alias.name}" for alias in node.names])
    return found


def under(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_only_downward(layer):
    bad = {f"{p.relative_to(PKG)}: {name}" for p in modules(layer) for name in imports(p)
           if under(name, FORBIDDEN[layer])}
    assert not bad, f"{layer} imports a layer above it or beside it: {sorted(bad)}"


@pytest.mark.parametrize("layer", ["core", "storage", "flows"])
def test_below_the_cli_nothing_touches_the_terminal(layer):
    bad = {f"{p.relative_to(PKG)}: {name}" for p in modules(layer) for name in imports(p) if under(name, TERMINAL)}
    assert not bad, sorted(bad)


def test_okxlink_itself_never_imports_pydantic():
    """Its import costs `verify` ~100 ms and 20 MB (bench/README.md): okxlink's models are dataclasses
    read by hand, its SecretStr is core/secret.py. typer may still import it, for an int option."""
    bad = {f"{p.relative_to(PKG)}: {name}" for p in sorted(PKG.rglob("*.py")) for name in imports(p)
           if under(name, ("pydantic", "pydantic_core"))}
    assert not bad, sorted(bad)


def test_no_command_imports_another():
    commands = {p.stem for p in (PKG / "cli").glob("*_cmd.py")}
    assert {"verify_cmd", "setup_cmd", "status_cmd", "link_cmd", "demo_cmd"} <= commands
    bad = {f"{p.name}: {name}" for p in (PKG / "cli").glob("*_cmd.py") for name in imports(p)
           if any(under(name, (f"okxlink.cli.{c}",)) for c in commands - {p.stem})}
    assert not bad, sorted(bad)


def _reads_env(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in ("environ", "getenv", "environb") and isinstance(node.value, ast.Name) \
            and node.value.id == "os"
    return isinstance(node, ast.ImportFrom) and node.module == "os" and \
        any(a.name in ("environ", "getenv") for a in node.names)


def env_reads(path: Path) -> list[int]:
    """Lines with `os.environ…`, `os.getenv(…)`, or `environ`/`getenv` imported from os."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if _reads_env(node)]


def test_configuration_is_read_only_at_the_edge():
    below = [p for layer in ("core", "storage", "flows") for p in modules(layer)] + [PKG / "settings.py"]
    reads = [f"{p.relative_to(PKG)}:{line}" for p in below if str(p.relative_to(PKG)) not in ENV_READERS
             for line in env_reads(p)]
    assert not reads, f"the environment is read below the CLI: {reads}"
    for rel in ENV_READERS:  # and those few read keyring's own variable, nothing of okxlink's
        text = (PKG / rel).read_text(encoding="utf-8")
        assert env_reads(PKG / rel) and "PYTHON_KEYRING_BACKEND" in text
        assert 'environ.get("OKXLINK' not in text and "getenv(\"OKXLINK" not in text


def test_the_checks_themselves_can_fail(tmp_path):
    """The scanners see what they must: a lazy import inside a function, and environment reads."""
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom os import getenv\n\ndef f():\n    from okxlink.cli.ui import UI\n"
                      "    return os.environ.get('X'), os.getenv('OKXLINK_BASE_URL')\n")
    assert "okxlink.cli.ui" in imports(sample) and under("okxlink.cli.ui", FORBIDDEN["core"])
    assert env_reads(sample) == [2, 6, 6]
