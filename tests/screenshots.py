"""Exact-output screens, shared by the tests that pin them (tests/test_screens.py, tests/test_help.py).

Each expected screen is a file in tests/screens/ (NAME.txt), read by a person before it is
committed. After a deliberate change, rewrite them and review the diff:

    UPDATE_SCREENS=1 .venv/bin/pytest -q -p no:cacheprovider tests/test_screens.py tests/test_help.py
    git diff tests/screens/
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from rich.cells import cell_len

from okxlink.cli.wrap import NO_START

SCREENS = Path(__file__).parent / "screens"


def expect(name: str, text: str) -> None:
    """`text` is the screen stored as tests/screens/NAME.txt (UPDATE_SCREENS=1: becomes it)."""
    path = SCREENS / f"{name}.txt"
    if os.environ.get("UPDATE_SCREENS"):
        SCREENS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (UPDATE_SCREENS=1 rewrites it)"


def fits(text: str, width: int) -> None:
    """No line wider than the terminal, and no line (nor a table cell's line) that starts with
    closing punctuation."""
    for line in text.splitlines():
        assert cell_len(line) <= width, line
        for cell in re.split("[│┃]", line):
            start = re.sub("^[✓!✗?-] ", "", cell.lstrip(" →"))  # a mark is no punctuation
            assert not start or start[0] not in NO_START, line
