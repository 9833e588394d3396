"""Addresses okxlink may send secrets to, and how they are shown. Pure and cheap to import (no
HTTP stack), so `status --offline` can show a host without loading one.

The rule, for a linking service and for OKXLINK_BASE_URL alike: https://, or plain http:// to this
machine only; never a user:password@, a query, a fragment, or characters parsers disagree on."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from okxlink import errors
from okxlink.i18n import _

__all__ = ["check_service_url", "host_of", "is_loopback", "url_problem"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a service's base address (a sentence's end), else None. Refused: what
    would send more than the address says — a user:password@ (sent as Basic auth, and shown as if it
    were the host), a query or fragment, characters parsers disagree on (spaces, controls, a
    backslash, non-ASCII) — and plain http:// to anything but this machine."""
    if not url or any(not "!" <= c <= "~" or c == "\\" for c in url):
        return _("it holds a space, a backslash, a control character or a character outside ASCII")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not one
    except ValueError:
        return _("it is not a well-formed address")
    if "@" in parts.netloc:
        return _("it holds a user name or password (user:password@host)")
    if "?" in url or "#" in url:
        return _("it has a query (?…) or a fragment (#…)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("it is not an https:// address")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return _("plain http:// is allowed only to this machine (127.0.0.1, ::1, localhost)")
    return None


def check_service_url(url: str) -> str:
    """HTTPS only; plain HTTP only to this machine, where nothing crosses a network."""
    problem = url_problem(url)
    if problem is None:
        return url.rstrip("/")
    raise errors.UsageError(_("The linking service address cannot be used: {problem}.").format(problem=problem),
                            _("Use the https:// address your platform gives."))


def host_of(url: str) -> str:
    """host:port as the user is shown it (never a user name or password, even of an unchecked URL)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # "http://[bad": nothing of it is a host to show
        return ""
    host = f"[{host}]" if ":" in host else host
    try:
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return host
