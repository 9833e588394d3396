"""okxlink.cli.wrap: where a line may break, by display width, in English and Chinese."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from okxlink.cli.wrap import NO_END, NO_START, measure, spans, wrap


def test_chinese_breaks_between_characters_not_only_at_spaces():
    assert wrap("本机时钟比 OKX 慢 30 秒；okxlink 已自动校正，但其他程序的请求会被拒绝。", 26) == [
        "本机时钟比 OKX 慢 30 秒；",
        "okxlink 已自动校正，但其他",
        "程序的请求会被拒绝。",
    ]
    assert wrap("但其他程序的请求会被拒绝。", 22) == ["但其他程序的请求会被拒", "绝。"]  # never a lone "。"


def test_closing_punctuation_never_starts_a_line_nor_opening_punctuation_ends_one():
    # at 10 cells "五个汉字，" would leave the "，" for the next line; "（" would end the first
    assert wrap("一二三四五，六七", 10) == ["一二三四", "五，六七"]
    assert wrap("一二三四（五六）", 10) == ["一二三四", "（五六）"]
    assert wrap("取消勾选“提现”；或创建", 12) == ["取消勾选“提", "现”；或创建"]


def test_latin_words_commands_and_flags_are_never_broken():
    text = "Install gnome-keyring (apt-get install gnome-keyring dbus libsecret-tools) or set --site eea"
    lines = wrap(text, 20)
    assert lines == ["Install", "gnome-keyring", "(apt-get install", "gnome-keyring dbus",
                     "libsecret-tools) or", "set --site eea"]


def test_a_word_wider_than_the_line_is_folded_and_nothing_is_lost():
    assert wrap("see https://www.okx.com/account/my-api now", 12) == [
        "see", "https://www.", "okx.com/acco", "unt/my-api", "now"]


def test_own_line_breaks_and_an_indent_of_the_texts_own_are_kept():
    assert wrap("a b\n\n  c d", 3) == ["a b", "", "  c", "d"]


def test_hanging_indent_counts_in_the_width():
    assert wrap("→ 请在 OKX 的 API 页面编辑该 API 密钥", 16, rest="  ") == [
        "→ 请在 OKX 的", "  API 页面编辑该", "  API 密钥"]


def test_first_prefix_and_rest_prefix():
    assert wrap("one two three four", 12, first="x: ", rest="   ") == ["x: one two", "   three", "   four"]


def test_measure_gives_the_widest_piece_and_the_widest_paragraph():
    assert measure("gnome-keyring 和 API 密钥") == (13, 25)
    assert measure("短\n较长的一行") == (2, 10)


@pytest.mark.parametrize("width", [1, 2, 3])
def test_tiny_widths_still_make_progress(width):
    lines = wrap("宽字符 and words", width)
    assert "".join(lines).replace(" ", "") == "宽字符andwords"


# --------------------------------------------------------------------------- properties

WORDS = st.text(alphabet=st.sampled_from(list("abcXYZ-/09.,:()") + list("汉字密钥。，、；：“”（）「」") + ["…", "·"]),
                min_size=1, max_size=12)
TEXTS = st.lists(st.tuples(WORDS, st.sampled_from([" ", "  "])), min_size=1, max_size=25).map(
    lambda parts: "".join(w + s for w, s in parts).rstrip(" "))


def _rebuilt(text: str, lines: list[str]) -> bool:
    """Each line is the next stretch of the text, only spaces between one and the next."""
    pos = 0
    for i, line in enumerate(lines):
        if i:
            while pos < len(text) and text[pos] == " ":
                pos += 1
        if not text.startswith(line, pos):
            return False
        pos += len(line)
    return text[pos:].strip(" ") == ""


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=2, max_value=60))
def test_no_line_is_wider_than_the_width_when_every_word_fits(text, width):
    lines = wrap(text, width)
    if all(cell_len(word) <= width for word in text.split()):
        assert all(cell_len(line) <= width for line in lines)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=60))
def test_joining_the_lines_gives_back_the_text_less_the_break_spaces(text, width):
    lines = wrap(text, width)
    assert _rebuilt(text, lines)
    assert all(line == line.strip(" ") for line in lines)  # a break takes its spaces with it


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=2, max_value=60))
def test_between_characters_no_line_starts_with_closing_or_ends_with_opening_punctuation(text, width):
    if any(cell_len(word) > width for word in text.split()):
        return  # a piece wider than the line is folded wherever it must be
    found = spans(text, width)
    for (_b, end), (begin, _e) in itertools.pairwise(found):
        if begin == end:  # a break with no space: between two characters
            assert text[begin] not in NO_START
            assert text[end - 1] not in NO_END


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(min_value=2, max_value=40))
def test_spans_are_the_lines(text, width):
    assert [text[b:e] for b, e in spans(text, width)] == wrap(text, width)
