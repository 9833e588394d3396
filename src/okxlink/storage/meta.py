"""The metadata of one profile, as kept in profiles.toml: plain dataclasses, cheap to import.

Unknown fields, at any level, land in `extra` and are written back unchanged, so a newer okxlink
can add fields without an older one dropping them. TOML has no null: None means "not written".
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
    if v is not default and not isinstance(v, kind):
        raise Corrupt(name)
    return v


def _strs(v: Any, name: str) -> Any:
    if not all(isinstance(x, str) for x in (v.values() if isinstance(v, dict) else v)):
        raise Corrupt(name)
    return v


@dataclass
class VerifyState:
    """The last verification: ready true/false/None (undetermined), check id → status, reasons."""
    ready: bool | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, t: dict[str, Any]) -> VerifyState:
        t = dict(t)
        return cls(ready=_take(t, "ready", bool, None), statuses=_strs(_take(t, "statuses", dict, {}), "statuses"),
                   reasons=_strs(_take(t, "reasons", list, []), "reasons"), extra=t)

    def to_toml(self) -> dict[str, Any]:
        # Empty parts are left out (None is "absent" to the writer); reading fills the defaults back in.
        return {"ready": self.ready, "statuses": dict(self.statuses) or None,
                "reasons": list(self.reasons) or None, **self.extra}


@dataclass
class LinkState:
    """The profile's registration with a linking service."""
    id: str = ""
    service: str = ""
    state: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, t: dict[str, Any]) -> LinkState:
        t = dict(t)
        return cls(id=_take(t, "id", str, ""), service=_take(t, "service", str, ""),
                   state=_take(t, "state", str, ""), extra=t)

    def to_toml(self) -> dict[str, Any]:
        return {"id": self.id, "service": self.service, "state": self.state, **self.extra}


@dataclass
class ProfileMeta:
    name: str
    site: str = "global"
    demo: bool = False
    key: str = ""  # masked: first 4 + last 4
    label: str | None = None
    uid: str | None = None
    created: str | None = None  # ISO 8601 UTC
    last_verified: str | None = None
    verify: VerifyState = field(default_factory=VerifyState)
    link: LinkState | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, name: str, t: dict[str, Any]) -> ProfileMeta:
        t = dict(t)
        return cls(name=name, site=_take(t, "site", str, "global"), demo=_take(t, "demo", bool, False),
                   key=_take(t, "key", str, ""), label=_take(t, "label", str, None), uid=_take(t, "uid", str, None),
                   created=_take(t, "created", str, None), last_verified=_take(t, "last_verified", str, None),
                   verify=VerifyState.from_toml(_take(t, "verify", dict, {})),
                   link=LinkState.from_toml(t.pop("link")) if isinstance(t.get("link"), dict) else None, extra=t)

    def to_toml(self) -> dict[str, Any]:
        out = {"site": self.site, "demo": self.demo, "key": self.key, "label": self.label,
               "uid": self.uid, "created": self.created, "last_verified": self.last_verified, **self.extra}
        verify = {k: v for k, v in self.verify.to_toml().items() if v is not None}
        if verify:
            out["verify"] = verify
        if self.link is not None:
            out["link"] = self.link.to_toml()
        return out

    def to_json(self) -> dict[str, Any]:
        """The `okxlink profiles --json` entry (a documented contract: add keys, never rename)."""
        return {"name": self.name, "site": self.site, "demo": self.demo, "key": self.key,
                "label": self.label, "uid": self.uid, "last_verified": self.last_verified}
