"""How `status` combines this machine's verdict with the platforms': a failing check from here is
never hidden, an unreachable platform never turns a failure into ready, a key bound to the
platform's IPs is judged by the platform, and one platform that needs attention is enough. Also
when a key is due for rotation, and what a rotation under way shows."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from okxlink.errors import Exit
from okxlink.flows.status import (
    Holding,
    Local,
    Platform,
    Row,
    combine,
    exit_code,
    handover_of,
    rotate_due,
    rotation_of,
    row_of,
)
from okxlink.storage import Handover, LinkRecord, ProfileMeta, ProfilesFile, Rotation

from inproc import InProcess

READY_HERE = Local(ready=True, failing=[], warnings=[], checked_at="2026-12-01T11:00:00Z")
FAILS_HERE = Local(ready=False, failing=["credentials"], warnings=[], checked_at="2026-12-01T11:00:00Z")
BOUND_HERE = Local(ready=None, failing=[], warnings=["ip-whitelist"], checked_at="2026-12-01T11:00:00Z")
NO_ANSWER = Local(ready=None, failing=["network"], warnings=[], checked_at="2026-12-01T11:00:00Z")
NEVER = Local(ready=None, failing=[], warnings=[], checked_at=None)


def platform(spot: str | None, reachable: bool | None, reasons: list[str] | None = None,
             state: str = "linked", service: str = "https://link.example") -> Platform:
    return Platform(service=service, id="lnk_1", state=state, spot=spot,
                    reasons=reasons or [], checked_at="2026-12-01T09:00:00Z", reachable=reachable)


def other(spot: str | None, reachable: bool | None, reasons: list[str] | None = None, state: str = "linked") -> Platform:
    return platform(spot, reachable, reasons, state, service="https://copy.example")


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
    # several platforms: any one that says attention (now, or offline as last said) is enough
    (READY_HERE, [platform("ready", True), other("attention", True, ["funds"])], False, ("attention", ["funds"])),
    (READY_HERE, [platform("attention", True, ["funds"]), other("ready", True)], False, ("attention", ["funds"])),
    (READY_HERE, [platform("attention", True, ["funds"]), other("attention", True, ["ip-binding", "funds"])],
     False, ("attention", ["funds", "ip-binding"])),
    (READY_HERE, [platform("ready", None), other("attention", None, ["funds"])], True, ("attention", ["funds"])),
    (READY_HERE, [platform("ready", True), other("attention", False, ["funds"])], False, ("ready", [])),
    (BOUND_HERE, [platform("ready", True), other("ready", True)], False, ("ready", [])),
    (BOUND_HERE, [platform("ready", False), other("ready", True)], False, ("ready", [])),  # one answered
    (BOUND_HERE, [platform(None, None, state="pending"), other("attention", True, ["permission-trade"])], False,
     ("attention", ["permission-trade"])),
    (FAILS_HERE, [platform("ready", True), other("ready", True)], False, ("attention", ["credentials"])),
], ids=["broken-platform-down", "broken-platform-says-ready", "broken-offline", "no-answer-platform-ready",
        "no-answer-alone",
        "both-ready", "platform-attention", "platform-attention-unreachable", "not-linked-ready",
        "bound-platform-ready", "bound-platform-attention", "bound-platform-down", "bound-offline",
        "bound-not-linked", "bound-pending", "never-checked",
        "two-second-attention", "two-first-attention", "two-attention-reasons-merged", "two-offline-attention",
        "two-attention-unreachable", "two-bound-ready", "two-bound-one-down", "two-pending-and-attention",
        "two-ready-broken-here"])
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


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("stored", "after_days", "due"), [
    ("2026-09-02T12:00:00Z", 90, False),   # exactly 90 days: not older than 90
    ("2026-09-02T11:59:59Z", 90, True),
    ("2026-08-03T12:00:00Z", 90, True),
    ("2026-08-03T12:00:00Z", 0, False),    # 0: never suggest
    ("2026-08-03T12:00:00Z", 150, False),
    ("2026-11-30T12:00:00Z", 1, False),
    ("2026-11-30T11:00:00Z", 1, True),
    (None, 90, False),                     # age unknown: no guess
    ("last summer", 90, False),            # hand-edited: no crash, no guess
    ("2026-08-03T12:00:00", 90, False),    # no time zone: not a time okxlink wrote
])
def test_rotate_due(stored, after_days, due):
    assert rotate_due(stored, after_days, NOW) is due


def test_row_key_age_falls_back_to_created_and_uses_the_threshold():
    meta = ProfileMeta(name="p", key="0f4b…3e7a", created="2026-08-03T12:00:00Z")
    row = row_of(meta, {}, offline=True, rotate_after_days=90, now=NOW)
    assert (row.key_stored, row.rotate_due, row.rotate_after_days) == ("2026-08-03T12:00:00Z", True, 90)
    assert row.to_json()["key_stored"] == "2026-08-03T12:00:00Z" and row.to_json()["rotate_due"] is True
    assert not row_of(meta, {}, offline=True, rotate_after_days=0, now=NOW).rotate_due
    newer = ProfileMeta(name="p", key="0f4b…3e7a", created="2026-08-03T12:00:00Z", key_stored="2026-11-01T12:00:00Z")
    assert row_of(newer, {}, offline=True, rotate_after_days=90, now=NOW).to_json()["rotate_due"] is False
    assert row_of(ProfileMeta(name="p"), {}, offline=True, rotate_after_days=90, now=NOW).to_json()["key_stored"] is None


def test_rotation_of_lists_each_services_keys():
    meta = ProfileMeta(name="p", key="old1…0001", rotation=Rotation(key="new2…0002", started="2026-12-01T10:00:00Z"),
                       links=[LinkRecord(service="https://a.example", id="a1", state="linked", key="old1…0001"),
                              LinkRecord(service="https://b.example", id="b1", state="linked", key="old1…0001"),
                              LinkRecord(service="https://a.example", state="pending", key="new2…0002"),
                              LinkRecord(service="https://u:pw@c.example/x", state="", key="new2…0002")])
    rotation = rotation_of(meta)
    assert rotation is not None and rotation.services == [
        Holding("https://a.example", {"old1…0001": "linked", "new2…0002": "pending"}),
        Holding("https://b.example", {"old1…0001": "linked"})]  # a record in no state holds nothing
    assert rotation.to_json() == {"key": "new2…0002", "started": "2026-12-01T10:00:00Z", "services": [
        {"service": "https://a.example", "keys": ["old1…0001", "new2…0002"]},
        {"service": "https://b.example", "keys": ["old1…0001"]}]}
    assert [p.id for p in row_of(meta, {}, offline=True).links] == ["a1", "b1"]  # the profile's key only
    assert rotation_of(ProfileMeta(name="p")) is None


def test_rotation_hides_a_services_credentials():
    meta = ProfileMeta(name="p", key="old1…0001", rotation=Rotation(key="new2…0002", started="x"),
                       links=[LinkRecord(service="https://u:pw@c.example/x", id="c1", state="linked", key="old1…0001")])
    rotation = rotation_of(meta)
    assert rotation is not None and [h.service for h in rotation.services] == ["https://c.example/x"]


def test_json_link_is_the_first_confirmed_link():
    pending, confirmed = platform(None, None, state="pending"), other("ready", False)
    row = Row(ProfileMeta(name="p"), READY_HERE, [pending, confirmed], "ready", [])
    assert row.to_json()["link"] == {"state": "unreachable", "service": "https://copy.example", "id": "lnk_1"}
    assert Row(ProfileMeta(name="p"), READY_HERE, [pending], "ready", []).to_json()["link"] == {
        "state": "not-linked", "service": "https://link.example", "id": None}


def test_a_handover_by_clipboard_of_the_current_key_is_in_the_json():
    copied = Handover(at="2026-12-01T10:00:00Z", key="0f4b…3e7a", fields=["api-key", "secret-key", "passphrase"])
    meta = ProfileMeta(name="p", key="0f4b…3e7a", handover=copied)
    assert row_of(meta, {}, offline=True, now=NOW).to_json()["handover"] == {
        "at": "2026-12-01T10:00:00Z", "fields": ["api-key", "secret-key", "passphrase"]}
    replaced = ProfileMeta(name="p", key="7c7c…beef", handover=copied)  # handed over, then rotated away
    assert handover_of(replaced) is None
    assert row_of(ProfileMeta(name="p", key="0f4b…3e7a"), {}, offline=True, now=NOW).to_json()["handover"] is None


def test_status_json_shows_the_recorded_handover(tmp_path):
    with ProfilesFile(tmp_path / "profiles.toml").transaction() as profiles:
        profiles["web"] = ProfileMeta(name="web", key="0f4b…3e7a", handover=Handover(
            at="2026-12-01T10:00:00Z", key="0f4b…3e7a", fields=["api-key"]))
        profiles["api"] = ProfileMeta(name="api", key="1234…5678")
    done = InProcess(tmp_path)("status", "--offline", "--json")
    rows = {row["name"]: row for row in json.loads(done.out)["profiles"]}
    assert rows["web"]["handover"] == {"at": "2026-12-01T10:00:00Z", "fields": ["api-key"]}
    assert rows["api"]["handover"] is None
