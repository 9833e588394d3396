"""Message catalogs: English source strings, Simplified Chinese from locales/zh_CN.

The language is chosen once per process by `setup(lang)`. `detect` follows the gettext
convention, first set wins: --lang, OKXLINK_LANG, LANGUAGE (a colon-separated list whose first
entry okxlink speaks wins), then the locale: LC_ALL, LC_MESSAGES, LANG. As in GNU gettext,
LANGUAGE is ignored while the locale is "C" or "POSIX" (set so, or not set at all): the output
of such a run is meant to be the plain English (C.UTF-8 is not "C": LANGUAGE counts there).
Every zh locale gets Chinese: Traditional (zh_TW, zh_HK, zh_MO, zh_Hant) from locales/zh_TW once
that catalog exists, Simplified until then and for every other zh locale. A locale in another
language gets English. `_` and `ngettext` are safe to call before setup (English).
JSON keys, check ids and statuses are never passed through here.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Mapping
from pathlib import Path

LANGS = ("en", "zh")  # what --lang and OKXLINK_LANG accept; zh is Simplified Chinese
_LOCALEDIR = Path(__file__).parent / "locales"
_CATALOGS = {"zh": "zh_CN", "zh_TW": "zh_TW"}  # language → catalog under locales/
_TRADITIONAL = ("tw", "hk", "mo", "hant")      # a zh locale with one of these parts is Traditional
_translation: gettext.NullTranslations = gettext.NullTranslations()
_lang = "en"


def _has_catalog(lang: str) -> bool:
    return gettext.find("okxlink", _LOCALEDIR, languages=[_CATALOGS[lang]]) is not None


def language_of(tag: str) -> str | None:
    """The language okxlink speaks for a locale or language tag (`zh_TW.UTF-8`, `zh-Hant`, `en`,
    `C`): "en", "zh", or "zh_TW" where that catalog exists; None for a language it does not have."""
    parts = [p.lower() for p in re.split(r"[_-]", re.split(r"[.@]", tag, maxsplit=1)[0])]
    if parts[0] in ("c", "posix", "en"):
        return "en"
    if parts[0] != "zh":
        return None
    traditional = "hans" not in parts and any(p in _TRADITIONAL for p in parts[1:])
    return "zh_TW" if traditional and _has_catalog("zh_TW") else "zh"


def detect(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The language of this run (see the module's docstring). An OKXLINK_LANG that is not one of
    LANGS is passed over here; okxlink.cli.context refuses it as a usage error."""
    env = os.environ if env is None else env
    for value in (explicit, env.get("OKXLINK_LANG")):
        if value in LANGS:
            return str(value)
    locale = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or "C"
    if env.get("LANGUAGE") and locale not in ("C", "POSIX"):
        # GNU: a list whose entries are all unknown gives the untranslated (English) messages
        return next(filter(None, map(language_of, env["LANGUAGE"].split(":"))), "en")
    return language_of(locale) or "en"


def setup(lang: str | None = None) -> str:
    global _translation, _lang
    _lang = lang if lang is not None and (lang == "en" or lang in _CATALOGS) else detect(lang)
    if _lang in _CATALOGS:
        _translation = gettext.translation("okxlink", _LOCALEDIR, languages=[_CATALOGS[_lang]], fallback=True)
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
