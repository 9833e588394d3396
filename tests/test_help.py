"""typer's own words in okxlink's language: every command's --help, exactly as a person sees it at
60, 80 and 120 columns in English and in Chinese, and the usage errors a person meets.

okxlink runs in this process (tests/inproc.py); typer prints the help to sys.stdout at the width of
COLUMNS. Each expected help is a file in tests/screens/ (help-COMMAND-LANG-WIDTH.txt, see
tests/screenshots.py), read by a person before it is committed:

    UPDATE_SCREENS=1 .venv/bin/pytest -q -p no:cacheprovider tests/test_help.py
    git diff tests/screens/
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from okxlink import i18n
from okxlink.cli.context import Context
from okxlink.settings import Settings
from screenshots import SCREENS, expect, fits

from inproc import InProcess

LANGS = ("en", "zh")
WIDTHS = (60, 80, 120)


def group(lang: str = "en"):  # type: ignore[no-untyped-def]
    """The app's root command, its help texts in `lang`."""
    import typer

    from okxlink.cli.app import build_app

    try:
        i18n.setup(lang)
        return typer.main.get_command(build_app(Context(settings=Settings(config_dir=Path("unused")))))
    finally:
        i18n.setup("en")


def commands() -> list[str]:
    """The root ("okxlink") and every command the app has."""
    return ["okxlink", *group().commands]  # type: ignore[attr-defined]


def help_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                command: str, lang: str, width: int = 80) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    done = InProcess(tmp_path)(*([] if command == "okxlink" else [command]), "--help", lang=lang, width=width)
    shown = capsys.readouterr()
    assert (done.code, done.err, shown.err) == (0, "", "")
    return shown.out


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", commands())
def test_help(tmp_path, monkeypatch, capsys, command, lang, width):
    shown = help_screen(tmp_path, monkeypatch, capsys, command, lang, width)
    fits(shown, width)  # wrapped by display width: no line past the edge, none starting with "。"
    assert "..." not in shown.replace("[ARGS]...", "")  # nothing cut short
    expect(f"help-{command}-{lang}-{width}", shown)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_command_list_shows_each_first_sentence_whole(tmp_path, monkeypatch, capsys, lang, width):
    """click would cut a command's line to fit one line, ending it with "..."."""
    listed = help_screen(tmp_path, monkeypatch, capsys, "okxlink", lang, width).split("\n\n")[-1]
    unbroken = re.sub(r"\s+", "", listed)  # a line break drops a space, or nothing between two CJK
    for name, command in group(lang).commands.items():  # type: ignore[attr-defined]
        first = re.split(r"(?<=\.)\s|(?<=。)", command.help, maxsplit=1)[0]
        assert first.endswith((".", "。")) and name + re.sub(r"\s+", "", first) in unbroken, name


@pytest.mark.parametrize("command", commands())
def test_chinese_help_has_no_english_framework_words(tmp_path, monkeypatch, capsys, command):
    shown = help_screen(tmp_path, monkeypatch, capsys, command, "zh")
    for english in ("Usage:", "usage:", "Options:", "options:", "Commands:", "Show this message", "show this help",
                    "[default:", "[env var:", "[required]", "completion for the current shell"):
        assert english not in shown


def test_bare_okxlink_shows_the_help_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    done = InProcess(tmp_path)(lang="zh")
    assert done.code == 0
    assert done.err == (SCREENS / "help-okxlink-zh-80.txt").read_text(encoding="utf-8")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "args"), [("unknown-option", ("verify", "--x")),
                                            ("bad-site", ("verify", "--site", "x"))])
def test_a_usage_error_in_a_narrow_terminal(tmp_path, monkeypatch, name, args, lang):
    """At a terminal the error's sentence is wrapped to its width, by okxlink.cli.wrap's rules."""
    from okxlink.cli.app import invoke

    monkeypatch.setenv("COLUMNS", "60")
    out, err = io.StringIO(), Terminal()
    try:
        code = invoke(list(args), Context(settings=Settings(config_dir=tmp_path, lang=lang), environ={},
                                          stdin=io.StringIO(), stdout=out, stderr=err, width=60,
                                          interactive=False))
    finally:
        i18n.setup("en")
    assert (code, out.getvalue()) == (2, "")
    fits(err.getvalue(), 60)
    expect(f"usage-{name}-{lang}-60", err.getvalue())


USAGE_ERRORS = [
    (("verify", "--x"),
     "Usage: okxlink verify [OPTIONS]\nTry 'okxlink verify --help' for help.\n\nError: No such option: --x\n",
     "用法：okxlink verify [OPTIONS]\n运行 'okxlink verify --help' 查看帮助。\n\n错误：没有这个选项：--x\n"),
    (("verify", "--site", "x"),
     "Usage: okxlink verify [OPTIONS]\nTry 'okxlink verify --help' for help.\n\n"
     "Error: Invalid value for '--site' (env var: 'OKXLINK_SITE'): Value error, 'x' is not one of "
     "'global', 'eea', 'us', 'tr', 'auto'.\n",
     "用法：okxlink verify [OPTIONS]\n运行 'okxlink verify --help' 查看帮助。\n\n"
     "错误：'--site'（环境变量 'OKXLINK_SITE'）的值无效：不支持 'x'，可选值为 'global', 'eea', 'us', 'tr', 'auto'。\n"),
    (("verify", "--sit", "eea"),
     "Usage: okxlink verify [OPTIONS]\nTry 'okxlink verify --help' for help.\n\n"
     "Error: No such option: --sit (Possible options: --site, --stdin)\n",
     "用法：okxlink verify [OPTIONS]\n运行 'okxlink verify --help' 查看帮助。\n\n"
     "错误：没有这个选项：--sit（相近的选项：--site, --stdin）\n"),
    (("verfy",),
     "Usage: okxlink [OPTIONS] COMMAND [ARGS]...\nTry 'okxlink --help' for help.\n\n"
     "Error: No such command 'verfy'. Did you mean 'verify'?\n",
     "用法：okxlink [OPTIONS] COMMAND [ARGS]...\n运行 'okxlink --help' 查看帮助。\n\n"
     "错误：没有 'verfy' 这个命令。您是不是想输入 'verify'？\n"),
    (("nothing",),
     "Usage: okxlink [OPTIONS] COMMAND [ARGS]...\nTry 'okxlink --help' for help.\n\n"
     "Error: No such command 'nothing'.\n",
     "用法：okxlink [OPTIONS] COMMAND [ARGS]...\n运行 'okxlink --help' 查看帮助。\n\n"
     "错误：没有 'nothing' 这个命令。\n"),
    (("verify", "--profile"),
     "Error: Option '--profile' requires an argument.\n",
     "错误：选项 '--profile' 需要一个值。\n"),
    (("status", "--json=yes"),
     "Error: Option '--json' does not take a value.\n",
     "错误：选项 '--json' 不接受值。\n"),
    (("profiles", "extra", "more"),
     "Usage: okxlink profiles [OPTIONS]\nTry 'okxlink profiles --help' for help.\n\n"
     "Error: Got unexpected extra argument(s) (extra more)\n",
     "用法：okxlink profiles [OPTIONS]\n运行 'okxlink profiles --help' 查看帮助。\n\n"
     "错误：多余的参数：extra more\n"),
]


@pytest.mark.parametrize(("args", "en", "zh"), USAGE_ERRORS, ids=[" ".join(e[0]) for e in USAGE_ERRORS])
def test_usage_errors(tmp_path, args, en, zh):
    run = InProcess(tmp_path)
    for lang, expected in (("en", en), ("zh", zh)):
        done = run(*args, lang=lang)
        assert (done.code, done.out, done.err) == (2, "", expected), lang


SAID = [  # typer's English → okxlink's Chinese, one per template of okxlink.cli.framework
    ("No such option: --x", "没有这个选项：--x"),
    ("No such option: --sit (Possible options: --site, --stdin)", "没有这个选项：--sit（相近的选项：--site, --stdin）"),
    # typer's "No such command" is gettext-marked: in a Chinese run its sentence comes translated
    ("没有 'verfy' 这个命令。. Did you mean 'verify'?", "没有 'verfy' 这个命令。您是不是想输入 'verify'？"),
    ("Invalid value for '--site' (env var: 'OKXLINK_SITE'): Value error, 'a: b' is not one of 'global', 'eea'.",
     "'--site'（环境变量 'OKXLINK_SITE'）的值无效：不支持 'a: b'，可选值为 'global', 'eea'。"),
    ("Invalid value for '--demo' / '--live': Value error, 'x' is not one of 'en'.",
     "'--demo' / '--live' 的值无效：不支持 'x'，可选值为 'en'。"),
    ("Invalid value: Value error, 'x' is not one of 'en'.", "值无效：不支持 'x'，可选值为 'en'。"),
    ("Option '--profile' requires an argument.", "选项 '--profile' 需要一个值。"),
    ("Option '--json' does not take a value.", "选项 '--json' 不接受值。"),
    ("Missing option '--profile'.", "缺少选项 '--profile'。"),
    ("Missing argument 'NAME'.", "缺少参数 'NAME'。"),
    ("Got unexpected extra argument(s) (a b)", "多余的参数：a b"),
    ("Something typer may say one day.", "Something typer may say one day."),  # no template: as it is
]


@pytest.mark.parametrize(("english", "chinese"), SAID)
def test_typers_messages_are_said_in_the_runs_language(english, chinese):
    from okxlink import i18n
    from okxlink.cli.framework import TEMPLATES, say

    assert len(SAID) == len(TEMPLATES) - 1  # every template but "Value error, …" (inside others) is here
    try:
        assert i18n.setup("en") == "en" and say(english) == english  # English: typer's words, as they are
        assert i18n.setup("zh") == "zh" and say(english) == chinese
    finally:
        i18n.setup("en")


SIM_ERRORS = [  # argparse's own words (okxlink sim), through okxlink's catalog
    (("--port",), "okxlink sim: error: argument --port: expected one argument",
     "okxlink sim：错误：选项 --port：需要一个值"),
    (("--bogus",), "okxlink sim: error: unrecognized arguments: --bogus",
     "okxlink sim：错误：无法识别的参数：--bogus"),
    (("--latency-ms", "x"), "okxlink sim: error: argument --latency-ms: invalid float value: 'x'",
     "okxlink sim：错误：选项 --latency-ms：'x' 不是有效的 float 值"),
    (("--malformed=1",), "okxlink sim: error: argument --malformed: ignored explicit argument '1'",
     "okxlink sim：错误：选项 --malformed：不接受值（收到 '1'）"),
    (("--port", "x"), "okxlink sim: error: argument --port: x is not a port number (0 to 65535)",
     "okxlink sim：错误：选项 --port：x 不是有效的端口号（0 到 65535）"),
]


@pytest.mark.parametrize(("args", "en", "zh"), SIM_ERRORS, ids=[" ".join(e[0]) for e in SIM_ERRORS])
def test_the_simulators_usage_errors(tmp_path, monkeypatch, capsys, args, en, zh):
    monkeypatch.setenv("COLUMNS", "80")
    for lang, usage, expected in (("en", "Usage: okxlink sim [-h]", en), ("zh", "用法：okxlink sim [-h]", zh)):
        done = InProcess(tmp_path)("sim", *args, lang=lang)
        shown = capsys.readouterr()
        assert (done.code, shown.out) == (2, ""), lang
        assert shown.err.startswith(usage) and shown.err.splitlines()[-1] == expected, lang


def test_a_line_naming_a_command_builds_only_that_command(tmp_path, monkeypatch):
    """typer turns every command's signature into options before it parses: a run of one command
    builds that one; the root's help and a mistyped name (for its "did you mean") see them all."""
    import typer.main

    built: list[str] = []
    real = typer.main.get_command_from_info

    def counted(**kw):  # type: ignore[no-untyped-def]
        built.append(kw["command_info"].callback.__name__)
        return real(**kw)

    monkeypatch.setattr(typer.main, "get_command_from_info", counted)
    run = InProcess(tmp_path)
    for args, code, expected in ((("profiles",), 0, ["profiles"]), (("status", "--help"), 0, ["status"]),
                                 (("--help",), 0, commands()[1:]), (("verfy",), 2, commands()[1:])):
        built.clear()
        done = run(*args)
        assert done.code == code and sorted(built) == sorted(expected), (args, done.err)
    assert "Did you mean 'verify'?" in done.err
