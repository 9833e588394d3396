"""Regressions of issue 14's "nothing cut off, nothing broken mid-phrase": errors wrapped at word and
CJK boundaries with the fix's indent kept, check names (not ids) in human output, status's IP
labels saying what is true. The whole screens are in tests/test_screens.py."""

from __future__ import annotations

import io
from collections.abc import Callable

import pexpect
import pytest
from rich.cells import cell_len

from okxlink.cli.status_view import block
from okxlink.cli.ui import UI
from okxlink.core.checks import CHECK_IDS, Check, CheckId, name
from okxlink.core.verify import Report
from okxlink.flows.status import row_of
from okxlink.i18n import setup
from okxlink.storage import ProfileMeta, ProfilesFile, VerifySummary
from okxlink.storage.keyring_errors import no_backend

from conftest import OKXLINK, clean_env

NO_KEYRING_60 = """\
okxlink: No usable keyring: this machine has no D-Bus
session with a Secret Service (such as gnome-keyring) and no
other keyring backend is configured.
  Install gnome-keyring (apt-get install gnome-keyring dbus
  libsecret-tools) or set PYTHON_KEYRING_BACKEND, e.g.
  keyrings.cryptfile.cryptfile.CryptFileKeyring; on a server
  without a desktop run okxlink inside a D-Bus session with
  an unlocked keyring: dbus-run-session -- sh -c 'printf %s
  "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock
  --daemonize --components=secrets; okxlink setup' (see
  docs/storage.md).
"""


@pytest.mark.e2e
def test_an_error_on_a_terminal_is_wrapped_at_words_and_its_fix_keeps_its_indent(tmp_path):
    """okxlink in a 60-column pty, with no usable keyring: the six-line error fits the terminal,
    broken at spaces only (it once broke inside gnome-keyring)."""
    config = tmp_path / "config"
    ProfilesFile(config / "profiles.toml").put(ProfileMeta(name="main", key="0f4b…3e7a"))
    env = {k: v for k, v in clean_env(tmp_path).items() if k != "COLUMNS"}  # the terminal's own width
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    child = pexpect.spawn(OKXLINK[0], [*OKXLINK[1:], "remove", "--profile", "main", "--yes"], env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 60))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5
    assert child.before.replace("\r\n", "\n") == NO_KEYRING_60


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _said(width: int | None, stream: io.StringIO, lang: str = "en") -> list[str]:
    from okxlink.cli.run import _say

    class Ctx:
        stderr = stream

    Ctx.width = width  # type: ignore[attr-defined]
    try:
        setup(lang)
        exc = no_backend()
        _say(Ctx, exc.message, exc.fix)  # type: ignore[arg-type]
    finally:
        setup("en")
    return stream.getvalue().splitlines()


@pytest.mark.parametrize("width", [50, 60, 80])
def test_an_error_in_chinese_breaks_between_characters_never_inside_a_word(width):
    lines = _said(width, Terminal(), "zh")
    assert lines[0].startswith("okxlink: 没有可用的系统密钥环")
    assert all(cell_len(line) <= width for line in lines)
    fix = lines[next(i for i, line in enumerate(lines) if line.startswith("  ")):]
    assert len(fix) > 1 and all(line.startswith("  ") for line in fix)
    words = "".join(line + "\n" for line in lines).split()
    for word in ("gnome-keyring", "libsecret-tools", "PYTHON_KEYRING_BACKEND", "dbus-run-session",
                 "keyrings.cryptfile.cryptfile.CryptFileKeyring", "docs/storage.md"):
        assert any(word in part for part in words), word  # on one line, whole
    assert not any(line.lstrip().startswith(("，", "。", "：", "；", "）")) for line in lines)


def test_an_error_into_a_pipe_stays_one_line_each():
    """stderr no terminal (a file, a pipe, a test's buffer): whole lines, for grep and for whoever
    wraps them, whatever width the run has."""
    exc = no_backend()
    assert _said(60, io.StringIO()) == [f"okxlink: {exc.message}", f"  {exc.fix}"]


# --------------------------------------------------------------------------- check names

def _drawn(lang: str, width: int, draw: Callable[[UI], None]) -> str:
    """What `draw` prints through a UI of this width, in this language."""
    out = io.StringIO()
    try:
        setup(lang)
        draw(UI(out=out, width=width))
    finally:
        setup("en")
    return out.getvalue()


def test_every_check_has_a_name_in_both_languages():
    assert set(CHECK_IDS) == {str(c) for c in CheckId}
    try:
        english = [name(c) for c in CHECK_IDS]
        setup("zh")
        chinese = [name(c) for c in CHECK_IDS]
    finally:
        setup("en")
    assert english[CHECK_IDS.index("permission-withdraw")] == "Withdraw permission"
    assert chinese[CHECK_IDS.index("permission-withdraw")] == "提现权限"
    assert chinese[CHECK_IDS.index("network")] == "网络" and chinese[CHECK_IDS.index("clock")] == "时钟"
    assert len(set(english)) == len(set(chinese)) == len(CHECK_IDS)
    assert not set(english) & set(CHECK_IDS)
    assert name("something-newer") == "something-newer"  # a service's reason okxlink does not know


def _report() -> Report:
    return Report(profile=None, site="global", demo=False, ready=False, checks=[
        Check(CheckId(c), "fail" if c == "permission-withdraw" else "pass", "Fine.",
              "Untick it." if c == "permission-withdraw" else None) for c in CHECK_IDS])


@pytest.mark.parametrize("width", [60, 100])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_human_table_names_checks_and_json_keeps_ids(lang, width):
    text = _drawn(lang, width, lambda ui: ui.report(_report()))
    assert ("提现权限" if lang == "zh" else "Withdraw permission") in text
    assert not [c for c in CHECK_IDS if c in text]
    assert [c["id"] for c in _report().to_json()["checks"]] == list(CHECK_IDS)


# --------------------------------------------------------------------------- status's IP labels

def _ip_label(lang: str = "en", **verify: object) -> str:
    statuses = dict.fromkeys(CHECK_IDS, "pass")
    statuses.update(verify.pop("statuses", {}))  # type: ignore[arg-type]
    meta = ProfileMeta(name="p", key="0f4b…3e7a", demo=bool(verify.pop("demo", False)),
                       last_verified="2026-12-01T09:00:00Z",
                       verify=VerifySummary(ready=True, statuses=statuses, **verify))  # type: ignore[arg-type]
    return _drawn(lang, 100, lambda ui: ui.out.print(block(row_of(meta, {}, offline=True)))
                  ).splitlines()[1].split("   ")[-1]


@pytest.mark.parametrize(("verify", "label"), [
    ({"ip_count": 2}, "✓ IP bound (2 addresses)"),
    ({"ip_count": 1}, "✓ IP bound (1 address)"),
    ({"ip_count": 0, "statuses": {"ip-binding": "warn"}}, "! No IP bound"),
    ({"ip_count": 0, "demo": True}, "✓ No IP needed (demo)"),
    ({"ip_count": 0, "statuses": {"permission-trade": "fail"}}, "✓ No IP needed (read-only)"),
    ({"statuses": {"ip-whitelist": "warn", "ip-binding": "skip"}}, "! IP bound, not to this machine"),
    ({"statuses": {"ip-binding": "skip"}}, "- IP binding"),
    ({}, "✓ IP binding"),  # recorded by a version that did not count the addresses
], ids=["bound", "one", "none-live", "none-demo", "none-read-only", "bound-elsewhere", "not-checked", "uncounted"])
def test_status_ip_label_says_what_is_true(verify, label):
    assert _ip_label(**verify) == label


def test_status_ip_labels_in_chinese():
    assert _ip_label("zh", ip_count=0, statuses={"ip-binding": "warn"}) == "! 未绑定 IP"
    assert _ip_label("zh", ip_count=0, demo=True) == "✓ 无需绑定 IP（模拟）"
    assert _ip_label("zh", ip_count=2) == "✓ 已绑定 IP（2 个地址）"


@pytest.mark.parametrize(("status", "label"), [("pass", "✓ Withdraw off"), ("fail", "✗ Withdraw on"),
                                               ("skip", "- Withdraw")])
def test_status_withdraw_label_says_what_is_true(status, label):
    statuses = {**dict.fromkeys(CHECK_IDS, "pass"), "permission-withdraw": status}
    meta = ProfileMeta(name="p", key="0f4b…3e7a", verify=VerifySummary(ready=None, statuses=statuses))
    assert _drawn("en", 100, lambda ui: ui.out.print(block(row_of(meta, {}, offline=True)))
                  ).splitlines()[1].split("   ")[1] == label


def test_a_verification_records_how_many_addresses_are_bound():
    from okxlink.core.models import AccountConfig
    from okxlink.flows.verifying import record

    meta = ProfileMeta(name="p")
    config = AccountConfig.parse({"uid": "1", "perm": "read_only,trade", "ip": "1.2.3.4,5.6.7.8"})
    record(meta, Report(profile="p", site="global", demo=False, ready=True, checks=[], config=config))
    assert meta.verify.ip_count == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_status_flags_wrap_whole_at_a_narrow_width(lang):
    """At 30 columns the flags take two lines, each flag whole: a mark is never parted from its label."""
    statuses = {**dict.fromkeys(CHECK_IDS, "pass"), "ip-binding": "warn"}
    meta = ProfileMeta(name="p", key="0f4b…3e7a", verify=VerifySummary(ready=False, statuses=statuses, ip_count=0))
    text = _drawn(lang, 30, lambda ui: ui.out.print(block(row_of(meta, {}, offline=True))))
    flags = {"en": "  ✓ Trade   ✓ Withdraw off\n  ! No IP bound\n",
             "zh": "  ✓ 交易   ✓ 提现已关闭\n  ! 未绑定 IP\n"}[lang]
    assert flags in text
    assert all(cell_len(line) <= 30 for line in text.splitlines())
