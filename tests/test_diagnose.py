"""The pure diagnosis rules: facts in, checks out, in the documented order."""

import pytest

from okxlink import errors
from okxlink.core.diagnose import CHECK_IDS, Facts, diagnose, readiness
from okxlink.core.models import AccountConfig, FundingBalance, TradingBalance


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


def statuses(facts):
    return {c.id: c.status for c in diagnose(facts)}


def test_ready_key_passes_everything():
    checks = diagnose(good())
    assert [c.id for c in checks] == list(CHECK_IDS)
    assert {c.status for c in checks} == {"pass"}
    assert readiness(checks) is True


@pytest.mark.parametrize("over, check, status, ready", [
    ({"config": config(perm="read_only")}, "permission-trade", "fail", False),
    ({"config": config(perm="trade,read_only,withdraw")}, "permission-withdraw", "fail", False),
    ({"config": config(ip="")}, "ip-binding", "warn", True),
    ({"config": config(acctLv="7")}, "account-mode", "warn", True),
    ({"config": config(type="1", mainUid="2")}, "account-type", "warn", True),
    ({"config": config(spotRoleType="1")}, "account-type", "warn", True),
    ({"clock_offset_ms": -90_000}, "clock", "warn", True),
    ({"trading": TradingBalance(), "funding": [FundingBalance(ccy="USDT", bal="5")]}, "funds", "warn", True),
    ({"trading": TradingBalance(), "funding": []}, "funds", "warn", True),
])
def test_single_problem(over, check, status, ready):
    facts = good(**over)
    result = statuses(facts)
    assert result[check] == status
    assert all(s == "pass" for cid, s in result.items() if cid != check)
    assert readiness(diagnose(facts)) is ready


def refused(code, **over):
    return good(config=None, trading=None, funding=None,
                auth=errors.AuthError(code, "refused", 401), **over)


@pytest.mark.parametrize("code, check", [
    ("50105", "credentials"), ("50113", "credentials"), ("50100", "credentials"),
    ("50111", "credentials"), ("50101", "environment"), ("50121", "ip-whitelist")])
def test_refusals_fail_their_check(code, check):
    facts = refused(code, probed_sites=True)
    assert statuses(facts)[check] == "fail"
    assert readiness(diagnose(facts)) is False


def test_unknown_everywhere_is_a_credentials_problem():
    result = statuses(refused("50119", probed_sites=True))
    assert result["credentials"] == "fail" and result["site"] == "skip"


def test_unknown_on_an_unprobed_server_is_never_ready():
    checks = diagnose(refused("50119", probed_sites=False))
    assert next(c for c in checks if c.id == "site").status == "fail"
    assert readiness(checks) is False


def test_known_on_another_site_is_a_site_problem():
    checks = diagnose(refused("50119", probed_sites=True, key_site="eea"))
    site = next(c for c in checks if c.id == "site")
    assert site.status == "fail" and "--site eea" in site.fix
    assert next(c for c in checks if c.id == "credentials").status == "skip"


def test_ip_whitelist_cannot_decide():
    checks = diagnose(refused("50110"))
    by_id = {c.id: c.status for c in checks}
    assert by_id["ip-whitelist"] == "warn" and by_id["credentials"] == "skip"
    assert readiness(checks) is None


def test_no_answer_skips_the_rest():
    facts = good(config=None, network=errors.NetworkError("ConnectError"), clock_offset_ms=None)
    checks = diagnose(facts)
    assert checks[0].status == "fail" and all(c.status == "skip" for c in checks[1:])
    assert readiness(checks) is None


def test_demo_key_without_ip_does_not_expire():
    assert statuses(good(demo=True, config=config(ip="")))["ip-binding"] == "pass"


def test_models_are_lenient():
    cfg = AccountConfig.model_validate({"perm": "trade, read_only", "ip": "", "unknownField": {"x": 1},
                                        "acctLv": 2})
    assert cfg.perm == ["trade", "read_only"] and cfg.ip == [] and cfg.acct_lv == "2"
