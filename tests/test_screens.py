"""The main screens, exactly as a person sees them at 80 columns, in English and in Chinese: the
verify table, the status blocks and the profiles listing. okxlink runs in this process
(tests/inproc.py) against the simulator as a real server on 127.0.0.1, with fixed fake keys."""

from __future__ import annotations

import json

import pytest

from okxlink.core.diagnose import CHECK_IDS
from okxlink.sim.accounts import Account, dump_accounts
from okxlink.storage import LinkRecord, ProfileMeta, ProfilesFile, Rotation, VerifySummary

from conftest import start_sim
from inproc import InProcess

READY = Account(name="ready", api_key="0f4b1c2d-1111-4aaa-8bbb-000000003e7a",
                secret_key="5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A", passphrase="Screen-Pass-1!", trading={"USDT": "1000"})
WITHDRAW = Account(name="withdraw", api_key="9c8d7e6f-2222-4ccc-8ddd-00000000b0b0",
                   secret_key="6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B", passphrase="Screen-Pass-2!",
                   perm=["read_only", "trade", "withdraw"], ip=[], trading={}, funding={"USDT": "250"})


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """The clock 30 s off: the clock row then reads the same however busy the machine is."""
    path = tmp_path_factory.mktemp("screens") / "accounts.json"
    path.write_text(json.dumps(dump_accounts([READY, WITHDRAW])))
    s = start_sim("--accounts", str(path), "--clock-offset-s", "30", "--no-link")
    yield s
    s.stop()


def creds(account: Account) -> dict[str, str]:
    return {"OKX_API_KEY": account.api_key, "OKX_SECRET_KEY": account.secret_key,
            "OKX_PASSPHRASE": account.passphrase}


ENDPOINT_NOTE = {"en": "OKX requests go to {url}, not to OKX's own sites.",
                 "zh": "OKX 请求发送到 {url}，而不是 OKX 自己的站点。"}


def screen(text: str) -> str:
    """Trailing spaces are rich's padding, not something a person reads."""
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


@pytest.fixture()
def stored(tmp_path):
    """Four remembered profiles: ready and linked, verified with a problem, never verified, and bound
    to the platform's IPs."""
    passed = dict.fromkeys(CHECK_IDS, "pass")
    f = ProfilesFile(tmp_path / "config" / "profiles.toml")
    f.put(ProfileMeta(name="main", key="0f4b…3e7a", label="copy bot", uid="44012345678",
                      last_verified="2026-12-01T09:00:00Z",  # 3 h before inproc.NOW
                      verify=VerifySummary(ready=True, statuses=passed, acct_lv="1"),
                      links=[LinkRecord(service="https://link.example.com", id="lnk_1", state="linked",
                                        spot="ready", checked_at="2026-12-01T08:00:00Z")]))
    f.put(ProfileMeta(name="spare", site="eea", demo=True, key="9c8d…b0b0", last_verified="2026-11-29T08:00:00Z",
                      verify=VerifySummary(ready=False, statuses={**passed, "permission-trade": "fail"},
                                           reasons=["permission-trade"], acct_lv="2")))
    f.put(ProfileMeta(name="fresh", key="77aa…0001"))
    # made with "Linking third-party apps": OKX answers 50110 here, the platform checked it
    f.put(ProfileMeta(name="bound", key="5e5e…b0nd", last_verified="2026-12-01T11:00:00Z",
                      verify=VerifySummary(ready=None, reasons=["ip-whitelist"], statuses={
                          **dict.fromkeys(CHECK_IDS, "skip"), "network": "pass", "clock": "pass", "site": "pass",
                          "environment": "pass", "ip-whitelist": "warn"}),
                      links=[LinkRecord(service="https://link.example.com", id="lnk_2", state="linked",
                                        spot="ready", checked_at="2026-12-01T11:30:00Z")]))
    return InProcess(tmp_path / "config")


VERIFY_READY_EN = """\
                       OKX key 0f4b…3e7a · Global · live
┏━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃   ┃ Check               ┃ Result                                             ┃
┡━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ ✓ │ network             │ OKX answered.                                      │
│ ! │ clock               │ This machine's clock is 30 s behind OKX's; okxlink │
│   │                     │ corrected for it, but other programs will be       │
│   │                     │ refused (error 50102).                             │
│   │                     │ → Turn on automatic time synchronisation (Linux:   │
│   │                     │ timedatectl set-ntp true; Windows and macOS: set   │
│   │                     │ date and time automatically).                      │
│ ✓ │ site                │ The key belongs to OKX Global.                     │
│ ✓ │ environment         │ A live trading key.                                │
│ ✓ │ credentials         │ Key, secret and passphrase are correct.            │
│ ✓ │ ip-whitelist        │ This machine may use the key.                      │
│ ✓ │ permission-read     │ Read permission is on.                             │
│ ✓ │ permission-trade    │ Trade permission is on.                            │
│ ✓ │ permission-withdraw │ Withdraw permission is off.                        │
│ ✓ │ ip-binding          │ Bound to 2 IP addresses.                           │
│ ✓ │ account-mode        │ Unified account · Spot mode; Spot trading is       │
│   │                     │ available.                                         │
│ ✓ │ account-type        │ Main account.                                      │
│ ✓ │ funds               │ The Trading account holds USDT 1000.               │
└───┴─────────────────────┴────────────────────────────────────────────────────┘
Ready: this key can be used for copy trading.
"""


VERIFY_READY_ZH = """\
                     OKX API 密钥 0f4b…3e7a · 全球站 · 实盘
┏━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃   ┃ 检查项              ┃ 结果                                               ┃
┡━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ ✓ │ network             │ OKX 已响应。                                       │
│ ! │ clock               │ 本机时钟比 OKX 慢 30 秒；okxlink                   │
│   │                     │ 已自动校正，但其他程序的请求会被拒绝（错误         │
│   │                     │ 50102）。                                          │
│   │                     │ → 请开启时间自动同步（Linux：timedatectl set-ntp   │
│   │                     │ true；Windows 和                                   │
│   │                     │ macOS：开启“自动设置日期和时间”）。                │
│ ✓ │ site                │ 该 API 密钥属于 OKX 全球站。                       │
│ ✓ │ environment         │ 实盘交易 API 密钥。                                │
│ ✓ │ credentials         │ API 密钥、Secret 密钥和 Passphrase 均正确。        │
│ ✓ │ ip-whitelist        │ 本机可以使用该 API 密钥。                          │
│ ✓ │ permission-read     │ 已开启读取权限。                                   │
│ ✓ │ permission-trade    │ 已开启交易权限。                                   │
│ ✓ │ permission-withdraw │ 提现权限已关闭。                                   │
│ ✓ │ ip-binding          │ 已绑定 2 个 IP 地址。                              │
│ ✓ │ account-mode        │ 统一账户 · 现货模式；可进行现货交易。              │
│ ✓ │ account-type        │ 主账户。                                           │
│ ✓ │ funds               │ 交易账户中有 USDT 1000。                           │
└───┴─────────────────────┴────────────────────────────────────────────────────┘
已就绪：此 API 密钥可用于跟单。
"""


VERIFY_WITHDRAW_EN = """\
                       OKX key 9c8d…b0b0 · Global · live
┏━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃   ┃ Check               ┃ Result                                             ┃
┡━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ ✓ │ network             │ OKX answered.                                      │
│ ! │ clock               │ This machine's clock is 30 s behind OKX's; okxlink │
│   │                     │ corrected for it, but other programs will be       │
│   │                     │ refused (error 50102).                             │
│   │                     │ → Turn on automatic time synchronisation (Linux:   │
│   │                     │ timedatectl set-ntp true; Windows and macOS: set   │
│   │                     │ date and time automatically).                      │
│ ✓ │ site                │ The key belongs to OKX Global.                     │
│ ✓ │ environment         │ A live trading key.                                │
│ ✓ │ credentials         │ Key, secret and passphrase are correct.            │
│ ✓ │ ip-whitelist        │ This machine may use the key.                      │
│ ✓ │ permission-read     │ Read permission is on.                             │
│ ✓ │ permission-trade    │ Trade permission is on.                            │
│ ✗ │ permission-withdraw │ The key can withdraw funds; a copy-trading key     │
│   │                     │ must never have Withdraw.                          │
│   │                     │ → Edit the key on OKX's API page and untick        │
│   │                     │ Withdraw, or make a new key with Read + Trade      │
│   │                     │ only.                                              │
│ ! │ ip-binding          │ No IP address is bound: OKX deletes a live key     │
│   │                     │ with Trade or Withdraw permission and no bound IP  │
│   │                     │ after 14 days without use.                         │
│   │                     │ → Bind your platform's IP addresses to the key on  │
│   │                     │ OKX's API page (or make the key with Linking       │
│   │                     │ third-party apps).                                 │
│ ✓ │ account-mode        │ Unified account · Spot mode; Spot trading is       │
│   │                     │ available.                                         │
│ ✓ │ account-type        │ Main account.                                      │
│ ! │ funds               │ The Trading account is empty; your money (USDT     │
│   │                     │ 250) is in the Funding account.                    │
│   │                     │ → Move it on OKX: Assets → Transfer, from Funding  │
│   │                     │ to Trading.                                        │
└───┴─────────────────────┴────────────────────────────────────────────────────┘
Not ready: fix the problems marked ✗, then run okxlink verify again.
"""


STATUS_EN = """\
bound  5e5e…b0nd · Global · live
  - Trade   - Withdraw off   - IP bound
  This machine: bound to your platform's IPs · checked 1 h ago
  link.example.com: Spot ready · checked 30 min ago (remembered)
  Spot: ready
fresh  77aa…0001 · Global · live
  ? Trade   ? Withdraw off   ? IP bound
  This machine: never checked
  Platform: not linked
  Spot: unknown
main  0f4b…3e7a · Global · live
  ✓ Trade   ✓ Withdraw off   ✓ IP bound
  ✓ unified account · Spot mode
  This machine: ready · checked 3 h ago
  link.example.com: Spot ready · checked 4 h ago (remembered)
  Spot: ready
spare  9c8d…b0b0 · EEA · demo
  ✗ Trade   ✓ Withdraw off   ✓ IP bound
  ✓ unified account · Futures mode
  This machine: needs attention (permission-trade) · checked 2 d ago
  Platform: not linked
  Spot: needs attention (permission-trade)
Secrets: keyring
"""


STATUS_ZH = """\
bound  5e5e…b0nd · 全球站 · 实盘
  - 交易   - 提现已关闭   - 已绑定 IP
  本机：已绑定您平台的 IP · 1 小时前检查
  link.example.com：现货已就绪 · 30 分钟前检查（已记录的结果）
  现货：已就绪
fresh  77aa…0001 · 全球站 · 实盘
  ? 交易   ? 提现已关闭   ? 已绑定 IP
  本机：从未检查
  平台：未关联
  现货：未知
main  0f4b…3e7a · 全球站 · 实盘
  ✓ 交易   ✓ 提现已关闭   ✓ 已绑定 IP
  ✓ 统一账户 · 现货模式
  本机：已就绪 · 3 小时前检查
  link.example.com：现货已就绪 · 4 小时前检查（已记录的结果）
  现货：已就绪
spare  9c8d…b0b0 · 欧洲经济区站 · 模拟
  ✗ 交易   ✓ 提现已关闭   ✓ 已绑定 IP
  ✓ 统一账户 · 合约模式
  本机：需要处理（permission-trade）· 2 天前检查
  平台：未关联
  现货：需要处理 (permission-trade)
机密信息存于：系统密钥环
"""


PROFILES_EN = """\
Profile   Site            Key         Label      UID           Last verified       Ready
────────────────────────────────────────────────────────────────────────────────────────────
bound     Global · live   5e5e…b0nd   -          -             2026-12-01 11:00Z   -
fresh     Global · live   77aa…0001   -          -             never               -
main      Global · live   0f4b…3e7a   copy bot   44012345678   2026-12-01 09:00Z   ready
spare     EEA · demo      9c8d…b0b0   -          -             2026-11-29 08:00Z   not ready
Metadata: <tmp>/config/profiles.toml. Secrets are in the OS keyring.
"""


PROFILES_ZH = """\
配置    站点                  API 密钥    备注名     UID           上次验证            就绪
─────────────────────────────────────────────────────────────────────────────────────────────
bound   全球站 · 实盘         5e5e…b0nd   -          -             2026-12-01 11:00Z   -
fresh   全球站 · 实盘         77aa…0001   -          -             从未                -
main    全球站 · 实盘         0f4b…3e7a   copy bot   44012345678   2026-12-01 09:00Z   已就绪
spare   欧洲经济区站 · 模拟   9c8d…b0b0   -          -             2026-11-29 08:00Z   未就绪
元数据：<tmp>/config/profiles.toml。机密信息保存在系统密钥环中。
"""


@pytest.mark.parametrize(("account", "lang", "code", "expected"), [
    (READY, "en", 0, VERIFY_READY_EN),
    (READY, "zh", 0, VERIFY_READY_ZH),
    (WITHDRAW, "en", 3, VERIFY_WITHDRAW_EN),
], ids=["ready-en", "ready-zh", "withdraw-en"])
def test_verify_table(sim, tmp_path, account, lang, code, expected):
    run = InProcess(tmp_path / "config", base_url=sim.template)
    r = run("verify", environ=creds(account), lang=lang)
    assert r.code == code
    assert r.err.splitlines() == [ENDPOINT_NOTE[lang].format(url=sim.template)]  # OKXLINK_BASE_URL is said
    assert screen(r.out) == expected


@pytest.mark.parametrize(("lang", "expected"), [("en", STATUS_EN), ("zh", STATUS_ZH)])
def test_status_blocks(stored, lang, expected):
    r = stored("status", "--offline", lang=lang)
    assert (r.code, r.err) == (3, "")  # spare needs attention
    assert screen(r.out) == expected


@pytest.mark.parametrize(("lang", "expected"), [("en", PROFILES_EN), ("zh", PROFILES_ZH)])
def test_profiles_listing(stored, tmp_path, lang, expected):
    r = stored("profiles", lang=lang, width=200)  # wide enough for the temporary path
    assert (r.code, r.err) == (0, "")
    assert screen(r.out).replace(str(tmp_path), "<tmp>") == expected


# --------------------------------------------------------------------------- several links, key age, rotation
# English only until the lead translates these lines (their zh would read as English today).

LINK, COPY = "https://link.example.com", "https://copy.example.org"


def linked(service: str, link_id: str, key: str, spot: str = "ready", reasons: list[str] | None = None,
           checked_at: str = "2026-12-01T08:00:00Z") -> LinkRecord:
    return LinkRecord(service=service, id=link_id, state="linked", key=key, spot=spot, reasons=reasons or [],
                      checked_at=checked_at)


@pytest.fixture()
def several(tmp_path):
    """Three profiles, each verified ready here 3 h before inproc.NOW: one linked to two services,
    one of them unhappy, with a key 120 days old; one half-way through a rotation; one whose key is
    exactly 90 days old (not yet older than the default OKXLINK_ROTATE_AFTER_DAYS)."""
    ready = VerifySummary(ready=True, statuses=dict.fromkeys(CHECK_IDS, "pass"), acct_lv="1")
    f = ProfilesFile(tmp_path / "config" / "profiles.toml")
    f.put(ProfileMeta(name="main", key="0f4b…3e7a", created="2026-08-03T12:00:00Z", key_stored="2026-08-03T12:00:00Z",
                      last_verified="2026-12-01T09:00:00Z", verify=ready,
                      links=[linked(LINK, "lnk_1", "0f4b…3e7a"),
                             linked(COPY, "cp_1", "0f4b…3e7a", "attention", ["funds"], "2026-11-30T12:00:00Z")]))
    f.put(ProfileMeta(name="moving", key="5e5e…0ld1", created="2026-08-23T12:00:00Z", last_verified="2026-12-01T09:00:00Z",
                      verify=ready, rotation=Rotation(key="7c7c…beef", started="2026-12-01T10:00:00Z"),
                      # stopped while sending the new key to the second service: the first holds only
                      # the new key, the second the old one and perhaps the new one
                      links=[linked(COPY, "cp_3", "5e5e…0ld1"), linked(LINK, "lnk_4", "7c7c…beef"),
                             LinkRecord(service=COPY, state="pending", key="7c7c…beef")]))
    f.put(ProfileMeta(name="quarter", key="77aa…0001", key_stored="2026-09-02T12:00:00Z",
                      last_verified="2026-12-01T09:00:00Z", verify=ready))
    return InProcess(tmp_path / "config")


STATUS_SEVERAL_EN = """\
main  0f4b…3e7a · Global · live
  ✓ Trade   ✓ Withdraw off   ✓ IP bound
  ✓ unified account · Spot mode
  Key stored 120 d ago
  Older than 90 days: consider okxlink rotate --profile main
  This machine: ready · checked 3 h ago
  link.example.com: Spot ready · checked 4 h ago (remembered)
  copy.example.org: Spot needs attention · checked 1 d ago (remembered)
  Spot: needs attention (funds)
moving  5e5e…0ld1 · Global · live
  ✓ Trade   ✓ Withdraw off   ✓ IP bound
  ✓ unified account · Spot mode
  Key stored 100 d ago
  Rotation to key 7c7c…beef under way, started 2 h ago
    copy.example.org holds 5e5e…0ld1, 7c7c…beef (not confirmed)
    link.example.com holds 7c7c…beef
    Run okxlink rotate --profile moving to finish.
  This machine: ready · checked 3 h ago
  copy.example.org: Spot ready · checked 4 h ago (remembered)
  Spot: ready
quarter  77aa…0001 · Global · live
  ✓ Trade   ✓ Withdraw off   ✓ IP bound
  ✓ unified account · Spot mode
  Key stored 90 d ago
  This machine: ready · checked 3 h ago
  Platform: not linked
  Spot: ready
Secrets: keyring
"""


def test_status_several_links_key_age_and_rotation(several):
    r = several("status", "--offline")
    assert (r.code, r.err) == (3, "")  # a platform of main says it needs attention
    assert screen(r.out) == STATUS_SEVERAL_EN


def test_status_json_several_links_key_age_and_rotation(several):
    r = several("status", "--offline", "--json")
    assert (r.code, r.err) == (3, "")
    main, moving, quarter = json.loads(r.out)["profiles"]
    assert [(p["service"], p["id"], p["spot"], p["reasons"]) for p in main["links"]] == [
        (LINK, "lnk_1", "ready", []), (COPY, "cp_1", "attention", ["funds"])]
    assert main["link"] == {"state": "linked", "service": LINK, "id": "lnk_1"}  # the first, as before
    assert (main["spot"], main["reasons"]) == ("attention", ["funds"])
    assert (main["key_stored"], main["rotate_due"], main["rotation"]) == ("2026-08-03T12:00:00Z", True, None)
    # the old key's links only; the new key's are under `rotation`. An older file's `created` stands in.
    assert [p["id"] for p in moving["links"]] == ["cp_3"]
    assert moving["link"] == {"state": "linked", "service": COPY, "id": "cp_3"}
    assert (moving["key_stored"], moving["rotate_due"]) == ("2026-08-23T12:00:00Z", True)
    assert moving["rotation"] == {"key": "7c7c…beef", "started": "2026-12-01T10:00:00Z", "services": [
        {"service": COPY, "keys": ["5e5e…0ld1", "7c7c…beef"]}, {"service": LINK, "keys": ["7c7c…beef"]}]}
    assert (quarter["key_stored"], quarter["rotate_due"], quarter["rotation"]) == ("2026-09-02T12:00:00Z", False, None)
    assert quarter["links"] == [] and quarter["link"] == {"state": "not-linked", "service": None, "id": None}
