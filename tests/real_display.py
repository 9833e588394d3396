"""A real X display for clipboard tests: Xvfb on a free display number, started like a database
server and stopped by PID, with xclip to read and write its clipboard as the user would. Use it from
any test module with

    from real_display import clip, display  # noqa: F401  (registers the fixture)

A missing Xvfb or xclip fails the tests (scripts/test installs them)."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from real_keyring import stop_process


@pytest.fixture(scope="session")
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The DISPLAY of an X server that is ready: it writes its display number once it listens
    (-displayfd), so there is nothing to poll."""
    missing = [t for t in ("Xvfb", "xclip") if shutil.which(t) is None]
    if missing:
        raise AssertionError(f"missing {', '.join(missing)}: apt-get install xvfb xclip (scripts/test installs them)")
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    read, write = os.pipe()
    with open(log, "wb") as err:
        proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "640x480x8"],
                                pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=err)
    os.close(write)
    try:
        ready, _w, _x = select.select([read], [], [], 30)
        number = os.read(read, 32).decode().strip() if ready else ""
        if not number:
            raise AssertionError(f"Xvfb wrote no display number:\n{log.read_text(errors='replace')}")
        yield f":{number}"
    finally:
        os.close(read)
        for owner in OWNERS:
            owner.kill()
            owner.wait(timeout=10)
            if owner.stderr is not None:
                owner.stderr.close()
        OWNERS.clear()
        stop_process(proc, timeout=10)


OWNERS: list[subprocess.Popen[str]] = []  # the xclip processes serving what the tests copied


def clip(display: str, text: str | None = None) -> str:
    """Reads the clipboard of `display` with xclip, or (text) copies to it as the user would.

    A copy returns once the clipboard holds `text`: `xclip -quiet` stays in the foreground and says
    it waits for requests only after it owns the clipboard (a plain `xclip -i` may return before its
    background process does). It exits when something else is copied; the rest end with the display."""
    env = {**os.environ, "DISPLAY": display}
    if text is not None:
        owner = subprocess.Popen(["xclip", "-selection", "clipboard", "-i", "-quiet"], stdin=subprocess.PIPE,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        OWNERS.append(owner)
        assert owner.stdin is not None and owner.stderr is not None
        owner.stdin.write(text)
        owner.stdin.close()
        said = owner.stderr.readline()
        assert said.startswith("Waiting for selection requests"), f"xclip did not take the clipboard: {said!r}"
        return text
    return subprocess.run(["xclip", "-selection", "clipboard", "-o"], capture_output=True, text=True, env=env,
                          timeout=10).stdout
