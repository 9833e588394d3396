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
    """A command's modules are imported when it runs, not when its help is shown; nor is pydantic,
    which typer (>= 0.2x) would load to coerce the root's --lang (cli/coercion.py)."""
    names, out = imported(command, "--help")
    assert "Usage" in out
    assert offending(names, HEAVY) == []


def test_help_works_without_click():
    """click is no dependency of okxlink (typer vendors its own copy; only uvicorn, in the `sim`
    extra, pulls click in), so okxlink must start without it."""
    code = ("import sys; sys.modules['click'] = None; sys.argv = ['okxlink', '--help']; "
            "from okxlink.cli.app import main; main()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=env())
    assert done.returncode == 0 and "Usage" in done.stdout, done.stderr[-1500:]


NETWORK = ("httpx", "httpcore", "h11", "anyio", "ssl", "asyncio", "okxlink.core.verify", "okxlink.core.okx",
           "okxlink.flows.linking", "okxlink.flows.verifying")
VALIDATION = ("pydantic", "pydantic_core", "typer._adapters")


def test_version_imports_no_network_or_validation_stack():
    names, _out = imported("--version")
    assert offending(names, (*NETWORK, *VALIDATION)) == []


@pytest.mark.parametrize("json_out", [False, True], ids=["table", "--json"])
def test_status_offline_loads_no_http_stack(tmp_path, json_out):
    """`status --offline` makes no network call, reads no secret and validates no OKX answer, so it
    pays for none of them: not for profiles that were verified and linked either (their records are
    only shown), nor for typer's pydantic coercion of options left at their defaults."""
    write_profiles(tmp_path)
    e = env()
    e["OKXLINK_CONFIG_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "okxlink", "status", "--offline",
                           *(["--json"] if json_out else [])], capture_output=True, text=True, timeout=60, env=e)
    assert done.returncode == 0, done.stderr[-2000:]  # both remembered ready
    assert "p1" in done.stdout and "p2" in done.stdout
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and line.count("|") == 2}
    assert "okxlink.flows.status" in names
    assert offending(names, (*NETWORK, *VALIDATION, "keyring", "secretstorage", "jeepney", "questionary",
                             "okxlink.sim")) == []
    if json_out:  # JSON needs no rich Console, nor the table's renderers
        assert offending(names, ("rich.console", "rich.text", "okxlink.cli.console", "okxlink.cli.status_view")) == []


def write_profiles(config: Path) -> None:
    from okxlink.storage import LinkRecord, ProfileMeta, ProfilesFile, VerifySummary

    with ProfilesFile(config / "profiles.toml").transaction() as profiles:
        for name in ("p1", "p2"):
            meta = ProfileMeta(name=name, key="0f4b****89ab", last_verified="2026-12-01T00:00:00Z",
                               verify=VerifySummary(ready=True, statuses={"reachable": "pass"}))
            meta.links = [LinkRecord(service="https://copy.example", key="0f4b****89ab", state="linked", id="l1",
                                     spot="ready")]
            profiles[name] = meta


def test_verify_json_imports_no_keyring_prompt_or_server(sim):
    """`verify --json` with credentials in the environment reads no keyring and asks nothing, and
    imports no pydantic: okxlink's models are its own, and typer builds no adapter for its options."""
    account = sim.account("ready")
    e = env()
    e.update(OKX_API_KEY=account["api_key"], OKX_SECRET_KEY=account["secret_key"],
             OKX_PASSPHRASE=account["passphrase"], OKXLINK_BASE_URL=sim.template)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "okxlink", "verify", "--json"],
                          capture_output=True, text=True, timeout=60, env=e)
    assert done.returncode == 0, done.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and line.count("|") == 2}
    assert "okxlink.core.verify" in names
    assert offending(names, ("keyring", "secretstorage", "questionary", "prompt_toolkit", "okxlink.sim",
                             "starlette", "uvicorn", "okxlink.flows.linking", "okxlink.cli.wizard",
                             *VALIDATION, "okxlink.cli.console", "okxlink.cli.status_view",
                             "okxlink.flows.status", "okxlink.cli.share_view", "okxlink.cli.sim_cmd")) == []
    # JSON is written without a rich Console: none is built, for stdout nor for the spinner's stderr
    # (not a terminal here). httpx's own command line (httpx._main) imports rich when click is
    # installed, as in the test environment, so what httpx imports is left out.
    assert offending(outside(done.stderr, "httpx"), ("rich.console", "rich.text", "rich.table", "rich.live")) == []


def outside(importtime: str, package: str) -> set[str]:
    """The modules in `-X importtime` output not imported (directly or not) by `package`'s import.
    A module is listed after the ones it imported, each one level (two spaces) deeper."""
    rows = []
    for line in importtime.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1]
            if name.strip() != "imported package":
                rows.append((len(name) - len(name.lstrip()), name.strip()))
    names, parents = set(), []  # read backwards: each module's importers are on the stack
    for depth, name in reversed(rows):
        while parents and parents[-1][0] >= depth:
            parents.pop()
        if not any(p == package or p.startswith(package + ".") for _d, p in parents) and name != package:
            names.add(name)
        parents.append((depth, name))
    return names


def test_plain_http_to_this_machine_builds_no_tls_or_proxy_transport(sim, tmp_path):
    """The HTTP client's ways out are built on first use: a run that only talks http:// to loopback
    loads no CA bundle and reads no proxy setting; https:// to loopback still verifies."""
    import asyncio
    import ssl

    import httpx

    from okxlink.cli.context import Context
    from okxlink.settings import Settings

    async def ways(url: str) -> dict[str, object]:
        async with Context(settings=Settings(config_dir=tmp_path)).http() as client:
            await client.get(url)
            return dict(client._transport.ways)

    built = asyncio.run(ways(sim.url + "/api/v5/public/time"))
    assert list(built) == ["plain"]
    assert built["plain"]._pool._ssl_context.get_ca_certs() == []  # type: ignore[attr-defined]

    async def tls_context() -> ssl.SSLContext:
        async with Context(settings=Settings(config_dir=tmp_path)).http() as client:
            with pytest.raises(httpx.TransportError):  # the simulator speaks no TLS: the handshake fails
                await client.get(sim.url.replace("http://", "https://") + "/api/v5/public/time")
            return client._transport.ways["direct"]._pool._ssl_context  # type: ignore[attr-defined]

    context = asyncio.run(tls_context())
    assert context.verify_mode == ssl.CERT_REQUIRED and context.get_ca_certs()


def test_json_and_a_spinner_off_a_terminal_build_no_console(monkeypatch):
    """What `verify --json` does with its UI, in process: the JSON reaches the stream it was given,
    and neither console (rich) is built, nor by the spinner when stderr is no terminal."""
    import io

    from okxlink.cli.ui import RICH_TERMINAL_ENV, UI

    for name in RICH_TERMINAL_ENV:  # rich's overrides would make any stream a terminal
        monkeypatch.delenv(name, raising=False)
    out, err = io.StringIO(), io.StringIO()
    ui = UI(json_mode=True, out=out, err=err)
    with ui.spinner("Asking OKX…"):
        ui.json({"ready": True})
    assert out.getvalue() == '{\n  "ready": true\n}\n' and err.getvalue() == ""
    assert "out" not in vars(ui) and "err" not in vars(ui)
