"""The OKX codes table (core/codes.py) and the CheckId-keyed rules: one row per code, and every row
agrees with what okxlink raises, diagnoses and offers to re-type."""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import httpx
import pytest

from okxlink import errors
from okxlink.core import codes, okx
from okxlink.core.checks import CHECK_IDS, CheckId
from okxlink.core.credentials import Credentials
from okxlink.core.diagnose import RULES, diagnose, readiness
from okxlink.core.okx import Clock, _data
from okxlink.core.verify import Report, _known_site, verify

from facts import good

# Every code in the tables of ../shared/okx-facts.md, and 50004 from its "learned from real users".
FACTS_CODES = ("50100", "50101", "50102", "50103", "50104", "50106", "50107", "50105", "50110", "50111",
               "50112", "50113", "50114", "50118", "50119", "50120", "50121", "50011", "50001", "50013",
               "50026", "50004")
# OKX's authentication range as docs-v5 lists it ("API class"; it has no 50117), and the account codes
# of its general class that any private endpoint, account/config included, may answer.
DOCS_V5_AUTH = tuple(str(c) for c in range(50100, 50122) if c != 50117)
ACCOUNT_CODES = ("50007", "50008", "50009", "50012", "50030")
KIND_ERROR = {"refused": errors.AuthError, "unavailable": errors.Unavailable,
              "rate-limited": errors.RateLimited, "permission": errors.PermissionDenied}
NO_VERDICT = ("unavailable", "rate-limited")


def test_every_documented_code_has_a_row():
    assert set(FACTS_CODES) <= set(codes.CODES)
    assert set(DOCS_V5_AUTH) <= set(codes.CODES)
    assert set(ACCOUNT_CODES) <= set(codes.CODES)
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
@pytest.mark.parametrize("status", [200, 400, 401, 405, 429])
def test_error_for_raises_the_rows_class(code, status):
    error = codes.error_for(code, "x", status)
    assert type(error) is codes.CODES[code].error
    assert (error.code, error.msg, error.status) == (code, "x", status)


@pytest.mark.parametrize("code", [*sorted(codes.CODES), "50199", "51000", ""])
@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
def test_a_server_error_is_no_verdict_whatever_its_code(code, status):
    """HTTP 5xx: whatever code the body carries (a refusal's included), nothing is concluded: verify
    exits 4. The code is kept for the message; without one, the status stands in for it."""
    error = codes.error_for(code, "x", status)
    assert type(error) is errors.Unavailable and isinstance(error, codes.NO_ANSWER)
    assert error.code == (code or str(status)) and error.exit_code == errors.Exit.UNVERIFIED


@pytest.mark.parametrize("code, check", [
    *[(c, "credentials") for c in ("50100", "50102", "50103", "50104", "50105", "50106", "50107", "50108",
                                   "50109", "50111", "50112", "50113", "50114", "50115", "50116", "50118",
                                   "50007", "50008", "50009", "50012")],
    ("50101", "environment"), ("50110", "ip-whitelist"), ("50121", "ip-whitelist"), ("50119", "site"),
    ("50120", "permission-read"), ("50030", "permission-read"),
    *[(c, "network") for c in ("50001", "50004", "50005", "50011", "50013", "50026")]])
def test_the_check_each_code_concerns(code, check):
    assert codes.CODES[code].check == check
    assert set(codes.CODES) <= set(DOCS_V5_AUTH) | set(ACCOUNT_CODES) | set(FACTS_CODES) | {"50005"}


TROUBLESHOOTING = Path(__file__).resolve().parents[1] / "docs" / "troubleshooting.md"


def _anchor(heading: str) -> str:
    """The anchor the docs site (Python-Markdown's toc) gives a heading."""
    plain = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", plain).strip().lower())


def test_troubleshooting_lists_every_code_with_its_check():
    text = TROUBLESHOOTING.read_text(encoding="utf-8")
    documented: dict[str, set[str]] = {}
    exits: dict[str, str] = {}
    for line in text.splitlines():
        cells = line.split(" | ")
        if line.startswith("| [5") and len(cells) >= 5:
            for code in re.findall(r"5\d{4}", cells[0]):
                documented[code] = set(re.findall(r"`([a-z-]+)`", cells[2]))
                exits[code] = cells[4]
    assert set(documented) == set(codes.CODES)
    wrong = {code: (str(row.check), documented[code]) for code, row in codes.CODES.items()
             if row.check not in documented[code]}
    assert not wrong
    # a code that gives no verdict exits 4 (and nothing else does, but for 50110's warning)
    no_verdict = {code for code, row in codes.CODES.items() if row.kind in NO_VERDICT}
    assert {code for code in no_verdict if exits[code].strip(" |") != "4"} == set()


def test_troubleshooting_explains_every_code_under_its_own_heading():
    """Each code of the table links to a section whose heading names it; every section says what it
    means, which check reports it and what to do; and codes the table does not list are explained."""
    text = TROUBLESHOOTING.read_text(encoding="utf-8")
    sections = {_anchor(h): body for h, body in re.findall(r"^## (.+)\n((?:(?!^## ).*\n?)*)", text, re.M)}
    headings = {_anchor(h): h for h in re.findall(r"^## (.+)$", text, re.M)}
    for line in text.splitlines():
        if not line.startswith("| [5"):
            continue
        link = re.match(r"\| \[([^\]]+)\]\(#([^)]+)\)", line)
        assert link, line
        assert link.group(2) in headings, f"no heading for {link.group(2)}"
        assert set(re.findall(r"5\d{4}", link.group(1))) <= set(re.findall(r"5\d{4}", headings[link.group(2)]))
        body = sections[link.group(2)]
        assert all(part in body for part in ("**Means:**", "**Reported by:**", "**Fix:**")), link.group(2)
    assert any("not in this table" in h.lower() or "any other code" in h.lower() for h in headings.values())


def test_okx_client_reexports_error_for():
    assert okx.error_for is codes.error_for


def test_50004_is_no_verdict():
    body = json.dumps({"code": "50004", "msg": "API endpoint request timeout ", "data": []}).encode()
    with pytest.raises(errors.Unavailable) as info:
        _data(400, body)
    assert info.value.code == "50004" and info.value.exit_code == errors.Exit.UNVERIFIED


@pytest.mark.parametrize("code, status, kind, reported", [
    ("50199", 401, errors.AuthError, "50199"),     # any 501xx not in the table
    ("50117", 401, errors.AuthError, "50117"),     # not in docs-v5's table either
    ("51000", 200, errors.OkxError, "51000"),      # anything else: an OKX refusal without words
    ("", 429, errors.RateLimited, "50011"),        # no code: the HTTP status decides
    ("", 502, errors.Unavailable, "502"),
    ("51000", 503, errors.Unavailable, "51000"),   # a server error is no verdict, whatever the code
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


# -- what verify does with OKX's answers, against a scripted OKX ------------------------------------
CREDS = Credentials(api_key="0f3a2c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
                    secret_key="0123456789ABCDEF0123456789ABCDEF", passphrase="Sim-pass!1aA")
CONFIG = {"uid": "1", "mainUid": "1", "acctLv": "1", "type": "0", "perm": "read_only,trade",
          "ip": "203.0.113.7", "label": "copy", "roleType": "0", "spotRoleType": "0"}


def scripted_verify(answer, site="global") -> tuple[Report, list[str]]:
    """verify against one OKX per site (http://okx.test/<site>/…) whose private answers are
    `answer(site, path)` → (status, JSON body or text); asked: "<site>/<path>" in order."""
    asked: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        _, at, rest = request.url.path.split("/", 2)
        path = "/" + rest
        asked.append(f"{at}{path}")
        if path == "/api/v5/public/time":
            return httpx.Response(200, json={"code": "0", "msg": "", "data": [{"ts": "1700000000000"}]})
        status, body = answer(at, path)
        return httpx.Response(status, json=body) if isinstance(body, dict) else httpx.Response(status, text=body)

    async def go() -> Report:
        async with httpx.AsyncClient(transport=httpx.MockTransport(respond)) as http:
            return await verify(CREDS, site=site, http=http, clock=Clock(), base="http://okx.test/{site}")
    return asyncio.run(go()), asked


def ok(data):
    return 200, {"code": "0", "msg": "", "data": data}


def config_or(refusal_on: dict[str, tuple[int, dict]]):
    """account/config answers `refusal_on[site]` where given, else a ready key; balances are empty."""
    def answer(at, path):
        if path == "/api/v5/account/config":
            return refusal_on.get(at, ok([CONFIG]))
        return ok([{"details": []}] if path == "/api/v5/account/balance" else [])
    return answer


@pytest.fixture
def no_waiting(monkeypatch):
    monkeypatch.setattr(okx, "RETRY_DELAYS", (0.0, 0.0))


def test_50111_asks_the_other_sites_and_names_the_one_that_knows_the_key():
    """EEA and US users meet 50111 (not only 50119) on www.okx.com for a key made on another site."""
    invalid = (401, {"code": "50111", "msg": "Invalid OK-ACCESS-KEY", "data": []})
    unknown = (401, {"code": "50119", "msg": "API key doesn't exist", "data": []})
    report, asked = scripted_verify(config_or({"global": invalid, "us": unknown, "tr": invalid}))
    by_id = {c.id: c for c in report.checks}
    assert {"eea/api/v5/account/config", "us/api/v5/account/config", "tr/api/v5/account/config"} <= set(asked)
    assert report.key_site == "eea" and report.ready is False and report.okx_code == "50111"
    assert by_id["site"].status == "fail" and "--site eea" in (by_id["site"].fix or "")
    assert by_id["credentials"].status == "skip"


def test_50111_that_no_site_knows_keeps_the_credentials_message():
    invalid = (401, {"code": "50111", "msg": "Invalid OK-ACCESS-KEY", "data": []})
    report, asked = scripted_verify(config_or({s: invalid for s in ("global", "eea", "us", "tr")}))
    by_id = {c.id: c for c in report.checks}
    assert "eea/api/v5/account/config" in asked and report.key_site is None
    assert by_id["credentials"].status == "fail" and "not valid" in by_id["credentials"].message
    assert by_id["site"].status == "skip" and report.ready is False


@pytest.mark.parametrize("status, body", [
    (429, {"code": "50011", "msg": "Too Many Requests", "data": []}),
    (200, {"code": "50011", "msg": "Requests too frequent.", "data": []}),
    (429, "Too Many Requests"),                                       # a plain-text 429
])
def test_a_rate_limit_is_not_maintenance(no_waiting, status, body):
    """50011 / HTTP 429 is a limit on this account's requests: retried, then `network` says so (not
    "unavailable"), ready is null and verify exits 4."""
    report, asked = scripted_verify(config_or({"global": (status, body)}))
    network = report.checks[0]
    assert network.id == "network" and network.status == "fail" and report.ready is None
    assert errors.exit_for_ready(report.ready) == errors.Exit.UNVERIFIED
    assert "limiting requests" in network.message and "unavailable" not in network.message
    assert "same account" in (network.fix or "") and "maintenance" not in (network.fix or "")
    assert asked.count("global/api/v5/account/config") == 3


@pytest.mark.parametrize("code", ["50113", "50110", "50119", "50001", ""])
def test_a_server_error_never_refuses_the_key(no_waiting, code):
    """HTTP 5xx with a refusal's code is still OKX failing, not OKX refusing: could not verify."""
    body = {"code": code, "msg": "boom", "data": []} if code else "<html>502 Bad Gateway</html>"
    report, _ = scripted_verify(config_or({"global": (502, body)}))
    by_id = {c.id: c for c in report.checks}
    assert report.ready is None and report.okx_code is None and report.retype is None
    assert by_id["network"].status == "fail" and "unavailable" in by_id["network"].message
    assert by_id["credentials"].status == "skip" and by_id["site"].status == "skip"


def test_a_server_error_on_every_site_is_no_answer_with_site_auto(no_waiting):
    report, _ = scripted_verify(config_or({s: (503, {"code": "50110", "msg": "x"})
                                            for s in ("global", "eea", "us", "tr")}), site="auto")
    assert report.ready is None and report.okx_code is None and report.key_site is None
