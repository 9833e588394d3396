"""How `status` combines this machine's verdict with the platform's: a failing check from here is
never hidden, an unreachable platform never turns a failure into ready, and a key bound to the
platform's IPs is judged by the platform."""

from __future__ import annotations

import pytest

from okxlink.errors import Exit
from okxlink.flows.status import Local, Platform, Row, combine, exit_code
from okxlink.storage import ProfileMeta

READY_HERE = Local(ready=True, failing=[], warnings=[], checked_at="2026-12-01T11:00:00Z")
FAILS_HERE = Local(ready=False, failing=["credentials"], warnings=[], checked_at="2026-12-01T11:00:00Z")
BOUND_HERE = Local(ready=None, failing=[], warnings=["ip-whitelist"], checked_at="2026-12-01T11:00:00Z")
NO_ANSWER = Local(ready=None, failing=["network"], warnings=[], checked_at="2026-12-01T11:00:00Z")
NEVER = Local(ready=None, failing=[], warnings=[], checked_at=None)


def platform(spot: str | None, reachable: bool | None, reasons: list[str] | None = None,
             state: str = "linked") -> Platform:
    return Platform(service="https://link.example", id="lnk_1", state=state, spot=spot,
                    reasons=reasons or [], checked_at="2026-12-01T09:00:00Z", reachable=reachable)


@pytest.mark.parametrize(("local", "links", "offline", "expected"), [
    # the reported case: the key broke on OKX, the platform is down and last said ready
    (FAILS_HERE, [platform("ready", False)], False, ("attention", ["credentials"])),
    (FAILS_HERE, [platform("ready", True)], False, ("attention", ["credentials"])),
    (FAILS_HERE, [platform("ready", None)], True, ("attention", ["credentials"])),
    (NO_ANSWER, [platform("ready", True)], False, ("ready", [])),  # OKX silent here, the platform checked it
    (NO_ANSWER, [], False, ("unknown", [])),
    (READY_HERE, [platform("ready", True)], False, ("ready", [])),
    (READY_HERE, [platform("attention", True, ["funds"])], False, ("attention", ["funds"])),
    (READY_HERE, [platform("attention", False, ["funds"])], False, ("ready", [])),  # only a live answer counts
    (READY_HERE, [], False, ("ready", [])),
    (BOUND_HERE, [platform("ready", True)], False, ("ready", [])),
    (BOUND_HERE, [platform("attention", True, ["permission-trade"])], False,
     ("attention", ["permission-trade"])),
    (BOUND_HERE, [platform("ready", False)], False, ("unknown", ["ip-whitelist"])),  # remembered is not now
    (BOUND_HERE, [platform("ready", None)], True, ("ready", [])),  # --offline: remembered on both sides
    (BOUND_HERE, [], False, ("unknown", ["ip-whitelist"])),
    (BOUND_HERE, [platform(None, None, state="pending")], True, ("unknown", ["ip-whitelist"])),
    (NEVER, [], True, ("unknown", [])),
], ids=["broken-platform-down", "broken-platform-says-ready", "broken-offline", "no-answer-platform-ready",
        "no-answer-alone",
        "both-ready", "platform-attention", "platform-attention-unreachable", "not-linked-ready",
        "bound-platform-ready", "bound-platform-attention", "bound-platform-down", "bound-offline",
        "bound-not-linked", "bound-pending", "never-checked"])
def test_combine(local, links, offline, expected):
    assert combine(local, links, offline) == expected


def test_local_bound_elsewhere_only_for_the_50110_warning():
    assert BOUND_HERE.bound_elsewhere and not READY_HERE.bound_elsewhere and not NO_ANSWER.bound_elsewhere
    assert not Local(ready=True, failing=[], warnings=["ip-whitelist"], checked_at=None).bound_elsewhere


def row(spot: str) -> Row:
    return Row(ProfileMeta(name="p"), NEVER, [], spot, [])  # type: ignore[arg-type]


def test_exit_codes():
    assert exit_code([]) == Exit.NOT_READY  # no profile: nothing is ready
    assert exit_code([row("ready"), row("ready")]) == Exit.OK
    assert exit_code([row("ready"), row("unknown")]) == Exit.UNVERIFIED
    assert exit_code([row("unknown"), row("attention")]) == Exit.NOT_READY
