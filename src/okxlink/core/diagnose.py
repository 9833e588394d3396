"""Pure diagnosis rules: the facts gathered about a key → one Check per id, in the documented order.

Each rule reads `Facts` and returns the Check of its id (`RULES`); nothing here talks to the network
or the terminal. What an OKX code means comes from the codes table (core/codes.py); a code selects
its own message here only when it has one. Messages and fixes are translated; ids and statuses
are the stable contract.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from okxlink.core import codes
from okxlink.core.checks import CHECK_IDS as CHECK_IDS
from okxlink.core.checks import Check as Check
from okxlink.core.checks import CheckId as CheckId
from okxlink.core.checks import Status as Status
from okxlink.core.models import AccountConfig, FundingBalance, TradingBalance, amount
from okxlink.core.modes import mode_name
from okxlink.core.sites import label as site_label
from okxlink.core.sites import site as site_info
from okxlink.errors import OkxError, RateLimited
from okxlink.i18n import _, ngettext

CLOCK_TOLERANCE_MS = 5_000
MODES = {"1": "spot", "2": "futures", "3": "multi-currency", "4": "portfolio"}
OKX_TEXT_MAX = 200    # OKX's own message is shown at most this long


@dataclass
class Facts:
    site: str
    demo: bool
    network: OkxError | None = None      # OKX gave no usable answer (NetworkError / Unavailable)
    clock_offset_ms: int | None = None
    auth: OkxError | None = None         # what account/config answered, when it refused
    key_site: str | None = None          # on "not known here" (50119, 50111): another site that knows it
    other_env_knows: bool = False        # on 50101: the other environment knows the key
    probed_sites: bool = False
    config: AccountConfig | None = None
    trading: TradingBalance | None = None
    funding: list[FundingBalance] | None = None

    @property
    def code(self) -> str | None:
        return self.auth.code if self.auth else None

    @property
    def refused_by(self) -> CheckId | None:
        """The check OKX's refusal points at (from the codes table); None when it did not refuse."""
        return codes.row(self.auth.code).check if self.auth else None


def _skip(check_id: CheckId, reason: str) -> Check:
    return Check(check_id, "skip", reason)


def okx_text(msg: str) -> str:
    """OKX's own message made safe to show: no control or format characters, whitespace collapsed,
    at most OKX_TEXT_MAX characters. OKX (or whatever answered in its place) chose the text."""
    kept = [" " if ch.isspace() else ch for ch in msg[:4 * OKX_TEXT_MAX]
            if ch.isspace() or not unicodedata.category(ch).startswith("C")]
    text = " ".join("".join(kept).split())
    return text if len(text) <= OKX_TEXT_MAX else text[:OKX_TEXT_MAX - 1].rstrip() + "…"


def _code(code: str) -> str:
    """A code of OKX's as shown (an error code, a currency, an account level): a few characters
    normally, but it too comes from the answer."""
    return okx_text(code)[:16]


_IP_LIKE = re.compile(r"[0-9A-Fa-f:.]+")
_IP_TEXT_MAX = 45  # the longest textual IPv6 address (with an embedded IPv4 one)


def refused_ip(msg: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address OKX names in a 50110 ("Your IP {ip} is not included in your API key's IP
    whitelist"), if the text holds one: only a bounded token that `ipaddress` accepts, never more."""
    for token in _IP_LIKE.findall(msg[:4 * OKX_TEXT_MAX]):
        if len(token) > _IP_TEXT_MAX + 1 or not any(c in token for c in ".:"):
            continue
        for candidate in (token, token.rstrip(".")):  # the sentence's full stop may follow the address
            try:
                ip = ipaddress.ip_address(candidate)
            except ValueError:
                continue
            mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
            return mapped or ip
    return None


def network(f: Facts) -> Check:
    if f.network is None:
        return Check(CheckId.NETWORK, "pass", _("OKX answered."))
    if f.network.code == "network":
        return Check(CheckId.NETWORK, "fail", _("Could not reach OKX: {reason}.").format(reason=f.network.msg),
                     _("Check this machine's internet connection (and any proxy or firewall), "
                       "then try again."))
    if isinstance(f.network, RateLimited):  # 50011 / HTTP 429: a limit per account, not maintenance
        return Check(CheckId.NETWORK, "fail",
                     _("OKX is limiting requests for this account (error {code}: too many requests).").format(
                         code=_code(f.network.code)),
                     _("Wait a few seconds and try again. Programs that use the same account (this API key, "
                       "or another key of the same account or sub-account) share this limit: pause them "
                       "if it keeps happening."))
    return Check(CheckId.NETWORK, "fail",
                 _("OKX answered that it is unavailable (code {code}).").format(code=_code(f.network.code)),
                 _("OKX is busy or under maintenance: wait a few minutes and try again."))


def clock(f: Facts) -> Check:
    if f.clock_offset_ms is None:
        return _skip(CheckId.CLOCK, _("Not checked: OKX's server time was not available."))
    seconds = abs(f.clock_offset_ms) / 1000
    if abs(f.clock_offset_ms) <= CLOCK_TOLERANCE_MS:
        return Check(CheckId.CLOCK, "pass",
                     _("This machine's clock agrees with OKX's ({seconds:.1f} s).").format(seconds=seconds))
    ahead = f.clock_offset_ms < 0  # offset = server - local
    text = (_("This machine's clock is {seconds:.0f} s ahead of OKX's; okxlink corrected for it, "
              "but other programs will be refused (error 50102).") if ahead else
            _("This machine's clock is {seconds:.0f} s behind OKX's; okxlink corrected for it, "
              "but other programs will be refused (error 50102)."))
    return Check(CheckId.CLOCK, "warn", text.format(seconds=seconds),
                 _("Turn on automatic time synchronisation (Linux: timedatectl set-ntp true; "
                   "Windows and macOS: set date and time automatically)."))


def site(f: Facts) -> Check:
    not_here = codes.key_found(f.code) == "not-here"
    if not_here and f.key_site:  # 50119 or 50111, and another site knows the key
        web = site_info(f.key_site).web
        return Check(CheckId.SITE, "fail",
                     _("This key is not known on {site}; it belongs to {found} ({web}).").format(
                         site=site_label(f.site), found=site_label(f.key_site), web=web),
                     _("Use --site {other}: a key works only on the site where it was made.").format(
                         other=f.key_site), wizard_fix="")
    if f.refused_by is CheckId.SITE and f.probed_sites:
        return _skip(CheckId.SITE, _("No OKX site knows this key."))
    if f.refused_by is CheckId.SITE:  # not probed: unknown here is still a failure, never "ready"
        return Check(CheckId.SITE, "fail",
                     _("{site} does not know this key; other sites were not asked.").format(site=site_label(f.site)),
                     _("Try --site auto to ask every OKX site."),
                     _("Check the API key, and that you made it on {site}.").format(site=site_label(f.site)))
    if f.network or not_here or (f.auth is None and f.config is None):
        return _skip(CheckId.SITE, _("Not checked."))
    return Check(CheckId.SITE, "pass", _("The key belongs to {site}.").format(site=site_label(f.site)))


def environment(f: Facts) -> Check:
    chosen, other = (_("demo"), _("live")) if f.demo else (_("live"), _("demo"))
    if f.refused_by is CheckId.ENVIRONMENT:  # 50101
        fix = (_("Run again without --demo, or make a key under Trade → Demo trading → API.") if f.demo else
               _("Run again with --demo, or make a live key on OKX's API page."))
        if f.other_env_knows:
            text = _("This is a {other} trading key, but it was used for {chosen} trading.")
        else:
            text = _("OKX says this key does not belong to {chosen} trading.")
        # the wizard asks whether to switch
        return Check(CheckId.ENVIRONMENT, "fail", text.format(other=other, chosen=chosen), fix, "")
    if f.config is None and codes.key_found(f.code) != "here":
        return _skip(CheckId.ENVIRONMENT, _("Not checked."))
    return Check(CheckId.ENVIRONMENT, "pass", _("A {chosen} trading key.").format(chosen=chosen))


def _request_changed() -> str:
    return _("okxlink sends plain read requests without broker information: something between this "
             "machine and OKX changed the request. Check any proxy (or OKXLINK_BASE_URL), then try "
             "again.")


def _empty_header() -> str:
    return _("okxlink never sends an empty one: check any proxy between this machine and OKX. Otherwise "
             "this is a bug in okxlink: report it with the output of okxlink --version and okxlink verify "
             "--json.")


# The codes of the table (core/codes.py) that have words of their own: the message and the fix the
# check that reports the code (the row's check) shows. A code without words here is shown with its
# number and OKX's own message (`_refused`).
_PROBLEMS: dict[str, Callable[[], tuple[str, str]]] = {
    # credentials: the key, secret or passphrase
    "50111": lambda: (_("OKX says this API key is not valid: it was mistyped or deleted."),
                        _("Copy the API key again from OKX's API page.")),
    "50119": lambda: (_("No OKX site knows this API key: it was deleted, expired (OKX deletes a live key "
                          "with Trade or Withdraw permission and no bound IP after 14 days without use; "
                          "demo keys are exempt), or mistyped."),
                        _("Copy the API key again; if it is gone, create a new key on OKX's API page.")),
    "50105": lambda: (_("The passphrase is wrong."),
                        _("Type the passphrase you chose when you made this key, exactly: it is "
                          "case-sensitive. OKX cannot recover it; if it is lost, make a new key.")),
    "50113": lambda: (_("OKX refused the signature: the secret key is wrong."),
                        _("Copy the secret key again (OKX shows it only when the key is made; if you no "
                          "longer have it, make a new key). Check it is not the passphrase.")),
    "50100": lambda: (_("OKX has frozen this API key."),
                        _("Contact OKX support, or delete the key and make a new one.")),
    "50102": lambda: (_("OKX refused the request time even after correcting for its clock."),
                        _("Turn on automatic time synchronisation and try again.")),
    "50103": lambda: (_("OKX received the request with an empty API key header (error 50103)."),
                        _empty_header()),
    "50104": lambda: (_("OKX received the request with an empty passphrase header (error 50104)."),
                        _empty_header()),
    "50106": lambda: (_("OKX received the request with an empty signature header (error 50106)."),
                        _empty_header()),
    "50107": lambda: (_("OKX received the request with an empty timestamp header (error 50107)."),
                        _empty_header()),
    "50108": lambda: (_("OKX treated the request as coming from a broker it does not know (error 50108)."),
                        _request_changed()),
    "50109": lambda: (_("OKX treated the request as coming from a broker domain it does not know "
                          "(error 50109)."), _request_changed()),
    "50115": lambda: (_("OKX refused the request's method (error 50115)."), _request_changed()),
    "50112": lambda: (_("OKX could not read the request's timestamp (error 50112)."),
                        _("okxlink makes the timestamp itself, so this is a bug in okxlink: report it with "
                          "the output of okxlink --version and okxlink verify --json.")),
    # observed on OKX's old API when the passphrase held "&" (okcoin-okex/API-docs-OKEx.com #215)
    "50114": lambda: (_("OKX refused the request's authorization without saying why (error 50114)."),
                        _("Check the API key, secret key and passphrase again; a passphrase with characters "
                          "such as & may not survive in a request header. If it persists, make a new key.")),
    "50116": lambda: (_("OKX refused to create another Fast API key (error 50116): it allows only one."),
                        _("This comes from a platform creating a key for you, not from checking one: use "
                          "the key the platform already created, or delete it on OKX's API page and connect "
                          "the platform again.")),
    "50118": lambda: (_("The third-party app has not shared its IP addresses with OKX, so OKX cannot "
                          "link the key to it (error 50118)."),
                        _("Ask your platform about its OKX integration. Meanwhile you can make a "
                          "self-managed key and bind your platform's IP addresses to it on OKX's API page.")),
    # credentials: the account behind the key
    "50007": lambda: (_("OKX has blocked the account this key belongs to (error 50007)."),
                        _("Log in to OKX and read its notice about the account, or contact OKX support; "
                          "no key of the account works until the block is lifted.")),
    "50008": lambda: (_("OKX says the user this key belongs to does not exist (error 50008)."),
                        _("Check that you made the key on the account and the OKX site you mean; the keys "
                          "of a closed account no longer work.")),
    "50009": lambda: (_("OKX has suspended the account while it liquidates positions (error 50009)."),
                        _("Wait until the liquidation has finished, then try again.")),
    "50012": lambda: (_("OKX says the account's status does not allow this (error 50012)."),
                        _("Log in to OKX and look for notices about the account (for example identity "
                          "verification); contact OKX support if there are none.")),
    # permission-read
    "50030": lambda: (_("OKX does not let this account use the API that reads it (error 50030)."),
                        _("Check that the key has Read permission on OKX's API page; if it has, ask OKX "
                          "support why the account may not use the API.")),
}


def _refused(error: OkxError) -> tuple[str, str]:
    """The words for OKX's refusal `error`: its own, or its number and OKX's message."""
    if error.code in _PROBLEMS:
        return _PROBLEMS[error.code]()
    text = okx_text(error.msg)
    code = _code(error.code)
    message = (_("OKX refused the key (error {code}: {msg}).").format(code=code, msg=text) if text else
               _("OKX refused the key (error {code}).").format(code=code))
    return message, _("OKX's message says what is wrong; docs/troubleshooting.md explains OKX's codes and "
                      "what to do about them.")


def credentials(f: Facts) -> Check:
    refusal = codes.row(f.auth.code) if f.auth else None
    if f.config is not None or (refusal is not None and refusal.kind == "permission"):
        return Check(CheckId.CREDENTIALS, "pass", _("Key, secret and passphrase are correct."))
    # A refusal that points at another check (site, environment, IP), or that another site knows the
    # key after all (50111, 50119: `site` says where), came before secret and passphrase were
    # checked; "not here" on every site (50119) is a credentials problem after all.
    not_here = refusal is not None and refusal.key == "not-here"
    nowhere = not_here and f.probed_sites and not f.key_site
    if (f.auth is None or refusal is None or (not_here and f.key_site)
            or (refusal.check is not CheckId.CREDENTIALS and not nowhere)):
        return _skip(CheckId.CREDENTIALS, _("Not checked: OKX stopped before checking secret and passphrase."))
    return Check(CheckId.CREDENTIALS, "fail", *_refused(f.auth))


def ip_whitelist(f: Facts) -> Check:
    if f.code == "50110":
        ip = refused_ip(f.auth.msg) if f.auth else None
        if ip is None:
            return Check(CheckId.IP_WHITELIST, "warn",
                         _("This machine's IP is not in the key's IP whitelist, so OKX will not answer "
                           "it here. The key exists; secret and passphrase could not be checked."),
                         _("Expected if the key is bound to your platform's IPs (Linking third-party apps): "
                           "the platform will verify it. Otherwise add this machine's IP on OKX's API page."))
        if ip.version == 6:
            return Check(CheckId.IP_WHITELIST, "warn",
                         _("This machine's IP is not in the key's IP whitelist (OKX saw the IPv6 address "
                           "{ip}), so OKX will not answer it here. The key exists; secret and passphrase "
                           "could not be checked.").format(ip=ip),
                         _("Expected if the key is bound to your platform's IPs (Linking third-party apps): "
                           "the platform will verify it. Otherwise this machine reaches OKX over IPv6: add "
                           "{ip} to the key on OKX's API page, or make this machine reach OKX over "
                           "IPv4.").format(ip=ip))
        return Check(CheckId.IP_WHITELIST, "warn",
                     _("This machine's IP is not in the key's IP whitelist (OKX saw {ip}), so OKX will not "
                       "answer it here. The key exists; secret and passphrase could not be checked.").format(
                         ip=ip),
                     _("Expected if the key is bound to your platform's IPs (Linking third-party apps): "
                       "the platform will verify it. Otherwise add {ip} to the key on OKX's API page.").format(
                         ip=ip))
    if f.code == "50121":
        return Check(CheckId.IP_WHITELIST, "fail", _("OKX does not accept requests from this IP address."),
                     _("Use OKX from a network and region where it is available."))
    if f.config is None:
        return _skip(CheckId.IP_WHITELIST, _("Not checked."))
    return Check(CheckId.IP_WHITELIST, "pass", _("This machine may use the key."))


def _perm(f: Facts, check_id: CheckId, needed: str, present_ok: bool, fail: tuple[str, str],
          ok: str) -> Check:
    if f.refused_by is check_id and f.auth is not None:  # 50120, 50030: the key may not read
        return Check(check_id, "fail", *(_PROBLEMS[f.auth.code]() if f.auth.code in _PROBLEMS else fail))
    if f.config is None:
        return _skip(check_id, _("Not checked."))
    return Check(check_id, "pass", ok) if (needed in f.config.perm) == present_ok else Check(
        check_id, "fail", *fail)


def permission_read(f: Facts) -> Check:
    return _perm(f, CheckId.PERMISSION_READ, "read_only", True,
                 (_("The key cannot read the account."),
                  _("Edit the key on OKX's API page and tick Read.")), _("Read permission is on."))


def permission_trade(f: Facts) -> Check:
    return _perm(f, CheckId.PERMISSION_TRADE, "trade", True,
                 (_("The key has no Trade permission, so the platform cannot place orders."),
                  _("Edit the key on OKX's API page and tick Trade (keep Withdraw off).")),
                 _("Trade permission is on."))


def permission_withdraw(f: Facts) -> Check:
    return _perm(f, CheckId.PERMISSION_WITHDRAW, "withdraw", False,
                 (_("The key can withdraw funds; a copy-trading key must never have Withdraw."),
                  _("Edit the key on OKX's API page and untick Withdraw, or make a new key with "
                    "Read + Trade only.")),
                 _("Withdraw permission is off."))


def ip_binding(f: Facts) -> Check:
    if f.config is None:
        return _skip(CheckId.IP_BINDING, _("Not checked."))
    if f.config.ip:
        n = len(f.config.ip)
        return Check(CheckId.IP_BINDING, "pass",
                     ngettext("Bound to {n} IP address.", "Bound to {n} IP addresses.", n).format(n=n))
    if f.demo:
        return Check(CheckId.IP_BINDING, "pass", _("No IP bound; demo keys do not expire."))
    if "trade" in f.config.perm or "withdraw" in f.config.perm:
        return Check(CheckId.IP_BINDING, "warn",
                     _("No IP address is bound: OKX deletes a live key with Trade or Withdraw permission "
                       "and no bound IP after 14 days without use."),
                     _("Bind your platform's IP addresses to the key on OKX's API page (or make the "
                       "key with Linking third-party apps)."))
    return Check(CheckId.IP_BINDING, "pass", _("No IP bound; a read-only key does not expire."))


def account_mode(f: Facts) -> Check:
    if f.config is None:
        return _skip(CheckId.ACCOUNT_MODE, _("Not checked."))
    mode = mode_name(f.config.acct_lv)
    if mode:
        return Check(CheckId.ACCOUNT_MODE, "pass",
                     _("Unified account · {mode}; Spot trading is available.").format(mode=mode))
    return Check(CheckId.ACCOUNT_MODE, "warn",
                 _("OKX reported an account mode okxlink does not know ({lv}).").format(
                     lv=_code(f.config.acct_lv)),
                 _("Check Trade → Settings → Account mode on OKX."))


def account_type(f: Facts) -> Check:
    if f.config is None:
        return _skip(CheckId.ACCOUNT_TYPE, _("Not checked."))
    cfg = f.config
    if cfg.type not in {"", "0"} or (cfg.main_uid and cfg.uid != cfg.main_uid):
        return Check(CheckId.ACCOUNT_TYPE, "warn", _("This key belongs to a sub-account."),
                     _("The platform trades only this sub-account's funds: keep the money there, or "
                       "make the key on the main account."))
    if "1" in (cfg.role_type, cfg.spot_role_type):
        return Check(CheckId.ACCOUNT_TYPE, "warn", _("This account is a lead trader."),
                     _("Platforms copy into a follower's account; a lead-trader account may be refused. "
                       "Use a separate (sub-)account to copy trades."))
    return Check(CheckId.ACCOUNT_TYPE, "pass", _("Main account."))


def _holdings(rows: list[tuple[str, Decimal]]) -> str:
    return ", ".join(f"{_code(ccy)} {value.normalize():f}" for ccy, value in rows[:4])


def funds(f: Facts) -> Check:
    if f.trading is None:
        return _skip(CheckId.FUNDS, _("Not checked."))
    trading = [(d.ccy, amount(d.eq or d.cash_bal)) for d in f.trading.details if amount(d.eq or d.cash_bal) > 0]
    if trading:
        return Check(CheckId.FUNDS, "pass", _("The Trading account holds {held}.").format(held=_holdings(trading)))
    funding = [(b.ccy, amount(b.bal)) for b in f.funding or [] if amount(b.bal) > 0]
    if funding:
        return Check(CheckId.FUNDS, "warn",
                     _("The Trading account is empty; your money ({held}) is in the Funding account.").format(
                         held=_holdings(funding)),
                     _("Move it on OKX: Assets → Transfer, from Funding to Trading."))
    return Check(CheckId.FUNDS, "warn", _("The Trading account is empty."),
                 _("Deposit or transfer funds into the Trading account so the platform can trade."))


RULES: dict[CheckId, Callable[[Facts], Check]] = {
    CheckId.NETWORK: network, CheckId.CLOCK: clock, CheckId.SITE: site, CheckId.ENVIRONMENT: environment,
    CheckId.CREDENTIALS: credentials, CheckId.IP_WHITELIST: ip_whitelist,
    CheckId.PERMISSION_READ: permission_read, CheckId.PERMISSION_TRADE: permission_trade,
    CheckId.PERMISSION_WITHDRAW: permission_withdraw, CheckId.IP_BINDING: ip_binding,
    CheckId.ACCOUNT_MODE: account_mode, CheckId.ACCOUNT_TYPE: account_type, CheckId.FUNDS: funds}
# The checks that still say something when OKX did not answer; every other one is skipped then.
WITHOUT_ANSWER = frozenset({CheckId.NETWORK, CheckId.CLOCK})


def diagnose(f: Facts) -> list[Check]:
    """One Check per CheckId, in the documented order."""
    if f.network is not None:
        return [RULES[cid](f) if cid in WITHOUT_ANSWER else _skip(cid, _("Not checked: OKX did not answer."))
                for cid in CheckId]
    return [RULES[cid](f) for cid in CheckId]


def readiness(checks: list[Check]) -> bool | None:
    """True: ready (warnings allowed). False: a check failed. None: could not be determined."""
    by_id = {c.id: c for c in checks}
    if by_id[CheckId.NETWORK].status == "fail" or by_id[CheckId.IP_WHITELIST].status == "warn":
        return None
    return not any(c.status == "fail" for c in checks)
