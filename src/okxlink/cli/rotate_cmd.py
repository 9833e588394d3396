"""`okxlink rotate`: replace a profile's key everywhere it is linked. This module collects and checks
the new key (the wizard's own steps, or the environment / --stdin), asks once, and hands over to
okxlink.flows.rotating, which moves every link; whatever stops that is told as which key each
platform holds now, so the user knows both keys are still in use and that running it again goes on."""

from __future__ import annotations

import contextlib

from okxlink.cli import inputs
from okxlink.cli.context import Context
from okxlink.cli.link_ui import hosts_of, resolve_token, show_link
from okxlink.cli.setup_wizard import browser_here
from okxlink.cli.status_view import age
from okxlink.cli.ui import UI
from okxlink.cli.wizard import STEPS, State, Wizard
from okxlink.core import sites
from okxlink.core.checks import CheckId
from okxlink.core.credentials import Credentials
from okxlink.core.linking import Link
from okxlink.core.secret import SecretStr
from okxlink.core.urls import check_service_url, host_of
from okxlink.core.verify import Report
from okxlink.errors import Exit, Interrupted, OkxlinkError, UsageError, exit_for_ready
from okxlink.flows import HttpFactory, rotating
from okxlink.flows.verifying import verify_one
from okxlink.i18n import _
from okxlink.storage import ProfileMeta, ProfileRepo
from okxlink.text import plain

NEW_KEY_STEPS = ("create-key", "paste", "verify")  # the wizard's steps that make and check a key


def run_rotate(ctx: Context, *, profile: str, yes: bool, stdin: bool, json_out: bool) -> Exit:
    repo = ctx.repo()
    meta = repo.meta(profile)
    ui = ctx.ui(json_mode=json_out)
    tell = ui.note if json_out else ui.say  # stdout holds the one JSON object
    interactive = ctx.can_ask and not stdin
    if not interactive and not yes:  # before anything is read or sent
        raise UsageError(_("Not rotating without confirmation: there is no terminal to ask in."),
                         _("Pass --yes to let okxlink send the new key to every platform of profile {name}.").format(
                             name=profile))
    ctx.note_endpoint(ui)
    creds = repo.next_key(profile)
    continuing = creds is not None
    if creds is not None and meta.rotation is not None:
        tell(_("Continuing the rotation to key {new} started {age}.").format(
            new=plain(meta.rotation.key), age=age(meta.rotation.started, ctx.now())))
        given = None if interactive else _given(ctx, stdin)
        if given is not None and given.masked_key() != creds.masked_key():
            raise UsageError(_("A rotation of profile {name} to key {new} is under way; it must end before "
                               "another key can take its place.").format(name=profile, new=creds.masked_key()),
                             _("Run okxlink rotate --profile {name} again without new credentials, or with key "
                               "{new}'s.").format(name=profile, new=creds.masked_key()))
        report = _verify(ctx, ui, creds, meta.site, meta.demo)  # it must still work: one request
    else:
        if meta.rotation is not None:
            ui.note(_("A rotation to key {new} was started, but its secret is no longer in {store}; "
                      "the new key is asked for again.").format(new=plain(meta.rotation.key),
                                                                store=repo.secrets.describe()))
        creds, report = _by_wizard(ctx, ui, meta) if interactive else _unattended(ctx, ui, meta, stdin)
    rotating.same_account(meta, creds, report)
    if not _acceptable(report, meta):
        return _refuse(ui, report, meta, json_out, shown=interactive and not continuing)

    services = meta.services()
    for url in services:  # profiles.toml is the user's file: an address no secret may go to is refused
        check_service_url(url)
    if services and not yes and not ctx.asker().confirm("rotate-send", _(
            "Send new key {new} to {hosts} and withdraw old key {old} there once each says ready?").format(
                new=creds.masked_key(), hosts=hosts_of(services), old=plain(meta.key)),
            default=True):
        raise UsageError(_("Stopped before sending anything."), None)
    tokens = {url: _token(ctx, url) for url in services}  # all before the first step

    try:
        if not continuing:
            rotating.begin(repo, profile, creds)
        moved = _move(ui, repo, profile, services, tokens, ctx.http)
        done = rotating.finish(repo, profile, report)
    except rotating.NotReadyThere as exc:  # a verdict: exit 3, as for a key not ready
        if not json_out:
            show_link(ui, exc.link, exc.service)
        _where_things_stand(ui, repo, profile)
        raise
    except OkxlinkError:
        _where_things_stand(ui, repo, profile)
        raise
    except KeyboardInterrupt:
        _where_things_stand(ui, repo, profile)
        raise Interrupted(_("Interrupted; what was done so far is recorded."), None) from None
    _show_done(ui, meta, done, moved, repo.secrets.describe(), json_out)
    return Exit.OK


def run_abandon(ctx: Context, *, profile: str, yes: bool, json_out: bool) -> Exit:
    """`okxlink rotate --abandon`: the way back from a rotation whose new key will not do."""
    repo = ctx.repo()
    meta = repo.meta(profile)
    ui = ctx.ui(json_mode=json_out)
    if meta.rotation is None:
        if json_out:
            ui.json({"profile": profile, "abandoned": False})
        else:
            ui.say(_("No rotation of profile {name} is under way.").format(name=profile))
        return Exit.OK
    new, services = meta.rotation.key, meta.services()
    for url in services:  # profiles.toml is the user's file: an address no secret may go to is refused
        check_service_url(url)
    if not yes:
        if not ctx.can_ask:
            raise UsageError(_("Not taking the rotation back without confirmation: there is no terminal to ask in."),
                             _("Pass --yes to take it back."))
        question = _("Take back the rotation to key {new}: {hosts} keep or get back the old key {old} and lose "
                     "the new one?").format(new=plain(new), hosts=hosts_of(services) or "-", old=plain(meta.key))
        if not ctx.asker().confirm("rotate-abandon", question, default=False):
            raise UsageError(_("Stopped before sending anything."), None)
    tokens = {url: _token(ctx, url) for url in services}  # all before the first step
    try:
        with ui.spinner(_("Giving the old key back to your platforms…")):
            rotating.abandon(repo, profile, tokens, ctx.http)
    except OkxlinkError:
        _where_things_stand(ui, repo, profile, abandoning=True)
        raise
    except KeyboardInterrupt:
        _where_things_stand(ui, repo, profile, abandoning=True)
        raise Interrupted(_("Interrupted; what was done so far is recorded."), None) from None
    if json_out:
        ui.json({"profile": profile, "abandoned": True, "key": meta.key, "dropped_key": new,
                 "services": services})
        return Exit.OK
    ui.say(_("Rotation to key {new} taken back: profile {name} keeps key {old}.").format(
        new=plain(new), name=profile, old=plain(meta.key)))
    for url in services:
        ui.say("  " + _("{host} holds the old key {old}; the new key is withdrawn there.").format(
            host=host_of(url), old=plain(meta.key)))
    ui.say(_("If you made key {new} on OKX for this rotation, delete it there: {url}").format(
        new=plain(new), url=sites.site(meta.site).api_page(meta.demo)))
    return Exit.OK


def _given(ctx: Context, stdin: bool) -> Credentials | None:
    return inputs.from_stdin(ctx.stdin) if stdin else inputs.from_env(ctx.environ)


def _verify(ctx: Context, ui: UI, creds: Credentials, site: str, demo: bool) -> Report:
    with ui.spinner(_("Asking OKX about key {key}…").format(key=creds.masked_key())):
        return verify_one(creds, site, demo, ctx.settings, ctx.http)


def _by_wizard(ctx: Context, ui: UI, meta: ProfileMeta) -> tuple[Credentials, Report]:
    """The wizard's key steps, held to the old key's site and environment (rotating=True)."""
    ui.say(_("Make the new key where the old key {old} is ({where}): with Read and Trade, never Withdraw, "
             "and bound to the same IP addresses.").format(old=plain(meta.key),
                                                          where=sites.describe(meta.site, meta.demo)))
    wizard = Wizard(ask=ctx.asker(), ui=ui, verify=lambda creds, site, demo: _verify(ctx, ui, creds, site, demo),
                    save=lambda state: None, open_url=ctx.open_url if browser_here(ctx.environ) else None,
                    rotating=True,
                    state=State(profile=meta.name, site=meta.site, demo=meta.demo))
    steps = [step for step in STEPS if step.id in NEW_KEY_STEPS]
    for number, step in enumerate(steps, 1):
        ui.step(number, len(steps), _(step.title), _(step.why))
        step.action(wizard)
    if wizard.state.report is None:  # step_verify returns only with a report
        raise AssertionError("the wizard's verify step ended without a report")
    return wizard.state.creds(), wizard.state.report


def _unattended(ctx: Context, ui: UI, meta: ProfileMeta, stdin: bool) -> tuple[Credentials, Report]:
    creds = _given(ctx, stdin)
    if creds is None:
        raise UsageError(_("Rotating without a terminal needs the new key's credentials."),
                         _("Set OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE to the new key, or pipe it as "
                           "JSON into okxlink rotate --stdin."))
    return creds, _verify(ctx, ui, creds, meta.site, meta.demo)


def _acceptable(report: Report, meta: ProfileMeta) -> bool:
    """Ready; or bound to the platform's IPs (50110 here) as the old key was, so only the platforms
    can check it, and each says whether it is ready before the old key leaves it."""
    old_bound = meta.verify.statuses.get(CheckId.IP_WHITELIST.value) == "warn"
    return report.ready is True or (report.okx_code == "50110" and old_bound)


def _refuse(ui: UI, report: Report, meta: ProfileMeta, json_out: bool, shown: bool) -> Exit:
    if json_out:
        ui.json({**report.to_json(), "profile": meta.name, "rotated": False})
    elif not shown:  # the wizard showed it already
        ui.report(report)
    if report.okx_code == "50110":
        ui.note(_("OKX refuses the new key from this machine's IP address but accepted the old key {old} from "
                  "it: bind the new key to the same IP addresses as the old one.").format(old=plain(meta.key)))
    ui.note(_("Not rotated; nothing changed."))
    return Exit.NOT_READY if report.okx_code == "50110" else exit_for_ready(report.ready)


def _token(ctx: Context, url: str) -> SecretStr:
    return resolve_token(ctx, url, token_stdin=False, fix=_(
        "Set OKXLINK_LINK_URL and OKXLINK_LINK_TOKEN to that service and its token, or run okxlink rotate "
        "in a terminal to type it."))


def _move(ui: UI, repo: ProfileRepo, profile: str, services: list[str], tokens: dict[str, SecretStr],
          http: HttpFactory) -> list[tuple[str, Link]]:
    """flows.rotating.move_links under one spinner per service: its checkpoints say when the next begins."""
    def spinner(url: str) -> contextlib.AbstractContextManager[None]:
        return ui.spinner(_("{host}: linking the new key, then withdrawing the old one…").format(host=host_of(url)))

    with contextlib.ExitStack() as current:
        def checkpoint(step: str) -> None:
            kind, _sep, url = step.partition(" ")
            if kind == "withdrawn" and url in services:
                current.close()
                following = services[services.index(url) + 1:]
                if following:
                    current.enter_context(spinner(following[0]))

        if services:
            current.enter_context(spinner(services[0]))
        return rotating.move_links(repo, profile, tokens, http, checkpoint)


def _where_things_stand(ui: UI, repo: ProfileRepo, profile: str, abandoning: bool = False) -> None:
    """After a stop: which key each platform holds now. Nothing when the rotation never began, or
    ended, or the store cannot show the new key's secret (then the error that stopped us says why)."""
    try:
        meta = repo.meta(profile)
        kept = repo.next_key(profile) is not None
    except OkxlinkError:
        return
    if meta.rotation is None or not (kept or abandoning):
        return
    old, new = plain(meta.key), plain(meta.rotation.key)
    ui.note(_("The rotation of profile {name} stopped; where each platform stands now:").format(name=profile))
    for service, held in meta.holdings().items():
        keys = [_named(plain(key), state, old, new) for key, state in held.items()]
        ui.note("  " + _("{host} holds {keys}").format(host=host_of(service) or plain(service),
                                                        keys=", ".join(keys)))
    if kept:
        ui.note(_("Both keys' secrets stay in {store}: {old} and {new}.").format(
            store=repo.secrets.describe(), old=old, new=new))
    if abandoning:
        ui.note(_("Run okxlink rotate --profile {name} --abandon again to finish taking it back.").format(name=profile))
    else:
        ui.note(_("Run okxlink rotate --profile {name} again to continue.").format(name=profile))


def _named(key: str, state: str, old: str, new: str) -> str:
    words = (_("the new key {key}") if key == new else _("the old key {key}") if key == old
             else _("key {key}")).format(key=key)
    # pending: the request was prepared and perhaps arrived; the next run finds out
    return words if state == "linked" else _("{key} (perhaps)").format(key=words)


def _show_done(ui: UI, old: ProfileMeta, done: ProfileMeta, moved: list[tuple[str, Link]],
               store: str, json_out: bool) -> None:
    delete = _("Delete the old key {old} on OKX now: {url}").format(
        old=plain(old.key), url=sites.site(done.site).api_page(done.demo))
    if json_out:
        ui.json({"profile": done.name, "old_key": old.key, "new_key": done.key,
                 "services": [{"service": url, "id": link.id, "spot": link.spot.state} for url, link in moved],
                 "rotated": True})
        ui.note(delete)
        return
    ui.say(_("Profile {name} now uses key {new}.").format(name=done.name, new=done.key))
    for url, _link in moved:
        ui.say("  " + _("{host} holds the new key {new}; the old key is withdrawn there.").format(
            host=host_of(url), new=done.key))
    ui.say(_("The new key is stored in {store}; the old key's secret is deleted from it.").format(store=store))
    ui.say(delete)
