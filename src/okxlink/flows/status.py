"""What `okxlink status` knows of each profile: Spot readiness, the link's state, and the exit code.
Online it verifies every profile again and asks each linked one's service first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from okxlink.errors import Exit, exit_for_ready, worst
from okxlink.flows import HttpFactory
from okxlink.settings import Settings
from okxlink.storage import ProfileMeta, ProfileRepo

SPOT_READY = {"ready": True, "attention": False, "unknown": None}


@dataclass
class Row:
    meta: ProfileMeta
    spot: str                  # ready | attention | unknown
    reasons: list[str]         # check ids
    link: dict[str, Any]       # state (linked | not-linked | unreachable), service, id

    def to_json(self) -> dict[str, Any]:
        m = self.meta
        return {"name": m.name, "site": m.site, "demo": m.demo, "key": m.key, "spot": self.spot,
                "reasons": self.reasons, "link": self.link, "last_verified": m.last_verified}


def spot_of(meta: ProfileMeta) -> tuple[str, list[str]]:
    """As the platform shows it when linked (its verification from its own servers counts), else
    from our own last verification."""
    if meta.link and meta.link.linked and meta.link.spot:
        return meta.link.spot, list(meta.link.reasons)
    spot = {True: "ready", False: "attention", None: "unknown"}[meta.verify.ready]
    return spot, list(meta.verify.reasons)


def link_of(meta: ProfileMeta, reachable: dict[str, bool]) -> dict[str, Any]:
    if not (meta.link and meta.link.linked):
        return {"state": "not-linked", "service": meta.link.service if meta.link else None, "id": None}
    state = "linked" if reachable.get(meta.name, True) else "unreachable"
    return {"state": state, "service": meta.link.service, "id": meta.link.id}


def rows(repo: ProfileRepo, settings: Settings, http: HttpFactory, offline: bool) -> list[Row]:
    from okxlink.flows.linking import refresh_links
    from okxlink.flows.verifying import verify_profiles

    names = repo.names()
    reachable: dict[str, bool] = {}
    if names and not offline:
        loaded, _reports = verify_profiles(repo, names, settings, http)
        reachable = refresh_links(repo, [meta for meta, _creds in loaded], settings, http)
    out = []
    for _name, meta in sorted(repo.profiles.read().items()):  # read once, after what was recorded
        spot, reasons = spot_of(meta)
        out.append(Row(meta, spot, reasons, link_of(meta, reachable)))
    return out


def exit_code(found: list[Row]) -> Exit:
    return worst(exit_for_ready(SPOT_READY[row.spot]) for row in found)
