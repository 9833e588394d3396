"""`okxlink verify`: find the credentials (environment, stdin or stored profiles), verify them with
a spinner, render the report, and remember the result in the profile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from okxlink.cli import inputs
from okxlink.cli.context import Context
from okxlink.cli.ui import UI
from okxlink.core import sites
from okxlink.errors import Exit, UsageError, exit_for_ready, worst
from okxlink.flows.verifying import verify_one, verify_profiles
from okxlink.i18n import _, ngettext

if TYPE_CHECKING:  # imported where used: verify --json needs neither the platforms' modules nor --share's
    from okxlink.cli import share_view
    from okxlink.core.verify import Report
    from okxlink.flows import status


def run_verify(ctx: Context, *, profile: str, site: str | None, demo: bool | None, json_out: bool,
               stdin: bool, all_profiles: bool, local_only: bool = False, share: bool = False) -> Exit:
    if share and json_out:
        raise UsageError(_("--share and --json do not go together: --share writes a report for people, "
                           "--json the documented schema for programs."), _("Use one of them."))
    ui = ctx.ui(json_mode=json_out)
    ctx.note_endpoint(ui)
    creds = inputs.from_stdin(ctx.stdin) if stdin else inputs.from_env(ctx.environ)
    if creds is not None:
        if not stdin and profile in ctx.profiles_file().read():
            ui.note(_("Using the credentials in OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE; "
                      "they win over the stored profile {name}.").format(name=profile))
        with ui.spinner(_("Asking OKX about key {key}…").format(key=creds.masked_key())):
            report = verify_one(creds, site or "global", bool(demo), ctx.settings, ctx.http)
        if share:
            from okxlink.cli import share_view

            _share(ctx, ui, [share_view.Section(report, creds.masked_key(), report.ready,
                                                source="stdin" if stdin else "environment")])
        else:
            _show(ui, [report], json_out, many=False, keys={None: creds.masked_key()})
        return exit_for_ready(report.ready)

    repo = ctx.repo()
    repo.on_unrecorded = ui.note  # a verdict that cannot be recorded is still shown, with one warning
    known = repo.known()  # profiles.toml read once, whatever the number of profiles
    names = sorted(known) if all_profiles else [profile]
    if not names:
        raise UsageError(_("No credentials to verify."), _where_credentials_come_from())
    if not all_profiles and profile not in known:
        raise UsageError(_("No credentials to verify: there is no profile {name}.").format(name=profile),
                         _where_credentials_come_from())
    with ui.spinner(ngettext("Asking OKX about {n} key…", "Asking OKX about {n} keys…", len(names)).format(
            n=len(names))):
        loaded, reports = verify_profiles(repo, names, ctx.settings, ctx.http, site, demo, known)
    platforms: dict[str, status.Platform] = {}
    bound = [r.profile for r in reports if r.profile and r.okx_code == "50110"]
    if bound and not local_only:  # only the platform can check these: ask it
        from okxlink.flows import status

        with ui.spinner(_("Asking your platform to check the key…")):
            platforms = status.ask_platforms(repo, bound, ctx.settings, ctx.http)
    if share:  # each profile's links as recorded after this run (the platforms asked now included)
        from okxlink.cli import share_view

        after = repo.known()
        _share(ctx, ui, [share_view.Section(r, stored.masked_key(), _verdict(r, platforms.get(meta.name)),
                                            profile=meta.name, meta=after.get(meta.name, meta))
                         for r, (meta, stored) in zip(reports, loaded, strict=True)])
    else:
        _show(ui, reports, json_out, many=all_profiles, keys={meta.name: meta.key for meta, _creds in loaded},
              platforms=platforms)
    return worst(exit_for_ready(_verdict(r, platforms.get(r.profile or ""))) for r in reports)


def _verdict(report: Report, platform: status.Platform | None) -> bool | None:
    """The platform's answer stands for a key this machine cannot check; otherwise this machine's."""
    if platform is not None and platform.reachable and platform.spot:
        return platform.spot == "ready"
    return report.ready


def _where_credentials_come_from() -> str:
    return _("Run okxlink setup to store a key, set OKX_API_KEY, OKX_SECRET_KEY and "
             "OKX_PASSPHRASE, or pipe them as JSON into okxlink verify --stdin.")


def _share(ctx: Context, ui: UI, sections: list[share_view.Section]) -> None:
    """Whole lines, never wrapped here: the chat or ticket they are pasted into wraps them."""
    from okxlink.cli import share_view
    from okxlink.cli.console import shown

    about = share_view.About.here(ctx.settings.lang, ctx.settings.base_url)
    for line in share_view.lines(sections, about, ctx.now()):
        ui.out.print(shown(line), soft_wrap=True)


def _show(ui: UI, reports: list[Report], json_out: bool, many: bool, keys: dict[str | None, str],
          platforms: dict[str, status.Platform] | None = None) -> None:
    platforms = platforms or {}
    if json_out:
        found = [_json(r, platforms.get(r.profile or "")) for r in reports]
        ui.json(found if many else found[0])
        return
    for report in reports:
        name = _("profile {name} · ").format(name=report.profile) if report.profile else ""
        ui.report(report, title=name + _("OKX key {key} · {where}").format(
            key=keys.get(report.profile, ""), where=sites.describe(report.site, report.demo)))
        platform = platforms.get(report.profile or "")
        if platform is not None:
            from okxlink.cli import status_view

            ui.out.print(status_view.platform_verdict(platform))


def _json(report: Report, platform: status.Platform | None) -> dict[str, Any]:
    data = report.to_json()
    if platform is not None:
        data.update(ready=_verdict(report, platform), verified_by="platform" if platform.reachable else None,
                    platform=platform.to_json())
    return data
