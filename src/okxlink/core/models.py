"""The OKX answers okxlink reads, as plain dataclasses, each read from its JSON by `parse`.

Lenient where OKX changes over time: unknown fields are ignored and nothing okxlink does not use is
required; a missing or null field is empty, and a number where text is expected is written as text
(OKX sends both). Anything else (an object where text belongs, a row that is not an object) makes
`parse` raise ValueError, and the client calls the answer unreadable. No pydantic: its import alone
would cost `verify` more than its network work (bench/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or the answer is unreadable."""
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def text(row: dict[str, Any], name: str) -> str:
    """A text field: as sent, a number written as text, "" when missing or null; else unreadable."""
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{name} is not text")


def items(row: dict[str, Any], name: str) -> list[Any]:
    """A list field: [] when missing or null; else unreadable."""
    value = row.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{name} is not a list")
    return value


def _split(value: Any) -> list[str]:
    """perm and ip: OKX writes comma-joined text; a list is taken too."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


MAX_EXPONENT = 40  # no balance has more digits than this either side of the point


def amount(value: str | None) -> Decimal:
    """An amount OKX wrote, or 0 when it is none: not a number, or one Decimal takes but no balance
    is — NaN (which compares with nothing: `NaN > 0` raises), an infinity, or an exponent far beyond
    any balance (1e999999999 cannot even be printed, and 1e100000 prints 100 001 digits)."""
    try:
        found = Decimal(value) if value else Decimal(0)
    except InvalidOperation:
        return Decimal(0)
    return found if found.is_finite() and abs(found.adjusted()) <= MAX_EXPONENT else Decimal(0)


@dataclass
class Envelope:
    code: str = ""
    msg: str = ""
    data: list[Any] = field(default_factory=list)

    @classmethod
    def parse(cls, value: Any) -> Envelope:
        row = obj(value)
        code = row.get("code")
        return cls(code="" if code is None else str(code), msg=text(row, "msg"), data=items(row, "data"))


@dataclass
class AccountConfig:
    uid: str = ""
    main_uid: str = ""
    label: str = ""
    acct_lv: str = ""
    type: str = ""
    perm: list[str] = field(default_factory=list)
    ip: list[str] = field(default_factory=list)
    role_type: str = ""
    spot_role_type: str = ""
    kyc_lv: str = ""
    level: str = ""

    @classmethod
    def parse(cls, value: Any) -> AccountConfig:
        row = obj(value)
        return cls(uid=text(row, "uid"), main_uid=text(row, "mainUid"), label=text(row, "label"),
                   acct_lv=text(row, "acctLv"), type=text(row, "type"), perm=_split(row.get("perm")),
                   ip=_split(row.get("ip")), role_type=text(row, "roleType"),
                   spot_role_type=text(row, "spotRoleType"), kyc_lv=text(row, "kycLv"),
                   level=text(row, "level"))


@dataclass
class BalanceDetail:
    ccy: str = ""
    avail_bal: str = ""
    eq: str = ""
    eq_usd: str = ""
    cash_bal: str = ""

    @classmethod
    def parse(cls, value: Any) -> BalanceDetail:
        row = obj(value)
        return cls(ccy=text(row, "ccy"), avail_bal=text(row, "availBal"), eq=text(row, "eq"),
                   eq_usd=text(row, "eqUsd"), cash_bal=text(row, "cashBal"))


@dataclass
class TradingBalance:
    total_eq: str = ""
    details: list[BalanceDetail] = field(default_factory=list)

    @classmethod
    def parse(cls, value: Any) -> TradingBalance:
        row = obj(value)
        return cls(total_eq=text(row, "totalEq"), details=[BalanceDetail.parse(d) for d in items(row, "details")])


@dataclass
class FundingBalance:
    ccy: str = ""
    bal: str = ""
    avail_bal: str = ""

    @classmethod
    def parse(cls, value: Any) -> FundingBalance:
        row = obj(value)
        return cls(ccy=text(row, "ccy"), bal=text(row, "bal"), avail_bal=text(row, "availBal"))


@dataclass
class ServerTime:
    ts: int

    @classmethod
    def parse(cls, value: Any) -> ServerTime:
        ts = obj(value).get("ts")
        if isinstance(ts, str) and ts.isascii() and ts.isdigit() and len(ts) <= 20:
            return cls(ts=int(ts))  # OKX writes it as text
        if isinstance(ts, int) and not isinstance(ts, bool):
            return cls(ts=ts)
        raise ValueError("ts is not a time")
