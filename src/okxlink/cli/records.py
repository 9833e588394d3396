"""What a verification leaves in a profile's metadata: when, the verdict, and the non-passing
check ids (the stable reasons; their words are looked up again in the reader's language)."""

from __future__ import annotations

from okxlink.core.verify import Report
from okxlink.storage import ProfileMeta, VerifyState, now_iso


def record(meta: ProfileMeta, report: Report) -> None:
    meta.site, meta.demo = report.site, report.demo
    meta.last_verified = now_iso()
    meta.verify = VerifyState(ready=report.ready,
                              statuses={c.id: c.status for c in report.checks},
                              reasons=[c.id for c in report.checks if c.status in ("fail", "warn")])
    if report.config is not None:
        meta.label = report.config.label or meta.label
        meta.uid = report.config.uid or meta.uid
        # what `status --offline` shows without asking OKX again
        meta.verify.extra = {"acct_lv": report.config.acct_lv, "ip_count": len(report.config.ip)}


def new_meta(name: str, report: Report) -> ProfileMeta:
    meta = ProfileMeta(name=name)
    record(meta, report)
    return meta
