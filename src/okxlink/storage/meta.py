"""The metadata of one profile, as kept in profiles.toml: plain dataclasses, cheap to import.

Every field this version knows is typed. Unknown fields, at any level, land in `extra` and are
written back unchanged, so a newer okxlink can add fields without an older one dropping them.
TOML has no null: None means "not written".

    [profiles.NAME]                 ProfileMeta: site, demo, key (masked), label, uid, dates, removing
    [profiles.NAME.verify]          VerifySummary: the last verification's verdict and check statuses
    [[profiles.NAME.links]]         LinkRecord, one per link: the service, its link id, the key it
                                    holds (masked), the platform's verdict
    [profiles.NAME.links.pending_request]  PendingLink's request fields, with pending_idempotency_key
    [profiles.NAME.rotation]        Rotation: a new key on its way in (its secret is in the keyring)
    [profiles.NAME.handover]        Handover: the key last handed over by clipboard (okxlink copy)

The single [profiles.NAME.link] table of earlier versions reads as the one element of `links`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Corrupt(ValueError):
    pass


def _take(table: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    v = table.pop(name, default)
    if v is not default and (not isinstance(v, kind) or (kind is not bool and isinstance(v, bool))):
        raise Corrupt(name)
    return v


def _strs(v: Any, name: str) -> Any:
    if not all(isinstance(x, str) for x in (v.values() if isinstance(v, dict) else v)):
        raise Corrupt(name)
    return v


def _present(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if v is not None}


@dataclass
class VerifySummary:
    """The last verification: ready true/false/None (undetermined), check id → status, the ids of
    the checks that did not pass, the account mode and how many IP addresses the key is bound to
    (what `status --offline` shows; None: not known)."""
    ready: bool | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    acct_lv: str = ""
    ip_count: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, t: dict[str, Any]) -> VerifySummary:
        t = dict(t)
        return cls(ready=_take(t, "ready", bool, None), statuses=_strs(_take(t, "statuses", dict, {}), "statuses"),
                   reasons=_strs(_take(t, "reasons", list, []), "reasons"), acct_lv=_take(t, "acct_lv", str, ""),
                   ip_count=_take(t, "ip_count", int, None), extra=t)

    def to_toml(self) -> dict[str, Any]:
        # Empty parts are left out; reading fills the defaults back in.
        return _present({"ready": self.ready, "statuses": dict(self.statuses) or None,
                         "reasons": list(self.reasons) or None, "acct_lv": self.acct_lv or None,
                         "ip_count": self.ip_count, **self.extra})


@dataclass
class PendingLink:
    """A link request kept before it is sent: a retry after a crash or a lost answer sends the very
    same request (same Idempotency-Key, same fields), so the service never links the key twice."""
    idempotency_key: str
    site: str
    demo: bool
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, key: str, t: dict[str, Any]) -> PendingLink:
        t = dict(t)
        return cls(idempotency_key=key, site=_take(t, "site", str, "global"), demo=_take(t, "demo", bool, False),
                   label=_take(t, "label", str, ""), extra=t)

    def request_toml(self) -> dict[str, Any]:
        return {"site": self.site, "demo": self.demo, "label": self.label, **self.extra}


@dataclass
class LinkRecord:
    """One registration of a key with a linking service. `state` is "linked" (the service holds
    link `id`) or "pending" (a request was prepared and may have reached the service). `key` is the
    masked API key the service holds ("" in records of earlier versions: the profile's key).
    `spot` and `reasons` are the platform's last verdict: "ready" or "attention" with check ids, as
    of `checked_at` (when the platform last checked the key with OKX)."""
    service: str = ""
    id: str = ""
    state: str = ""
    key: str = ""
    spot: str | None = None
    reasons: list[str] = field(default_factory=list)
    checked_at: str | None = None
    pending: PendingLink | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def linked(self) -> bool:
        return self.state == "linked" and bool(self.id)

    @classmethod
    def from_toml(cls, t: dict[str, Any]) -> LinkRecord:
        t = dict(t)
        record = cls(id=_take(t, "id", str, ""), service=_take(t, "service", str, ""),
                     state=_take(t, "state", str, ""), key=_take(t, "key", str, ""), spot=_take(t, "spot", str, None),
                     reasons=_strs(_take(t, "reasons", list, []), "reasons"),
                     checked_at=_take(t, "checked_at", str, None))
        key = _take(t, "pending_idempotency_key", str, None)
        request = _take(t, "pending_request", dict, {})
        if key:
            record.pending = PendingLink.from_toml(key, request)
        elif request:
            t["pending_request"] = request  # not ours to interpret without its key: kept as found
        record.extra = t
        return record

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "service": self.service, "state": self.state,
                               "key": self.key or None, "spot": self.spot, "reasons": list(self.reasons) or None,
                               "checked_at": self.checked_at}
        if self.pending is not None:
            out.update(pending_idempotency_key=self.pending.idempotency_key,
                       pending_request=self.pending.request_toml())
        return _present({**out, **self.extra})


@dataclass
class Rotation:
    """A key replacement under way (okxlink rotate): the new key's secret is in the keyring under
    the profile's name + "#next" until every service holds it and it has replaced the old one."""
    key: str                        # the new key, masked
    started: str
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, t: dict[str, Any]) -> Rotation:
        t = dict(t)
        return cls(key=_take(t, "key", str, ""), started=_take(t, "started", str, ""), extra=t)

    def to_toml(self) -> dict[str, Any]:
        return {"key": self.key, "started": self.started, **self.extra}


@dataclass
class Handover:
    """The key handed over by clipboard (okxlink copy) for a platform's own form: when, which fields
    ("api-key", "secret-key", "passphrase"), and which key (masked). okxlink cannot ask that platform."""
    at: str
    key: str
    fields: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, t: dict[str, Any]) -> Handover:
        t = dict(t)
        return cls(at=_take(t, "at", str, ""), key=_take(t, "key", str, ""),
                   fields=_strs(_take(t, "fields", list, []), "fields"), extra=t)

    def to_toml(self) -> dict[str, Any]:
        return {"at": self.at, "key": self.key, "fields": list(self.fields), **self.extra}


@dataclass
class ProfileMeta:
    name: str
    site: str = "global"
    demo: bool = False
    key: str = ""  # masked: first 4 + last 4
    label: str | None = None
    uid: str | None = None
    created: str | None = None  # ISO 8601 UTC
    key_stored: str | None = None  # when this key was stored (the key's age; earlier versions: created)
    last_verified: str | None = None
    removing: bool = False  # a removal has begun: the profile is gone for every reader
    verify: VerifySummary = field(default_factory=VerifySummary)
    links: list[LinkRecord] = field(default_factory=list)
    rotation: Rotation | None = None
    handover: Handover | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, name: str, t: dict[str, Any]) -> ProfileMeta:
        t = dict(t)
        links = _take(t, "links", list, [])
        old = _take(t, "link", dict, None)  # earlier versions: one link
        if not all(isinstance(x, dict) for x in links):
            raise Corrupt("links")
        rotation = _take(t, "rotation", dict, None)
        handover = _take(t, "handover", dict, None)
        meta = cls(name=name, site=_take(t, "site", str, "global"), demo=_take(t, "demo", bool, False),
                   key=_take(t, "key", str, ""), label=_take(t, "label", str, None), uid=_take(t, "uid", str, None),
                   created=_take(t, "created", str, None), key_stored=_take(t, "key_stored", str, None),
                   last_verified=_take(t, "last_verified", str, None),
                   removing=_take(t, "removing", bool, False),
                   verify=VerifySummary.from_toml(_take(t, "verify", dict, {})),
                   links=[LinkRecord.from_toml(x) for x in [*links, *([old] if old is not None else [])]],
                   rotation=Rotation.from_toml(rotation) if rotation is not None else None,
                   handover=Handover.from_toml(handover) if handover is not None else None, extra=t)
        for record in meta.links:
            record.key = record.key or meta.key
        return meta

    def to_toml(self) -> dict[str, Any]:
        out = {"site": self.site, "demo": self.demo, "key": self.key, "label": self.label,
               "uid": self.uid, "created": self.created, "key_stored": self.key_stored,
               "last_verified": self.last_verified, "removing": self.removing or None, **self.extra}
        verify = self.verify.to_toml()
        if verify:
            out["verify"] = verify
        if self.links:
            out["links"] = [record.to_toml() for record in self.links]
        if self.rotation is not None:
            out["rotation"] = self.rotation.to_toml()
        if self.handover is not None:
            out["handover"] = self.handover.to_toml()
        return out

    # -- links: at most one record per service and key --------------------------------------------
    def link_to(self, service: str, key: str | None = None) -> LinkRecord | None:
        """The record of `key` (default: the profile's) with `service`, if any."""
        key = key or self.key
        return next((r for r in self.links if r.service == service and r.key == key), None)

    def put_link(self, record: LinkRecord) -> None:
        """Record `record`, replacing the one of the same service and key."""
        self.links = [r for r in self.links if (r.service, r.key) != (record.service, record.key)] + [record]

    def drop_link(self, service: str, key: str) -> None:
        self.links = [r for r in self.links if (r.service, r.key) != (service, key)]

    def services(self) -> list[str]:
        """Every service holding (or perhaps holding: pending) one of this profile's keys, in order."""
        return list(dict.fromkeys(r.service for r in self.links if r.state in ("linked", "pending")))

    def holdings(self) -> dict[str, dict[str, str]]:
        """Service → the keys it holds (masked) → "linked" or "pending": during a rotation, one or both."""
        return {url: {r.key: r.state for r in self.links if r.service == url} for url in self.services()}

    def to_json(self) -> dict[str, Any]:
        """The `okxlink profiles --json` entry (a documented contract: add keys, never rename)."""
        return {"name": self.name, "site": self.site, "demo": self.demo, "key": self.key,
                "label": self.label, "uid": self.uid, "last_verified": self.last_verified}
