"""Start the simulator as a child process and read its ready line: for `okxlink demo`, tests
and benchmarks. The child is stopped with SIGTERM when the context ends, whatever happened."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


class SimDidNotStart(RuntimeError):
    pass


@dataclass
class SimChild:
    proc: subprocess.Popen[str]
    line: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.line["okx_url"])

    @property
    def template(self) -> str:
        return str(self.line["okx_url_template"])

    @property
    def link_url(self) -> str:
        return str(self.line["link_url"])

    @property
    def link_token(self) -> str:
        return str(self.line["link_token"])

    def account(self, name: str) -> dict[str, Any]:
        return next(a for a in self.line["accounts"] if a["name"] == name)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def spawn(*args: str, env: dict[str, str] | None = None,
          program: list[str] | None = None) -> SimChild:
    """`program`: what runs instead of `python -m okxlink.sim` (the benchmark's counting wrapper)."""
    command = program or [sys.executable, "-m", "okxlink.sim"]
    # Safe for bandit: a fixed program (this interpreter, okxlink.sim), no shell; args are simulator flags
    proc = subprocess.Popen([*command, "--port", "0", *args],  # nosec B603
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    if proc.stdout is None or proc.stderr is None:  # both are PIPE just above
        raise AssertionError("the simulator's pipes are missing")
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        raise SimDidNotStart(proc.stderr.read().strip()[-500:])
    return SimChild(proc, json.loads(line))


@contextmanager
def running(*args: str) -> Iterator[SimChild]:
    child = spawn(*args)
    try:
        yield child
    finally:
        child.stop()
