"""`okxlink verify --share`: the verify result as plain lines to paste into a support ticket or a
chat — what support asks for in screenshots, and nothing secret.

Pure: `lines()` turns what a run found into text; verify_cmd prints it. No colour and no box
drawing (chat apps break them), one `label: value` per line, and no line wrapped by okxlink: a chat
wraps for its own width. Labels and sentences follow --lang (a Chinese user writes to Chinese
support); check ids, OKX codes, hosts and versions stay as they are, so support reading any
language finds them.

Never shown: the secret key, the passphrase, a token, the full API key (masked, first 4 + last 4),
the whole UID (first 2 + last 4 digits) and the account label (chosen by the user, it may hold a
name, and support needs none of it). Outside text enters through okxlink.text.plain."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime

from okxlink import __version__
from okxlink.cli.ui import MARKS
from okxlink.core import sites
from okxlink.core.credentials import mask
from okxlink.core.urls import host_of
from okxlink.core.verify import Report
from okxlink.i18n import _
from okxlink.storage import LinkRecord, ProfileMeta
from okxlink.text import plain

LINK_ID_SHOWN = 40   # a link id is no secret, but a line stays short
MESSAGE_MAX = 1000   # our own sentences (OKX's words in them are bounded already): never cut in practice


@dataclass(frozen=True)
class About:
    """This run's okxlink and machine: the first lines of every report."""
    version: str
    system: str
    python: str
    lang: str
    okx_host: str | None = None   # OKXLINK_BASE_URL's host, when OKX requests go elsewhere

    @classmethod
    def here(cls, lang: str, base_url: str | None) -> About:
        return cls(version=__version__, system=f"{platform.system()} {platform.release()}".strip(),
                   python=platform.python_version(), lang=lang,
                   okx_host=(host_of(base_url) or "?") if base_url else None)


@dataclass(frozen=True)
class Section:
    """One key's part of the report. `profile` is None for credentials from the environment or
    stdin (`source` says which); `meta` is the profile's metadata after the run (its links)."""
    report: Report
    key: str                        # masked (Credentials.masked_key)
    ready: bool | None              # the verdict the exit code follows (the platform's, for a bound key)
    profile: str | None = None
    source: str = "profile"         # profile | environment | stdin
    meta: ProfileMeta | None = None


def mask_uid(uid: str) -> str:
    """First 2 and last 4 characters: enough for support to match an account, not to name it."""
    uid = plain(uid, 64)
    return f"{uid[:2]}…{uid[-4:]}" if len(uid) >= 10 else "…" if uid else "-"


def masked(key: str) -> str:
    """A key as profiles.toml names it: masked by okxlink, unless the file was edited by hand."""
    key = plain(key, 64)
    return key if len(key) <= 9 and "…" in key else mask(key)


def when(iso: str | None) -> str:
    """A time okxlink wrote, as "2026-12-01 09:00Z": absolute, since support reads it later."""
    return plain(iso).replace("T", " ")[:16] + "Z" if iso else _("never")


def lines(sections: list[Section], about: About, now: datetime) -> list[str]:
    out = [_("okxlink report"),
           _("version: okxlink {version}").format(version=about.version),
           _("system: {system} · Python {python}").format(system=about.system, python=about.python),
           _("language: {lang}").format(lang=about.lang),
           _("generated: {time}").format(time=now.strftime("%Y-%m-%d %H:%MZ"))]
    if about.okx_host:
        out.append(_("OKX requests go to: {host} (OKXLINK_BASE_URL)").format(host=plain(about.okx_host)))
    for section in sections:
        out += ["", *_section(section)]
    return out


def _section(s: Section) -> list[str]:
    r = s.report
    if s.profile is not None:
        out = [_("profile: {name}").format(name=plain(s.profile))]
    elif s.source == "stdin":
        out = [_("credentials: from standard input (--stdin)")]
    else:
        out = [_("credentials: from OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE")]
    uid = r.config.uid if r.config is not None and r.config.uid else (s.meta.uid if s.meta else None)
    out += [_("key: {key}").format(key=plain(s.key)),
            _("site: {where}").format(where=sites.describe(r.site, r.demo)),
            _("UID: {uid}").format(uid=mask_uid(uid or "")),
            _("result: {verdict}").format(verdict=_verdict(s.ready, r)),
            _("OKX code: {code}").format(code=plain(r.okx_code, 16) if r.okx_code else _("none"))]
    if r.key_site:
        out.append(_("key found on: {site}").format(site=sites.label(r.key_site)))
    out.append(_("clock offset: {offset}").format(offset=_offset(r.clock_offset_ms)))
    out.append(_("checks:"))
    out += [f"{MARKS[c.status][0]} {c.id} — {plain(c.message, MESSAGE_MAX)}" for c in r.checks]
    if s.meta is not None:
        out += _links(s.meta)
    return out


def _verdict(ready: bool | None, r: Report) -> str:
    if ready is True:
        return _("ready")
    if ready is False:
        return _("not ready")
    if r.okx_code == "50110":
        return _("bound to the platform's IP addresses; not checked from here")
    return _("could not verify")


def _offset(ms: int | None) -> str:
    if ms is None:
        return _("unknown (OKX's time was not available)")
    seconds = abs(ms) / 1000
    if seconds < 0.05:  # neither ahead nor behind, as far as one decimal tells
        return _("under 0.1 s")
    if ms < 0:  # offset = OKX's time - this machine's
        return _("{seconds:.1f} s, this machine ahead of OKX").format(seconds=seconds)
    return _("{seconds:.1f} s, this machine behind OKX").format(seconds=seconds)


def _links(meta: ProfileMeta) -> list[str]:
    records = [r for r in meta.links if r.state in ("linked", "pending")]
    out = [_("links:"), *("- " + _link(r) for r in records)] if records else [_("links: none")]
    if meta.rotation is not None:
        out.append(_("rotation: to key {key}, started {time}").format(
            key=masked(meta.rotation.key), time=when(meta.rotation.started)))
    return out


def _link(r: LinkRecord) -> str:
    host, key = plain(host_of(r.service) or "?"), masked(r.key)
    if r.state != "linked":
        return _("{host} · pending (sent, not confirmed) · key {key}").format(host=host, key=key)
    said = {"ready": _("Spot ready"), "attention": _("Spot needs attention")}.get(r.spot or "", _("no verdict yet"))
    if r.reasons and r.spot != "ready":  # check ids, as the platform sent them
        said = _("{verdict}: {ids}").format(verdict=said, ids=plain(", ".join(r.reasons)))
    return _("{host} · linked · key {key} · {said} · checked {time} · id {id}").format(
        host=host, key=key, said=said, time=when(r.checked_at), id=plain(r.id, LINK_ID_SHOWN))
