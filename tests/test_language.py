"""Which language a run speaks: --lang, OKXLINK_LANG, LANGUAGE (the gettext convention), the locale;
every zh locale gets Chinese (Traditional once its catalog exists); a language okxlink does not
speak, asked for by name, is a usage error."""

from __future__ import annotations

import pytest

from okxlink import i18n
from okxlink._msgfmt import mo_bytes
from okxlink.cli.context import settings_from
from okxlink.errors import UsageError

from conftest import clean_env, okxlink
from inproc import InProcess


@pytest.fixture()
def english_after():
    yield
    i18n.setup("en")


@pytest.mark.parametrize(("env", "expected"), [
    # LANGUAGE: a list, the first entry okxlink speaks wins, before LC_ALL, LC_MESSAGES and LANG
    ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANGUAGE": "fr:zh_TW:en", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANGUAGE": "fr:en:zh", "LC_ALL": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "zh", "LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "zh"),
    ({"LANGUAGE": "fr:de", "LANG": "zh_CN.UTF-8"}, "en"),  # GNU: nothing in the list → the English
    ({"LANGUAGE": "", "LANG": "zh_CN.UTF-8"}, "zh"),       # empty counts as unset
    # ... but not while the locale is C or POSIX, or not set at all (GNU gettext's rule); C.UTF-8 is not C
    ({"LANGUAGE": "zh", "LANG": "C"}, "en"),
    ({"LANGUAGE": "zh", "LC_ALL": "POSIX", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "zh"}, "en"),
    ({"LANGUAGE": "zh", "LANG": "C.UTF-8"}, "zh"),
    # OKXLINK_LANG beats LANGUAGE; one okxlink does not speak is passed over here (refused at the CLI)
    ({"OKXLINK_LANG": "en", "LANGUAGE": "zh", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"OKXLINK_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),
    # every zh locale is Chinese (Simplified while there is no Traditional catalog); others English
    *(({"LANG": tag}, "zh") for tag in ("zh_CN.UTF-8", "zh_SG", "zh_TW.UTF-8", "zh_HK.Big5", "zh_MO",
                                         "zh-Hant", "zh_Hant_TW", "zh-Hans-HK", "zh", "ZH_tw")),
    *(({"LANG": tag}, "en") for tag in ("C", "POSIX", "C.UTF-8", "en_GB.UTF-8", "fr_FR.UTF-8", "de", "")),
])
def test_detect(env, expected):
    assert i18n.detect(None, env) == expected


def test_a_traditional_locale_reads_simplified_chinese(english_after):
    assert i18n.setup(i18n.detect(None, {"LANG": "zh_TW.UTF-8"})) == "zh"
    assert i18n._("Spot mode") == "现货模式"


def test_a_traditional_catalog_is_used_once_it_exists(tmp_path, monkeypatch, english_after):
    """Adding locales/zh_TW is all it takes: Traditional locales read it, the others keep Simplified."""
    for catalog, spot in (("zh_CN", "现货模式"), ("zh_TW", "現貨模式")):
        mo = tmp_path / catalog / "LC_MESSAGES" / "okxlink.mo"
        mo.parent.mkdir(parents=True)
        mo.write_bytes(mo_bytes({"": "Content-Type: text/plain; charset=UTF-8\n", "Spot mode": spot}))
    monkeypatch.setattr(i18n, "_LOCALEDIR", tmp_path)
    for tag in ("zh_TW.UTF-8", "zh_HK", "zh_MO", "zh-Hant", "zh_Hant_SG"):
        assert i18n.detect(None, {"LANG": tag}) == "zh_TW", tag
    for tag in ("zh_CN.UTF-8", "zh_SG", "zh-Hans-HK", "zh"):
        assert i18n.detect(None, {"LANG": tag}) == "zh", tag
    assert i18n.detect(None, {"LANGUAGE": "zh_HK:zh_CN", "LANG": "en_US.UTF-8"}) == "zh_TW"
    assert i18n.setup("zh_TW") == "zh_TW" and i18n._("Spot mode") == "現貨模式"
    assert i18n.setup("zh") == "zh" and i18n._("Spot mode") == "现货模式"


def test_an_unsupported_okxlink_lang_is_refused_unless_lang_is_given():
    with pytest.raises(UsageError) as caught:
        settings_from({"OKXLINK_LANG": "fr"})
    assert caught.value.message == "OKXLINK_LANG must be en or zh, not 'fr'."
    assert settings_from({"OKXLINK_LANG": "fr"}, "en").lang == "en"  # --lang given: the variable is not used


def test_an_unsupported_okxlink_lang_is_a_usage_error_in_the_locales_language():
    done = okxlink("profiles", env=clean_env(OKXLINK_LANG="fr", LANG="zh_CN.UTF-8"))
    assert (done.code, done.out) == (2, "")
    assert done.err == ("okxlink: OKXLINK_LANG 只能是 en 或 zh，不能是 'fr'。\n"
                        "  请将其设为 en 或 zh，或者删除该变量以跟随系统区域设置。\n")


@pytest.mark.parametrize("args", [("--lang", "fr", "verify"), ("verify", "--lang", "fr"), ("verify", "--lang=fr")])
def test_an_unsupported_lang_is_a_usage_error(tmp_path, args):
    done = InProcess(tmp_path)(*args)
    assert (done.code, done.out) == (2, "")
    assert done.err == ("Usage: okxlink [OPTIONS] COMMAND [ARGS]...\n"
                        "Try 'okxlink --help' for help.\n\n"
                        "Error: Invalid value for '--lang': Value error, 'fr' is not one of 'en', 'zh'.\n")


def test_lang_without_a_value_is_a_usage_error(tmp_path):
    done = InProcess(tmp_path)("verify", "--lang")
    assert done.code == 2 and done.err.endswith("Error: Invalid value for '--lang': Value error, '' is not one of "
                                                "'en', 'zh'.\n")


def test_an_unsupported_lang_is_refused_in_the_environments_language():
    done = okxlink("verify", "--lang", "fr", env=clean_env(LANGUAGE="zh_TW:en", LANG="en_US.UTF-8"))
    assert (done.code, done.out) == (2, "")
    assert done.err == ("用法：okxlink [OPTIONS] COMMAND [ARGS]...\n"
                        "运行 'okxlink --help' 查看帮助。\n\n"
                        "错误：'--lang' 的值无效：不支持 'fr'，可选值为 'en', 'zh'。\n")
