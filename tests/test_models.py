"""How the OKX answers and the linking service's are read (core/models.py, core/linking.py): lenient
where OKX changes over time, unreadable where a field is of a kind no answer has."""

from __future__ import annotations

import pytest

from okxlink.core.linking import Link, Spot
from okxlink.core.models import AccountConfig, Envelope, FundingBalance, ServerTime, TradingBalance


def test_okx_names_numbers_and_missing_fields():
    cfg = AccountConfig.parse({"uid": 44012345, "mainUid": "4401", "acctLv": 2, "label": None, "perm": "read_only,trade",
                               "ip": ["1.2.3.4", " ", "5.6.7.8"], "newField": {"deep": [1]}})
    assert (cfg.uid, cfg.main_uid, cfg.acct_lv, cfg.label, cfg.type) == ("44012345", "4401", "2", "", "")
    assert cfg.perm == ["read_only", "trade"] and cfg.ip == ["1.2.3.4", "5.6.7.8"]
    assert AccountConfig.parse({}) == AccountConfig()


@pytest.mark.parametrize("row", [
    [], "text", None, {"uid": {"a": 1}}, {"label": ["x"]}, {"acctLv": True}, {"kycLv": [1]},
], ids=["list", "text", "null", "uid-object", "label-list", "acctLv-bool", "kycLv-list"])
def test_a_config_row_of_the_wrong_kind_is_unreadable(row):
    with pytest.raises(ValueError):
        AccountConfig.parse(row)


def test_balances():
    trading = TradingBalance.parse({"totalEq": 12.5, "details": [{"ccy": "USDT", "eq": "12.5", "availBal": "1"}]})
    assert trading.total_eq == "12.5" and [(d.ccy, d.eq, d.avail_bal) for d in trading.details] == [("USDT", "12.5", "1")]
    assert TradingBalance.parse({"details": None}).details == []
    for bad in ({"details": {"ccy": "USDT"}}, {"details": ["USDT"]}, {"totalEq": {}}):
        with pytest.raises(ValueError):
            TradingBalance.parse(bad)
    assert FundingBalance.parse({"ccy": "BTC", "bal": "0.1"}) == FundingBalance(ccy="BTC", bal="0.1")


@pytest.mark.parametrize(("body", "code", "data"), [
    ({"code": "0", "msg": "", "data": [{"a": 1}]}, "0", [{"a": 1}]),
    ({"code": 0, "data": []}, "0", []),
    ({"code": 50111, "msg": "Invalid OK-ACCESS-KEY"}, "50111", []),
    ({"code": None, "data": None}, "", []),
])
def test_envelope(body, code, data):
    envelope = Envelope.parse(body)
    assert (envelope.code, envelope.data) == (code, data)


@pytest.mark.parametrize("body", [[{"code": "0"}], {"code": "0", "data": {"x": 1}}, {"code": "0", "msg": {}}])
def test_an_envelope_of_the_wrong_kind_is_unreadable(body):
    with pytest.raises(ValueError):
        Envelope.parse(body)


@pytest.mark.parametrize(("ts", "expected"), [("1700000000000", 1700000000000), (1700000000000, 1700000000000)])
def test_server_time(ts, expected):
    assert ServerTime.parse({"ts": ts}).ts == expected


@pytest.mark.parametrize("ts", [None, "", "17e11", "-1", "1" * 21, "１７", True, 1.7e12, [1]])
def test_a_server_time_that_is_no_time_is_unreadable(ts):
    with pytest.raises(ValueError):
        ServerTime.parse({"ts": ts})


def test_link_and_its_spot():
    link = Link.parse({"id": "lnk_1", "site": "global", "demo": False, "api_key": "0f4b…89ab",
                       "verified_at": "2026-12-01T00:00:00Z", "extra": 1,
                       "spot": {"state": "ready", "reasons": [{"check": "ip", "status": "pass", "message": "ok"}]}})
    assert (link.id, link.spot.state, link.spot.reasons[0].check) == ("lnk_1", "ready", "ip")
    assert Link.parse({"id": "lnk_2"}).spot == Spot(state="attention")  # no Spot is no "ready"
    assert Spot.parse({"state": "READY"}).state == "attention"  # a state the protocol does not define


@pytest.mark.parametrize("body", [
    {}, {"id": "../x"}, {"id": "a" * 129}, {"id": 7}, {"id": "l", "demo": "false"}, {"id": "l", "spot": "ready"},
    {"id": "l", "spot": {"reasons": {"check": "ip"}}}, {"id": "l", "spot": {"reasons": ["ip"]}},
    {"id": "l", "verified_at": {}},
])
def test_a_link_of_the_wrong_kind_is_unreadable(body):
    with pytest.raises(ValueError):
        Link.parse(body)
