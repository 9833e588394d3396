"""Message catalogs: English source strings, Simplified Chinese from locales/zh_CN.

The language is chosen once per process by `setup(lang)`: `--lang`, else OKXLINK_LANG, else the
locale variables (LC_ALL, LC_MESSAGES, LANG). `_` and `ngettext` are safe to call before setup
(English).
JSON keys, check ids and statuses are never passed through here.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

LANGS = ("en", "zh")
_LOCALEDIR = Path(__file__).parent / "locales"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_lang = "en"


def detect(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    for value in (explicit, env.get("OKXLINK_LANG"), env.get("LC_ALL"), env.get("LC_MESSAGES"), env.get("LANG")):
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def setup(lang: str | None = None) -> str:
    global _translation, _lang
    _lang = detect(lang)
    if _lang == "zh":
        _translation = gettext.translation("okxlink", _LOCALEDIR, languages=["zh_CN"], fallback=True)
    else:
        _translation = gettext.NullTranslations()
    return _lang


def current() -> str:
    return _lang


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n`: `singular` or `plural` in English (n == 1 → singular),
    the catalog's form for `n` in another language (Chinese has one). Both must be string literals,
    and `.format()` goes on the result: `ngettext("{n} key", "{n} keys", n).format(n=n)`."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later, at use."""
    return message
