"""typer's own words in okxlink's language: every command's --help, exactly, at 80 columns in English
and in Chinese (tests/data/help/<lang>/<command>.txt), and the usage errors a person meets.

okxlink runs in this process (tests/inproc.py); typer prints the help to sys.stdout at the width of
COLUMNS. After a deliberate change of a help text, rewrite the files with
`.venv/bin/python tests/test_help.py` and read the diff."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from okxlink.cli.context import Context
from okxlink.settings import Settings

from inproc import InProcess

HELP = Path(__file__).parent / "data" / "help"
LANGS = ("en", "zh")


def commands() -> list[str]:
    """The root ("okxlink") and every command the app has."""
    import typer

    from okxlink.cli.app import build_app

    group = typer.main.get_command(build_app(Context(settings=Settings(config_dir=Path("unused")))))
    return ["okxlink", *group.commands]  # type: ignore[attr-defined]


def help_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                command: str, lang: str) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    done = InProcess(tmp_path)(*([] if command == "okxlink" else [command]), "--help", lang=lang)
    shown = capsys.readouterr()
    assert (done.code, done.err, shown.err) == (0, "", "")
    return shown.out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", commands())
def test_help(tmp_path, monkeypatch, capsys, command, lang):
    golden = HELP / lang / f"{command}.txt"
    assert golden.exists(), f"{golden} is missing: run .venv/bin/python tests/test_help.py"
    assert help_screen(tmp_path, monkeypatch, capsys, command, lang) == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", commands())
def test_chinese_help_has_no_english_framework_words(tmp_path, monkeypatch, capsys, command):
    shown = help_screen(tmp_path, monkeypatch, capsys, command, "zh")
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "show this help", "[default:",
                    "[env var:", "[required]", "completion for the current shell"):
        assert english not in shown


def test_bare_okxlink_shows_the_help_in_chinese(tmp_path, monkeypatch, capsys):
    done = InProcess(tmp_path)(lang="zh")
    assert done.code == 0
    assert done.err == (HELP / "zh" / "okxlink.txt").read_text(encoding="utf-8")


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


def write_goldens() -> None:
    """Rewrites tests/data/help from the current code (run this file)."""
    import io
    import os
    import tempfile
    from contextlib import redirect_stdout

    os.environ["COLUMNS"] = "80"
    with tempfile.TemporaryDirectory() as tmp:
        for lang in LANGS:
            (HELP / lang).mkdir(parents=True, exist_ok=True)
            for command in commands():
                shown = io.StringIO()
                with redirect_stdout(shown):
                    InProcess(Path(tmp))(*([] if command == "okxlink" else [command]), "--help", lang=lang)
                (HELP / lang / f"{command}.txt").write_text(shown.getvalue(), encoding="utf-8")
                print(HELP / lang / f"{command}.txt")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    write_goldens()
