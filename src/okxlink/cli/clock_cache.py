"""The last measured offset between this machine's clock and OKX's, kept in the config dir so the
next run signs right the first time: a clock 90 s off would otherwise cost every run a refused
request (50102) and a second round trip. Only an offset worth correcting is ever written."""

from __future__ import annotations

import json
import os
import tempfile

from okxlink.storage import config_dir

WORTH_KEEPING_MS = 1_000


def load() -> int:
    try:
        data = json.loads((config_dir() / "clock.json").read_text())
        return int(data["offset_ms"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def save(offset_ms: int, previous: int) -> None:
    if abs(offset_ms - previous) < WORTH_KEEPING_MS:
        return
    folder = config_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".clock.")
        with os.fdopen(fd, "w") as out:
            json.dump({"offset_ms": offset_ms}, out)
        os.replace(tmp, folder / "clock.json")
    except OSError:
        pass  # a cache: failing to keep it costs one round trip next time, nothing more
