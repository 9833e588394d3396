"""What `okxlink status` knows of each profile, and the one rule that combines two verdicts:

- this machine's: okxlink's own check of the key (now, or remembered with its age offline);
- the platform's: what the linking service answered when asked to check the key again (or, when it
  cannot be reached, its last answer, shown as remembered).

A failing check from here is never hidden: a key OKX refused or judged unfit here makes the profile
`attention` (OKX not answering is no verdict on the key). A platform
that cannot be reached never turns a local failure into ready. A key bound to the platform's IPs
(50110 here, a warning, not a failure) is judged by the platform.

Beside the verdicts: the key's age (and whether it is due for `okxlink rotate`), and a rotation
under way, with the keys each service holds meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit, urlunsplit

from okxlink.core.urls import host_of
from okxlink.errors import Exit, exit_for_ready, worst
from okxlink.flows import HttpFactory, Reached
from okxlink.settings import Settings
from okxlink.storage import ProfileMeta, ProfileRepo

if TYPE_CHECKING:  # imported where used: `status --offline` loads no HTTP stack
    from okxlink.core.linking import Link
    from okxlink.core.verify import Report

Spot = Literal["ready", "attention", "unknown"]
SPOT_READY: dict[Spot, bool | None] = {"ready": True, "attention": False, "unknown": None}
BOUND_ELSEWHERE = "ip-whitelist"  # the check that warns when OKX answers 50110 here


@dataclass(frozen=True)
class Local:
    """This machine's verdict."""
    ready: bool | None
    failing: list[str]
    warnings: list[str]
    checked_at: str | None

    @property
    def bound_elsewhere(self) -> bool:
        """OKX will not answer this machine for the key (50110): only the platform can check it."""
        return BOUND_ELSEWHERE in self.warnings and self.ready is None

    def to_json(self) -> dict[str, Any]:
        return {"ready": self.ready, "failing": self.failing, "warnings": self.warnings,
                "checked_at": self.checked_at, "bound_elsewhere": self.bound_elsewhere}


@dataclass(frozen=True)
class Platform:
    """One link's verdict. `reachable`: True it answered now, False it was asked and did not,
    None it was not asked (offline): `spot` is then what it said at `checked_at`."""
    service: str
    id: str
    state: str                     # linked | pending
    spot: str | None               # ready | attention | None (never said)
    reasons: list[str]
    checked_at: str | None
    reachable: bool | None

    @property
    def remembered(self) -> bool:
        return self.reachable is not True

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "id": self.id or None, "state": self.state,
                "spot": self.spot, "reasons": self.reasons, "checked_at": self.checked_at,
                "reachable": self.reachable}


@dataclass(frozen=True)
class Holding:
    """What one service holds of a profile while its key is being replaced: masked key → "linked"
    or "pending" (sent, not confirmed)."""
    service: str
    keys: dict[str, str]


@dataclass(frozen=True)
class RotationState:
    key: str                       # the new key, masked
    started: str
    services: list[Holding]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "started": self.started,
                "services": [{"service": h.service, "keys": list(h.keys)} for h in self.services]}


@dataclass(frozen=True)
class Row:
    meta: ProfileMeta
    local: Local
    links: list[Platform]
    spot: Spot
    reasons: list[str]             # check ids behind `spot`
    key_stored: str | None = None  # when the key was stored (ISO 8601 UTC), if known
    rotate_due: bool = False       # older than rotate_after_days
    rotate_after_days: int = 0     # the threshold it was judged by (the settings'; 0: never due)
    rotation: RotationState | None = None

    def to_json(self) -> dict[str, Any]:
        """The `status --json` entry (a documented contract: add keys, never rename)."""
        m = self.meta
        # `link` is the one-link shape of earlier versions: the first confirmed link tells most
        first = next((p for p in self.links if p.state == "linked"), self.links[0] if self.links else None)
        link = {"state": "not-linked", "service": first.service if first else None, "id": None}
        if first is not None and first.state == "linked":
            link = {"state": "linked" if first.reachable is not False else "unreachable",
                    "service": first.service, "id": first.id}
        return {"name": m.name, "site": m.site, "demo": m.demo, "key": m.key, "spot": self.spot,
                "reasons": self.reasons, "local": self.local.to_json(),
                "links": [p.to_json() for p in self.links], "link": link, "last_verified": m.last_verified,
                "key_stored": self.key_stored, "rotate_due": self.rotate_due,
                "rotation": self.rotation.to_json() if self.rotation is not None else None,
                "handover": handover_of(m)}


def parse_time(iso: str | None) -> datetime | None:
    """A time okxlink wrote (ISO 8601 UTC); None when absent, or hand-edited into something else
    (the file is the user's: no crash)."""
    if not iso:
        return None
    try:
        when = datetime.fromisoformat(iso[:40].replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def rotate_due(key_stored: str | None, after_days: int, now: datetime) -> bool:
    """The key is older than `after_days` (0: never suggest). A key of unknown age is not due:
    guessing would nag about every key stored by an early version."""
    stored = parse_time(key_stored)
    return after_days > 0 and stored is not None and now - stored > timedelta(days=after_days)


def rotation_of(meta: ProfileMeta) -> RotationState | None:
    """The rotation under way, with what each service holds."""
    if meta.rotation is None:
        return None
    held = [Holding(shown_url(url), keys) for url, keys in meta.holdings().items()]
    return RotationState(key=meta.rotation.key, started=meta.rotation.started, services=held)


def handover_of(meta: ProfileMeta) -> dict[str, Any] | None:
    """The current key's hand-over by clipboard (`okxlink copy`): when, and which values; a hand-over
    of a key since replaced tells nothing of this one."""
    h = meta.handover
    if h is None or h.key != meta.key:
        return None
    return {"at": h.at or None, "fields": list(h.fields)}


def local_of(meta: ProfileMeta) -> Local:
    statuses = meta.verify.statuses
    return Local(ready=meta.verify.ready, failing=[c for c, s in statuses.items() if s == "fail"],
                 warnings=[c for c, s in statuses.items() if s == "warn"], checked_at=meta.last_verified)


def shown_url(url: str) -> str:
    """A service address as status shows it: without the user name or password a hand-edited
    profiles.toml may hold (okxlink refuses to use such an address anyway)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, host_of(url), parts.path, "", ""))


def platforms_of(meta: ProfileMeta, reached: Reached, asked: bool) -> list[Platform]:
    """Every link of the profile's key (a rotation's new key is its own; see `rotation_of`)."""
    return [Platform(service=shown_url(r.service), id=r.id, state=r.state, spot=r.spot, reasons=list(r.reasons),
                     checked_at=r.checked_at,
                     reachable=reached.get((meta.name, r.service, r.key)) if asked and r.linked else None)
            for r in meta.links if r.state in ("linked", "pending") and r.key == meta.key]


def combine(local: Local, links: list[Platform], offline: bool) -> tuple[Spot, list[str]]:
    if local.ready is False:  # a check failed on the key itself (not "OKX did not answer")
        return "attention", local.failing
    said = [p for p in links if p.state == "linked" and p.spot and (p.reachable or offline)]
    if any(p.spot != "ready" for p in said):
        return "attention", sorted({r for p in said if p.spot != "ready" for r in p.reasons})
    if said:
        return "ready", []
    if local.ready is True:
        return "ready", []
    return "unknown", local.warnings if local.bound_elsewhere else []


def row_of(meta: ProfileMeta, reached: Reached, offline: bool, rotate_after_days: int = 0,
           now: datetime | None = None) -> Row:
    local = local_of(meta)
    links = platforms_of(meta, reached, asked=not offline)
    spot, reasons = combine(local, links, offline)
    stored = meta.key_stored or meta.created  # earlier versions kept only when the profile was made
    due = rotate_due(stored, rotate_after_days, now or datetime.now(timezone.utc))
    return Row(meta, local, links, spot, reasons, key_stored=stored, rotate_due=due,
               rotate_after_days=rotate_after_days, rotation=rotation_of(meta))


def rows(repo: ProfileRepo, settings: Settings, http: HttpFactory, offline: bool,
         now: datetime | None = None) -> list[Row]:
    """`now`: the run's clock (the CLI's, so that tests fix it), for the keys' ages. profiles.toml
    is read once (plus, online, once for its one write and once for what that left), whatever the
    number of profiles."""
    known = repo.known()
    reached: Reached = {}
    if known and not offline:  # only then the HTTP stack: `status --offline` never loads it
        reached = check_all(repo, known, settings, http)
        known = repo.known()  # after what was recorded (or kept in memory when it could not be)
    return [row_of(meta, reached, offline, settings.rotate_after_days, now)
            for _name, meta in sorted(known.items())]


def check_all(repo: ProfileRepo, known: dict[str, ProfileMeta], settings: Settings, http: HttpFactory) -> Reached:
    """Every key verified here and every link asked of its service, all at once over one client (one
    wave: neither waits for the other), and everything they found recorded in one write."""
    import asyncio
    import contextlib
    import functools
    from collections.abc import AsyncIterator

    import httpx

    from okxlink.flows.linking import apply_all, ask_links, link_answers, link_asks
    from okxlink.flows.verifying import record, verify_many

    loaded = repo.load_many(sorted(known), known)
    jobs = [(meta.name, creds, meta.site, meta.demo) for meta, creds in loaded]
    asks, reached = link_asks(repo, [meta for meta, _creds in loaded], settings)

    async def both() -> tuple[list[Report], list[Link | Exception | None]]:
        limits = httpx.Limits(max_connections=4 * len(jobs) + len(asks) + 4, max_keepalive_connections=20)
        async with http(limits=limits) as client:
            @contextlib.asynccontextmanager
            async def shared(**_limits: Any) -> AsyncIterator[httpx.AsyncClient]:
                yield client  # verify_many's requests go over this client, opened and closed here

            return await asyncio.gather(verify_many(jobs, settings, cast(HttpFactory, shared)),
                                        ask_links(client, asks))

    reports, answers = asyncio.run(both())
    changes = link_answers(asks, answers, reached)
    for report in reports:
        changes.setdefault(report.profile or "", []).insert(0, functools.partial(record, report=report))
    with repo.best_effort():  # the verdicts and the platforms' answers: worth keeping, not worth the run
        repo.update_many({name: functools.partial(apply_all, changes=fns) for name, fns in changes.items()})
    return reached


def exit_code(found: list[Row]) -> Exit:
    """Every profile ready: 0; any needs attention: 3; else any unknown: 4. No profile: nothing is
    ready, 3 (as `gh auth status` exits non-zero when logged in nowhere)."""
    if not found:
        return Exit.NOT_READY
    return worst(exit_for_ready(SPOT_READY[row.spot]) for row in found)


def ask_platforms(repo: ProfileRepo, names: list[str], settings: Settings, http: HttpFactory) -> dict[str, Platform]:
    """For keys this machine cannot check (bound to the platform's IPs): ask each one's linking
    services to check it again now. Only linked profiles are asked; returns profile → the verdict
    that tells (a platform that needs attention before one that says ready)."""
    from okxlink.flows.linking import refresh_links

    metas = repo.known()
    linked = [meta for n in names if (meta := metas.get(n)) is not None and any(r.linked for r in meta.links)]
    if not linked:
        return {}
    with repo.best_effort():
        reached = refresh_links(repo, linked, settings, http)
    after = repo.known()
    verdicts = {}
    for meta in linked:
        found = [p for p in platforms_of(after[meta.name], reached, asked=True) if p.state == "linked"] \
            if meta.name in after else []
        if found:  # none when the platforms no longer know the links
            verdicts[meta.name] = min(found, key=lambda p: (not p.reachable, p.spot == "ready"))
    return verdicts
