"""How okxlink asks. The real asker uses questionary; tests pass a scripted one (tests/scripted.py)
that answers by prompt id. Every question has a stable id (`site`, `api-key`, `send-key`, …) beside
its translated text, so a script does not break when the wording or the language changes. Nothing
else imports questionary, so the wizard can be driven without a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Asker(Protocol):
    def select(self, id: str, message: str, choices: Sequence[tuple[str, str]], default: str) -> str: ...
    def confirm(self, id: str, message: str, default: bool = True) -> bool: ...
    def text(self, id: str, message: str, default: str = "") -> str: ...
    def secret(self, id: str, message: str) -> str: ...


class QuestionaryAsker:
    """questionary returns None when the user presses Ctrl-C: that is an interrupt, not an answer."""

    def __init__(self) -> None:
        import questionary

        self._q = questionary

    @staticmethod
    def _answer(value: Any) -> Any:
        if value is None:
            raise KeyboardInterrupt
        return value

    def select(self, id: str, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        options = [self._q.Choice(title=label, value=value) for value, label in choices]
        chosen = next((c for c in options if c.value == default), None)
        return str(self._answer(self._q.select(message, options, default=chosen).unsafe_ask()))

    def confirm(self, id: str, message: str, default: bool = True) -> bool:
        return bool(self._answer(self._q.confirm(message, default=default).unsafe_ask()))

    def text(self, id: str, message: str, default: str = "") -> str:
        return str(self._answer(self._q.text(message, default=default).unsafe_ask()))

    def secret(self, id: str, message: str) -> str:
        return str(self._answer(self._q.password(message).unsafe_ask()))


class DefaultsAsker:
    """--yes: every question takes its default. A question without one cannot be answered."""

    def __init__(self, fallback: Asker | None = None) -> None:
        self._fallback = fallback

    def select(self, id: str, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        return default

    def confirm(self, id: str, message: str, default: bool = True) -> bool:
        return default

    def text(self, id: str, message: str, default: str = "") -> str:
        if default or self._fallback is None:
            return default
        return self._fallback.text(id, message, default)

    def secret(self, id: str, message: str) -> str:
        if self._fallback is None:
            raise KeyboardInterrupt
        return self._fallback.secret(id, message)
