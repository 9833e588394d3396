"""The OKX codes table (core/codes.py) and the CheckId-keyed rules: one row per code, and every row
agrees with what okxlink raises, diagnoses and offers to re-type."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path

import httpx
import pytest

from okxlink import errors
from okxlink.core import codes, okx
from okxlink.core.checks import CHECK_IDS, CheckId
from okxlink.core.credentials import Credentials
from okxlink.core.diagnose import RULES, Facts, diagnose, readiness
from okxlink.core.models import AccountConfig, TradingBalance
from okxlink.core.okx import Clock, _data
from okxlink.core.verify import Report, _known_site, verify

# Every code in the tables of ../shared/okx-facts.md, and 50004 from its "learned from real users".
FACTS_CODES = ("50100", "50101", "50102", "50103", "50104", "50106", "50107", "50105", "50110", "50111",
               "50112", "50113", "50114", "50118", "50119", "50120", "50121", "50011", "50001", "50013",
               "50026", "50004")
KIND_ERROR = {"refused": errors.AuthError, "unavailable": errors.Unavailable,
              "rate-limited": errors.RateLimited, "permission": errors.PermissionDenied}
NO_VERDICT = ("unavailable", "rate-limited")


def test_every_documented_code_has_a_row():
    assert set(FACTS_CODES) <= set(codes.CODES)
    assert all(len(code) == 5 and code.isdigit() for code in codes.CODES)


@pytest.mark.parametrize("code", sorted(codes.CODES))
def test_class_and_kind_agree(code):
    row = codes.CODES[code]
    assert row.error is KIND_ERROR[row.kind]
    # no verdict ↔ verify treats it as "OKX did not answer" (exit 4), and the network check reports it
    assert issubclass(row.error, codes.NO_ANSWER) is (row.kind in NO_VERDICT)
    assert (row.check is CheckId.NETWORK) is (row.kind in NO_VERDICT)
    assert row.retype is None or row.kind == "refused"


@pytest.mark.parametrize("code", sorted(codes.CODES))
@pytest.mark.parametrize("status", [200, 400, 401, 429, 500])
def test_error_for_raises_the_rows_class(code, status):
    error = codes.error_for(code, "x", status)
    assert type(error) is codes.CODES[code].error
    assert (error.code, error.msg, error.status) == (code, "x", status)


@pytest.mark.parametrize("code, check", [
    *[(c, "credentials") for c in ("50100", "50102", "50103", "50104", "50105", "50106", "50107", "50111",
                                   "50112", "50113", "50114", "50118")],
    ("50101", "environment"), ("50110", "ip-whitelist"), ("50121", "ip-whitelist"), ("50119", "site"),
    ("50120", "permission-read"),
    *[(c, "network") for c in ("50001", "50004", "50011", "50013", "50026")]])
def test_the_check_each_code_concerns(code, check):
    assert codes.CODES[code].check == check


def test_troubleshooting_lists_every_code_with_its_check():
    text = (Path(__file__).resolve().parents[1] / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    documented: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = line.split(" | ")
        if line.startswith("| [5") and len(cells) >= 3:
            for code in re.findall(r"5\d{4}", cells[0]):
                documented[code] = set(re.findall(r"`([a-z-]+)`", cells[2]))
    assert set(documented) == set(codes.CODES)
    wrong = {code: (str(row.check), documented[code]) for code, row in codes.CODES.items()
             if row.check not in documented[code]}
    assert not wrong


def test_okx_client_reexports_error_for():
    assert okx.error_for is codes.error_for


def test_50004_is_no_verdict():
    body = json.dumps({"code": "50004", "msg": "API endpoint request timeout ", "data": []}).encode()
    with pytest.raises(errors.Unavailable) as info:
        _data(400, body)
    assert info.value.code == "50004" and info.value.exit_code == errors.Exit.UNVERIFIED


@pytest.mark.parametrize("code, status, kind, reported", [
    ("50199", 401, errors.AuthError, "50199"),     # any 501xx not in the table
    ("50115", 405, errors.AuthError, "50115"),
    ("51000", 200, errors.OkxError, "51000"),      # anything else: an OKX refusal without words
    ("", 429, errors.RateLimited, "50011"),        # no code: the HTTP status decides
    ("", 502, errors.Unavailable, "502"),
    ("", 400, errors.OkxError, ""),
])
def test_codes_not_in_the_table(code, status, kind, reported):
    error = codes.error_for(code, "x", status)
    assert type(error) is kind and error.code == reported
    assert code not in codes.CODES


def test_unknown_codes_concern_credentials():
    for code in ("50199", "51000", "", None):
        row = codes.row(code)
        assert row.check is CheckId.CREDENTIALS and row.retype is None and row.key is None


@pytest.mark.parametrize("code, field", [
    ("50105", "passphrase"), ("50113", "secret"), ("50111", "key"), ("50119", "key"),
    ("50110", None), ("50101", None), ("50100", None), ("50199", None), (None, None)])
def test_retype_field(code, field):
    assert codes.retype_field(code) == field
    report = Report(None, "global", False, False, [], okx_code=code)
    assert report.retype == field


# -- diagnose, keyed by CheckId ---------------------------------------------------------------------
def config(**over):
    base = {"uid": "1", "mainUid": "1", "acctLv": "1", "type": "0", "perm": "read_only,trade",
            "ip": "203.0.113.7", "label": "copy", "roleType": "0", "spotRoleType": "0"}
    return AccountConfig.model_validate({**base, **over})


def good(**over):
    facts = Facts(site="global", demo=False, clock_offset_ms=120, config=config(),
                  trading=TradingBalance.model_validate({"details": [{"ccy": "USDT", "eq": "12.5"}]}),
                  funding=[])
    for key, value in over.items():
        setattr(facts, key, value)
    return facts


def refused(code, **over):
    row = codes.CODES[code]
    return good(config=None, trading=None, funding=None, auth=row.error(code, "refused", 401), **over)


def test_check_ids_keep_their_values_and_order():
    assert CHECK_IDS == ("network", "clock", "site", "environment", "credentials", "ip-whitelist",
                         "permission-read", "permission-trade", "permission-withdraw", "ip-binding",
                         "account-mode", "account-type", "funds")
    assert all(type(cid) is str for cid in CHECK_IDS)
    assert list(RULES) == list(CheckId)


def test_check_id_is_its_string():
    cid = CheckId.IP_WHITELIST
    assert cid == "ip-whitelist" and f"{cid}" == "ip-whitelist" and str(cid) == "ip-whitelist"
    assert f"[{cid:>14}]" == "[  ip-whitelist]"
    assert json.dumps({cid: cid}) == '{"ip-whitelist": "ip-whitelist"}'
    assert {cid: 1}["ip-whitelist"] == 1 and {"ip-whitelist": 1}[cid] == 1


@pytest.mark.parametrize("network", [errors.NetworkError("ConnectError"),
                                     errors.Unavailable("50004", "API endpoint request timeout", 400)])
def test_no_answer_skips_exactly_the_checks_that_need_one(network):
    checks = diagnose(good(config=None, trading=None, network=network))
    skipped = {c.id for c in checks if c.status == "skip"}
    assert skipped == set(CHECK_IDS) - {"network", "clock"}
    by_id = {c.id: c.status for c in checks}
    assert by_id["network"] == "fail" and by_id["clock"] == "pass"  # the clock was still measured
    assert readiness(checks) is None


FACT_SETS = {
    "ready": good(),
    "no answer": good(config=None, network=errors.NetworkError("ConnectError"), clock_offset_ms=None),
    "unknown code": good(config=None, trading=None, auth=errors.OkxError("51000", "?", 200)),
    **{f"refused {code}": refused(code, probed_sites=True) for code in codes.CODES
       if codes.CODES[code].kind not in NO_VERDICT},
    "other site": refused("50119", probed_sites=True, key_site="eea"),
}


@pytest.mark.parametrize("name", sorted(FACT_SETS))
def test_each_check_id_once_in_order(name):
    ids = [c.id for c in diagnose(FACT_SETS[name])]
    assert ids == list(CheckId)
    assert Counter(ids) == Counter(CHECK_IDS)


@pytest.mark.parametrize("code", sorted(codes.CODES))
def test_the_rows_check_reports_the_code(code):
    row = codes.CODES[code]
    if row.kind in NO_VERDICT:
        facts = good(config=None, trading=None, network=row.error(code, "busy", 503))
    else:
        facts = refused(code, probed_sites=False)
    checks = {c.id: c for c in diagnose(facts)}
    assert checks[row.check].status in ("fail", "warn"), checks[row.check]
    assert readiness(list(checks.values())) is not True


def test_key_not_here_skips_site_and_environment():
    for code in ("50111", "50119"):
        by_id = {c.id: c.status for c in diagnose(refused(code, probed_sites=True))}
        assert by_id["site"] == "skip" and by_id["environment"] == "skip"
        assert by_id["credentials"] == "fail"


def test_key_found_here_passes_the_environment():
    for code in ("50100", "50105", "50110", "50113", "50120"):
        assert {c.id: c.status for c in diagnose(refused(code))}["environment"] == "pass", code
    for code in ("50102", "50112", "50121"):
        assert {c.id: c.status for c in diagnose(refused(code))}["environment"] == "skip", code


# -- verify reads the table -------------------------------------------------------------------------
def test_a_site_that_answers_not_here_does_not_know_the_key():
    not_here = [errors.AuthError("50119", "", 401), errors.AuthError("50111", "", 401)]
    assert _known_site(("global", "eea"), not_here) is None
    assert _known_site(("global", "eea", "us"), [*not_here, errors.AuthError("50110", "", 401)]) == "us"
    assert _known_site(("global", "eea"), [errors.Unavailable("50004", "", 400), *not_here[:1]]) is None


def test_verify_reports_50004_as_unverified(monkeypatch):
    """OKX's "API endpoint request timeout" is neither success nor failure: retried, then `network`
    fails, ready is null (verify exits 4), nothing is said about the key."""
    monkeypatch.setattr(okx, "RETRY_DELAYS", (0.0, 0.0))
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/api/v5/public/time":
            return httpx.Response(200, json={"code": "0", "msg": "", "data": [{"ts": "1700000000000"}]})
        return httpx.Response(400, json={"code": "50004", "msg": "API endpoint request timeout ", "data": []})

    async def go() -> Report:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            creds = Credentials(api_key="0f3a2c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
                                secret_key="0123456789ABCDEF0123456789ABCDEF", passphrase="Sim-pass!1aA")
            return await verify(creds, site="global", http=http, clock=Clock(), base="http://okx.test")
    report = asyncio.run(go())
    by_id = {c.id: c for c in report.checks}
    assert report.ready is None
    assert by_id["network"].status == "fail" and "50004" in by_id["network"].message
    assert by_id["credentials"].status == "skip"
    assert asked.count("/api/v5/account/config") == 3  # "try again": retried like any busy answer
