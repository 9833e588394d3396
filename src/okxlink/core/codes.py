"""Every OKX error code okxlink knows, in one table: what to raise, what it means, which check
reports it and which field the user should re-type. Adding a code is adding a row (and, if it
needs its own words, a message in diagnose.py).

Sources (see ../shared/okx-facts.md): OKX's V5 API documentation ("docs-v5", error codes), and
what real clients observed ("observed": ccxt, python-okx, freqtrade, hummingbot issue threads).
Codes missing from the table follow the rules in `row` and `error_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from okxlink.core.checks import CheckId
from okxlink.errors import (
    AuthError,
    NetworkError,
    OkxError,
    PermissionDenied,
    RateLimited,
    Unavailable,
)

# refused: OKX said no to this key; unavailable: no verdict, try later; rate-limited: too many requests;
# permission: the key is fine but may not call this.
Kind = Literal["refused", "unavailable", "rate-limited", "permission"]
Field = Literal["key", "secret", "passphrase"]
# How far OKX got in finding the key before it refused:
#   not-here           it does not know the key on this site (in either environment)
#   other-environment  it knows the key on this site, in the other environment (live ↔ demo)
#   here               it knows the key on this site and in this environment
#   None               the answer says nothing about it
KeyFound = Literal["not-here", "other-environment", "here"]


@dataclass(frozen=True)
class Row:
    error: type[OkxError]           # what okxlink raises for it
    kind: Kind
    check: CheckId                  # the check that reports it
    retype: Field | None = None     # the field the wizard offers to re-type first
    key: KeyFound | None = None


_NET, _CRED = CheckId.NETWORK, CheckId.CREDENTIALS

CODES: dict[str, Row] = {
    # -- no verdict: retried, then `network` fails and verify exits 4 ---------------------------
    "50001": Row(Unavailable, "unavailable", _NET),   # docs-v5: service temporarily unavailable (HTTP 503)
    "50004": Row(Unavailable, "unavailable", _NET),   # docs-v5: API endpoint request timeout (HTTP 400),
                                                      # "neither success nor failure"; observed in demo maintenance
    "50005": Row(Unavailable, "unavailable", _NET),   # docs-v5: API is offline or unavailable (HTTP 410);
                                                      # ccxt's exceptions table: ExchangeNotAvailable
    "50011": Row(RateLimited, "rate-limited", _NET),  # docs-v5: rate limit per user id (HTTP 429, or 200);
                                                      # observed "Too Many Requests": ccxt #18901, c9s/bbgo #1534
    "50013": Row(Unavailable, "unavailable", _NET),   # docs-v5: systems busy (HTTP 429)
    "50026": Row(Unavailable, "unavailable", _NET),   # docs-v5: system error (HTTP 500)
    # -- the account behind the key (docs-v5 general class: any private endpoint may answer them) --
    "50007": Row(AuthError, "refused", _CRED),  # docs-v5: account blocked (200); ccxt: AccountSuspended
    "50008": Row(AuthError, "refused", _CRED),  # docs-v5: user does not exist (200); ccxt: AuthenticationError
    "50009": Row(AuthError, "refused", _CRED),  # docs-v5: account suspended due to ongoing liquidation (200);
                                                # ccxt: AccountSuspended
    "50012": Row(AuthError, "refused", _CRED),  # docs-v5: account status invalid (200)
    "50030": Row(PermissionDenied, "permission", CheckId.PERMISSION_READ,  # docs-v5: no permission to use
                 key="here"),                   # this API (200); gocryptotrader's okx_err_codes.go
    # -- the key refused (docs-v5 "API class", 50100-50121; 50117 is not in OKX's table) -----------
    "50100": Row(AuthError, "refused", _CRED, key="here"),  # docs-v5: API frozen (HTTP 400)
    "50101": Row(AuthError, "refused", CheckId.ENVIRONMENT,  # docs-v5: key does not match environment (401)
                 key="other-environment"),
    "50102": Row(AuthError, "refused", _CRED),  # docs-v5: timestamp expired (401); re-signed once, and
                                                # `credentials` fails only if it persists after that
    "50103": Row(AuthError, "refused", _CRED),  # docs-v5: OK-ACCESS-KEY header empty (401); observed
                                                # "Request header OK-ACCESS-KEY can not be empty." (ccxt #15895)
    "50104": Row(AuthError, "refused", _CRED),  # docs-v5: OK-ACCESS-PASSPHRASE header empty (401)
    "50105": Row(AuthError, "refused", _CRED, "passphrase", key="here"),  # docs-v5: passphrase incorrect (401)
    "50106": Row(AuthError, "refused", _CRED),  # docs-v5: OK-ACCESS-SIGN header empty (401)
    "50107": Row(AuthError, "refused", _CRED),  # docs-v5: OK-ACCESS-TIMESTAMP header empty (401)
    "50108": Row(AuthError, "refused", _CRED),  # docs-v5: exchange (broker) ID does not exist (401)
    "50109": Row(AuthError, "refused", _CRED),  # docs-v5: exchange (broker) domain does not exist (401)
    "50110": Row(AuthError, "refused", CheckId.IP_WHITELIST,  # docs-v5: "Your IP {ip} is not included in
                 key="here"),  # your API key's IP whitelist" (401); proves the key exists, nothing about
                               # secret or passphrase (order unknown); the IP may be IPv6
    "50111": Row(AuthError, "refused", _CRED, "key", key="not-here"),  # docs-v5: invalid OK-ACCESS-KEY (401);
                                                # observed text "Invalid OK-ACCESS-KEY" (pyted/okx #1); EEA and
                                                # US users report it on www.okx.com for keys made on another
                                                # site (okx-facts.md, "learned from real users"): the other
                                                # sites are asked, as on 50119
    "50112": Row(AuthError, "refused", _CRED),  # docs-v5: invalid timestamp format (401)
    "50113": Row(AuthError, "refused", _CRED, "secret", key="here"),  # docs-v5: invalid signature (401);
                                                # observed text "Invalid Sign" (ccxt)
    "50114": Row(AuthError, "refused", _CRED),  # docs-v5: invalid authorization (401)
    "50115": Row(AuthError, "refused", _CRED),  # docs-v5: invalid request method (HTTP 405)
    "50116": Row(AuthError, "refused", _CRED),  # docs-v5: Fast API may create only one API key (200)
    "50118": Row(AuthError, "refused", _CRED),  # docs-v5: broker has not shared its IPs (200)
    "50119": Row(AuthError, "refused", CheckId.SITE, "key", key="not-here"),  # docs-v5: API key doesn't
                                                # exist (200); observed with 401; most often the wrong site
                                                # (freqtrade #10967, python-okx #118, ccxt #23779 with 401)
    "50120": Row(PermissionDenied, "permission", CheckId.PERMISSION_READ, key="here"),  # docs-v5: no
                                                # permission for this function (200)
    "50121": Row(AuthError, "refused", CheckId.IP_WHITELIST),  # docs-v5: this IP may not access OKX (200)
}

# Codes not in the table. docs-v5 groups 501xx as API authentication errors; anything else is an
# OKX refusal okxlink has no words for (credentials fails with OKX's own message).
UNKNOWN_AUTH = Row(AuthError, "refused", _CRED)
UNKNOWN = Row(OkxError, "refused", _CRED)

# OKX gave no usable answer about the key (the kinds "unavailable" and "rate-limited", or no answer at
# all): nothing can be concluded, verify exits 4.
NO_ANSWER: tuple[type[OkxError], ...] = (NetworkError, Unavailable, RateLimited)


def row(code: str | None) -> Row:
    """The table's row for `code`, or the rule for a code it does not list."""
    code = code or ""
    if code in CODES:
        return CODES[code]
    return UNKNOWN_AUTH if code.startswith("501") else UNKNOWN


def error_for(code: str, msg: str, status: int) -> OkxError:
    """The typed error for OKX's answer `code` (a string, "" when the body had none) with HTTP `status`.
    A server error (HTTP 5xx) is no verdict whatever code it carries: the code is kept, for the message."""
    if status >= 500:
        return Unavailable(code or str(status), msg, status)
    if not code and status == 429:
        return RateLimited("50011", msg, status)
    return row(code).error(code, msg, status)


def retype_field(code: str | None) -> Field | None:
    """The credential field a refusal with `code` points at (what to offer re-typing), if any."""
    return row(code).retype


def key_found(code: str | None) -> KeyFound | None:
    """How far OKX got in finding the key before it refused with `code` (None: unknown)."""
    return row(code).key
