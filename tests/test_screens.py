"""The main screens, exactly as a person sees them at 60, 80 and 120 columns, in English and in
Chinese: the verify table (one block per check when narrow), the status blocks and the profiles
listing (one block per profile when narrow). okxlink runs in this process (tests/inproc.py) against
the simulator as a real server on 127.0.0.1, with fixed fake keys.

Each expected screen is a file in tests/screens/ (NAME-LANG-WIDTH.txt; see tests/screenshots.py).
"""

from __future__ import annotations

import json
import re

import pytest

from okxlink.core.checks import CHECK_IDS
from okxlink.sim.accounts import Account, dump_accounts
from okxlink.storage import LinkRecord, ProfileMeta, ProfilesFile, Rotation, VerifySummary
from screenshots import expect, fits

from conftest import start_sim
from inproc import InProcess

WIDTHS = [60, 80, 120]
LANGS = ["en", "zh"]


MASKED = re.compile(r"\w{4}…\w{4}")
BORDERS = "│┃ "


def readable(text: str, width: int) -> None:
    """What no screen may do at any width: a line wider than the terminal or starting with closing
    punctuation (screenshots.fits), text cut off with "…" (a masked key's is its own)."""
    fits(text, width)
    for line in text.splitlines():
        assert "…" not in MASKED.sub("", line), line


READY = Account(name="ready", api_key="0f4b1c2d-1111-4aaa-8bbb-000000003e7a",
                secret_key="5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A", passphrase="Screen-Pass-1!", trading={"USDT": "1000"})
WITHDRAW = Account(name="withdraw", api_key="9c8d7e6f-2222-4ccc-8ddd-00000000b0b0",
                   secret_key="6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B", passphrase="Screen-Pass-2!",
                   perm=["read_only", "trade", "withdraw"], ip=[], trading={}, funding={"USDT": "250"})


ACCOUNTS = {"ready": READY, "withdraw": WITHDRAW}


@pytest.fixture(scope="module", params=[(a, lang) for a in ACCOUNTS for lang in LANGS], ids="-".join)
def verify_sim(request, tmp_path_factory):
    """One simulator for each account and language: its three runs (one per width) stay well within
    the simulator's rate limits. The clock 30 s off: the clock row then reads the same however busy
    the machine is."""
    path = tmp_path_factory.mktemp("screens") / "accounts.json"
    path.write_text(json.dumps(dump_accounts([READY, WITHDRAW])))
    s = start_sim("--accounts", str(path), "--clock-offset-s", "30", "--no-link")
    yield (*request.param, s)
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
                      verify=VerifySummary(ready=True, statuses=passed, acct_lv="1", ip_count=2),
                      links=[LinkRecord(service="https://link.example.com", id="lnk_1", state="linked",
                                        spot="ready", checked_at="2026-12-01T08:00:00Z")]))
    f.put(ProfileMeta(name="spare", site="eea", demo=True, key="9c8d…b0b0", last_verified="2026-11-29T08:00:00Z",
                      verify=VerifySummary(ready=False, statuses={**passed, "permission-trade": "fail"},
                                           reasons=["permission-trade"], acct_lv="2", ip_count=0)))
    f.put(ProfileMeta(name="fresh", key="77aa…0001"))
    # made with "Linking third-party apps": OKX answers 50110 here, the platform checked it
    f.put(ProfileMeta(name="bound", key="5e5e…b0nd", last_verified="2026-12-01T11:00:00Z",
                      verify=VerifySummary(ready=None, reasons=["ip-whitelist"], statuses={
                          **dict.fromkeys(CHECK_IDS, "skip"), "network": "pass", "clock": "pass", "site": "pass",
                          "environment": "pass", "ip-whitelist": "warn"}),
                      links=[LinkRecord(service="https://link.example.com", id="lnk_2", state="linked",
                                        spot="ready", checked_at="2026-12-01T11:30:00Z")]))
    return InProcess(tmp_path / "config")


@pytest.mark.parametrize("width", WIDTHS)
def test_verify_table(verify_sim, tmp_path, width):
    account, lang, sim = verify_sim
    run = InProcess(tmp_path / "config", base_url=sim.template)
    r = run("verify", environ=creds(ACCOUNTS[account]), lang=lang, width=width)
    assert r.code == (0 if account == "ready" else 3)
    note = ENDPOINT_NOTE[lang].format(url=sim.template)  # OKXLINK_BASE_URL is said, wrapped too
    assert "".join(r.err.split()) == "".join(note.split())
    readable(r.err, width)
    readable(r.out, width)
    expect(f"verify-{account}-{lang}-{width}", screen(r.out))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_status_blocks(stored, lang, width):
    r = stored("status", "--offline", lang=lang, width=width)
    assert (r.code, r.err) == (3, "")  # spare needs attention
    readable(r.out, width)
    expect(f"status-{lang}-{width}", screen(r.out))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_profiles_listing(stored, tmp_path, lang, width):
    r = stored("profiles", lang=lang, width=width)
    assert (r.code, r.err) == (0, "")
    listing, where = re.split("^(?=Metadata:|元数据：)", screen(r.out), flags=re.M)
    assert str(tmp_path / "config" / "profiles.toml") in "".join(where.split())  # whole, folded if it must be
    readable(listing, width)
    expect(f"profiles-{lang}-{width}", listing)


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


@pytest.mark.parametrize("width", [60, 80])
def test_status_several_links_key_age_and_rotation(several, width):
    r = several("status", "--offline", width=width)
    assert (r.code, r.err) == (3, "")  # a platform of main says it needs attention
    readable(r.out, width)
    expect(f"status-several-en-{width}", screen(r.out))


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
