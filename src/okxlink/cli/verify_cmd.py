"""`okxlink verify`: read the credentials, run the core's verify, render the report."""

from __future__ import annotations

import asyncio

import httpx

from okxlink.cli import inputs
from okxlink.cli.ui import UI
from okxlink.core.verify import Report, verify
from okxlink.errors import Exit, UsageError
from okxlink.i18n import _


def exit_code(ready: bool | None) -> int:
    return int({True: Exit.OK, False: Exit.NOT_READY, None: Exit.UNVERIFIED}[ready])


def run_verify(*, site: str, demo: bool, json_out: bool, stdin: bool) -> int:
    ui = UI(json_mode=json_out)
    creds = inputs.from_stdin() if stdin else inputs.from_env()
    if creds is None:
        raise UsageError(_("No credentials to verify."),
                         _("Set OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE, or pipe "
                           '{"api_key", "secret_key", "passphrase"} as JSON into okxlink verify --stdin.'))
    with ui.spinner(_("Asking OKX about key {key}…").format(key=creds.masked_key())):
        report = asyncio.run(_verify(creds, site, demo))
    if json_out:
        ui.json(report.to_json())
    else:
        ui.report(report, title=_("OKX key {key} · {site} · {env}").format(
            key=creds.masked_key(), site=report.site, env=_("demo") if demo else _("live")))
    return exit_code(report.ready)


async def _verify(creds, site: str, demo: bool) -> Report:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(http2=False) as http:
        return await verify(creds, site=site, demo=demo, http=http)
