"""The zh_CN catalog: complete for the current source, correct, compilable, loaded at run time;
the .pot in step with the source; the language chosen as documented (--lang, OKXLINK_LANG, locale).

Stale .mo: .mo files are build products (git-ignored) that the hatch hook writes at install time,
so an editable install made before a .po edit would keep serving the old catalog. On import —
which is at collection, before any test of the session runs, subprocess tests included — this
module compiles the .po in memory with okxlink._msgfmt and rewrites the package's .mo whenever its
bytes differ (missing, older, or compiled from another .po: content is compared, not mtimes). It
does so only when the package in use is this source tree (an editable install); a regular install
is left alone and the tests below then report a stale catalog instead of hiding it.
"""

from __future__ import annotations

import gettext
import importlib.util
import io
import string
import sys
from pathlib import Path

import pytest

from okxlink import i18n
from okxlink._msgfmt import mo_bytes, parse_po

from conftest import clean_env, okxlink

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "src" / "okxlink" / "locales"
PO = LOCALES / "zh_CN" / "LC_MESSAGES" / "okxlink.po"
POT = LOCALES / "okxlink.pot"

# A few messages whose translation is fixed by the glossary (docs/zh-glossary.md).
KNOWN = {
    "Spot mode": "现货模式",
    "Multi-currency margin mode": "跨币种保证金模式",
    "Global (www.okx.com)": "全球站（www.okx.com）",
    "Move it on OKX: Assets → Transfer, from Funding to Trading.":
        "请在 OKX 上操作：资产 → 划转，从资金账户划转到交易账户。",
}


def _load_tool():
    spec = importlib.util.spec_from_file_location("okxlink_messages_tool", ROOT / "scripts" / "messages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


messages = _load_tool()


def compiled(po_text: str) -> bytes:
    """What the build hook writes for this .po: fuzzy entries left out, as msgfmt does."""
    entries, fuzzy = parse_po(po_text)
    return mo_bytes({k: v for k, v in entries.items() if k not in fuzzy})


@pytest.fixture(scope="module")
def po_text() -> str:
    return PO.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def template():
    return messages.extract()


@pytest.fixture(scope="module")
def catalog(po_text):
    entries, fuzzy = parse_po(po_text)
    return entries, set(fuzzy)


@pytest.fixture
def lang_env(monkeypatch):
    for name in ("OKXLINK_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    i18n.setup("en")


# ------------------------------------------------------------------------------ completeness

def test_every_source_message_is_translated(template, catalog):
    entries, fuzzy = catalog
    bad = []
    for t in template:
        if t.msgid not in entries:
            bad.append(f"missing  {t.refs[0]}: {t.msgid!r}")
        elif not entries[t.msgid]:
            bad.append(f"empty    {t.refs[0]}: {t.msgid!r}")
        elif t.msgid in fuzzy:
            bad.append(f"fuzzy    {t.refs[0]}: {t.msgid!r}")
    assert not bad, ("zh_CN is incomplete; run `python scripts/messages.py update` and translate:\n"
                     + "\n".join(bad))


def test_placeholders_match(template, catalog):
    entries, _fuzzy = catalog
    bad = []
    for t in template:
        msgstr = entries.get(t.msgid)
        if not msgstr:
            continue
        if messages.placeholders(t.msgid) != messages.placeholders(msgstr):
            bad.append(f"{t.msgid!r}\n    → {msgstr!r}")
            continue
        if messages.placeholders(t.msgid):  # .format() is applied to the translation: it must parse
            try:
                names = {f for _lit, f, _spec, _conv in string.Formatter().parse(msgstr) if f is not None}
            except ValueError as exc:
                bad.append(f"{msgstr!r}: {exc}")
                continue
            want = {f for _lit, f, _spec, _conv in string.Formatter().parse(t.msgid) if f is not None}
            if names != want:
                bad.append(f"{t.msgid!r}\n    → {msgstr!r}")
    assert not bad, "placeholders differ between msgid and msgstr:\n" + "\n".join(bad)


def test_check_command_finds_nothing(template, po_text):
    """Header (charset, Language, Plural-Forms) and agreement of the tool's parser with the build's."""
    assert messages.problems(template, po_text, str(PO)) == []


def test_pot_is_up_to_date(template):
    _header, entries = messages.parse(POT.read_text(encoding="utf-8"), str(POT))
    in_pot = {e.msgid for e in entries if not e.obsolete}
    in_source = {t.msgid for t in template}
    assert in_pot == in_source, (
        "okxlink.pot is out of date; run `python scripts/messages.py update`.\n"
        f"  not in .pot: {sorted(in_source - in_pot)[:10]}\n  no longer in source: {sorted(in_pot - in_source)[:10]}")


# ---------------------------------------------------------------------------- compilation

def test_po_compiles_and_gettext_reads_it(po_text):
    translations = gettext.GNUTranslations(io.BytesIO(compiled(po_text)))
    info = translations.info()
    assert info["content-type"] == "text/plain; charset=UTF-8"
    assert info["language"] == "zh_CN"
    assert translations.plural(1) == translations.plural(7) == 0
    for msgid, msgstr in KNOWN.items():
        assert translations.gettext(msgid) == msgstr
    assert translations.gettext("Page: {url}").format(url="https://www.okx.com") == "页面：https://www.okx.com"
    assert "\n\n" in translations.gettext(
        "Set up, verify and link an OKX API key for copy trading, safely.\n\n"
        "Start with `okxlink demo` to see the whole flow against a built-in OKX simulator.")
    assert translations.gettext("not a message of okxlink") == "not a message of okxlink"


def test_installed_mo_matches_po(po_text):
    mo = Path(i18n._LOCALEDIR) / "zh_CN" / "LC_MESSAGES" / "okxlink.mo"
    assert mo.exists(), f"{mo} is missing; reinstall okxlink (pip install -e .)"
    assert mo.read_bytes() == compiled(po_text), f"{mo} is stale; reinstall okxlink (pip install -e .)"


# ------------------------------------------------------------------------- language choice

def test_setup_zh_translates_and_en_does_not(lang_env):
    assert i18n.setup("zh") == "zh" and i18n.current() == "zh"
    assert i18n._("Spot mode") == "现货模式"
    assert i18n._("OKX did not answer ({detail}).").format(detail="timeout") == "OKX 没有响应（timeout）。"
    assert i18n.N_("Spot mode") == "Spot mode"  # marks only
    assert i18n.setup("en") == "en"
    assert i18n._("Spot mode") == "Spot mode"


@pytest.mark.parametrize(("explicit", "env", "expected"), [
    (None, {}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
    (None, {"LC_MESSAGES": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8"}, "zh"),
    (None, {"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # empty counts as unset
    (None, {"LC_ALL": "zh_CN.UTF-8", "OKXLINK_LANG": "en"}, "en"),
    (None, {"LANG": "en_US.UTF-8", "OKXLINK_LANG": "zh"}, "zh"),
    ("zh", {"OKXLINK_LANG": "en", "LC_ALL": "en_US.UTF-8"}, "zh"),
    ("en", {"OKXLINK_LANG": "zh", "LC_ALL": "zh_CN.UTF-8"}, "en"),
])
def test_language_precedence(lang_env, explicit, env, expected):
    for name, value in env.items():
        lang_env.setenv(name, value)
    assert i18n.detect(explicit) == expected
    assert i18n.setup(explicit) == expected
    assert (i18n._("Spot mode") == "现货模式") is (expected == "zh")


def test_cli_lang_flag_beats_environment():
    zh = okxlink("--lang", "zh", "--help", env=clean_env(OKXLINK_LANG="en"))
    assert zh.code == 0 and "显示版本号并退出。" in zh.out
    en = okxlink("--help", "--lang", "en", env=clean_env(OKXLINK_LANG="zh", LC_ALL="zh_CN.UTF-8"))
    assert en.code == 0 and "Show the version and exit." in en.out
    env_zh = okxlink("--help", env=clean_env(OKXLINK_LANG="zh"))
    assert env_zh.code == 0 and "显示版本号并退出。" in env_zh.out


# ------------------------------------------------------------------------------- the tool

def test_po_strings_round_trip():
    tricky = ['a "quoted" \\ back\tslash', "line one\nline two\n", "word " * 40, "x" * 100, "中文" * 60 + "，结束。",
              "tab\tand {name!r} and {seconds:.1f}", "trailing space "]
    entries = [messages.Entry(s, s[::-1]) for s in tricky]
    header = messages.make_header({"Content-Type": "text/plain; charset=UTF-8"}, [])
    text = messages.render(header, entries)
    too_wide = [line for line in text.splitlines() if messages._width(line) > messages.WIDTH]
    assert too_wide == ['"' + "x" * 100 + '"'] * 2  # msgid and msgstr: no break point
    _h, back = messages.parse(text)
    assert [(e.msgid, e.msgstr) for e in back] == [(s, s[::-1]) for s in tricky]
    parsed, _fuzzy = parse_po(text)  # the build's parser reads the same
    assert {k: v for k, v in parsed.items() if k} == {s: s[::-1] for s in tricky}


def test_merge_keeps_translations_and_retires_old_ones():
    old = [messages.Entry("Keep me", "留下"), messages.Entry("Gone for good", "没了"),
           messages.Entry("Open the API page.", "打开 API 页面。"),
           messages.Entry("Unsure", "不确定", flags=["fuzzy"])]
    template = [messages.Entry("New one", refs=["okxlink/a.py:1"]),
                messages.Entry("Keep me", refs=["okxlink/a.py:2"]),
                messages.Entry("Open the API page now.", refs=["okxlink/a.py:3"]),
                messages.Entry("Unsure", refs=["okxlink/a.py:4"])]
    merged = {e.msgid: e for e in messages.merge(template, old)}
    assert merged["New one"].msgstr == "" and not merged["New one"].fuzzy
    assert merged["Keep me"].msgstr == "留下" and merged["Keep me"].refs == ["okxlink/a.py:2"]
    reused = merged["Open the API page now."]
    assert reused.msgstr == "打开 API 页面。" and reused.fuzzy and reused.previous == "Open the API page."
    assert merged["Unsure"].fuzzy
    assert merged["Gone for good"].obsolete and "Open the API page." not in merged
    header = messages.make_header({"Content-Type": "text/plain; charset=UTF-8"}, [])
    text = messages.render(header, list(merged.values()))
    parsed, fuzzy = parse_po(text)
    assert "Gone for good" not in parsed
    assert sorted(fuzzy) == ["Open the API page now.", "Unsure"]
    assert messages.problems(template, text) == [
        "header: Language is None, expected 'zh_CN'",
        "header: Plural-Forms is None, expected 'nplurals=1; plural=0;'",
        "untranslated: 'New one' (okxlink/a.py:1)",
        "fuzzy: 'Open the API page now.' (okxlink/a.py:3)",
        "fuzzy: 'Unsure' (okxlink/a.py:4)"]


def test_extract_rejects_strings_it_cannot_find(tmp_path):
    pkg = tmp_path / "okxlink"
    pkg.mkdir()
    (pkg / "m.py").write_text(
        "from okxlink.i18n import N_, _\n"
        "A = N_('Marked ' 'later')\n"
        "def f(x, step):\n"
        "    _(step.title)\n"
        "    _(f'Hello {x}')\n"
        "    _('Hi {x}'.format(x=x))\n"
        "    return N_(x)\n", encoding="utf-8")
    with pytest.raises(messages.CatalogError) as err:
        messages.extract(tmp_path, pkg)
    assert [line.split(":")[:2] for line in str(err.value).splitlines()] == [
        ["okxlink/m.py", "5"], ["okxlink/m.py", "6"], ["okxlink/m.py", "7"]]
    (pkg / "m.py").write_text("from okxlink.i18n import N_, _\nA = N_('Marked ' 'later')\n"
                              "B = _('Hi {x}').format(x=1)\n", encoding="utf-8")
    found = messages.extract(tmp_path, pkg)
    assert [(e.msgid, e.refs, e.flags) for e in found] == [
        ("Marked later", ["okxlink/m.py:2"], []), ("Hi {x}", ["okxlink/m.py:3"], ["python-brace-format"])]
