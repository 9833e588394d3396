"""How okxlink asks. The real asker uses questionary; tests pass a scripted one (tests/scripted.py)
that answers by prompt id. Every question has a stable id (`site`, `api-key`, `send-key`, …) beside
its translated text, so a script does not break when the wording or the language changes. Nothing
else imports questionary, so the wizard can be driven without a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from okxlink.i18n import _


class Asker(Protocol):
    def select(self, id: str, message: str, choices: Sequence[tuple[str, str]], default: str) -> str: ...
    def confirm(self, id: str, message: str, default: bool = True) -> bool: ...
    def text(self, id: str, message: str, default: str = "") -> str: ...
    def secret(self, id: str, message: str) -> str: ...


class QuestionaryAsker:
    """questionary returns None when the user presses Ctrl-C: that is an interrupt, not an answer.
    Its own hints are said in okxlink's language: the select's through its `instruction`; the
    confirm's key hint and echoed answer are constants of its module, read each time it draws."""

    def __init__(self) -> None:
        import questionary
        from questionary.prompts import confirm as confirm_prompt  # the module, whose constants it reads

        self._q = questionary
        words = {"YES_OR_NO": _("(Y/n)"), "NO_OR_YES": _("(y/N)"),
                 # Translators: the answer to a yes/no question, shown after it once answered
                 "YES": _("Yes"), "NO": _("No")}
        for name, text in words.items():
            setattr(confirm_prompt, name, text)

    @staticmethod
    def _answer(value: Any) -> Any:
        if value is None:
            raise KeyboardInterrupt
        return value

    def select(self, id: str, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        options = [self._q.Choice(title=label, value=value) for value, label in choices]
        chosen = next((c for c in options if c.value == default), None)
        return str(self._answer(self._q.select(message, options, default=chosen,
                                               instruction=_("(Use arrow keys)")).unsafe_ask()))

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
