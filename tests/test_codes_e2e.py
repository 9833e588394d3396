"""Every OKX code okxlink knows (`okxlink.core.codes.CODES`, read when the tests are collected),
answered by a real simulator process and met by `okxlink verify --json` as a real process.

One simulator serves one account per code: the account's answer knob (`answers: {"*": CODE}`)
makes every signed request with its key answer CODE at OKX's HTTP status, on every site and in
both environments, so the extra waves okxlink sends (other sites after 50119, the other
environment after 50101, a re-signed request after 50102) meet the same code. What okxlink should
conclude is written out below from each row's `kind` and `check`, not asked of okxlink's rules.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from okxlink.core.codes import CODES, Row

from conftest import Result, creds_env, okxlink, start_sim

pytestmark = pytest.mark.e2e
pytestmark = [pytestmark, pytest.mark.slow]

# HTTP ≥ 500 means "unavailable" whatever code the body carries: refusals (and a success code)
# that arrive with one.
SERVER_ERRORS = {"http500-50113": "50113:500", "http502-50101": "50101:502",
                 "http503-50119": "50119:503", "http503-0": "0:503"}


@dataclass(frozen=True)
class Expect:
    check: str
    status: str
    ready: bool | None
    exit: int


def expected(code: str, row: Row) -> Expect:
    """What `okxlink verify` should conclude about a key whose every signed request answers `code`."""
    if code == "50110":
        # the key exists but not for this machine's IP: only the platform can verify it
        return Expect("ip-whitelist", "warn", None, 4)
    if code == "50119":
        # okxlink asks the other sites; every one says 50119 too: no site knows the key, which is
        # a credentials problem (mistyped, deleted or expired), and `site` is skipped
        return Expect("credentials", "fail", False, 3)
    if code == "50111":
        # "invalid key" everywhere (other sites, if okxlink asks them, say the same): credentials
        return Expect("credentials", "fail", False, 3)
    if code == "50101":
        # the other environment answers 50101 as well, so okxlink cannot say "this is a demo key",
        # only that OKX says it does not belong to live trading: `environment` fails
        return Expect("environment", "fail", False, 3)
    if code == "50102":
        # re-signed once after measuring OKX's clock; a key that still gets 50102 is refused
        return Expect("credentials", "fail", False, 3)
    if row.kind in ("unavailable", "rate-limited"):
        return Expect("network", "fail", None, 4)
    if row.kind == "permission":
        return Expect("permission-read", "fail", False, 3)
    return Expect(str(row.check), "fail", False, 3)


CASES: dict[str, tuple[str, Expect]] = {
    f"code-{code}": (code, expected(code, row)) for code, row in sorted(CODES.items())}
CASES.update({name: (spec, Expect("network", "fail", None, 4)) for name, spec in SERVER_ERRORS.items()})


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    path = tmp_path_factory.mktemp("codes") / "accounts.json"
    accounts = [{"name": name, "answers": {"*": spec}} for name, (spec, _e) in CASES.items()]
    path.write_text(json.dumps({"accounts": accounts}), encoding="utf-8")
    child = start_sim("--accounts", str(path), "--no-link")
    yield child
    assert child.stop() == 0


@pytest.fixture(scope="module")
def outcomes(sim, tmp_path_factory):
    """`okxlink verify --json` for every account, two at a time, awaited by the tests below."""
    config = tmp_path_factory.mktemp("codes-config")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures: dict[str, Future[Result]] = {
            name: pool.submit(okxlink, "verify", "--json",
                              env=creds_env(sim.account(name), sim.template,
                                            OKXLINK_CONFIG_DIR=str(config / name)))
            for name in CASES}
        yield futures


def test_every_code_is_served(sim):
    assert {a["name"] for a in sim.line["accounts"]} == set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_code(name, outcomes):
    code, expect = CASES[name]
    result = outcomes[name].result()
    report = result.json()
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    got = (statuses.get(expect.check), report["ready"], result.code)
    assert got == (expect.status, expect.ready, expect.exit), (
        f"OKX answered {code}: okxlink said {statuses}, ready {report['ready']}, exit {result.code}")
    # no other check fails; the one that does (or warns) says what to do
    assert [c for c, s in statuses.items() if s == "fail" and c != expect.check] == []
    assert next(c for c in report["checks"] if c["id"] == expect.check)["fix"]
    if name == "code-50119":
        assert statuses["site"] == "skip"  # every site was asked: none knows the key
    assert result.err == ""
