"""Message catalogs: English source strings, Simplified Chinese from locales/zh_CN.

The language is chosen once per process by `setup(lang)`: `--lang`, else OKXLINK_LANG, else the
locale variables (LC_ALL, LC_MESSAGES, LANG). `_` is safe to call before setup (English).
JSON keys, check ids and statuses are never passed through here.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LANGS = ("en", "zh")
_LOCALEDIR = Path(__file__).parent / "locales"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_lang = "en"


def detect(explicit: str | None = None) -> str:
    for value in (explicit, os.environ.get("OKXLINK_LANG"), os.environ.get("LC_ALL"),
                  os.environ.get("LC_MESSAGES"), os.environ.get("LANG")):
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


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later, at use."""
    return message
