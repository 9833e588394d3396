"""`okxlink rotate`: replace a profile's key everywhere it is linked, with no moment in which a
platform holds no working key, and never without a secret here for a key a platform holds.

    begin ─▶ for each service: link the new key ─▶ (the service says ready) ─▶ withdraw the old ─▶ finish
    (new secret kept as NAME#next,                                                       (the new secret
     the rotation recorded)                                                               replaces the old)

Every step is recorded before the next begins, so a run that stops anywhere (a service down, the
platform not ready for the new key, Ctrl-C) is continued by running it again: ProfileMeta.holdings says
which key each service holds, both secrets are still in the keyring, and the steps already done
are found done (a link the service already holds is not sent again).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from okxlink.core.credentials import Credentials
from okxlink.core.linking import Link
from okxlink.core.secret import SecretStr
from okxlink.core.verify import Report
from okxlink.errors import NotReady, UsageError
from okxlink.flows import HttpFactory
from okxlink.flows.linking import fetch_link, link_profile, remember, unlink
from okxlink.flows.verifying import record
from okxlink.i18n import _
from okxlink.storage import ProfileMeta, ProfileRepo

Checkpoint = Callable[[str], None]  # told after each recorded step ("linked URL", "withdrawn URL")


class NotReadyThere(NotReady):
    """A platform took the new key but says it needs attention: the old key stays with it (and
    keeps copying) until it says ready. Exit 3, as for a key that is not ready."""

    def __init__(self, service: str, link: Link) -> None:
        super().__init__(_("The platform at {service} took the new key but says it needs attention; it still "
                           "holds the old key, which keeps copying.").format(service=service),
                         _("Fix on OKX what it names."))
        self.service, self.link = service, link


def same_account(meta: ProfileMeta, creds: Credentials, report: Report) -> None:
    """The new key must be another key of the same account, not the old key again or another account's."""
    if creds.masked_key() == meta.key:
        raise UsageError(_("That is the key profile {name} already has.").format(name=meta.name),
                         _("Create a new API key on OKX and paste that one."))
    uid = report.config.uid if report.config is not None else ""
    if uid and meta.uid and uid != meta.uid:
        raise UsageError(_("The new key belongs to the OKX account with UID {new}, profile {name}'s to UID {old}: "
                           "a rotation replaces a key with another key of the same account.").format(
                               new=uid, name=meta.name, old=meta.uid),
                         _("Create the new key in the account with UID {old}, or store the other account's key "
                           "as its own profile with okxlink setup --profile NAME.").format(old=meta.uid))


def begin(repo: ProfileRepo, profile: str, creds: Credentials) -> None:
    repo.begin_rotation(profile, creds)


def move_links(repo: ProfileRepo, profile: str, tokens: dict[str, SecretStr], http: HttpFactory,
               checkpoint: Checkpoint = lambda step: None) -> list[tuple[str, Link]]:
    """Every service of the profile gets the new key, and only once it says ready loses the old
    ones. `tokens`: one per service (meta.services()). Returns each service's link of the new key."""
    new = repo.next_key(profile)
    if new is None:
        raise AssertionError("move_links() without a rotation's new key")
    moved = []
    key = new.masked_key()
    for url in repo.meta(profile).services():
        earlier = repo.meta(profile).link_to(url, key)
        link = link_profile(repo, profile, url, tokens[url], http, confirm=lambda: True, creds=new)
        if link.spot.state != "ready" and earlier is not None and earlier.linked:
            # linked by an earlier run, whose verdict the service repeats: the user may have fixed
            # the key on OKX since, so the platform checks it again
            refreshed = fetch_link(url, tokens[url], link.id, http, refresh=True)
            if refreshed is not None:
                link = refreshed
                remember(repo, profile, url, key, link)
        checkpoint("linked " + url)
        if link.spot.state != "ready":
            raise NotReadyThere(url, link)
        for old in [r for r in repo.meta(profile).links if r.service == url and r.key != key]:
            unlink(repo, profile, old, tokens[url], http)
        checkpoint("withdrawn " + url)
        moved.append((url, link))
    return moved


def finish(repo: ProfileRepo, profile: str, report: Report) -> ProfileMeta:
    """The new key replaces the old one in the keyring and in the metadata, with its verdict."""
    new = repo.next_key(profile)
    if new is None:
        raise AssertionError("finish() without a rotation's new key")
    meta = dataclasses.replace(repo.meta(profile), rotation=None)
    record(meta, report)
    saved = repo.save(profile, new, meta)
    repo.forget_next(profile)
    return saved


def abandon(repo: ProfileRepo, profile: str, tokens: dict[str, SecretStr], http: HttpFactory) -> list[str]:
    """Take a rotation back (the new key is broken, or was made by mistake): every service holds the
    old key again — linked anew where it was already withdrawn — and then loses every other key;
    the new secret is deleted and the rotation forgotten. `tokens`: one per service. Returns the
    services. Stopped anywhere, running it again goes on from there."""
    meta = repo.meta(profile)
    for url in meta.services():
        link_profile(repo, profile, url, tokens[url], http, confirm=lambda: True)
        for other in [r for r in repo.meta(profile).links if r.service == url and r.key != meta.key]:
            unlink(repo, profile, other, tokens[url], http)
    repo.update_meta(profile, lambda m: setattr(m, "rotation", None))
    repo.forget_next(profile)
    return meta.services()
