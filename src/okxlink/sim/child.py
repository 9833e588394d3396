"""Start the simulator as a child process and read its ready line: for `okxlink demo`, tests
and benchmarks. The child is stopped with SIGTERM when the context ends, whatever happened.

The child never sees the parent's secrets: its environment is the parent's without credentials,
the link token or any other okxlink setting (`child_env`), and a link token of the caller's goes
through its standard input, not its argv (visible to every user in `ps`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
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


# Kept although they match the prefixes below: the language the simulator says its errors in.
KEEP = frozenset({"OKXLINK_LANG"})
# Dropped besides: the password docs/storage.md has users export to unlock gnome-keyring.
DROP = frozenset({"KEYRING_PASSWORD"})


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without OKX_* (the credentials), OKXLINK_* (the link token, the simulator's own token
    variable and every setting) and DROP. The rest (PATH, PYTHON*, HOME, TMPDIR, the locale, …) is
    what the interpreter needs, and nothing of okxlink's."""
    def secret(name: str) -> bool:
        name = name.upper()  # Windows' names are case-insensitive
        return name not in KEEP and (name.startswith(("OKX_", "OKXLINK_")) or name in DROP)

    return {k: v for k, v in env.items() if not secret(k)}


def spawn(*args: str, env: Mapping[str, str] | None = None, program: list[str] | None = None,
          link_token: str | None = None) -> SimChild:
    """`env`: the environment to start from (default: this process's), scrubbed by child_env.
    `link_token`: the token the link service is to accept, handed over on stdin
    (--link-token-stdin). `program`: what runs instead of `python -m okxlink.sim` (the
    benchmark's counting wrapper)."""
    command = program or [sys.executable, "-m", "okxlink.sim"]
    flags = ["--link-token-stdin"] if link_token is not None else []
    # Safe for bandit: a fixed program (this interpreter, okxlink.sim), no shell; args are simulator flags
    proc = subprocess.Popen([*command, "--port", "0", *flags, *args],  # nosec B603
                            stdin=subprocess.DEVNULL if link_token is None else subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            env=child_env(os.environ if env is None else env))
    if proc.stdout is None or proc.stderr is None:  # both are PIPE just above
        raise AssertionError("the simulator's pipes are missing")
    if proc.stdin is not None and link_token is not None:
        try:
            proc.stdin.write(link_token + "\n")
            proc.stdin.close()
        except BrokenPipeError:  # it stopped before reading: its stderr says why, below
            pass
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        raise SimDidNotStart(proc.stderr.read().strip()[-500:])
    return SimChild(proc, json.loads(line))


@contextmanager
def running(*args: str, link_token: str | None = None) -> Iterator[SimChild]:
    child = spawn(*args, link_token=link_token)
    try:
        yield child
    finally:
        child.stop()
