"""clock.json: the last measured offset between this machine's clock and OKX's, kept so the next
run signs right the first time: a clock 90 s off would otherwise cost every run a refused request
(50102) and a second round trip. Only an offset worth correcting is ever written.

A cache: whatever is wrong with the file (unreadable, not JSON, nested, huge, an offset no clock
can be off by) counts as no file, never as an error."""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

from okxlink.storage import atomic

WORTH_KEEPING_MS = 1_000
MAX_FILE = 4096  # the file okxlink writes is ~30 bytes; anything much larger is not ours


class ClockCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> int:
        from okxlink.core.okx import plausible_offset  # here: `profiles` imports storage, not httpx

        try:
            with self.path.open("rb") as f:
                raw = f.read(MAX_FILE + 1)
            offset = json.loads(raw)["offset_ms"] if len(raw) <= MAX_FILE else None
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return 0
        if type(offset) is not int or not plausible_offset(offset):  # not a bool, float or text
            return 0
        return offset

    def save(self, offset_ms: int, previous: int) -> None:
        from okxlink.core.okx import plausible_offset

        if abs(offset_ms - previous) < WORTH_KEEPING_MS or not plausible_offset(offset_ms):
            return
        with suppress(OSError):  # a cache: failing to keep it costs one round trip next time, nothing more
            atomic.write(self.path, json.dumps({"offset_ms": offset_ms}).encode())
