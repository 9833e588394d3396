"""The simulator's accounts: the server-side model, the default scenario, accounts files, and the
OKX-shaped views of an account (account/config, account/balance, asset/balances,
account/instruments, account/trade-fee).

An `Account` is what OKX knows about one API key. `present` overrides what is handed to a client
(a wrong secret, a live key claimed as demo, …) and `expect` says what okxlink should conclude,
so one list drives both the server and the end-to-end tests.
"""

from __future__ import annotations

import json
import re
import secrets
import tomllib
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from okxlink.core.checks import CheckId
from okxlink.core.sites import SITES
from okxlink.errors import Exit

PERMS = ("read_only", "trade", "withdraw")
# USD prices for eqUsd/totalEq; only the ratio to USDT matters to a key check.
PRICES = {"USDT": "1", "USDC": "1", "BTC": "60000", "ETH": "3000", "OKB": "50"}
STABLE = ("USDT", "USDC")  # quote currencies: OKX's spot cost fields (spotBal, openAvgPx, …) are ""
_PRESENTABLE = ("api_key", "secret_key", "passphrase", "site", "demo")
# Every endpoint the simulator serves (GET /api/v5/<endpoint>); only public/time is unsigned.
ENDPOINTS = ("public/time", "account/config", "account/balance", "asset/balances",
             "account/trade-fee", "account/instruments")
ANY_ENDPOINT = "*"
ANSWER_FORM = "ENDPOINT=CODE[:HTTP_STATUS[:MSG]]"
_CODE = re.compile(r"\d{1,9}(?:_\d{1,9})?")  # OKX codes are numbers, some with a sub-code (51008_1000)


# ---- the answer knob: any endpoint answers any code at any HTTP status ------------------------
@dataclass(frozen=True)
class Answer:
    """What an endpoint answers instead of its usual answer. `status` None: OKX's documented HTTP
    status for `code` (200 when OKX documents none); `msg` None: OKX's own message for it.
    Code "0" is the usual answer itself, sent with HTTP `status`."""

    code: str
    status: int | None = None
    msg: str | None = None


class AnswerError(ValueError):
    """An answer spec that cannot be used; `what` says which part (the CLI words it)."""

    def __init__(self, what: Literal["form", "endpoint", "code", "status"], value: str) -> None:
        super().__init__(f"{what} {value!r}: expected {ANSWER_FORM} with ENDPOINT one of "
                         f"{ANY_ENDPOINT}, {', '.join(ENDPOINTS)}")
        self.what, self.value = what, value


def parse_answer(spec: str) -> Answer:
    """`CODE[:HTTP_STATUS[:MSG]]` → Answer. MSG may hold colons; an empty MSG is an empty msg."""
    code, *rest = str(spec).split(":", 2)
    if not _CODE.fullmatch(code):
        raise AnswerError("code", code)
    status = None
    if rest:
        if not (rest[0].isdigit() and 100 <= int(rest[0]) <= 599):
            raise AnswerError("status", rest[0])
        status = int(rest[0])
    return Answer(code, status, rest[1] if len(rest) > 1 else None)


def check_endpoint(endpoint: str) -> str:
    if endpoint != ANY_ENDPOINT and endpoint not in ENDPOINTS:
        raise AnswerError("endpoint", endpoint)
    return endpoint


def parse_answer_flag(text: str) -> tuple[str, Answer]:
    """`ENDPOINT=CODE[:HTTP_STATUS[:MSG]]` (the --answer flag) → (endpoint, Answer)."""
    endpoint, sep, spec = text.partition("=")
    if not sep:
        raise AnswerError("form", text)
    return check_endpoint(endpoint.strip()), parse_answer(spec)


def new_api_key() -> str:
    return str(uuid.uuid4())


def new_secret() -> str:
    return secrets.token_hex(16).upper()


def new_passphrase() -> str:
    # OKX's documented rule: 8-32 characters with upper, lower, digit and special character.
    return "Sim-" + secrets.token_hex(6) + "!1aA"


def new_uid() -> str:
    # Real uids are 16-18 digit numbers; no leading zero so they survive int() round trips.
    return str(secrets.randbelow(9 * 10**16) + 10**16)


@dataclass
class Faults:
    rate_limited_first: int = 0   # the first N signed requests of this key answer 429 / 50011
    status: int | None = None     # every signed request answers this HTTP status
    malformed: bool = False       # signed requests get a truncated JSON body
    hang: bool = False            # signed requests never get an answer


@dataclass
class Account:
    name: str
    api_key: str = field(default_factory=new_api_key)
    secret_key: str = field(default_factory=new_secret)
    passphrase: str = field(default_factory=new_passphrase)
    site: str = "global"
    demo: bool = False
    perm: list[str] = field(default_factory=lambda: ["read_only", "trade"])
    # this machine and the reference platform (link service), as a user binding their platform's IPs
    ip: list[str] = field(default_factory=lambda: ["127.0.0.1", "127.0.0.2"])
    frozen: bool = False
    uid: str = field(default_factory=new_uid)
    main_uid: str = ""            # "" means: same as uid (a main account)
    type: str = "0"               # 0 main, 1 standard sub-account, 2 managed, 5/9/12 custody
    acct_lv: str = "1"            # 1 Spot, 2 Futures, 3 Multi-currency margin, 4 Portfolio margin
    role_type: str = "0"          # contracts: 0 ordinary, 1 lead trader, 2 copy trader
    spot_role_type: str = "0"     # spot: same values
    label: str = ""
    trading: dict[str, str] = field(default_factory=lambda: {"USDT": "1000"})
    funding: dict[str, str] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    # endpoint (or "*") -> "CODE[:HTTP_STATUS[:MSG]]": every signed request with this API key (on
    # any site, in either environment) answers that instead, once its headers and timestamp pass
    answers: dict[str, str] = field(default_factory=dict)
    present: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.site not in SITES:
            raise ValueError(f"account {self.name!r}: site must be one of {', '.join(SITES)}")
        if unknown := set(self.perm) - set(PERMS):
            raise ValueError(f"account {self.name!r}: unknown perm {sorted(unknown)}")
        if unknown := set(self.present) - set(_PRESENTABLE):
            raise ValueError(f"account {self.name!r}: present may only override {_PRESENTABLE}")
        self.main_uid = self.main_uid or self.uid
        self.label = self.label or f"okxlink-sim {self.name} (fake)"
        self.trading = {c: str(v) for c, v in self.trading.items()}
        self.funding = {c: str(v) for c, v in self.funding.items()}
        for ccy, amount in (*self.trading.items(), *self.funding.items()):
            try:
                float(amount)
            except ValueError:
                raise ValueError(f"account {self.name!r}: {ccy} amount {amount!r} is not a number") from None
        self.answers = {str(e): str(v) for e, v in self.answers.items()}
        for endpoint, spec in self.answers.items():
            if endpoint == "public/time":
                raise ValueError(f"account {self.name!r}: answers: public/time is not signed, "
                                 "so no account answers it (use the --answer flag)")
            try:
                check_endpoint(endpoint)
                parse_answer(spec)
            except AnswerError as exc:
                raise ValueError(f"account {self.name!r}: answers: {exc}") from None

    def handed(self) -> dict[str, Any]:
        """What a client is given: the credentials as presented, and what it should conclude."""
        view = {"name": self.name, **{k: getattr(self, k) for k in _PRESENTABLE}, **self.present}
        expect = {"check": None, "status": None, "ready": None, "exit": None}
        view["expect"] = {**expect, **(self.expect or {})}
        return view

    def answer(self, endpoint: str) -> Answer | None:
        """The knob's answer for `endpoint` (its own entry first, then "*"), if any."""
        spec = self.answers.get(endpoint, self.answers.get(ANY_ENDPOINT))
        return None if spec is None else parse_answer(spec)

    # ---- OKX-shaped views -------------------------------------------------------------------
    # Field sets and types follow docs-v5's response examples (all strings but the booleans and
    # arrays OKX sends as such); values describe an account with no positions, orders, loans or
    # bots, "" where OKX sends "" for a field that does not apply to the account mode.
    def config(self) -> dict[str, Any]:
        """GET /api/v5/account/config: every field of docs-v5's example (29)."""
        lead = self.spot_role_type == "1"
        return {
            "acctLv": self.acct_lv, "acctStpMode": "cancel_maker", "autoLoan": False,
            "ctIsoMode": "automatic", "enableSpotBorrow": False, "greeksType": "PA",
            "feeType": "0", "ip": ",".join(self.ip), "type": self.type, "kycLv": "2",
            "label": self.label, "level": "Lv1", "levelTmp": "", "liquidationGear": "-1",
            "mainUid": self.main_uid, "mgnIsoMode": "automatic", "opAuth": "0",
            "perm": ",".join(self.perm), "posMode": "net_mode", "roleType": self.role_type,
            "spotBorrowAutoRepay": False, "spotOffsetType": "", "spotRoleType": self.spot_role_type,
            "spotTraderInsts": ["BTC-USDT", "ETH-USDT"] if lead else [], "stgyType": "0",
            "traderInsts": ["BTC-USDT-SWAP"] if self.role_type == "1" else [], "uid": self.uid,
            # docs-v5: the USD-margined contracts' settle currency and the ones it may be
            "settleCcy": "USDC", "settleCcyList": ["USD", "USDC", "USDG"],
        }

    def balance(self, now_ms: int, ccys: list[str] | None = None) -> dict[str, Any]:
        """GET /api/v5/account/balance: docs-v5's 20 top-level fields, 48 per currency.

        Which fields apply to which account mode is docs-v5's table ("" where they do not);
        a Spot-mode account answers as observed on OKX (adjEq, imr, mmr, … "", isoEq "0")."""
        lv, ts = self.acct_lv, str(now_ms)
        margin = lv in ("3", "4")   # Multi-currency / Portfolio margin
        spot, futures = lv == "1", lv == "2"

        def only(applies: bool, value: str = "0") -> str:
            return value if applies else ""

        details: list[dict[str, Any]] = []
        for ccy, amount in _nonzero(self.trading, ccys):
            eq_usd, price = _usd(ccy, amount), PRICES.get(ccy, "1")
            stable = ccy in STABLE
            details.append({
                "autoLendStatus": "off", "autoLendMtAmt": "0",
                "availBal": amount, "availEq": only(not spot, amount),
                "borrowFroz": only(margin), "cashBal": amount, "ccy": ccy,
                "crossLiab": only(margin), "colRes": "0", "collateralEnabled": lv == "3",
                "collateralRestrict": False, "colBorrAutoConversion": "0",
                "disEq": only(margin, eq_usd),  # Spot mode: only with spot borrowing (off here)
                "eq": amount, "eqUsd": eq_usd, "smtSyncEq": "0", "spotCopyTradingEq": "0",
                "fixedBal": "0", "frozenBal": "0", "frpType": only(not futures), "imr": "",
                "interest": only(margin), "isoEq": only(not spot), "isoLiab": only(margin),
                "isoUpl": only(not spot), "liab": only(margin), "maxLoan": only(margin),
                "mgnRatio": "", "mmr": "", "notionalLever": "",  # Futures mode, cross positions only
                "ordFrozen": "0", "rewardBal": "0", "spotInUseAmt": only(lv == "4"),
                "clSpotInUseAmt": only(lv == "4"), "maxSpotInUse": only(lv == "4"),
                "spotIsoBal": only(not margin), "stgyEq": "0", "twap": only(not futures),
                "uTime": ts, "upl": only(not spot), "uplLiab": only(margin),
                # the spot cost view: "" for a quote currency (docs-v5's USDT example)
                "spotBal": only(not stable, amount), "openAvgPx": only(not stable, price),
                "accAvgPx": only(not stable, price), "spotUpl": only(not stable),
                "spotUplRatio": only(not stable), "totalPnl": only(not stable),
                "totalPnlRatio": only(not stable),
            })
        total = _fmt(sum(float(d["eqUsd"]) for d in details))
        return {
            "adjEq": only(margin, total), "availEq": only(margin, total),
            "borrowFroz": only(margin),
            "delta": "0", "deltaLever": "0", "deltaNeutralStatus": "0",  # docs-v5 example
            "details": details, "imr": only(margin), "isoEq": "0", "mgnRatio": "",
            "mmr": only(margin), "notionalUsd": only(margin),
            "notionalUsdForBorrow": only(margin), "notionalUsdForFutures": only(margin),
            "notionalUsdForOption": only(margin), "notionalUsdForSwap": only(margin),
            "ordFroz": "", "totalEq": total, "uTime": ts, "upl": only(margin),
        }

    def instruments(self, inst_type: str) -> list[dict[str, Any]]:
        # Every simulated account trades the same few spot pairs; other types list nothing.
        return SPOT_INSTRUMENTS if inst_type == "SPOT" else []

    def trade_fee(self, inst_type: str, now_ms: int) -> dict[str, Any]:
        # Fee tier Lv1; a negative rate is a fee the user pays.
        return {"category": "1", "delivery": "", "exercise": "", "fiat": [], "instType": inst_type,
                "level": "Lv1", "maker": "-0.0008", "makerU": "", "makerUSDC": "",
                "ruleType": "normal", "taker": "-0.001", "takerU": "", "takerUSDC": "",
                "ts": str(now_ms)}

    def funding_balances(self, ccys: list[str] | None = None) -> list[dict[str, str]]:
        """GET /api/v5/asset/balances: docs-v5's four fields."""
        return [{"ccy": c, "bal": a, "frozenBal": "0", "availBal": a}
                for c, a in _nonzero(self.funding, ccys)]


_SPOT_COMMON = {  # fields every SPOT instrument carries; contract-only fields are ""
    "instType": "SPOT", "quoteCcy": "USDT", "state": "live", "ruleType": "normal",
    "category": "1", "lever": "10", "listTime": "1548133413000", "tradeQuoteCcyList": ["USDT"],
    "maxLmtSz": "9999999999", "maxMktSz": "1000000", "maxLmtAmt": "20000000",
    "maxMktAmt": "1000000", "maxTwapSz": "9999999999", "maxIcebergSz": "9999999999",
    "maxTriggerSz": "9999999999", "maxStopSz": "1000000", "futureSettlement": False,
    "groupId": "1", **dict.fromkeys(
        ("uly", "instFamily", "settleCcy", "ctVal", "ctMult", "ctValCcy", "ctType", "optType",
         "stk", "expTime", "auctionEndTime", "alias", "openType", "contTdSwTime",
         "preMktSwTime"), ""),
}
SPOT_INSTRUMENTS = [
    {**_SPOT_COMMON, "instId": f"{base}-USDT", "instIdCode": code, "baseCcy": base,
     "tickSz": tick, "lotSz": lot, "minSz": min_sz}
    for base, tick, lot, min_sz, code in (("BTC", "0.1", "0.00000001", "0.00001", 10001),
                                          ("ETH", "0.01", "0.000001", "0.0001", 10002),
                                          ("OKB", "0.001", "0.000001", "0.01", 10003))
]


def _nonzero(balances: dict[str, str], ccys: list[str] | None) -> list[tuple[str, str]]:
    # OKX lists only currencies with a non-zero balance, filtered by ?ccy= when given.
    return [(c, a) for c, a in balances.items() if float(a) != 0 and (not ccys or c in ccys)]


def _usd(ccy: str, amount: str) -> str:
    return _fmt(float(amount) * float(PRICES.get(ccy, "1")))


def _fmt(value: float) -> str:
    return f"{value:.8f}".rstrip("0").rstrip(".") or "0"


# ---- the default scenario ---------------------------------------------------------------------
def _expect(check: CheckId | None, status: str | None, ready: bool | None, exit: Exit) -> dict[str, Any]:
    return {"check": check, "status": status, "ready": ready, "exit": exit}


def default_accounts() -> list[Account]:
    """One account per situation okxlink must explain; fresh fake credentials on every call.
    The first entry is the ready live key (callers rely on that); the second, another key of the
    same account (for okxlink rotate)."""
    ok = _expect(None, None, True, Exit.OK)

    def bad(check: CheckId) -> dict[str, Any]:
        return _expect(check, "fail", False, Exit.NOT_READY)

    demo_only = {"demo": True, "ip": []}  # demo keys never expire, so no IP binding needed
    # ready-2 is a second key of ready's OKX account (same uid), as a user makes one to rotate to;
    # OKX counts request limits per account, so the two share theirs
    same_account = {"uid": new_uid()}
    rows: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
        ("ready", same_account, {}, ok),
        ("ready-2", same_account, {}, ok),
        ("demo-ready", {**demo_only, "trading": {"USDT": "10000"}, "acct_lv": "2"}, {}, ok),
        ("wrong-secret", {}, {"secret_key": new_secret()}, bad(CheckId.CREDENTIALS)),
        ("wrong-passphrase", {}, {"passphrase": new_passphrase()}, bad(CheckId.CREDENTIALS)),
        ("unknown-key", {}, {"api_key": new_api_key()}, bad(CheckId.CREDENTIALS)),
        ("other-site", {"site": "eea"}, {"site": "global"}, bad(CheckId.SITE)),
        ("demo-as-live", demo_only, {"demo": False}, bad(CheckId.ENVIRONMENT)),
        ("live-as-demo", {}, {"demo": True}, bad(CheckId.ENVIRONMENT)),
        ("no-trade", {"perm": ["read_only"]}, {}, bad(CheckId.PERMISSION_TRADE)),
        ("withdraw-on", {"perm": ["read_only", "trade", "withdraw"]}, {}, bad(CheckId.PERMISSION_WITHDRAW)),
        ("no-ip-bound", {"ip": []}, {}, _expect(CheckId.IP_BINDING, "warn", True, Exit.OK)),
        ("ip-not-whitelisted", {"ip": ["127.0.0.2"]}, {},
         _expect(CheckId.IP_WHITELIST, "warn", None, Exit.UNVERIFIED)),
        ("frozen", {"frozen": True}, {}, bad(CheckId.CREDENTIALS)),
        ("funding-only", {"trading": {}, "funding": {"USDT": "500"}}, {},
         _expect(CheckId.FUNDS, "warn", True, Exit.OK)),
        ("sub-account", {"type": "1", "main_uid": new_uid(), "acct_lv": "2"}, {},
         _expect(CheckId.ACCOUNT_TYPE, "warn", True, Exit.OK)),
        ("lead-trader", {"spot_role_type": "1", "acct_lv": "2"}, {},
         _expect(CheckId.ACCOUNT_TYPE, "warn", True, Exit.OK)),
        ("rate-limited-once", {"faults": Faults(rate_limited_first=1)}, {}, ok),
        ("unavailable", {"faults": Faults(status=503)}, {},
         _expect(CheckId.NETWORK, "fail", None, Exit.UNVERIFIED)),
    ]
    return [Account(name=n, present=p, expect=e, **server) for n, server, p, e in rows]


# ---- accounts files ---------------------------------------------------------------------------
def account_from_dict(raw: dict[str, Any]) -> Account:
    """One entry of an accounts file. Unknown fields are an error: a typo must not silently
    turn into a default. Credentials omitted from the file are generated."""
    known = {f.name for f in fields(Account)}
    if unknown := set(raw) - known:
        raise ValueError(f"account {raw.get('name')!r}: unknown field(s) {sorted(unknown)}")
    if "name" not in raw:
        raise ValueError("every account needs a name")
    data = dict(raw)
    faults = data.pop("faults", None) or {}
    if unknown := set(faults) - {f.name for f in fields(Faults)}:
        raise ValueError(f"account {raw['name']!r}: unknown fault(s) {sorted(unknown)}")
    return Account(**data, faults=Faults(**faults))


def load_accounts(path: str | Path) -> list[Account]:
    """Read `{"accounts": [...]}` from JSON, or `[[accounts]]` tables from TOML."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    entries = doc.get("accounts") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a non-empty list under 'accounts'")
    accounts = [account_from_dict(e) for e in entries]
    names = [a.name for a in accounts]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: account names must be unique")
    return accounts


def dump_accounts(accounts: list[Account]) -> dict[str, Any]:
    """The server-side view as an accounts-file document (round-trips through load_accounts)."""
    return {"accounts": [asdict(a) for a in accounts]}
