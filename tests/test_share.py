"""`okxlink verify --share`: the report a person pastes into a support ticket, exactly as printed
(in English and in Chinese) for a ready key, a refused key and linked profiles, and proof that
nothing secret is in it — the secret, the passphrase, a token, the full key or UID, the label."""

from __future__ import annotations

import json
import platform
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from okxlink import __version__
from okxlink.cli import share_view
from okxlink.core.checks import CHECK_IDS, Check, CheckId
from okxlink.core.credentials import Credentials
from okxlink.core.models import AccountConfig
from okxlink.core.urls import host_of
from okxlink.core.verify import Report
from okxlink.sim.accounts import Account, dump_accounts
from okxlink.storage import LinkRecord, PendingLink, ProfileMeta, ProfilesFile, Rotation
from okxlink.text import terminal

from conftest import start_sim
from inproc import NOW, InProcess

READY = Account(name="ready", api_key="0f4b1c2d-1111-4aaa-8bbb-000000003e7a", uid="440123456789012",
                secret_key="5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A", passphrase="Share-Pass-1!", trading={"USDT": "1000"},
                label="Zhang Wei private account")
SPARE = Account(name="spare", api_key="9c8d7e6f-2222-4ccc-8ddd-00000000b0b0", uid="770000000001414",
                secret_key="6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B", passphrase="Share-Pass-2!")
WRONG_PASSPHRASE = "Share-Wrong-3!"
TOKEN = "share-token-0123456789abcdef"
LINK, COPY, NEW = "https://link.example.com", "https://copy.example.org", "https://new.example.net"


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """The clock 30 s off, so the clock row has something to say."""
    path = tmp_path_factory.mktemp("share") / "accounts.json"
    path.write_text(json.dumps(dump_accounts([READY, SPARE])))
    s = start_sim("--accounts", str(path), "--clock-offset-s", "30", "--no-link")
    yield s
    s.stop()


def creds(account: Account, passphrase: str | None = None) -> dict[str, str]:
    return {"api_key": account.api_key, "secret_key": account.secret_key,
            "passphrase": passphrase or account.passphrase}


def env(account: Account) -> dict[str, str]:
    return {"OKX_" + k.upper(): v for k, v in creds(account).items()}


def normal(out: str, sim) -> str:
    """What changes from one machine or run to the next: the OS and Python, the simulator's port, and
    the clock offset's tenths (measured over a real connection)."""
    system = f"{platform.system()} {platform.release()}".strip()
    out = out.replace(f"{system} · Python {platform.python_version()}", "<os> · Python <py>")
    out = out.replace(host_of(sim.template), "<sim>")
    return re.sub(r"\b(29\.\d|30\.\d) (s|秒)", r"30.0 \2", out)


@pytest.fixture()
def linked(sim, tmp_path):
    """Two stored profiles: main, ready, linked to two platforms (one unhappy) and with a link still
    pending at a third, its token in the keyring; spare, whose passphrase is stored wrong."""
    run = InProcess(tmp_path / "config", base_url=sim.template)
    run.secrets.set("main", Credentials(**creds(READY)))
    run.secrets.set("spare", Credentials(**creds(SPARE, WRONG_PASSPHRASE)))
    run.secrets.set_token(LINK, TOKEN)
    f = ProfilesFile(tmp_path / "config" / "profiles.toml")
    f.put(ProfileMeta(name="main", key="0f4b…3e7a", label=READY.label, uid=READY.uid, links=[
        LinkRecord(service=LINK, id="lnk_1", state="linked", key="0f4b…3e7a", spot="ready",
                   checked_at="2026-12-01T08:00:00Z"),
        # a hand-edited profiles.toml: the whole key where okxlink writes it masked
        LinkRecord(service=COPY, id="cp_1", state="linked", key=READY.api_key, spot="attention", reasons=["funds"],
                   checked_at="2026-11-30T12:00:00Z"),
        LinkRecord(service=NEW, state="pending", key="0f4b…3e7a",
                   pending=PendingLink(idempotency_key="idem-0001", site="global", demo=False))]))
    f.put(ProfileMeta(name="spare", key="9c8d…b0b0"))
    return run



HEAD = {"en": """\
okxlink report
version: okxlink {version}
system: <os> · Python <py>
language: en
generated: 2026-12-01 12:00Z
OKX requests go to: <sim> (OKXLINK_BASE_URL)
""", "zh": """\
okxlink 报告
版本：okxlink {version}
系统：<os> · Python <py>
语言：zh
生成时间：2026-12-01 12:00Z
OKX 请求发往：<sim>（OKXLINK_BASE_URL）
"""}

READY_KEY = {"en": """\
key: 0f4b…3e7a
site: Global · live
UID: 44…9012
result: ready
OKX code: none
clock offset: 30.0 s, this machine behind OKX
checks:
✓ network — OKX answered.
! clock — This machine's clock is 30 s behind OKX's; okxlink corrected for it, \
but other programs will be refused (error 50102).
✓ site — The key belongs to OKX Global.
✓ environment — A live trading key.
✓ credentials — Key, secret and passphrase are correct.
✓ ip-whitelist — This machine may use the key.
✓ permission-read — Read permission is on.
✓ permission-trade — Trade permission is on.
✓ permission-withdraw — Withdraw permission is off.
✓ ip-binding — Bound to 2 IP addresses.
✓ account-mode — Unified account · Spot mode; Spot trading is available.
✓ account-type — Main account.
✓ funds — The Trading account holds USDT 1000.
""", "zh": """\
API 密钥：0f4b…3e7a
站点：全球站 · 实盘
UID：44…9012
结果：已就绪
OKX 错误码：无
时钟偏差：30.0 秒，本机比 OKX 慢
检查项：
✓ network — OKX 已响应。
! clock — 本机时钟比 OKX 慢 30 秒；okxlink 已自动校正，但其他程序的请求会被拒绝（错误 50102）。
✓ site — 该 API 密钥属于 OKX 全球站。
✓ environment — 实盘交易 API 密钥。
✓ credentials — API 密钥、Secret 密钥和 Passphrase 均正确。
✓ ip-whitelist — 本机可以使用该 API 密钥。
✓ permission-read — 已开启读取权限。
✓ permission-trade — 已开启交易权限。
✓ permission-withdraw — 提现权限已关闭。
✓ ip-binding — 已绑定 2 个 IP 地址。
✓ account-mode — 统一账户 · 现货模式；可进行现货交易。
✓ account-type — 主账户。
✓ funds — 交易账户中有 USDT 1000。
"""}

REFUSED_KEY = {"en": """\
key: 9c8d…b0b0
site: Global · live
UID: -
result: not ready
OKX code: 50105
clock offset: 30.0 s, this machine behind OKX
checks:
✓ network — OKX answered.
! clock — This machine's clock is 30 s behind OKX's; okxlink corrected for it, \
but other programs will be refused (error 50102).
✓ site — The key belongs to OKX Global.
✓ environment — A live trading key.
✗ credentials — The passphrase is wrong.
- ip-whitelist — Not checked.
- permission-read — Not checked.
- permission-trade — Not checked.
- permission-withdraw — Not checked.
- ip-binding — Not checked.
- account-mode — Not checked.
- account-type — Not checked.
- funds — Not checked.
""", "zh": """\
API 密钥：9c8d…b0b0
站点：全球站 · 实盘
UID：-
结果：未就绪
OKX 错误码：50105
时钟偏差：30.0 秒，本机比 OKX 慢
检查项：
✓ network — OKX 已响应。
! clock — 本机时钟比 OKX 慢 30 秒；okxlink 已自动校正，但其他程序的请求会被拒绝（错误 50102）。
✓ site — 该 API 密钥属于 OKX 全球站。
✓ environment — 实盘交易 API 密钥。
✗ credentials — Passphrase 错误。
- ip-whitelist — 未检查。
- permission-read — 未检查。
- permission-trade — 未检查。
- permission-withdraw — 未检查。
- ip-binding — 未检查。
- account-mode — 未检查。
- account-type — 未检查。
- funds — 未检查。
"""}

FROM = {"en": {"env": "credentials: from OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE\n",
               "stdin": "credentials: from standard input (--stdin)\n",
               "main": "profile: main\n", "spare": "profile: spare\n"},
        "zh": {"env": "凭证：来自 OKX_API_KEY、OKX_SECRET_KEY 和 OKX_PASSPHRASE\n",
               "stdin": "凭证：来自标准输入（--stdin）\n",
               "main": "配置：main\n", "spare": "配置：spare\n"}}

MAIN_LINKS = {"en": """\
links:
- link.example.com · linked · key 0f4b…3e7a · Spot ready · checked 2026-12-01 08:00Z · id lnk_1
- copy.example.org · linked · key 0f4b…3e7a · Spot needs attention: funds · checked 2026-11-30 12:00Z · id cp_1
- new.example.net · pending (sent, not confirmed) · key 0f4b…3e7a
""", "zh": """\
关联：
- link.example.com · 已关联 · API 密钥 0f4b…3e7a · 现货已就绪 · 检查于 2026-12-01 08:00Z · ID lnk_1
- copy.example.org · 已关联 · API 密钥 0f4b…3e7a · 现货需要处理：funds · 检查于 2026-11-30 12:00Z · ID cp_1
- new.example.net · 待确认（已发送，尚未确认）· API 密钥 0f4b…3e7a
"""}

NO_LINKS = {"en": "links: none\n", "zh": "关联：无\n"}


def head(lang: str) -> str:
    return HEAD[lang].replace("{version}", __version__)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ready_key_from_the_environment(sim, tmp_path, lang):
    r = InProcess(tmp_path / "config", base_url=sim.template)("verify", "--share", environ=env(READY), lang=lang)
    assert r.code == 0
    assert normal(r.out, sim) == head(lang) + "\n" + FROM[lang]["env"] + READY_KEY[lang]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_key_from_stdin(sim, tmp_path, lang):
    r = InProcess(tmp_path / "config", base_url=sim.template)(
        "verify", "--share", "--stdin", stdin=json.dumps(creds(SPARE, WRONG_PASSPHRASE)), lang=lang)
    assert r.code == 3  # as verify without --share
    assert normal(r.out, sim) == head(lang) + "\n" + FROM[lang]["stdin"] + REFUSED_KEY[lang]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_profile_with_its_links(sim, linked, lang):
    r = linked("verify", "--share", "--all", lang=lang)
    assert r.code == 3  # spare is not ready: the worst, as verify --all
    assert normal(r.out, sim) == (head(lang) + "\n" + FROM[lang]["main"] + READY_KEY[lang] + MAIN_LINKS[lang]
                                  + "\n" + FROM[lang]["spare"] + REFUSED_KEY[lang] + NO_LINKS[lang])


def test_a_long_line_is_never_wrapped(sim, tmp_path):
    """A chat wraps for its own width: okxlink's wrapping would paste as broken lines."""
    r = InProcess(tmp_path / "config", base_url=sim.template)("verify", "--share", environ=env(READY), width=40)
    assert r.code == 0
    assert normal(r.out, sim) == head("en") + "\n" + FROM["en"]["env"] + READY_KEY["en"]


def test_share_with_json_is_a_usage_error(sim, tmp_path):
    r = InProcess(tmp_path / "config", base_url=sim.template)("verify", "--share", "--json", environ=env(READY))
    assert (r.code, r.out) == (2, "")
    assert "--share and --json do not go together" in r.err


def test_nothing_secret_in_the_report(sim, linked):
    """The secrets, the token, the full key and UID, the label: in neither stream, in either language."""
    never = [READY.secret_key, READY.passphrase, READY.api_key, READY.uid, READY.label, SPARE.secret_key,
             WRONG_PASSPHRASE, SPARE.api_key, SPARE.uid, TOKEN, "idem-0001"]
    for lang in ("en", "zh"):
        r = linked("verify", "--share", "--all", lang=lang)
        assert "0f4b…3e7a" in r.out and "44…9012" in r.out  # what is shown instead
        assert [s for s in never if s in r.out + r.err] == []


hostile = st.text(st.characters(codec="utf-8"), max_size=300)  # controls, bidi, newlines, escapes included


@settings(max_examples=150, deadline=None)
@given(message=hostile, okx_msg=hostile, label=hostile, uid=st.text("0123456789", min_size=10, max_size=20),
       service=hostile, link_id=hostile, reason=hostile, key=hostile, profile=hostile,
       api_key=st.text("0123456789abcdef-", min_size=10, max_size=36))
def test_hostile_text_stays_one_plain_line_and_private_fields_stay_out(message, okx_msg, label, uid, service,
                                                                        link_id, reason, key, profile, api_key):
    """Whatever OKX, a platform or a hand-edited profiles.toml supplies: each line is one line with no
    control, format or bidi character, every check id is there, and the label, whole UID and whole key are not."""
    assume(not any(uid in field or api_key in field
                   for field in (message, okx_msg, service, link_id, reason, key, profile)))
    checks = [Check(CheckId(i), "fail", message + okx_msg) for i in CHECK_IDS]
    config = AccountConfig(uid=uid, label="LABEL:" + label)
    report = Report(profile, "global", False, False, checks, config, -1234, okx_msg[:16] or None)
    meta = ProfileMeta(name=profile, key=key, label="LABEL:" + label, uid=uid,
                       rotation=Rotation(key=api_key, started=reason),  # whole keys: a hand-edited file
                       links=[LinkRecord(service=service, id=link_id, state="linked", key=key, spot="attention",
                                         reasons=[reason], checked_at=reason),
                              LinkRecord(service=service, state="pending", key=api_key)])
    out = share_view.lines([share_view.Section(report, key, False, profile=profile, meta=meta)],
                           share_view.About("0", "Linux", "3", "en", okx_host=service), NOW)
    text = "\n".join(out)
    assert all("\n" not in line and terminal(line) == line for line in out)
    assert all(f" {i} — " in text for i in CHECK_IDS)
    assert "LABEL:" not in text
    assert uid not in text and api_key not in text


def test_a_key_bound_to_the_platform_reports_the_platforms_verdict(tmp_path):
    """OKX answers 50110 here; the platform, asked now, says ready: the report says so, exit 0."""
    bound = Account(name="bound", ip=["127.0.0.2"], uid="550000000002468")  # the platform's IP only
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(dump_accounts([bound])))
    s = start_sim("--accounts", str(path))
    try:
        run = InProcess(tmp_path / "config", base_url=s.template, link_url=s.link_url, link_token=s.link_token)
        r = run("setup", "--stdin", "--keep-unverified", "--no-link", stdin=json.dumps(creds(bound)))
        assert r.code == 0, r.err
        assert run("link", "--yes").code == 0
        r = run("verify", "--share")
    finally:
        s.stop()
    assert r.code == 0, r.err
    out = r.out.splitlines()
    assert {"result: ready", "OKX code: 50110", "links:"} <= set(out)
    link = next(line for line in out if line.startswith(f"- {host_of(s.link_url)} · linked · key "))
    assert " · Spot ready · checked 20" in link and s.link_token not in r.out


@pytest.mark.parametrize(("offset_ms", "shown"), [
    (None, "unknown (OKX's time was not available)"), (40, "under 0.1 s"), (-40, "under 0.1 s"),
    (-2500, "2.5 s, this machine ahead of OKX"), (61_000, "61.0 s, this machine behind OKX")])
def test_clock_offset_says_which_way(offset_ms, shown):
    report = Report(None, "global", False, None, [], clock_offset_ms=offset_ms)
    out = share_view.lines([share_view.Section(report, "0f4b…3e7a", None, source="stdin")],
                           share_view.About("0", "Linux", "3", "en"), NOW)
    assert f"clock offset: {shown}" in out
