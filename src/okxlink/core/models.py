"""Lenient pydantic models of the OKX answers okxlink reads: unknown fields are ignored, and
nothing we do not use is required, because OKX adds fields over time."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def _split(value: Any) -> list[str]:
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


class Envelope(_Lenient):
    code: str = ""
    msg: str = ""
    data: list[Any] | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code_as_text(cls, v: Any) -> str:
        return "" if v is None else str(v)


class AccountConfig(_Lenient):
    uid: str = ""
    main_uid: str = Field("", alias="mainUid")
    label: str = ""
    acct_lv: str = Field("", alias="acctLv")
    type: str = ""
    perm: list[str] = []
    ip: list[str] = []
    role_type: str = Field("", alias="roleType")
    spot_role_type: str = Field("", alias="spotRoleType")
    kyc_lv: str = Field("", alias="kycLv")
    level: str = ""

    @field_validator("perm", "ip", mode="before")
    @classmethod
    def _comma_joined(cls, v: Any) -> list[str]:
        return _split(v)

    @field_validator("uid", "main_uid", "acct_lv", "type", "role_type", "spot_role_type", "kyc_lv",
                     mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> str:
        return "" if v is None else str(v)


class BalanceDetail(_Lenient):
    ccy: str = ""
    avail_bal: str = Field("", alias="availBal")
    eq: str = ""
    eq_usd: str = Field("", alias="eqUsd")
    cash_bal: str = Field("", alias="cashBal")


class TradingBalance(_Lenient):
    total_eq: str = Field("", alias="totalEq")
    details: list[BalanceDetail] = []


class FundingBalance(_Lenient):
    ccy: str = ""
    bal: str = ""
    avail_bal: str = Field("", alias="availBal")


class ServerTime(_Lenient):
    ts: int
