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
import re
import string
import sys
from pathlib import Path

import pytest

from okxlink import i18n
from okxlink._msgfmt import CatalogError as MsgfmtError
from okxlink._msgfmt import mo_bytes, parse_po
from okxlink.cli.inputs import from_env
from okxlink.core.diagnose import ip_binding
from okxlink.errors import UsageError

from conftest import clean_env, okxlink
from facts import config, good

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "src" / "okxlink" / "locales"
PO = LOCALES / "zh_CN" / "LC_MESSAGES" / "okxlink.po"
POT = LOCALES / "okxlink.pot"

# A few messages whose translation is fixed by the glossary (docs/zh-glossary.md).
KNOWN = {
    "Spot mode": "现货模式",
    "Multi-currency margin mode": "跨币种保证金模式",
    "{site} ({host})": "{site}（{host}）",
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
    for t in template:  # a plural entry is keyed msgid NUL msgid_plural, its forms joined by NUL
        if t.key not in entries:
            bad.append(f"missing  {t.refs[0]}: {t.msgid!r}")
        elif not all(entries[t.key].split("\0")):
            bad.append(f"empty    {t.refs[0]}: {t.msgid!r}")
        elif t.key in fuzzy:
            bad.append(f"fuzzy    {t.refs[0]}: {t.msgid!r}")
    assert not bad, ("zh_CN is incomplete; run `python scripts/messages.py update` and translate:\n"
                     + "\n".join(bad))


def test_placeholders_match(template, catalog):
    entries, _fuzzy = catalog
    bad = []
    for t in template:
        for msgstr in entries.get(t.key, "").split("\0"):  # each form of a plural entry
            if not msgstr:
                continue
            if t.placeholders != messages.placeholders(msgstr):
                bad.append(f"{t.msgid!r}\n    → {msgstr!r}")
                continue
            if t.placeholders:  # .format() is applied to the translation: it must parse
                try:
                    names = {f for _lit, f, _spec, _conv in string.Formatter().parse(msgstr) if f is not None}
                except ValueError as exc:
                    bad.append(f"{msgstr!r}: {exc}")
                    continue
                want = {f for text in (t.msgid, t.msgid_plural or "")
                        for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}
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
    assert i18n._("Could not reach OKX: {reason}.").format(reason="…") == "无法连接 OKX：…。"
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


# ------------------------------------------------------------------------------- plurals

EN_PLURAL_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' \
                   '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'


def test_extract_ngettext(tmp_path):
    pkg = tmp_path / "okxlink"
    pkg.mkdir()
    (pkg / "m.py").write_text(
        "from okxlink import i18n\n"
        "from okxlink.i18n import _, ngettext\n"
        "def f(n, translations):\n"
        "    a = ngettext('Bound to {n} IP address.', 'Bound to {n} IP ' 'addresses.', n).format(n=n)\n"
        "    b = i18n.ngettext('One key', '{n} keys', n).format(n=n)\n"
        "    c = translations.ngettext(a, b, n)  # gettext's own method: not a message\n"
        "    d = ngettext('One key', '{n} keys', 2)\n"
        "    return _('Plain'), a, b, c, d\n", encoding="utf-8")
    found = messages.extract(tmp_path, pkg)
    assert [(e.msgid, e.msgid_plural, e.refs, e.flags) for e in found] == [
        ("Bound to {n} IP address.", "Bound to {n} IP addresses.", ["okxlink/m.py:4"], ["python-brace-format"]),
        ("One key", "{n} keys", ["okxlink/m.py:5", "okxlink/m.py:7"], ["python-brace-format"]),
        ("Plain", None, ["okxlink/m.py:8"], [])]
    assert found[1].placeholders == {"{n}"}  # the plural's fields count, though the singular has none
    (pkg / "m.py").write_text(
        "from okxlink.i18n import _, ngettext\n"
        "def f(n, word):\n"
        "    ngettext(word, '{n} keys', n)\n"
        "    ngettext('One key', f'{n} keys', n)\n"
        "    ngettext('One key', '{n} keys')\n"
        "    ngettext('Plain', 'Plains', n)\n"
        "    return _('Plain')\n", encoding="utf-8")
    with pytest.raises(messages.CatalogError) as err:
        messages.extract(tmp_path, pkg)
    assert [line.split(":")[:2] for line in str(err.value).splitlines()] == [
        ["okxlink/m.py", "3"], ["okxlink/m.py", "4"], ["okxlink/m.py", "5"], ["okxlink/m.py", "7"]]


def test_plural_entry_round_trips():
    long = "Secret, passphrase, permissions, IP binding, account and funds ({n} check) are checked. "
    entries = [messages.Entry("Bound to {n} IP address.", msgid_plural="Bound to {n} IP addresses.",
                              msgstr_plural=["已绑定 {n} 个 IP 地址。"], flags=["python-brace-format"]),
               messages.Entry(long, msgid_plural=long.replace("check)", "checks)"),
                              msgstr_plural=["a \"quoted\" one {n}", "中文" * 50 + "{n}"]),
               messages.Entry("Plain", "普通"),
               messages.Entry("Gone", msgid_plural="Gones", msgstr_plural=["没了"], obsolete=True)]
    header = messages.make_header({"Content-Type": "text/plain; charset=UTF-8"}, [])
    text = messages.render(header, entries)
    assert 'msgid_plural "Bound to {n} IP addresses."\nmsgstr[0] "已绑定 {n} 个 IP 地址。"' in text
    assert '#~ msgid_plural "Gones"\n#~ msgstr[0] "没了"' in text
    assert all(messages._width(line) <= messages.WIDTH for line in text.splitlines())
    _h, back = messages.parse(text)
    assert [(e.msgid, e.msgid_plural, e.msgstr, e.msgstr_plural, e.obsolete) for e in back] == \
        [(e.msgid, e.msgid_plural, e.msgstr, e.msgstr_plural, e.obsolete) for e in entries]
    assert messages.render(header, back) == text
    parsed, _fuzzy = parse_po(text)  # the build's parser reads the same, keyed as in a .mo
    assert {k: v for k, v in parsed.items() if k} == {
        "Bound to {n} IP address.\0Bound to {n} IP addresses.": "已绑定 {n} 个 IP 地址。",
        long + "\0" + long.replace("check)", "checks)"): "a \"quoted\" one {n}\0" + "中文" * 50 + "{n}",
        "Plain": "普通"}
    for bad in ('msgid "a"\nmsgstr[0] "x"\n', 'msgid "a"\nmsgid_plural "b"\nmsgstr "x"\n',
                'msgid "a"\nmsgid_plural "b"\nmsgstr[1] "x"\n'):
        with pytest.raises(messages.CatalogError):
            messages.parse(bad)
        with pytest.raises(MsgfmtError):
            parse_po(bad)


def test_compiled_plurals_pick_the_right_form(po_text):
    en_po = EN_PLURAL_HEADER + (
        '\nmsgid "Bound to {n} IP address."\nmsgid_plural "Bound to {n} IP addresses."\n'
        'msgstr[0] "Bound to {n} IP address (en)."\nmsgstr[1] "Bound to {n} IP addresses (en)."\n')
    en = gettext.GNUTranslations(io.BytesIO(compiled(en_po)))
    assert en.ngettext("Bound to {n} IP address.", "Bound to {n} IP addresses.", 1) == "Bound to {n} IP address (en)."
    assert en.ngettext("Bound to {n} IP address.", "Bound to {n} IP addresses.", 2) == \
        "Bound to {n} IP addresses (en)."
    zh = gettext.GNUTranslations(io.BytesIO(compiled(po_text)))
    for n in (0, 1, 2, 7):
        assert zh.ngettext("Bound to {n} IP address.", "Bound to {n} IP addresses.", n).format(n=n) == \
            f"已绑定 {n} 个 IP 地址。"
    # Without the header's Plural-Forms gettext would guess English's two forms: refused.
    with pytest.raises(MsgfmtError, match="Plural-Forms"):
        mo_bytes({"": "Content-Type: text/plain; charset=UTF-8\n", "a\0b": "x"})
    with pytest.raises(MsgfmtError, match="1 plural forms"):
        mo_bytes(parse_po(EN_PLURAL_HEADER + '\nmsgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\n')[0])


def test_i18n_ngettext(lang_env):
    assert i18n.setup("en") == "en"
    assert i18n.ngettext("Asking OKX about {n} key…", "Asking OKX about {n} keys…", 1) == "Asking OKX about {n} key…"
    assert i18n.ngettext("Asking OKX about {n} key…", "Asking OKX about {n} keys…", 2) == "Asking OKX about {n} keys…"
    assert i18n.setup("zh") == "zh"
    for n in (1, 2):
        assert i18n.ngettext("Asking OKX about {n} key…", "Asking OKX about {n} keys…", n).format(n=n) == \
            f"正在向 OKX 查询 {n} 个 API 密钥…"


def test_check_wants_every_plural_form_filled_with_the_placeholders():
    template = [messages.Entry("One key", msgid_plural="{n} keys", refs=["okxlink/a.py:1"]),
                messages.Entry("Bound to {n} IP address.", msgid_plural="Bound to {n} IP addresses.",
                               refs=["okxlink/a.py:2"])]
    header = messages.make_header({"Language": "zh_CN", "Content-Type": "text/plain; charset=UTF-8",
                                   "Plural-Forms": "nplurals=1; plural=0;"}, [])

    def problems(*forms: list[str]) -> list[str]:
        entries = [messages.Entry(t.msgid, msgid_plural=t.msgid_plural, msgstr_plural=f)
                   for t, f in zip(template, forms, strict=True)]
        return messages.problems(template, messages.render(header, entries))

    assert problems(["{n} 个 API 密钥"], ["已绑定 {n} 个 IP 地址。"]) == []
    assert problems([""], ["已绑定 {n} 个 IP 地址。"]) == ["untranslated: 'One key' (okxlink/a.py:1)"]
    assert problems(["一个 API 密钥"], ["已绑定 {n} 个 IP 地址。"]) == [
        "placeholders differ: 'One key' (okxlink/a.py:1): msgid and msgid_plural have ['{n}'], msgstr[0] has []"]
    assert problems(["{n} 个 API 密钥", "{n} 个"], ["已绑定 {n} 个 IP 地址。"]) == [
        "plural forms: 'One key' (okxlink/a.py:1): 2 msgstr[], the header's Plural-Forms says 1",
        "okxlink._msgfmt cannot compile it: 'One key': 2 plural forms, the header's Plural-Forms says 1"]


def test_update_merges_plural_entries():
    old = [messages.Entry("Bound to {n} IP address(es).", "已绑定 {n} 个 IP 地址。"),
           messages.Entry("One key", msgid_plural="{n} keys", msgstr_plural=["{n} 个 API 密钥"]),
           messages.Entry("Asking about {n} key(s)…", "正在查询 {n} 个 API 密钥…")]
    template = [messages.Entry("Bound to {n} IP address.", msgid_plural="Bound to {n} IP addresses.",
                               refs=["okxlink/a.py:1"]),
                messages.Entry("One key", msgid_plural="{n} keys", refs=["okxlink/a.py:2"]),
                messages.Entry("Asking about {n} key(s)…", msgid_plural="Asking about {n} keys…",
                               refs=["okxlink/a.py:3"]),
                messages.Entry("New", msgid_plural="News", refs=["okxlink/a.py:4"])]
    merged = {e.msgid: e for e in messages.merge(template, old)}  # zh_CN: one form
    guess = merged["Bound to {n} IP address."]  # resembles a dropped singular message: reused, fuzzy
    assert guess.fuzzy and guess.msgstr_plural == ["已绑定 {n} 个 IP 地址。"]
    assert guess.previous == "Bound to {n} IP address(es)." and guess.previous_plural is None
    kept = merged["One key"]
    assert not kept.fuzzy and kept.msgstr_plural == ["{n} 个 API 密钥"] and kept.refs == ["okxlink/a.py:2"]
    now_plural = merged["Asking about {n} key(s)…"]  # same msgid, now with a plural: a guess too
    assert now_plural.fuzzy and now_plural.msgstr_plural == ["正在查询 {n} 个 API 密钥…"]
    assert merged["New"].msgstr_plural == [""] and not merged["New"].fuzzy
    assert not any(e.obsolete for e in merged.values())
    two = {e.msgid: e for e in messages.merge(template, old, nplurals=2)}
    assert two["One key"].msgstr_plural == ["{n} 个 API 密钥", ""]
    header = messages.make_header({"Content-Type": "text/plain; charset=UTF-8",
                                   "Plural-Forms": "nplurals=1; plural=0;"}, [])
    text = messages.render(header, list(merged.values()))
    assert '#| msgid "Bound to {n} IP address(es)."\nmsgid "Bound to {n} IP address."\n' in text
    _h, back = messages.parse(text)
    assert [(e.msgid, e.msgid_plural, e.msgstr_plural, e.flags, e.previous) for e in back] == \
        [(e.msgid, e.msgid_plural, e.msgstr_plural, e.flags, e.previous) for e in merged.values()]
    _parsed, fuzzy = parse_po(text)
    assert sorted(fuzzy) == ["Asking about {n} key(s)…\0Asking about {n} keys…",
                             "Bound to {n} IP address.\0Bound to {n} IP addresses."]


def test_pot_template_has_plural_header_and_two_forms():
    header, entries = messages.parse(POT.read_text(encoding="utf-8"), str(POT))
    assert messages.header_fields(header)["Plural-Forms"] == "nplurals=INTEGER; plural=EXPRESSION;"
    bound = next(e for e in entries if e.msgid == "Bound to {n} IP address.")
    assert bound.msgid_plural == "Bound to {n} IP addresses." and bound.msgstr_plural == ["", ""]


def test_ip_binding_message_counts_addresses(lang_env):
    i18n.setup("en")
    assert ip_binding(good(config=config(ip="203.0.113.7,203.0.113.8"))).message == "Bound to 2 IP addresses."
    assert ip_binding(good(config=config(ip="203.0.113.7"))).message == "Bound to 1 IP address."
    i18n.setup("zh")
    assert ip_binding(good(config=config(ip="203.0.113.7,203.0.113.8"))).message == "已绑定 2 个 IP 地址。"


def test_missing_environment_variables_agree_in_number(lang_env):
    i18n.setup("en")
    with pytest.raises(UsageError) as one:
        from_env({"OKX_API_KEY": "k", "OKX_SECRET_KEY": "s"})
    assert one.value.message.startswith("OKX_PASSPHRASE is not set; ")
    with pytest.raises(UsageError) as two:
        from_env({"OKX_API_KEY": "k"})
    assert two.value.message.startswith("OKX_SECRET_KEY, OKX_PASSPHRASE are not set; ")


# ------------------------------------------------------------- Chinese style and terms

# docs/zh-glossary.md, "Spacing": a space between Chinese and Latin letters or digits; none between two
# Chinese characters, nor next to full-width punctuation. Checked on what the user reads: every
# placeholder is filled with the kinds of value it really takes.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL_WIDTH = "\u3000-\u303f\uff01-\uff60\u2014\u2018\u2019\u201c\u201d"  # 、。「」（），：；！？ —— ‘’ “”
_SPACE_INSIDE = re.compile(f"[{_CJK}{_FULL_WIDTH}] +[{_CJK}{_FULL_WIDTH}]")
_NO_SPACE = re.compile(f"[{_CJK}][A-Za-z0-9]|[A-Za-z0-9][{_CJK}]")
_SPACE_BY_PUNCTUATION = re.compile(f"[{_FULL_WIDTH}] +[A-Za-z0-9]|[A-Za-z0-9] +[{_FULL_WIDTH}]")

# Placeholders whose value is (or may be) Chinese under --lang zh, with a value of each kind they take.
# Any other placeholder stands for Latin text (a host, key, path, id, number): "a1".
ZH_VALUES = {
    "site": ("OKX 全球站",),                    # a site's name (sites.label); after --site it is the id
    "found": ("OKX 欧洲经济区站",),             # the site that knows the key
    "other": ("模拟",),                         # the other of 模拟/实盘; after --site, a site's id
    "env": ("模拟",), "chosen": ("实盘",),
    "account": ("子账户",),
    "mode": ("现货模式", "600"),                # an account mode; chmod's mode
    "unit": ("天",),
    "age": ("3 天前", "刚刚"),
    "what": ("不会保存任何内容",),
    "problem": ("它不是 https:// 地址",),
    "said": ("现货已就绪",),
    "verdict": ("link.example.com：现货已就绪",),
    "where": ("全球站 · 实盘", "Secret Service"),
    "store": ("Secret Service", "内存（okxlink 退出后即清除）"),  # a keyring backend's name, or memory
    "source": ("PYTHON_KEYRING_BACKEND", "密钥环配置"),
    "keys": ("0f4b…3e7a（可能）", "旧 API 密钥 0f4b…3e7a"),
    "ids": ("permission-trade", "交易权限"),
    "reason": ("Permission denied", "不是 UTF-8 文本"),
    "detail": ("ReadTimeout", "10 秒内没有响应"),
    "sentence": ("没有 'verfy' 这个命令。",),  # a whole sentence with its full stop
    "message": ("bad request", "请求无效"), "msg": ("bad request", "请求无效"),
    "label": ("copy bot", "跟单"),
}


def renderings(msgstr: str) -> list[str]:
    """msgstr as shown: one rendering per kind of value of each placeholder (the others at their first)."""
    fields = sorted(messages.placeholders(msgstr))
    names = {f: re.match(r"\{(\w+)", f).group(1) for f in fields}

    def fill(choice: dict[str, str]) -> str:
        return messages._FIELD.sub(lambda m: choice.get(m.group(0), m.group(0)), msgstr)

    first = {f: ZH_VALUES.get(names[f], ("a1",))[0] for f in fields}
    out = [fill(first)]
    for f in fields:
        out += [fill({**first, f: value}) for value in ZH_VALUES.get(names[f], ())[1:]]
    return out


def spacing_problems(msgstr: str) -> list[str]:
    found = []
    for shown in renderings(msgstr):
        for m in _SPACE_INSIDE.finditer(shown):
            found.append(f"space inside Chinese {m.group(0)!r} in {shown!r}")
        for m in _NO_SPACE.finditer(shown):
            found.append(f"no space between Chinese and Latin {m.group(0)!r} in {shown!r}")
        for m in _SPACE_BY_PUNCTUATION.finditer(shown):
            found.append(f"space next to full-width punctuation {m.group(0)!r} in {shown!r}")
    return found


# 密钥 alone would be ambiguous (the key or its secret): only these compounds are allowed.
ALLOWED_MIYAO = ("API 密钥", "Secret 密钥", "密钥环", "加密密钥")  # 加密密钥: the linking service's database key
RETIRED_TERMS = ("密码短语", "SecretKey", "Secret Key")


def term_problems(text: str) -> list[str]:
    found = [f"retired term {term!r}" for term in RETIRED_TERMS if term in text]
    rest = text
    for allowed in ALLOWED_MIYAO:
        rest = rest.replace(allowed, "")
    if "密钥" in rest:
        found.append("密钥 outside " + " / ".join(ALLOWED_MIYAO))
    return found


def _translations(po_text: str):
    _header, entries = messages.parse(po_text)
    return [(e.msgid, form) for e in entries if not e.obsolete for form in e.forms if form]


def test_chinese_spacing(po_text):
    bad = [f"{msgid!r}\n    {problem}" for msgid, msgstr in _translations(po_text)
           for problem in spacing_problems(msgstr)]
    assert not bad, "the glossary's spacing rule is broken:\n" + "\n".join(bad)


def test_glossary_terms(po_text):
    bad = [f"{msgid!r} → {msgstr!r}: {problem}" for msgid, msgstr in _translations(po_text)
           for problem in term_problems(msgstr)]
    assert not bad, "terms differ from docs/zh-glossary.md:\n" + "\n".join(bad)


def test_zh_docs_use_the_glossary_terms():
    docs = sorted((ROOT / "docs").glob("*.zh.md"))
    assert docs
    bad = [f"{doc.name}: {problem}" for doc in docs for problem in term_problems(doc.read_text(encoding="utf-8"))]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(("msgstr", "complaint"), [
    ("机密信息保存在 {store}。", "space inside Chinese '在 内'"),                     # the example
    ("机密信息保存在{store}。", "no space between Chinese and Latin '在S'"),
    ("已绑定 {n}个 IP 地址。", "no space between Chinese and Latin '1个'"),
    ("请运行okxlink setup。", "no space between Chinese and Latin '行o'"),
    ("完成 。", "space inside Chinese '成 。'"),
    ("切换到 {env} 交易吗？", "space inside Chinese '到 模'"),
    ("okxlink status —— okxlink 看到的状态", "space next to full-width punctuation 's —'"),
    ("请运行 okxlink setup 。", "space next to full-width punctuation 'p 。'"),
])
def test_spacing_check_catches(msgstr, complaint):
    assert any(complaint in p for p in spacing_problems(msgstr)), spacing_problems(msgstr)


@pytest.mark.parametrize("msgstr", [
    "机密信息保存在“{store}”中。", "已绑定 {n} 个 IP 地址。", "切换到{env}交易吗？", "改用 OKX {site}吗？",
    "配置（profile）{name} 已存在。", "{n} {unit}前", "本机：需要处理（{ids}）· {age}检查",
])
def test_spacing_check_accepts(msgstr):
    assert spacing_problems(msgstr) == []


def test_term_check():
    assert term_problems("API 密钥、Secret 密钥和 Passphrase 均正确；系统密钥环") == []
    assert term_problems("API 密钥、密钥（SecretKey）和密码短语") == [
        "retired term '密码短语'", "retired term 'SecretKey'", "密钥 outside API 密钥 / Secret 密钥 / 密钥环 / 加密密钥"]
