"""The OKX simulator in-process (httpx.ASGITransport): every check in its documented order,
site routing, demo header, rate limits, clock offset, IP whitelist, faults and envelope shapes."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time

import httpx
import pytest

from okxlink.core.signing import sign, timestamp
from okxlink.sim.accounts import (
    Account,
    Answer,
    AnswerError,
    Faults,
    default_accounts,
    dump_accounts,
    load_accounts,
    parse_answer,
    parse_answer_flag,
)
from okxlink.sim.okx_app import SimState, create_app

CONFIG = "/api/v5/account/config"
LOCAL = ("127.0.0.1", 50000)


def state_with(**kwargs) -> SimState:
    return SimState(accounts=default_accounts(), **kwargs)


def creds(state: SimState, name: str) -> dict:
    return next(a for a in state.accounts if a.name == name).handed()


def headers_for(c: dict | None, method: str, path: str, body: str = "", ts: str | None = None,
                **override: str) -> dict:
    if c is None:
        return {}
    ts = ts or timestamp(int(time.time() * 1000))
    headers = {"OK-ACCESS-KEY": c["api_key"], "OK-ACCESS-TIMESTAMP": ts,
               "OK-ACCESS-SIGN": sign(c["secret_key"], ts, method, path, body),
               "OK-ACCESS-PASSPHRASE": c["passphrase"]}
    if c.get("demo"):
        headers["x-simulated-trading"] = "1"
    headers.update(override)
    return {k: v for k, v in headers.items() if v is not None}


async def _send(state: SimState, reqs: list[tuple], client: tuple[str, int]) -> list:
    transport = httpx.ASGITransport(app=create_app(state), client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://okx.test") as http:
        return await asyncio.gather(*(http.request(m, url, headers=h, content=b)
                                      for m, url, h, b in reqs))


def get(state: SimState, path: str, c: dict | None = None, *, prefix: str = "",
        client: tuple[str, int] = LOCAL, method: str = "GET", body: str = "",
        **override: str) -> httpx.Response:
    """One request; `path` is what is signed, `prefix` (/{site}) goes only into the URL."""
    h = headers_for(c, method, path, body, **override)
    return asyncio.run(_send(state, [(method, prefix + path, h, body.encode())], client))[0]


def code_of(resp: httpx.Response) -> tuple[int, str]:
    return resp.status_code, resp.json()["code"]


# ---- public, routing, envelope ----------------------------------------------------------------
def test_public_time_follows_the_clock_offset_on_every_site():
    state = state_with(clock_offset_ms=3_600_000, wall=lambda: 1_700_000_000.25)
    for prefix in ("", "/global", "/eea", "/us", "/tr"):
        resp = get(state, "/api/v5/public/time", prefix=prefix)
        body = resp.json()
        assert resp.status_code == 200 and body["code"] == "0" and body["msg"] == ""
        assert resp.headers["content-type"] == "application/json"
        assert body["data"][0]["ts"] == str(1_700_000_000_250 + 3_600_000)


def test_unknown_paths_sites_and_methods():
    state = state_with()
    assert code_of(get(state, "/api/v5/account/nope")) == (404, "404")
    assert get(state, "/api/v5/public/time", prefix="/mars").json() == {"msg": "Not Found",
                                                                          "code": "404"}
    assert code_of(get(state, CONFIG, creds(state, "ready"), method="POST", body="{}")) == (
        405, "50115")


def test_ready_key_reads_config_with_okx_fields():
    state = state_with()
    resp = get(state, CONFIG, creds(state, "ready"))
    assert code_of(resp) == (200, "0")
    cfg = resp.json()["data"][0]
    assert set(cfg["perm"].split(",")) == {"read_only", "trade"}
    assert cfg["ip"] == "127.0.0.1,127.0.0.2" and cfg["acctLv"] == "1" and cfg["type"] == "0"
    assert cfg["uid"] == cfg["mainUid"] and cfg["posMode"] == "net_mode"
    assert cfg["label"].endswith("(fake)") and cfg["spotRoleType"] == "0"


def test_balances_list_only_nonzero_currencies_and_honour_ccy():
    state = state_with()
    ready = creds(state, "ready")
    data = get(state, "/api/v5/account/balance", ready).json()["data"][0]
    assert data["totalEq"] == "1000" and [d["ccy"] for d in data["details"]] == ["USDT"]
    assert data["details"][0]["availBal"] == "1000" and data["details"][0]["eqUsd"] == "1000"
    assert get(state, "/api/v5/account/balance?ccy=BTC,ETH", ready).json()["data"][0][
        "details"] == []
    assert get(state, "/api/v5/asset/balances", ready).json()["data"] == []  # funding USDT 0
    funding = creds(state, "funding-only")
    assert get(state, "/api/v5/account/balance", funding).json()["data"][0]["details"] == []
    assert get(state, "/api/v5/asset/balances?ccy=USDT", funding).json()["data"] == [
        {"ccy": "USDT", "bal": "500", "frozenBal": "0", "availBal": "500"}]


def test_trade_fee_and_instruments_need_inst_type():
    state = state_with()
    ready = creds(state, "ready")
    for endpoint in ("trade-fee", "instruments"):
        resp = get(state, f"/api/v5/account/{endpoint}", ready)
        assert code_of(resp) == (400, "50014") and "instType" in resp.json()["msg"]
    fee = get(state, "/api/v5/account/trade-fee?instType=SPOT", ready).json()["data"][0]
    assert fee["instType"] == "SPOT" and fee["level"] == "Lv1"
    insts = get(state, "/api/v5/account/instruments?instType=SPOT", ready).json()["data"]
    assert [i["instId"] for i in insts] == ["BTC-USDT", "ETH-USDT", "OKB-USDT"]
    assert all(i["state"] == "live" and i["minSz"] for i in insts)


# ---- the checks, in order -----------------------------------------------------------------
@pytest.mark.parametrize("header,code", [("OK-ACCESS-KEY", "50103"), ("OK-ACCESS-SIGN", "50106"),
                                         ("OK-ACCESS-TIMESTAMP", "50107"),
                                         ("OK-ACCESS-PASSPHRASE", "50104")])
def test_each_required_header(header, code):
    state = state_with()
    resp = get(state, CONFIG, creds(state, "ready"), **{header: ""})
    assert code_of(resp) == (401, code) and header in resp.json()["msg"]


def test_header_order_and_no_headers():
    state = state_with()
    assert code_of(get(state, CONFIG)) == (401, "50103")
    assert code_of(get(state, CONFIG, creds(state, "ready"), **{
        "OK-ACCESS-SIGN": "", "OK-ACCESS-PASSPHRASE": ""})) == (401, "50106")


@pytest.mark.parametrize("ts", ["1607418537715", "2020-12-08T09:08:57Z", "2020-12-08 09:08:57.715",
                                "2020-13-08T09:08:57.715Z"])
def test_malformed_timestamp(ts):
    state = state_with()
    assert code_of(get(state, CONFIG, creds(state, "ready"), ts=ts)) == (401, "50112")


def test_timestamp_window_is_30_s_around_the_server_clock():
    now = int(time.time() * 1000)
    state = state_with(wall=lambda: now / 1000)  # the server's clock stands still at `now`
    ready = creds(state, "ready")
    assert code_of(get(state, CONFIG, ready, ts=timestamp(now - 35_000))) == (401, "50102")
    assert code_of(get(state, CONFIG, ready, ts=timestamp(now + 35_000))) == (401, "50102")
    assert code_of(get(state, CONFIG, ready, ts=timestamp(now - 20_000))) == (200, "0")
    skewed = state_with(clock_offset_ms=60_000, wall=lambda: now / 1000)  # a minute ahead
    ready = creds(skewed, "ready")
    assert code_of(get(skewed, CONFIG, ready, ts=timestamp(now))) == (401, "50102")
    assert code_of(get(skewed, CONFIG, ready, ts=timestamp(now + 60_000))) == (200, "0")


def test_expired_timestamp_wins_over_a_bad_key():
    state = state_with()
    old = timestamp(int(time.time() * 1000) - 120_000)
    resp = get(state, CONFIG, creds(state, "ready"), ts=old, **{"OK-ACCESS-KEY": "nonsense"})
    assert code_of(resp) == (401, "50102")


def test_key_shape_site_and_environment():
    state = state_with()
    assert code_of(get(state, CONFIG, {**creds(state, "ready"), "api_key": "0123456789ABCDEF"})
                   ) == (401, "50111")
    assert code_of(get(state, CONFIG, creds(state, "unknown-key"))) == (401, "50119")
    other = creds(state, "other-site")  # lives on eea, handed out as global
    assert code_of(get(state, CONFIG, other)) == (401, "50119")
    assert code_of(get(state, CONFIG, other, prefix="/eea")) == (200, "0")
    assert code_of(get(state, CONFIG, other, prefix="/us")) == (401, "50119")
    assert code_of(get(state, CONFIG, creds(state, "demo-as-live"))) == (401, "50101")
    assert code_of(get(state, CONFIG, creds(state, "live-as-demo"))) == (401, "50101")
    assert code_of(get(state, CONFIG, creds(state, "demo-ready"))) == (200, "0")
    # python-okx sends "0" for live: only "1" means demo
    assert code_of(get(state, CONFIG, creds(state, "ready"),
                       **{"x-simulated-trading": "0"})) == (200, "0")


def test_frozen_before_ip_and_passphrase():
    state = state_with()
    frozen = {**creds(state, "frozen"), "passphrase": "wrong"}
    resp = get(state, CONFIG, frozen, client=("192.0.2.9", 1))
    assert code_of(resp) == (400, "50100")


def test_ip_whitelist_names_the_caller_and_comes_before_the_passphrase():
    state = state_with()
    c = {**creds(state, "ip-not-whitelisted"), "passphrase": "wrong", "secret_key": "X" * 32}
    resp = get(state, CONFIG, c)
    assert code_of(resp) == (401, "50110")
    # as observed from OKX: the message names the key as well as the caller
    assert resp.json() == {"code": "50110", "data": [], "msg": (
        f"Your IP 127.0.0.1 is not included in your API key's {c['api_key']} IP whitelist.")}


def test_ip_whitelist_supports_cidr_and_ipv6():
    account = Account(name="cidr", ip=["10.0.0.0/8", "2001:db8::/32"])
    state = SimState(accounts=[account])
    c = account.handed()
    assert code_of(get(state, CONFIG, c, client=("10.20.30.40", 1))) == (200, "0")
    assert code_of(get(state, CONFIG, c, client=("2001:db8::7", 1))) == (200, "0")
    assert code_of(get(state, CONFIG, c, client=("::ffff:10.1.1.1", 1))) == (200, "0")
    resp = get(state, CONFIG, c, client=("2001:db9::1", 1))
    assert code_of(resp) == (401, "50110") and "2001:db9::1" in resp.json()["msg"]
    assert code_of(get(state, CONFIG, c)) == (401, "50110")


def test_passphrase_before_signature_then_signature():
    state = state_with()
    both_wrong = {**creds(state, "wrong-passphrase"), "secret_key": "0" * 32}
    assert code_of(get(state, CONFIG, both_wrong)) == (401, "50105")
    resp = get(state, CONFIG, creds(state, "wrong-secret"))
    assert code_of(resp) == (401, "50113") and resp.json()["msg"] == "Invalid Sign"


def test_signature_covers_the_raw_query_and_not_the_site_prefix():
    state = state_with()
    ready = creds(state, "ready")
    path = "/api/v5/account/balance?ccy=BTC,USDT"
    assert code_of(get(state, path, ready)) == (200, "0")
    assert code_of(get(state, path, ready, prefix="/global")) == (200, "0")
    wrong = headers_for(ready, "GET", "/api/v5/account/balance")  # query left out of the sign
    resp = asyncio.run(_send(state, [("GET", path, wrong, b"")], LOCAL))[0]
    assert code_of(resp) == (401, "50113")
    signed_prefix = headers_for(ready, "GET", "/global" + CONFIG)
    resp = asyncio.run(_send(state, [("GET", "/global" + CONFIG, signed_prefix, b"")], LOCAL))[0]
    assert code_of(resp) == (401, "50113")


def test_missing_read_permission_is_50120_with_http_200():
    account = Account(name="no-read", perm=["trade"])
    resp = get(SimState(accounts=[account]), CONFIG, account.handed())
    assert code_of(resp) == (200, "50120")


# ---- faults and limits ------------------------------------------------------------------------
def test_per_account_faults():
    state = state_with()
    once = creds(state, "rate-limited-once")
    assert code_of(get(state, CONFIG, once)) == (429, "50011")
    assert code_of(get(state, CONFIG, once)) == (200, "0")
    assert code_of(get(state, CONFIG, creds(state, "unavailable"))) == (503, "50001")
    bad = Account(name="bad", faults=Faults(malformed=True))
    resp = get(SimState(accounts=[bad]), CONFIG, bad.handed())
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        resp.json()
    # faults answer only after authentication: a wrong secret still gets 50113
    assert code_of(get(state, CONFIG, {**creds(state, "unavailable"), "secret_key": "A" * 32})
                   ) == (401, "50113")


@pytest.mark.parametrize("status,code", [(503, "50001"), (429, "50013"), (500, "50026"),
                                         (502, "50026")])
def test_global_fail_status(status, code):
    state = state_with(fail_status=status)
    assert code_of(get(state, "/api/v5/public/time")) == (status, code)
    assert code_of(get(state, CONFIG, creds(state, "ready"))) == (status, code)


def test_global_malformed_and_hang():
    resp = get(state_with(malformed=True), "/api/v5/public/time")
    assert resp.text == '{"code":"0","data":[{'
    # The sim's clock never moves here, so the hang cannot end whatever this machine's load.
    for state in (state_with(hang=True, monotonic=FakeMonotonic()),
                  SimState(accounts=[Account("h", faults=Faults(hang=True))], monotonic=FakeMonotonic())):
        assert state.hang_s >= 30  # okxlink gives up after 15 s: its own deadline comes first
        c = state.accounts[0].handed()
        reqs = [("GET", CONFIG, headers_for(c, "GET", CONFIG), b"")]

        async def bounded(state=state, reqs=reqs):
            return await asyncio.wait_for(_send(state, reqs, LOCAL), timeout=0.3)

        with pytest.raises(asyncio.TimeoutError):
            asyncio.run(bounded())


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("path,limit,window", [
    (CONFIG, 5, 2.0), ("/api/v5/account/balance", 10, 2.0), ("/api/v5/asset/balances", 6, 1.0),
    ("/api/v5/account/trade-fee?instType=SPOT", 5, 2.0),
    ("/api/v5/account/instruments?instType=SPOT", 20, 2.0)])
def test_private_rate_limits_slide(path, limit, window):
    clock = FakeMonotonic()
    state = state_with(monotonic=clock)
    ready = creds(state, "ready")
    assert all(get(state, path, ready).status_code == 200 for _ in range(limit))
    resp = get(state, path, ready)
    assert code_of(resp) == (429, "50011") and resp.json()["msg"] == "Too Many Requests"
    assert get(state, path, creds(state, "no-ip-bound")).status_code == 200  # per user
    clock.now += window + 0.01
    assert code_of(get(state, path, ready)) == (200, "0")


def test_public_time_limit_is_per_ip():
    clock = FakeMonotonic()
    state = state_with(monotonic=clock)
    assert all(get(state, "/api/v5/public/time").status_code == 200 for _ in range(10))
    assert code_of(get(state, "/api/v5/public/time")) == (429, "50011")
    assert get(state, "/api/v5/public/time", client=("127.0.0.2", 1)).status_code == 200
    clock.now += 2.01
    assert get(state, "/api/v5/public/time").status_code == 200


class HeldSleep:
    """Stands in for the app's asyncio.sleep: records each delay asked for and holds every sleeper
    until the test releases them, so "delayed" and "overlapping" are seen, not timed."""

    def __init__(self, sleepers: int) -> None:
        self.delays: list[float] = []
        self.sleepers = sleepers
        self.all_asleep = asyncio.Event()
        self.release = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        if len(self.delays) == self.sleepers:
            self.all_asleep.set()
        await self.release.wait()

    def __getattr__(self, name: str):  # everything else the app takes from asyncio is the real one
        return getattr(asyncio, name)


def test_latency_overlaps_concurrent_requests(monkeypatch):
    from okxlink.sim import okx_app

    held = HeldSleep(sleepers=5)
    monkeypatch.setattr(okx_app, "asyncio", held)
    state = state_with(latency_ms=300)

    async def scenario():
        sending = asyncio.ensure_future(
            _send(state, [("GET", "/api/v5/public/time", {}, b"")] * 5, LOCAL))
        # A generous guard against a hang, not a bound on speed: a server that handled the requests
        # one after another would never have all five asleep at once, and this would time out.
        await asyncio.wait_for(held.all_asleep.wait(), timeout=60)
        assert not sending.done()  # nothing is answered while the latency lasts
        answered_early = state.hits.copy()
        held.release.set()
        return await sending, answered_early

    resps, answered_early = asyncio.run(scenario())
    assert held.delays == [0.3] * 5  # --latency-ms 300, once per request
    assert not answered_early  # no request got past the latency to the rate limiter before release
    assert all(r.status_code == 200 and r.json()["code"] == "0" for r in resps)
    assert sum(len(h) for h in state.hits.values()) == 5


def test_no_latency_means_no_sleep(monkeypatch):
    from okxlink.sim import okx_app

    held = HeldSleep(sleepers=1)
    monkeypatch.setattr(okx_app, "asyncio", held)
    assert get(state_with(), "/api/v5/public/time").status_code == 200
    assert held.delays == []


# ---- the default scenario and accounts files --------------------------------------------------
FIRST_ANSWER = {
    "ready": "0", "ready-2": "0", "demo-ready": "0", "wrong-secret": "50113", "wrong-passphrase": "50105",
    "unknown-key": "50119", "other-site": "50119", "demo-as-live": "50101",
    "live-as-demo": "50101", "no-trade": "0", "withdraw-on": "0", "no-ip-bound": "0",
    "ip-not-whitelisted": "50110", "frozen": "50100", "funding-only": "0", "sub-account": "0",
    "lead-trader": "0", "rate-limited-once": "50011", "unavailable": "50001",
}


def test_default_scenario_answers_each_handed_key_as_designed():
    state = state_with()
    handed = [a.handed() for a in state.accounts]
    assert handed[0]["name"] == "ready" and handed[0]["demo"] is False
    assert handed[0]["expect"] == {"check": None, "status": None, "ready": True, "exit": 0}
    assert [h["name"] for h in handed] == list(FIRST_ANSWER)
    for h in handed:
        resp = get(state, CONFIG, h)
        assert resp.json()["code"] == FIRST_ANSWER[h["name"]], h["name"]
    cfg = {h["name"]: get(state, CONFIG, h).json()["data"][0] for h in handed
           if FIRST_ANSWER[h["name"]] == "0"}
    assert cfg["no-trade"]["perm"] == "read_only" and "withdraw" in cfg["withdraw-on"]["perm"]
    assert cfg["no-ip-bound"]["ip"] == "" and cfg["sub-account"]["type"] == "1"
    assert cfg["sub-account"]["mainUid"] != cfg["sub-account"]["uid"]
    assert cfg["lead-trader"]["spotRoleType"] == "1"
    # another key of ready's account: what okxlink rotate moves to
    assert cfg["ready-2"]["uid"] == cfg["ready"]["uid"] != cfg["demo-ready"]["uid"]
    assert handed[1]["name"] == "ready-2" and handed[1]["api_key"] != handed[0]["api_key"]


def test_fresh_fake_credentials_every_time():
    one, two = default_accounts(), default_accounts()
    assert {a.api_key for a in one}.isdisjoint({a.api_key for a in two})
    for a in one:
        assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", a.api_key)
        assert re.fullmatch(r"[0-9A-F]{32}", a.secret_key)
        p = a.passphrase
        assert 8 <= len(p) <= 32 and re.search(r"[A-Z]", p) and re.search(r"[a-z]", p)
        assert re.search(r"\d", p) and re.search(r"[^A-Za-z0-9]", p)
        assert "(fake)" in a.label
    server_keys = {a.api_key for a in one}
    assert next(a for a in one if a.name == "unknown-key").handed()["api_key"] not in server_keys


def test_accounts_file_round_trips_json_and_reads_toml(tmp_path):
    accounts = default_accounts()
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(dump_accounts(accounts)))
    assert load_accounts(path) == accounts
    toml = tmp_path / "accounts.toml"
    toml.write_text('[[accounts]]\nname = "t"\napi_key = "6f2c1d6e-5a3b-4c2d-9e8f-0a1b2c3d4e5f"\n'
                    'secret_key = "00112233445566778899AABBCCDDEEFF"\npassphrase = "Pass-1234!"\n'
                    'site = "us"\ntrading = { BTC = "0.5" }\n[accounts.faults]\nstatus = 503\n')
    (t,) = load_accounts(toml)
    assert (t.site, t.trading, t.faults.status, t.ip) == ("us", {"BTC": "0.5"}, 503, ["127.0.0.1", "127.0.0.2"])
    bad = tmp_path / "bad.json"
    bad.write_text('{"accounts": [{"name": "x", "secrte_key": "typo"}]}')
    with pytest.raises(ValueError, match="secrte_key"):
        load_accounts(bad)


def test_importing_the_package_stays_cheap():
    code = ("import sys, okxlink.sim, okxlink.sim.accounts; "
            "assert 'starlette' not in sys.modules and 'uvicorn' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


# ---- OKX's envelope and words ----------------------------------------------------------------
def test_error_bodies_carry_empty_data_and_okx_words():
    """Each refusal: OKX's HTTP status, `"data": []` and the message OKX sends, byte for byte
    where an answer from real OKX was seen (see OKX_ERRORS in okx_app.py for the sources)."""
    state = state_with()
    ready = creds(state, "ready")
    old = timestamp(int(time.time() * 1000) - 120_000)
    cases = [
        (get(state, CONFIG, ready, **{"OK-ACCESS-KEY": ""}), 401, "50103",
         "Request header OK-ACCESS-KEY can not be empty."),
        (get(state, CONFIG, ready, **{"OK-ACCESS-PASSPHRASE": ""}), 401, "50104",
         'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.'),
        (get(state, CONFIG, ready, ts="2020-12-08T09:08:57Z"), 401, "50112",
         "Invalid OK-ACCESS-TIMESTAMP"),
        (get(state, CONFIG, ready, ts=old), 401, "50102", "Timestamp request expired"),
        (get(state, CONFIG, {**ready, "api_key": "not-a-uuid"}), 401, "50111",
         "Invalid OK-ACCESS-KEY"),
        (get(state, CONFIG, creds(state, "unknown-key")), 401, "50119", "API key doesn't exist"),
        (get(state, CONFIG, creds(state, "live-as-demo")), 401, "50101",
         "APIKey does not match current environment."),
        (get(state, CONFIG, creds(state, "frozen")), 400, "50100",
         "API frozen, please contact customer service."),
        (get(state, CONFIG, creds(state, "wrong-passphrase")), 401, "50105",
         "Request header OK-ACCESS-PASSPHRASE incorrect."),
        (get(state, CONFIG, creds(state, "wrong-secret")), 401, "50113", "Invalid Sign"),
        (get(state, CONFIG, ready, method="POST", body="{}"), 405, "50115",
         "Invalid request method."),
        (get(state, "/api/v5/account/trade-fee", ready), 400, "50014",
         "Parameter instType can not be empty."),
        (get(state, CONFIG, creds(state, "unavailable")), 503, "50001",
         "Service temporarily unavailable. Please try again later."),
        (get(state, CONFIG, creds(state, "rate-limited-once")), 429, "50011", "Too Many Requests"),
    ]
    for resp, status, code, msg in cases:
        assert resp.status_code == status, (code, resp.text)
        assert resp.text == json.dumps({"code": code, "data": [], "msg": msg},
                                       separators=(",", ":")), resp.text
    no_read = Account(name="no-read", perm=["trade"])
    resp = get(SimState(accounts=[no_read]), CONFIG, no_read.handed())
    assert resp.status_code == 200 and resp.json() == {
        "code": "50120", "data": [], "msg": "This API key doesn't have permission to use this function"}


# docs-v5's response examples (GET /api/v5/account/balance, /account/config, /asset/balances)
BALANCE_FIELDS = {"adjEq", "availEq", "borrowFroz", "delta", "deltaLever", "deltaNeutralStatus",
                  "details", "imr", "isoEq", "mgnRatio", "mmr", "notionalUsd",
                  "notionalUsdForBorrow", "notionalUsdForFutures", "notionalUsdForOption",
                  "notionalUsdForSwap", "ordFroz", "totalEq", "uTime", "upl"}
DETAIL_FIELDS = {
    "autoLendStatus", "autoLendMtAmt", "availBal", "availEq", "borrowFroz", "cashBal", "ccy",
    "crossLiab", "colRes", "collateralEnabled", "collateralRestrict", "colBorrAutoConversion",
    "disEq", "eq", "eqUsd", "smtSyncEq", "spotCopyTradingEq", "fixedBal", "frozenBal", "frpType",
    "imr", "interest", "isoEq", "isoLiab", "isoUpl", "liab", "maxLoan", "mgnRatio", "mmr",
    "notionalLever", "ordFrozen", "rewardBal", "spotInUseAmt", "clSpotInUseAmt", "maxSpotInUse",
    "spotIsoBal", "stgyEq", "twap", "uTime", "upl", "uplLiab", "spotBal", "openAvgPx", "accAvgPx",
    "spotUpl", "spotUplRatio", "totalPnl", "totalPnlRatio"}
DETAIL_BOOLEANS = {"collateralEnabled", "collateralRestrict"}
CONFIG_FIELDS = {
    "acctLv", "acctStpMode", "autoLoan", "ctIsoMode", "enableSpotBorrow", "greeksType", "feeType",
    "ip", "type", "kycLv", "label", "level", "levelTmp", "liquidationGear", "mainUid", "mgnIsoMode",
    "opAuth", "perm", "posMode", "roleType", "spotBorrowAutoRepay", "spotOffsetType",
    "spotRoleType", "spotTraderInsts", "stgyType", "traderInsts", "uid", "settleCcy",
    "settleCcyList"}
CONFIG_BOOLEANS = {"autoLoan", "enableSpotBorrow", "spotBorrowAutoRepay"}
CONFIG_LISTS = {"spotTraderInsts", "traderInsts", "settleCcyList"}


@pytest.mark.parametrize("acct_lv", ["1", "2", "3", "4"])
def test_balance_has_every_documented_field_with_okx_types(acct_lv):
    account = Account(name="b", acct_lv=acct_lv, trading={"USDT": "1000", "BTC": "0.5"})
    resp = get(SimState(accounts=[account]), "/api/v5/account/balance", account.handed())
    (data,) = resp.json()["data"]
    assert len(BALANCE_FIELDS) == 20 and len(DETAIL_FIELDS) == 48
    assert set(data) == BALANCE_FIELDS
    assert all(isinstance(v, str) for k, v in data.items() if k != "details")
    usdt, btc = data["details"]
    for detail in (usdt, btc):
        assert set(detail) == DETAIL_FIELDS
        assert all(isinstance(detail[k], bool) for k in DETAIL_BOOLEANS)
        assert all(isinstance(v, str) for k, v in detail.items() if k not in DETAIL_BOOLEANS)
    # consistent with the account: 1000 USDT + 0.5 BTC at 60000, nothing borrowed or frozen
    assert data["totalEq"] == "31000" and btc["eqUsd"] == "30000" and btc["eq"] == "0.5"
    assert usdt["availBal"] == usdt["cashBal"] == "1000" and usdt["frozenBal"] == "0"
    assert usdt["spotBal"] == usdt["openAvgPx"] == usdt["totalPnl"] == ""  # a quote currency
    assert btc["spotBal"] == "0.5" and btc["openAvgPx"] == "60000" and btc["spotUpl"] == "0"
    assert usdt["collateralEnabled"] is (acct_lv == "3")
    margin = acct_lv in ("3", "4")
    # "" for fields that do not apply to the mode (docs-v5's table), numbers where they do
    assert (data["adjEq"], data["availEq"]) == (("31000", "31000") if margin else ("", ""))
    assert data["notionalUsdForSwap"] == ("0" if margin else "")
    assert data["upl"] == ("0" if margin else "")
    assert usdt["availEq"] == ("" if acct_lv == "1" else "1000")
    assert usdt["spotIsoBal"] == ("" if margin else "0")
    assert usdt["twap"] == ("" if acct_lv == "2" else "0")
    assert usdt["spotInUseAmt"] == ("0" if acct_lv == "4" else "")
    assert usdt["liab"] == usdt["maxLoan"] == ("0" if margin else "")


def test_spot_mode_balance_answers_as_observed():
    # a Spot-mode account seen on OKX: {"adjEq":"","borrowFroz":"","details":[],"imr":"",
    # "isoEq":"0","mgnRatio":"","mmr":"","notionalUsd":"","ordFroz":"","totalEq":"0",…}
    account = Account(name="s", trading={})
    (data,) = get(SimState(accounts=[account]), "/api/v5/account/balance",
                  account.handed()).json()["data"]
    assert {k: data[k] for k in ("adjEq", "borrowFroz", "details", "imr", "isoEq", "mgnRatio",
                                 "mmr", "notionalUsd", "ordFroz", "totalEq")} == {
        "adjEq": "", "borrowFroz": "", "details": [], "imr": "", "isoEq": "0", "mgnRatio": "",
        "mmr": "", "notionalUsd": "", "ordFroz": "", "totalEq": "0"}


def test_config_funding_and_time_have_every_documented_field():
    state = state_with()
    ready, funding = creds(state, "ready"), creds(state, "funding-only")
    (cfg,) = get(state, CONFIG, ready).json()["data"]
    assert len(CONFIG_FIELDS) == 29 and set(cfg) == CONFIG_FIELDS
    assert all(isinstance(cfg[k], bool) for k in CONFIG_BOOLEANS)
    assert all(isinstance(cfg[k], list) for k in CONFIG_LISTS)
    assert all(isinstance(v, str) for k, v in cfg.items() if k not in CONFIG_BOOLEANS | CONFIG_LISTS)
    assert cfg["settleCcyList"] == ["USD", "USDC", "USDG"] and cfg["settleCcy"] in cfg["settleCcyList"]
    (row,) = get(state, "/api/v5/asset/balances", funding).json()["data"]
    assert set(row) == {"ccy", "bal", "frozenBal", "availBal"} and row["bal"] == "500"
    (ts,) = get(state, "/api/v5/public/time").json()["data"]
    assert set(ts) == {"ts"} and isinstance(ts["ts"], str) and ts["ts"].isdigit()


# ---- the answer knob -----------------------------------------------------------------------
def test_answer_specs_parse_and_refuse_typos():
    assert parse_answer("50113") == Answer("50113")
    assert parse_answer("50113:500") == Answer("50113", 500)
    assert parse_answer("50110:401:a: b") == Answer("50110", 401, "a: b")
    assert parse_answer("0:503:") == Answer("0", 503, "")
    assert parse_answer_flag("account/config=50120") == ("account/config", Answer("50120"))
    assert parse_answer_flag("*=51008_1000:200") == ("*", Answer("51008_1000", 200))
    for text, what in [("account/confg=50113", "endpoint"), ("account/config", "form"),
                       ("*=abc", "code"), ("*=", "code"), ("*=50113:99", "status"),
                       ("*=50113:600", "status"), ("*=50113:x", "status")]:
        with pytest.raises(AnswerError) as info:
            parse_answer_flag(text)
        assert info.value.what == what, text


def test_account_answers_any_code_on_every_site_and_environment():
    knob = Account(name="knob", answers={"account/config": "50113", "*": "50001:502:down"})
    plain = Account(name="plain")
    state = SimState(accounts=[knob, plain])
    c = knob.handed()
    resp = get(state, CONFIG, c)
    assert resp.status_code == 401 and resp.json() == {"code": "50113", "data": [],
                                                        "msg": "Invalid Sign"}
    # the key's answers hold wherever it is sent, before its own checks
    for prefix, demo, key in (("/eea", False, {}), ("", True, {}),
                              ("", False, {"passphrase": "wrong", "secret_key": "0" * 32})):
        assert code_of(get(state, CONFIG, {**c, "demo": demo, **key}, prefix=prefix)) == (
            401, "50113")
    resp = get(state, "/api/v5/account/balance", c)  # "*" for the rest, status and msg as given
    assert resp.status_code == 502 and resp.json() == {"code": "50001", "data": [], "msg": "down"}
    # but not before the headers and the timestamp, and not for other keys or public/time
    assert code_of(get(state, CONFIG, c, **{"OK-ACCESS-SIGN": ""})) == (401, "50106")
    assert code_of(get(state, CONFIG, plain.handed())) == (200, "0")
    assert code_of(get(state, "/api/v5/public/time")) == (200, "0")


def test_account_answer_defaults_are_okx_status_and_words():
    state = SimState(accounts=[
        Account(name="ip", answers={"*": "50110"}), Account(name="blocked", answers={"*": "50121"}),
        Account(name="gone", answers={"*": "50119"}), Account(name="odd", answers={"*": "59999"}),
        Account(name="quiet", answers={"*": "50004"})])
    ip, blocked, gone, odd, quiet = (a.handed() for a in state.accounts)
    resp = get(state, CONFIG, ip, client=("203.0.113.7", 1))
    assert resp.status_code == 401 and resp.json()["msg"] == (
        f"Your IP 203.0.113.7 is not included in your API key's {ip['api_key']} IP whitelist.")
    resp = get(state, CONFIG, blocked, client=("203.0.113.7", 1))
    assert resp.status_code == 200 and "203.0.113.7" in resp.json()["msg"]
    assert code_of(get(state, CONFIG, gone)) == (401, "50119")
    assert get(state, CONFIG, odd).json() == {"code": "59999", "data": [], "msg": ""}
    assert get(state, CONFIG, odd).status_code == 200  # a code OKX documents no status for
    resp = get(state, CONFIG, quiet)
    assert resp.status_code == 400 and resp.json()["msg"] == "API endpoint request timeout "


def test_code_0_is_the_usual_answer_at_the_status_given():
    account = Account(name="five", answers={"account/balance": "0:503"})
    state = SimState(accounts=[account], answers={"public/time": Answer("0", 202)})
    resp = get(state, "/api/v5/account/balance", account.handed())
    assert code_of(resp) == (503, "0") and resp.json()["data"][0]["totalEq"] == "1000"
    assert code_of(get(state, CONFIG, account.handed())) == (200, "0")
    assert code_of(get(state, "/api/v5/public/time")) == (202, "0")


def test_global_answers_come_before_everything_but_routing():
    state = state_with(answers={"*": Answer("50001"), CONFIG.removeprefix("/api/v5/"): Answer(
        "50120")})
    assert code_of(get(state, "/api/v5/public/time")) == (503, "50001")
    assert code_of(get(state, "/api/v5/account/balance")) == (503, "50001")  # no headers at all
    assert code_of(get(state, CONFIG, creds(state, "wrong-secret"))) == (200, "50120")
    assert code_of(get(state, "/api/v5/account/nope")) == (404, "404")


def test_accounts_file_answers_are_checked_and_round_trip(tmp_path):
    path = tmp_path / "accounts.json"
    accounts = [Account(name="k", answers={"*": "50113:500:x"})]
    path.write_text(json.dumps(dump_accounts(accounts)))
    assert load_accounts(path) == accounts
    for answers, wrong in [({"account/confg": "50113"}, "account/confg"),
                           ({"*": "fifty"}, "fifty"), ({"*": "50113:1000"}, "1000"),
                           ({"public/time": "50001"}, "public/time")]:
        path.write_text(json.dumps({"accounts": [{"name": "k", "answers": answers}]}))
        with pytest.raises(ValueError, match=wrong):
            load_accounts(path)


def test_a_hang_ends_like_okx():
    for state in (state_with(hang=True, hang_s=0.2),
                  SimState(accounts=[Account("h", faults=Faults(hang=True))], hang_s=0.2)):
        resp = get(state, CONFIG, state.accounts[0].handed())
        assert resp.status_code == 400 and resp.json() == {
            "code": "50004", "data": [], "msg": "API endpoint request timeout "}
