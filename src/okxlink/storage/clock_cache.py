"""clock.json: the last measured offset between this machine's clock and OKX's, kept so the next
run signs right the first time: a clock 90 s off would otherwise cost every run a refused request
(50102) and a second round trip. Only an offset worth correcting is ever written."""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

from okxlink.storage import atomic

WORTH_KEEPING_MS = 1_000


class ClockCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> int:
        try:
            return int(json.loads(self.path.read_text())["offset_ms"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def save(self, offset_ms: int, previous: int) -> None:
        if abs(offset_ms - previous) < WORTH_KEEPING_MS:
            return
        with suppress(OSError):  # a cache: failing to keep it costs one round trip next time, nothing more
            atomic.write(self.path, json.dumps({"offset_ms": offset_ms}).encode())
