"""Facts about a key as the diagnosis rules receive them: a healthy one, changed field by field."""

from __future__ import annotations

from typing import Any

from okxlink.core.diagnose import Facts
from okxlink.core.models import AccountConfig, TradingBalance


def config(**over: Any) -> AccountConfig:
    base = {"uid": "1", "mainUid": "1", "acctLv": "1", "type": "0", "perm": "read_only,trade",
            "ip": "203.0.113.7", "label": "copy", "roleType": "0", "spotRoleType": "0"}
    return AccountConfig.parse({**base, **over})


def good(**over: Any) -> Facts:
    facts = Facts(site="global", demo=False, clock_offset_ms=120, config=config(),
                  trading=TradingBalance.parse({"details": [{"ccy": "USDT", "eq": "12.5"}]}),
                  funding=[])
    for key, value in over.items():
        setattr(facts, key, value)
    return facts
