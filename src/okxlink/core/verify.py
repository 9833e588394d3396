"""The verify use case: gather facts about one key concurrently, run the rules, return a Report.

Round trips: the clock, the account config and both balances go out together, signed with the
local clock (corrected by a cached offset when one is known). Only a problem costs more: a 50102
re-signs once, a "not known here" (50119, 50111) asks the other sites, a 50101 asks the other
environment, all in parallel.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from okxlink import errors
from okxlink.core import codes, sites
from okxlink.core.checks import Check, CheckId
from okxlink.core.codes import NO_ANSWER
from okxlink.core.credentials import Credentials
from okxlink.core.diagnose import MODES, Facts, diagnose, readiness
from okxlink.core.models import AccountConfig
from okxlink.core.okx import Clock, OkxClient


@dataclass
class Report:
    profile: str | None
    site: str
    demo: bool
    ready: bool | None
    checks: list[Check]
    config: AccountConfig | None = None
    clock_offset_ms: int | None = None
    okx_code: str | None = None      # what OKX refused the key with, if it did (never a no-answer code)
    key_site: str | None = None      # on a wrong site: the site that knows the key

    @property
    def retype(self) -> codes.Field | None:
        """The credential field OKX's refusal points at (what to offer re-typing first), if any."""
        return codes.retype_field(self.okx_code)

    def to_json(self) -> dict[str, Any]:
        cfg = self.config
        account = None if cfg is None else {
            "uid": cfg.uid, "label": cfg.label, "mode": MODES.get(cfg.acct_lv, "unknown"),
            "acct_lv": int(cfg.acct_lv) if cfg.acct_lv.isdigit() else None,
            "type": "main" if cfg.type in ("", "0") else "sub", "perm": cfg.perm, "ip": cfg.ip}
        return {"profile": self.profile, "site": self.site, "demo": self.demo, "ready": self.ready,
                "account": account,
                "checks": [{"id": c.id, "status": c.status, "message": c.message, "fix": c.fix}
                           for c in self.checks]}


async def _config_on(http: httpx.AsyncClient, creds: Credentials, site: str, demo: bool,
                     clock: Clock, base: str | None) -> AccountConfig | errors.OkxError:
    try:
        return await OkxClient(http, creds, site, demo, clock=clock,
                               base_url=sites.rest_base(site, base)).account_config()
    except errors.OkxError as exc:
        return exc


async def find_site(http: httpx.AsyncClient, creds: Credentials, demo: bool, clock: Clock,
                    base: str | None, candidates: tuple[str, ...] = sites.SITES) -> str | None:
    """The site whose OKX knows this key (any answer but "not here" (50119, 50111) or no answer),
    asked all at once."""
    answers = await asyncio.gather(*(_config_on(http, creds, s, demo, clock, base) for s in candidates))
    return _known_site(candidates, answers)


def _known_site(candidates: tuple[str, ...], answers: list[AccountConfig | errors.OkxError]) -> str | None:
    for name, answer in zip(candidates, answers, strict=True):
        if not isinstance(answer, errors.OkxError) or (
                codes.key_found(answer.code) != "not-here" and not isinstance(answer, NO_ANSWER)):
            return name
    return None


async def verify(creds: Credentials, *, site: str = "global", demo: bool = False,
                 http: httpx.AsyncClient, profile: str | None = None,
                 clock: Clock | None = None, base: str | None = None) -> Report:
    """`base`: an OKX-compatible base URL (maybe with `{site}`), default OKXLINK_BASE_URL."""
    clock = clock or Clock()
    can_probe = sites.probes_other_sites(base)
    silent: errors.OkxError | None = None  # every site was asked and none answered
    if site == "auto":
        found = None
        if can_probe:
            answers = await asyncio.gather(*(_config_on(http, creds, s, demo, clock, base) for s in sites.SITES))
            found = _known_site(sites.SITES, answers)
            if found is None:  # asking one of them again would only wait as long again
                silent = next((a for a in answers if isinstance(a, NO_ANSWER)
                               and all(isinstance(b, NO_ANSWER) for b in answers)), None)
        site = found or "global"
    client = OkxClient(http, creds, site, demo, clock=clock, base_url=sites.rest_base(site, base))
    facts = Facts(site=site, demo=demo, probed_sites=can_probe)
    if silent is not None:
        facts.network = silent
        checks = diagnose(facts)
        return Report(profile, site, demo, readiness(checks), checks, None, None, None, None)

    time_task = asyncio.ensure_future(client.sync_clock())
    config, trading, funding = await asyncio.gather(
        client.account_config(), client.trading_balance(), client.funding_balances(),
        return_exceptions=True)
    try:
        await time_task
        facts.clock_offset_ms = clock.offset_ms
    except errors.OkxError:
        pass

    if isinstance(config, BaseException):
        if not isinstance(config, errors.OkxError):
            raise config
        if isinstance(config, NO_ANSWER):
            facts.network = config
        else:
            facts.auth = config
    else:
        facts.config = config
        facts.trading = None if isinstance(trading, BaseException) else trading
        facts.funding = None if isinstance(funding, BaseException) else funding

    # A refusal saying this site does not know the key (50119, 50111: key_found "not-here") asks the
    # other sites; one that points at the environment (50101) asks the other environment.
    points_at = codes.row(facts.code).check if facts.auth is not None else None
    if facts.auth is not None and codes.key_found(facts.code) == "not-here" and can_probe:
        others = tuple(s for s in sites.SITES if s != site)
        facts.key_site = await find_site(http, creds, demo, clock, base, others)
    elif points_at is CheckId.ENVIRONMENT:
        other = await _config_on(http, creds, site, not demo, clock, base)
        facts.other_env_knows = not (isinstance(other, errors.OkxError) and codes.key_found(other.code)
                                     in ("not-here", "other-environment"))

    checks = diagnose(facts)
    return Report(profile, site, demo, readiness(checks), checks, facts.config,
                  facts.clock_offset_ms, facts.code, facts.key_site)
