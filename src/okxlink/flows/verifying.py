"""Verify keys and remember what was found: the use case behind `verify`, `status` and `setup`.

Every key of a run goes out at once over one connection pool, wide enough that no request waits
for a connection, with one clock per site: the server time is asked once per site, starting from
the offset the last run measured (clock.json)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence

import httpx

from okxlink.core.credentials import Credentials
from okxlink.core.okx import Clock
from okxlink.core.urls import host_of
from okxlink.core.verify import Report, verify
from okxlink.errors import UsageError
from okxlink.flows import HttpFactory, kept
from okxlink.i18n import _
from okxlink.settings import Settings
from okxlink.storage import ClockCache, ProfileMeta, ProfileRepo, VerifySummary, now_iso

Job = tuple[str | None, Credentials, str, bool]  # profile, credentials, site, demo


async def verify_many(jobs: Sequence[Job], settings: Settings, http: HttpFactory) -> list[Report]:
    cache = ClockCache(settings.clock_path)
    cached = cache.load()
    clocks: dict[str, Clock] = {}
    limits = httpx.Limits(max_connections=4 * len(jobs) + 4, max_keepalive_connections=20)
    async with http(limits=limits) as client:
        reports = list(await asyncio.gather(*(
            verify(creds, site=site, demo=demo, http=client, profile=profile, base=settings.base_url,
                   clock=clocks.setdefault(site, Clock(offset_ms=cached)))
            for profile, creds, site, demo in jobs)))
    measured = [r.clock_offset_ms for r in reports if r.clock_offset_ms is not None]
    if measured:
        cache.save(measured[0], cached)
    return reports


def verify_one(creds: Credentials, site: str, demo: bool, settings: Settings, http: HttpFactory,
               profile: str | None = None) -> Report:
    return asyncio.run(verify_many([(profile, creds, site, demo)], settings, http))[0]


def verify_profiles(repo: ProfileRepo, names: list[str], settings: Settings, http: HttpFactory,
                    site: str | None = None, demo: bool | None = None,
                    known: dict[str, ProfileMeta] | None = None
                    ) -> tuple[list[tuple[ProfileMeta, Credentials]], list[Report]]:
    """Stored profiles verified together (site and demo default to each profile's own), each
    result remembered in its metadata with one write. A write that fails (a read-only or full
    config dir) costs the reports nothing when the caller set `repo.on_unrecorded`: that hears one
    sentence, and the results are kept for the rest of the run (`repo.known()`). `known`: the
    metadata the caller already read (`repo.known()`), so profiles.toml is not read again."""
    loaded = repo.load_many(names, known)
    jobs = [(meta.name, creds, site or meta.site, meta.demo if demo is None else demo)
            for meta, creds in loaded]
    reports = asyncio.run(verify_many(jobs, settings, http))
    with repo.best_effort():
        repo.update_many({r.profile or "": functools.partial(record, report=r) for r in reports})
    return loaded, reports


def record(meta: ProfileMeta, report: Report) -> None:
    """What a verification leaves in a profile: when, the verdict, and the ids of the checks that
    did not pass (their words are looked up again in the reader's language)."""
    meta.site, meta.demo = report.site, report.demo
    meta.last_verified = now_iso()
    meta.verify = VerifySummary(ready=report.ready, statuses={str(c.id): c.status for c in report.checks},
                                reasons=[str(c.id) for c in report.checks if c.status in ("fail", "warn")])
    if report.config is not None:  # OKX's words (or whatever answered in its place): see `kept`
        meta.label = kept(report.config.label) or meta.label
        meta.uid = kept(report.config.uid) or meta.uid
        meta.verify.acct_lv = kept(report.config.acct_lv)
        meta.verify.ip_count = len(report.config.ip)


def may_keep(report: Report, keep_unverified: bool) -> bool:
    """A key is stored once it verified, or when it is bound to a platform's IPs (50110 here) and
    the user said to keep it."""
    return report.ready is True or (report.okx_code == "50110" and keep_unverified)


def save_verified(repo: ProfileRepo, name: str, creds: Credentials, report: Report) -> ProfileMeta:
    """Store a verified key as profile `name`. The same key again keeps its links; another key in
    place of one that platforms hold is refused (okxlink rotate moves them; replacing it here would
    leave them holding a key okxlink no longer knows)."""
    meta = ProfileMeta(name=name)
    record(meta, report)
    old = repo.profiles.read().get(name)
    if old is not None:
        check_replaceable(old, creds.masked_key())
        if old.key == creds.masked_key():
            meta.links = old.links
    return repo.save(name, creds, meta)


def check_replaceable(old: ProfileMeta, new_key: str) -> None:
    """Raises unless profile `old` may take `new_key` by a plain save: not while a service holds its
    key or a rotation is under way."""
    if old.key == new_key or not (old.services() or old.rotation):
        return
    raise UsageError(_("Profile {name} is linked to {services}: storing another key under its name would leave "
                       "them holding the old one.").format(name=old.name, services=", ".join(
                           host_of(url) or url for url in old.services()) or "-"),
                     _("Replace its key everywhere with okxlink rotate --profile {name}, or store the new key "
                       "under another name with --profile NAME.").format(name=old.name))
