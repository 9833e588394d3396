"""SecretStr: a secret that never shows itself, with pydantic's SecretStr interface.

okxlink's own, not pydantic's: importing pydantic (~100 ms and ~20 MB at start-up here) for this
one type would cost `verify` more than the whole of its network work (bench/README.md).
"""

from __future__ import annotations

MASK = "**********"


class SecretStr:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a SecretStr holds text")
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __repr__(self) -> str:
        return f"SecretStr({str(self)!r})"

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretStr):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(self._value)
