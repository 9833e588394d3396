"""`okxlink verify`: find the credentials (environment, stdin or stored profiles), run the core's
verify with a spinner, render the report, and remember the result in the profile."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

from okxlink.cli import clock_cache, debug, inputs
from okxlink.cli.ui import UI
from okxlink.core import sites
from okxlink.core.credentials import Credentials
from okxlink.core.okx import Clock
from okxlink.core.verify import Report, verify
from okxlink.errors import Exit, UsageError
from okxlink.i18n import _

if TYPE_CHECKING:
    from okxlink.storage import ProfileMeta, ProfileRepo


def exit_code(ready: bool | None) -> int:
    return int({True: Exit.OK, False: Exit.NOT_READY, None: Exit.UNVERIFIED}[ready])


def worst(codes: list[int]) -> int:
    """Across several keys: any not ready beats any unverifiable beats ready."""
    for code in (Exit.NOT_READY, Exit.UNVERIFIED):
        if code in codes:
            return int(code)
    return 0


def verify_once(ui: UI, creds: Credentials, site: str, demo: bool, profile: str | None = None) -> Report:
    with ui.spinner(_("Asking OKX about key {key}…").format(key=creds.masked_key())):
        return asyncio.run(verify_many([(profile, creds, site, demo)]))[0]


async def verify_many(jobs: Sequence[tuple[str | None, Credentials, str, bool]]) -> list[Report]:
    """Every key at once over one connection pool, wide enough that no request waits for a
    connection; one clock per site, so the server time is asked once per site, starting from
    the offset the last run measured."""
    cached = clock_cache.load()
    clocks: dict[str, Clock] = {}
    limits = httpx.Limits(max_connections=4 * len(jobs) + 4, max_keepalive_connections=20)
    async with httpx.AsyncClient(limits=limits, event_hooks=debug.hooks()) as http:
        reports = list(await asyncio.gather(*(
            verify(creds, site=site, demo=demo, http=http, profile=profile,
                   clock=clocks.setdefault(site, Clock(offset_ms=cached)))
            for profile, creds, site, demo in jobs)))
    measured = [r.clock_offset_ms for r in reports if r.clock_offset_ms is not None]
    if measured:
        clock_cache.save(measured[0], cached)
    return reports


def run_verify(*, profile: str, site: str | None, demo: bool | None, json_out: bool, stdin: bool,
               all_profiles: bool) -> int:
    ui = UI(json_mode=json_out)
    creds = inputs.from_stdin() if stdin else inputs.from_env()
    if creds is not None:
        if not stdin and _stored(profile):
            ui.note(_("Using the credentials in OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE; "
                      "they win over the stored profile {name}.").format(name=profile))
        report = verify_once(ui, creds, site or "global", bool(demo))
        _show(ui, [report], json_out, many=False, keys={None: creds.masked_key()})
        return exit_code(report.ready)
    return _verify_stored(ui, profile, site, demo, json_out, all_profiles)


def _stored(profile: str) -> bool:
    from okxlink.storage import ProfilesFile

    return profile in ProfilesFile().read()


def _where_credentials_come_from() -> str:
    return _("Run okxlink setup to store a key, set OKX_API_KEY, OKX_SECRET_KEY and "
             "OKX_PASSPHRASE, or pipe them as JSON into okxlink verify --stdin.")


def _verify_stored(ui: UI, profile: str, site: str | None, demo: bool | None, json_out: bool,
                   all_profiles: bool) -> int:
    from okxlink.storage import KeyringStore, ProfileRepo

    repo = ProfileRepo(KeyringStore())
    names = repo.names() if all_profiles else [profile]
    if not names:
        raise UsageError(_("No credentials to verify."),
                         _where_credentials_come_from())
    if not all_profiles and not repo.exists(profile):
        raise UsageError(_("No credentials to verify: there is no profile {name}.").format(name=profile),
                         _where_credentials_come_from())
    loaded, reports = verify_profiles(ui, repo, names, site, demo)
    _show(ui, reports, json_out, many=all_profiles,
          keys={meta.name: meta.key for meta, _creds in loaded})
    return worst([exit_code(r.ready) for r in reports])


def verify_profiles(ui: UI, repo: ProfileRepo, names: list[str], site: str | None = None,
                    demo: bool | None = None) -> tuple[list[tuple[ProfileMeta, Credentials]], list[Report]]:
    """Stored profiles verified together (site and demo default to each profile's own), each
    result remembered in its metadata with one write."""
    from okxlink.cli.records import record

    loaded = repo.load_many(names)
    jobs = [(meta.name, creds, site or meta.site, meta.demo if demo is None else demo)
            for meta, creds in loaded]
    with ui.spinner(_("Asking OKX about {n} key(s)…").format(n=len(jobs))):
        reports = asyncio.run(verify_many(jobs))
    repo.update_many({r.profile or "": functools.partial(record, report=r) for r in reports})
    return loaded, reports


def _show(ui: UI, reports: list[Report], json_out: bool, many: bool,
          keys: dict[str | None, str]) -> None:
    if json_out:
        ui.json([r.to_json() for r in reports] if many else reports[0].to_json())
        return
    for report in reports:
        name = _("profile {name} · ").format(name=report.profile) if report.profile else ""
        ui.report(report, title=name + _("OKX key {key} · {where}").format(
            key=keys.get(report.profile, ""), where=sites.describe(report.site, report.demo)))
