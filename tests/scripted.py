"""A scripted asker for tests: answers each prompt by its id (see okxlink.cli.ask), records what
was asked, and fails a test whose script holds an answer no prompt used (as gh's prompter stubs do).

    asker = ScriptedAsker({"site": "global", "api-key": key, "retry": ["secret", "again"]})

A list answers the same prompt each time it is asked, in order; `None` takes the prompt's default;
`KeyboardInterrupt` presses Ctrl-C there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ScriptedAsker:
    def __init__(self, answers: dict[str, Any]) -> None:
        self._answers = {pid: list(a) if isinstance(a, list) else [a] for pid, a in answers.items()}
        self.asked: list[str] = []      # prompt ids, in order
        self.messages: list[str] = []   # what the user would have read

    def _next(self, pid: str, message: str) -> Any:
        self.asked.append(pid)
        self.messages.append(message)
        queue = self._answers.get(pid)
        if not queue:
            raise AssertionError(f"no scripted answer for prompt {pid!r}: {message}")
        answer = queue.pop(0)
        if answer is KeyboardInterrupt:
            raise KeyboardInterrupt
        return answer

    def unused(self) -> dict[str, list[Any]]:
        return {pid: queue for pid, queue in self._answers.items() if queue}

    def assert_used_up(self) -> None:
        assert not self.unused(), f"scripted answers never asked for: {sorted(self.unused())}"

    def select(self, id: str, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        answer = self._next(id, message)
        answer = default if answer is None else answer
        if answer not in [v for v, _label in choices]:
            raise AssertionError(f"scripted answer {answer!r} to {id!r} is not one of {choices!r}")
        return str(answer)

    def confirm(self, id: str, message: str, default: bool = True) -> bool:
        answer = self._next(id, message)
        return default if answer is None else bool(answer)

    def text(self, id: str, message: str, default: str = "") -> str:
        answer = self._next(id, message)
        return default if answer is None else str(answer)

    def secret(self, id: str, message: str) -> str:
        return str(self._next(id, message))
