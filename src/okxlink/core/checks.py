"""The checks a key verification reports: their stable ids, in the documented order, and one result.

A `CheckId` is a `str`: it compares equal to its plain value (`check.id == "network"`), prints as it
(f-strings, `str()`), and goes into JSON and TOML as that string. Ids are the stable contract
(docs/contract.md#check-ids); never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from okxlink.i18n import N_, _

Status = Literal["pass", "warn", "fail", "skip"]


class CheckId(str, Enum):
    NETWORK = "network"
    CLOCK = "clock"
    SITE = "site"
    ENVIRONMENT = "environment"
    CREDENTIALS = "credentials"
    IP_WHITELIST = "ip-whitelist"
    PERMISSION_READ = "permission-read"
    PERMISSION_TRADE = "permission-trade"
    PERMISSION_WITHDRAW = "permission-withdraw"
    IP_BINDING = "ip-binding"
    ACCOUNT_MODE = "account-mode"
    ACCOUNT_TYPE = "account-type"
    FUNDS = "funds"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


# The documented order (the order of the members above), as plain strings.
CHECK_IDS: tuple[str, ...] = tuple(c.value for c in CheckId)


# What a person reads for each id (the human table, status); ids stay in JSON and profiles.toml.
NAMES: dict[CheckId, str] = {
    CheckId.NETWORK: N_("Network"),
    CheckId.CLOCK: N_("Clock"),
    CheckId.SITE: N_("Site"),
    CheckId.ENVIRONMENT: N_("Live/demo"),
    CheckId.CREDENTIALS: N_("Credentials"),
    CheckId.IP_WHITELIST: N_("IP whitelist"),
    CheckId.PERMISSION_READ: N_("Read permission"),
    CheckId.PERMISSION_TRADE: N_("Trade permission"),
    CheckId.PERMISSION_WITHDRAW: N_("Withdraw permission"),
    CheckId.IP_BINDING: N_("IP binding"),
    CheckId.ACCOUNT_MODE: N_("Account mode"),
    CheckId.ACCOUNT_TYPE: N_("Account type"),
    CheckId.FUNDS: N_("Funds"),
}


def name(check_id: str) -> str:
    """A check's name in the reader's language; an id this version does not know (a linking
    service's reason, a newer profiles.toml) as it is."""
    try:
        return _(NAMES[CheckId(check_id)])
    except ValueError:
        return check_id


@dataclass(frozen=True)
class Check:
    id: CheckId
    status: Status
    message: str
    fix: str | None = None
    # The fix as the setup wizard says it, when `fix` names a flag or command (the wizard offers
    # those as questions): "" when its next question is the fix. None: the same as `fix`.
    wizard_fix: str | None = None
