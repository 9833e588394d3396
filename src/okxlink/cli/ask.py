"""How the wizard asks. The real asker uses questionary; tests pass a scripted one. The wizard
never imports questionary itself, so it can be driven without a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Asker(Protocol):
    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str: ...
    def confirm(self, message: str, default: bool = True) -> bool: ...
    def text(self, message: str, default: str = "") -> str: ...
    def secret(self, message: str) -> str: ...


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

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        options = [self._q.Choice(title=label, value=value) for value, label in choices]
        chosen = next((c for c in options if c.value == default), None)
        return str(self._answer(self._q.select(message, options, default=chosen).unsafe_ask()))

    def confirm(self, message: str, default: bool = True) -> bool:
        return bool(self._answer(self._q.confirm(message, default=default).unsafe_ask()))

    def text(self, message: str, default: str = "") -> str:
        return str(self._answer(self._q.text(message, default=default).unsafe_ask()))

    def secret(self, message: str) -> str:
        return str(self._answer(self._q.password(message).unsafe_ask()))


class DefaultsAsker:
    """--yes: every question takes its default. A question without one cannot be answered."""

    def __init__(self, fallback: Asker | None = None) -> None:
        self._fallback = fallback

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        return default

    def confirm(self, message: str, default: bool = True) -> bool:
        return default

    def text(self, message: str, default: str = "") -> str:
        if default or self._fallback is None:
            return default
        return self._fallback.text(message, default)

    def secret(self, message: str) -> str:
        if self._fallback is None:
            raise KeyboardInterrupt
        return self._fallback.secret(message)


class ScriptedAsker:
    """Answers from a list, in order; records every question. For tests."""

    def __init__(self, answers: Sequence[Any]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def _next(self, message: str) -> Any:
        self.asked.append(message)
        if not self.answers:
            raise AssertionError(f"no scripted answer for: {message}")
        answer = self.answers.pop(0)
        if answer is KeyboardInterrupt:
            raise KeyboardInterrupt
        return answer

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        answer = self._next(message)
        answer = default if answer is None else answer
        if answer not in [v for v, _ in choices]:
            raise AssertionError(f"scripted answer {answer!r} is not one of {choices!r}")
        return str(answer)

    def confirm(self, message: str, default: bool = True) -> bool:
        answer = self._next(message)
        return default if answer is None else bool(answer)

    def text(self, message: str, default: str = "") -> str:
        answer = self._next(message)
        return default if answer is None else str(answer)

    def secret(self, message: str) -> str:
        return str(self._next(message))
