"""The pure diagnosis rules: facts in, checks out, in the documented order."""

import pytest

from okxlink import errors
from okxlink.core import codes
from okxlink.core.diagnose import CHECK_IDS, OKX_TEXT_MAX, diagnose, okx_text, readiness, refused_ip
from okxlink.core.models import AccountConfig, FundingBalance, TradingBalance

from facts import config, good


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
    cfg = AccountConfig.parse({"perm": "trade, read_only", "ip": "", "unknownField": {"x": 1},
                                        "acctLv": 2})
    assert cfg.perm == ["trade", "read_only"] and cfg.ip == [] and cfg.acct_lv == "2"


# -- OKX's codes, in the words of the check that reports them -----------------------------------------
def refusal(code, msg="refused", status=401, **over):
    return good(config=None, trading=None, funding=None,
                auth=codes.row(code).error(code, msg, status), **over)


def by_id(facts):
    return {c.id: c for c in diagnose(facts)}


def every_text(checks):
    return [text for c in checks for text in (c.message, c.fix) if text]


GENERIC = "OKX refused the key (error"


@pytest.mark.parametrize("code", sorted(c for c, row in codes.CODES.items()
                                        if row.kind not in ("unavailable", "rate-limited")))
def test_every_refusal_in_the_table_has_words_of_its_own(code):
    """The check a row names reports the code with a message and a fix of its own, never the words
    for a code okxlink does not know."""
    check = by_id(refusal(code, probed_sites=False))[codes.CODES[code].check]
    assert check.status in ("fail", "warn") and check.fix, check
    assert not check.message.startswith(GENERIC), check


@pytest.mark.parametrize("code, msg", [
    ("51000", "Parameter instId error"),                  # a code the table does not list
    ("50199", "Some new authentication problem"),         # an unknown 501xx
    ("59999", ""),                                        # no message at all
])
def test_a_code_not_in_the_table_says_the_code_and_okx_message(code, msg):
    facts = good(config=None, trading=None, auth=codes.error_for(code, msg, 200))
    check = by_id(facts)["credentials"]
    assert check.status == "fail" and code in check.message and msg in check.message
    assert "docs/troubleshooting.md" in check.fix and "report" not in check.fix.lower()
    assert readiness(diagnose(facts)) is False


def test_okx_message_is_shown_sanitized_and_bounded():
    hostile = "Bad\x1b[2J\x1b]0;pwned\x07 thing\r\n\u202eevil\u200b " + "x" * 5000
    facts = good(config=None, trading=None, auth=codes.error_for("51999", hostile, 200))
    message = by_id(facts)["credentials"].message
    assert "51999" in message and "Bad" in message
    assert not any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 or ch in "\u202e\u200b" for ch in message)
    assert len(message) < OKX_TEXT_MAX + 60
    text = okx_text(hostile)
    assert len(text) == OKX_TEXT_MAX and text.endswith("…")
    for network in (False, True):  # the code comes from the answer too
        weird = codes.error_for("5\x1b[2J1999" + "9" * 300, "x", 503 if network else 200)
        checks = diagnose(good(config=None, trading=None, **({"network": weird} if network else {"auth": weird})))
        shown = " ".join(every_text(checks))
        assert "\x1b" not in shown and "9" * 20 not in shown
    assert okx_text("  Invalid\tSign \n") == "Invalid Sign"


# -- 50011: a rate limit, not maintenance ------------------------------------------------------------
def test_rate_limit_has_its_own_words():
    checks = diagnose(good(config=None, trading=None,
                           network=codes.error_for("50011", "Too Many Requests", 429)))
    network = checks[0]
    assert network.status == "fail" and readiness(checks) is None
    assert "limiting requests for this account" in network.message and "50011" in network.message
    assert "wait a few seconds" in network.fix.lower() and "same account" in network.fix
    assert "maintenance" not in network.fix and "unavailable" not in network.message
    busy = diagnose(good(config=None, trading=None, network=codes.error_for("50013", "busy", 429)))[0]
    assert "unavailable" in busy.message and "maintenance" in busy.fix


# -- 50111 / 50119 known on another site ----------------------------------------------------------------
@pytest.mark.parametrize("code", ["50111", "50119"])
def test_a_key_another_site_knows_is_a_site_problem(code):
    result = by_id(refusal(code, probed_sites=True, key_site="us"))
    assert result["site"].status == "fail" and "--site us" in result["site"].fix
    assert "OKX US" in result["site"].message
    assert result["credentials"].status == "skip"


def test_50111_that_no_site_knows_keeps_todays_words():
    for probed in (True, False):
        result = by_id(refusal("50111", probed_sites=probed))
        assert result["credentials"].status == "fail" and result["site"].status == "skip"
        assert result["credentials"].message == "OKX says this API key is not valid: it was mistyped or deleted."


# -- 50110: the refused address, from OKX's message ------------------------------------------------------
@pytest.mark.parametrize("msg, ip", [
    ("Your IP 203.0.113.9 is not included in your API key's IP whitelist.", "203.0.113.9"),
    ("Your IP 203.0.113.9 is not included in your API key's IP whitelist", "203.0.113.9"),
    ("Your IP 2001:db8::42 is not included in your API key's IP whitelist.", "2001:db8::42"),
    ("Your IP 2001:DB8:0:0:0:0:0:42 is not included", "2001:db8::42"),
    ("Your IP ::ffff:203.0.113.9 is not included", "203.0.113.9"),   # IPv4-mapped: the IPv4 address
    ("your IP 198.51.100.1.", "198.51.100.1"),
    ("Your IP {0} is not in linking trusted IP addresses.", None),
    ("Your IP is not included in your API key's IP whitelist", None),
    ("Your IP 999.1.2.3 is not included", None),
    ("Your IP 1.2.3 is not included", None),
    ("Your IP " + "a" * 60 + ":1 is not included", None),
    ("", None),
    ("x" * 5000 + " 203.0.113.9", None),                              # only the message's start is read
])
def test_refused_ip_is_a_validated_address_or_nothing(msg, ip):
    found = refused_ip(msg)
    assert (str(found) if found else None) == ip


def test_50110_names_the_refused_ipv4_address():
    result = by_id(refusal("50110", "Your IP 203.0.113.9 is not included in your API key's IP whitelist."))
    check = result["ip-whitelist"]
    assert check.status == "warn" and "203.0.113.9" in check.message and "203.0.113.9" in check.fix
    assert "not in the key's IP whitelist" in check.message and "IPv6" not in check.message


def test_50110_with_an_ipv6_address_says_so_and_how_to_fix_it():
    check = by_id(refusal("50110", "Your IP 2001:db8::42 is not included in your API key's IP whitelist."))[
        "ip-whitelist"]
    assert check.status == "warn" and "IPv6" in check.message and "2001:db8::42" in check.message
    assert "2001:db8::42" in check.fix and "IPv4" in check.fix


def test_50110_without_an_address_keeps_todays_words():
    check = by_id(refusal("50110", "Your IP \x1b[31m<script> is not included"))["ip-whitelist"]
    assert check.message.startswith("This machine's IP is not in the key's IP whitelist, so OKX")
    assert "<script>" not in check.message + check.fix and "\x1b" not in check.message + check.fix


# -- the 14-day deletion: live keys with Trade or Withdraw and no bound IP; demo keys are exempt -------
def test_every_message_about_the_14_days_is_exact():
    texts = []
    for facts in (good(config=config(ip="")), good(config=config(ip="", perm="read_only,withdraw")),
                  refusal("50119", probed_sites=True)):
        texts += [t for t in every_text(diagnose(facts)) if "14 days" in t]
    assert len(texts) == 3
    for text in texts:
        assert "live key" in text and "Trade or Withdraw" in text and "no bound IP" in text, text


def test_the_14_days_concern_live_keys_only():
    assert statuses(good(demo=True, config=config(ip="", perm="read_only,trade,withdraw")))["ip-binding"] == "pass"
    assert statuses(good(config=config(ip="", perm="read_only")))["ip-binding"] == "pass"
    assert statuses(good(config=config(ip="", perm="read_only,withdraw")))["ip-binding"] == "warn"
    assert "demo keys are exempt" in by_id(refusal("50119", probed_sites=True))["credentials"].message


# -- account codes ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("code, check", [("50007", "credentials"), ("50008", "credentials"),
                                         ("50009", "credentials"), ("50012", "credentials"),
                                         ("50030", "permission-read")])
def test_account_codes_fail_their_check_and_never_pass_as_ready(code, check):
    checks = diagnose(refusal(code, status=200))
    result = {c.id: c for c in checks}
    assert result[check].status == "fail" and code in result[check].message
    assert readiness(checks) is False


def test_fixes_that_name_a_flag_have_words_for_the_wizard():
    """Flags are for the commands; the wizard asks its own question instead (cli/wizard.py)."""
    other_site = good(config=None, auth=codes.error_for("50119", "API key doesn't exist", 401), key_site="eea",
                      probed_sites=True)
    site = {c.id: c for c in diagnose(other_site)}["site"]
    assert (site.fix, site.wizard_fix) == ("Use --site eea: a key works only on the site where it was made.", "")
    unprobed = good(config=None, auth=codes.error_for("50119", "API key doesn't exist", 401))
    site = {c.id: c for c in diagnose(unprobed)}["site"]
    assert site.message == "OKX Global does not know this key; other sites were not asked."
    assert (site.fix, site.wizard_fix) == ("Try --site auto to ask every OKX site.",
                                           "Check the API key, and that you made it on OKX Global.")
    env = {c.id: c for c in diagnose(good(config=None, auth=codes.error_for("50101", "", 401)))}["environment"]
    assert "--demo" in env.fix and env.wizard_fix == ""
    # a fix without a flag is the same in both
    assert all(c.wizard_fix is None for c in diagnose(good(config=config(perm="read_only"))))
