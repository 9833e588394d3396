"""A hostile server, driven by hypothesis, answers every request okxlink makes: OKX's public/time,
account/config, account/balance and asset/balances (under OKXLINK_BASE_URL with `{site}`) and a
linking service's /v1/links. Whatever it answers, okxlink must

- exit with a documented code: 0, 2, 3, 4 or 5, never 1 (even a service that calls okxlink's
  request invalid, 422, ends in exit 4);
- print JSON that parses, with `--json`;
- print no control, C1, bidi or separator character (okxlink/text.py), and no line the server began
  (an outside line break followed by words of its own would read as okxlink's);
- never call a key ready unless the answers support it (the oracle below, from contract.md's check
  table, kept conservative);
- end: every run has a hang guard, every drip is short (no wall-clock assertion);
- stay under 100 MB (real processes: peak RSS read by a wrapper, as in test_hostile_bodies.py).

The server (a thread on 127.0.0.1; one path prefix per example, so a late answer of an earlier
example cannot reach the next) answers each route with a scripted sequence: any status, a
Content-Type, Content-Encoding identity / gzip / deflate / stacked / bogus / corrupt / a bomb,
framing by length / by close / chunked / cut short / overlong, a reset or non-HTTP bytes, sent in a
short drip; bodies are envelopes with hostile field values (control characters, markup, huge
strings, wrong types, deep nesting, bogus codes, a `ts` of any size, numbers Decimal chokes on),
truncated JSON, random bytes. Most examples run okxlink in this process (tests/inproc.py, retry
waits shortened: the same code path, without the sleeping); a few run it as real processes, with
the real keyring for link and status.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okxlink.core import linking as core_linking
from okxlink.core import okx as core_okx
from okxlink.core.codes import CODES
from okxlink.core.credentials import Credentials
from okxlink.core.transfer import MAX_DEPTH
from okxlink.storage import LinkRecord, MemoryStore, PendingLink, ProfileMeta, ProfileRepo, ProfilesFile
from okxlink.storage.secrets import encode

from conftest import OKXLINK, Result, clean_env
from inproc import InProcess
from loopback import Loopback
from real_keyring import secret_service  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
TRIED = {"in-process": 0, "processes": 0}
EXITS: Counter[int] = Counter()  # shown with the count: the examples reach every verdict, not only errors
MAX_RSS_MB = 100
HANG_S = 120          # a guard against a hang, not a timing assertion: every deadline is far below
SPOOF = "okxlink-spoof"
TOKEN = "hostile-token"
CREDS = Credentials(api_key="6f2c1d6e-5a3b-4c2d-9e8f-0a1b2c3d4e5f",
                    secret_key="00112233445566778899AABBCCDDEEFF", passphrase="Hostile-Pass-1!")
ENV_CREDS = {"OKX_API_KEY": CREDS.api_key, "OKX_SECRET_KEY": CREDS.secret_key.get_secret_value(),
             "OKX_PASSPHRASE": CREDS.passphrase.get_secret_value()}
PROFILE = "main"
REAL_PROFILE = "hostile"  # in the session's real keyring, which other modules' profiles share
EXAMPLES = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nhostile server: examples tried: {TRIED['in-process']} in this process, "
              f"{TRIED['processes']} as real processes; exit codes: {dict(sorted(EXITS.items()))}")


# --- what the server says, as hypothesis builds it ---------------------------------------------------

@dataclass(frozen=True)
class Raw:
    """JSON text written as is: nesting deeper than a parser goes, numbers no float holds."""
    text: str

    def __repr__(self) -> str:
        return f"Raw({self.text[:40]!r}{'…' if len(self.text) > 40 else ''} len={len(self.text)})"


@dataclass(frozen=True)
class Huge:
    """A string of `size` characters, `text` over and over: built when sent, not by hypothesis."""
    size: int
    text: str


@dataclass(frozen=True)
class Now:
    """The server's time in ms, `delta_ms` off this machine's, as OKX writes it (a string) or not."""
    delta_ms: int
    as_text: bool = True


def dump(value: Any, now_ms: int) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Huge):
        unit = value.text or "x"
        return json.dumps((unit * (value.size // len(unit) + 1))[:value.size])
    if isinstance(value, Now):
        ts = now_ms + value.delta_ms
        return json.dumps(str(ts)) if value.as_text else str(ts)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v, now_ms)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v, now_ms) for v in value) + "]"
    return json.dumps(value)  # ASCII: a lone surrogate goes out as "\ud800", as a server may send it


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """one_of by weight (st.one_of(a, a, b) is one_of(a, b): it merges branches it has seen)."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(lambda s: s)


# Control, C1, bidi, separators, markup, format strings, a lone surrogate; a line break followed by
# words of the server's own (that must never start a line of okxlink's output).
NASTY = ["\x1b[2J", "\x1b]0;pwned\x07", "\x1b]52;c;cm0gLXJmIH4K\x07", "\u009b31m", "\u202egnp.exe", "\u2066",
         "\u200f", "\x00", "\x7f", "\t", "\ufeff", "\u00ad", "[/bold]", "[red]fake[/red]",
         "[link=https://evil.example]x[/link]", ":warning:", "<script>alert(1)</script>", "%s%n{0}{name}",
         "\ud800", "\udfff", "\U0001d54f", "中文", "e\u0301", " "]
BREAKS = [brk + SPOOF for brk in ("\n", "\n", "\n", "\r\n", "\r", "\u2028", "\x85", "\x0b")]
texts = st.lists(st.sampled_from(NASTY) | st.sampled_from(BREAKS) | st.text(max_size=8), max_size=5).map("".join)
huge_texts = st.builds(Huge, st.sampled_from([2_000, 2_000, 60_000]), st.sampled_from(NASTY + BREAKS + ["A"]))
words = weighted((4, texts), (1, huge_texts))  # a string, as the field's type wants, saying anything
deep = st.builds(lambda depth, kind: Raw(kind[0] * depth + kind[1] + kind[2] * depth),
                 st.sampled_from([40, 950, 2_000, 100_000]),  # 950: parsed, yet deep for what follows
                 st.sampled_from([("[", "", "]"), ('{"a":', "1", "}")]))
numbers = st.sampled_from([Raw("9" * 5_000), Raw("1e999"), Raw("-1e999"), Raw("-0"), Raw("1E400"), Raw("NaN"),
                           Raw("Infinity"), 2**63, -(2**63) - 1, 10**30, 1.5, 0.1])
junk = weighted((4, st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | texts | numbers,
                                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                                 max_leaves=6)),
                (1, deep))


def word(*usual: Any) -> st.SearchStrategy[Any]:
    """A value OKX (or a service) would send, or a string saying anything."""
    return weighted((1, st.sampled_from(usual)), (2, words))


# Each value comes in two kinds: `typed` (the type the field has, saying anything: what reaches the
# checks, the table and profiles.toml) and `loose` (sometimes of any type or shape at all).
def loose(typed: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return weighted((3, typed), (1, junk))


def rows_of(fields: dict[str, st.SearchStrategy[Any]], required: tuple[str, ...] = (),
            any_type: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    wrap = loose if any_type else (lambda s: s)
    return st.fixed_dictionaries({k: wrap(v) for k, v in fields.items() if k in required},
                                 optional={k: wrap(v) for k, v in fields.items() if k not in required})


# Amounts are strings: some Decimal takes but no balance is (NaN, infinities, exponents of any size).
amounts = st.one_of(st.sampled_from(["100", "0", "0.5", "", "12.3456789"]),
                    st.sampled_from(["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "1e999999999", "-1e999999999",
                                     "1e100000", "1E-999999999", "١٢٣", "0x10", "1_000", " 5 "]), words)
CONFIG = {"perm": word("read_only,trade", "read_only,trade,withdraw", "read_only", "trade", "",
                       " read_only , trade ") | st.just(["read_only", "trade"]),
          "uid": word("44012345"), "mainUid": word("44012345", "1"), "label": word("copy key"),
          "acctLv": word("1", "2", "3", "4", "9"), "type": word("0", "1"),
          "ip": word("", "203.0.113.7", "203.0.113.7,2001:db8::1"), "roleType": word("0", "1"),
          "spotRoleType": word("0"), "kycLv": word("2"), "level": word("Lv1")}
READY_CONFIG = {**CONFIG, "perm": st.sampled_from(["read_only,trade", ["read_only", "trade"]])}
TIME = {"ts": st.one_of(st.builds(Now, st.sampled_from([0, 0, 1_500, -1_500, 60_000, -60_000, 86_400_001,
                                                        -(10**15)]), st.booleans()),
                        st.integers(), numbers, word("1700000000000", "9" * 4_000, " 12 "))}
DETAIL = {"ccy": word("USDT", "BTC"), "eq": amounts, "cashBal": amounts, "availBal": amounts, "eqUsd": amounts}
BALANCE = {"details": st.lists(rows_of(DETAIL, ("ccy", "eq")), min_size=1, max_size=3), "totalEq": amounts}
FUNDING = {"ccy": word("USDT", "BTC"), "bal": amounts, "availBal": amounts}


def envelopes(fields: dict[str, st.SearchStrategy[Any]], required: tuple[str, ...] = (),
              any_type: bool = False) -> st.SearchStrategy[Any]:
    """OKX's envelope: code "0" with rows, or any code; with any_type, anything in any field."""
    rows = st.lists(rows_of(fields, required, any_type), min_size=1, max_size=2)
    codes = weighted((3, st.sampled_from(["0", "0", 0])), (1, st.sampled_from(sorted(CODES))), (1, words))
    msg = word("", "Service temporarily unavailable")
    if any_type:
        rows, codes, msg = st.one_of(rows, st.just([]), junk), loose(codes), loose(msg)
    return st.fixed_dictionaries({"code": codes, "data": rows}, optional={"msg": msg})


LINK_IDS = weighted((3, st.sampled_from(["lnk_7Hq2", "x" * 128])),
                   (1, st.sampled_from(["lnk_seed", "x" * 129, "lnk/../../v1", "lnk?x=1", "lnk%2f", "", "lnk\u0661"])))
REASON = {"check": word("funds", "permission-trade", "ip-binding"), "status": word("fail", "warn"),
          "message": words}


def links(any_type: bool = False) -> st.SearchStrategy[Any]:
    """A link as the service describes it, or its error; with any_type, anything in any field."""
    reasons = st.lists(rows_of(REASON, ("check", "message"), any_type), min_size=1, max_size=4)
    spot = rows_of({"state": word("ready", "attention"), "reasons": reasons}, ("state", "reasons"), any_type)
    link = rows_of({"id": LINK_IDS, "spot": spot, "site": word("global"), "demo": st.booleans(),
                    "api_key": word("6f2c…4e5f"),
                    "verified_at": word("2026-11-26T19:00:01Z", "9999-12-31T23:59:59Z", "2026-11-26T19:00:01",
                                        "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")},
                   ("id", "spot"), any_type)
    error = rows_of({"code": word("already_linked", "idempotency_conflict", "not_found", "internal"),
                     "message": words, "id": LINK_IDS}, ("code",), any_type)
    return weighted((2, link), (1, st.fixed_dictionaries({"error": loose(error) if any_type else error})))


def payloads(values: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    """The body: the values as JSON; cut short; or not the values at all."""
    other = st.one_of(st.tuples(st.just("bytes"), st.binary(max_size=64)),
                      st.tuples(st.just("bytes"), st.sampled_from([b"", b"null", b"[]", b"{}", b'"0"', b"\xff\xfe\x00",
                                                                   b"<html><body>502 Bad Gateway</body></html>"])),
                      st.tuples(st.just("json"), deep), st.tuples(st.just("json"), junk),
                      st.just(("json", Huge(1_100_000, "A"))))  # more than okxlink reads of an answer
    return weighted((3, values.map(lambda v: ("json", v))), (1, st.tuples(st.just("cut"), values, st.floats(0, 1))),
                    (1, other))


COMMON = [200, 201, 204, 301, 302, 304, 307, 400, 401, 403, 404, 405, 409, 418, 422, 429, 500, 502, 503, 504]
ENCODINGS = ["identity", "gzip", "GZIP", "x-gzip", "deflate", "raw-deflate", "gzip, gzip", "gzip+gzip",
             "br", "x-bogus", "fake-gzip", "gzip+junk", "bomb", "bomb, bomb"]
FRAMINGS = ["close", "chunked", "short", "long", "reset", "garbage", "empty"]


@dataclass(frozen=True)
class Reply:
    status: int
    payload: tuple[Any, ...]
    encoding: str = "none"
    framing: str = "length"
    ctype: str = "application/json"
    extra: tuple[tuple[str, str], ...] = ()
    charset: str = "utf-8"
    pieces: int = 1
    pause: float = 0.0
    cut: int = 1


def replies(values: st.SearchStrategy[Any], ok: int) -> st.SearchStrategy[Reply]:
    """Mostly an honest exchange carrying hostile words (those reach the most code); else anything."""
    drip = {"pieces": st.integers(1, 6), "pause": st.sampled_from([0.0, 0.0, 0.002, 0.02])}
    honest = st.builds(Reply, status=st.just(ok), payload=values.map(lambda v: ("json", v)),
                       encoding=st.sampled_from(["none", "none", "identity", "gzip", "deflate"]), **drip)
    anything = st.builds(
        Reply,
        status=weighted((1, st.just(ok)), (2, st.sampled_from(COMMON)), (1, st.integers(100, 999))),
        payload=payloads(values),
        encoding=st.sampled_from(["none"] * 4 + ENCODINGS),
        framing=st.sampled_from(["length"] * 4 + FRAMINGS),
        ctype=st.sampled_from(["application/json", "text/html; charset=utf-8", "text/plain", "",
                               "application/json; charset=latin-1", "a\x1b[2J"]),
        extra=st.sampled_from([(), (), ("Retry-After", "99999999999"), ("Location", "http://evil.example/"),
                               ("X-Pad", "x" * 20_000), ("Transfer-Encoding", "gzip")]).map(
            lambda h: (h,) if h else ()),
        charset=st.sampled_from(["utf-8"] * 4 + ["utf-16", "utf-8-sig"]), cut=st.integers(1, 40), **drip)
    return weighted((3, honest), (1, anything))


def sequences(values: st.SearchStrategy[Any], ok: int) -> st.SearchStrategy[list[Reply]]:
    """What one route answers: its first request gets the first reply, a retry the next (the last repeats)."""
    return st.lists(replies(values, ok), min_size=1, max_size=3)


def okx_plans_of(any_type: bool) -> st.SearchStrategy[dict[str, list[Reply]]]:
    config = READY_CONFIG if not any_type else CONFIG
    return st.fixed_dictionaries({"time": sequences(envelopes(TIME, ("ts",), any_type), 200),
                                  "config": sequences(envelopes(config, ("perm",), any_type), 200),
                                  "balance": sequences(envelopes(BALANCE, ("details",), any_type), 200),
                                  "funding": sequences(envelopes(FUNDING, ("ccy", "bal"), any_type), 200)})


# Half the plans hold the right types with a ready key's permissions: past OKX's gate, the checks,
# the table, the JSON and profiles.toml meet every hostile word. The other half hold anything.
okx_plans = st.one_of(okx_plans_of(False), okx_plans_of(True))
link_plans = st.one_of(*(st.fixed_dictionaries({"create": sequences(links(any_type), 201),
                                                "read": sequences(links(any_type), 200)})
                         for any_type in (False, True)))
# What unlink and remove meet: the service's list (a pending link is looked up in it) and its delete.
withdraw_plans = st.one_of(*(st.fixed_dictionaries({
    "list": sequences(st.fixed_dictionaries({"links": st.lists(links(any_type), max_size=3)}), 200),
    "delete": sequences(links(any_type), 204)}) for any_type in (False, True)))


# --- the answer on the wire, and what a client that reads it right sees in it ---------------------------

UNREADABLE = object()
MiB = 1 << 20


def _bomb() -> bytes:
    """gzip of 64 MiB of zeros (~64 kB): built once, the compressor restarting after each MiB."""
    block = b"\0" * MiB
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(64):
        crc = zlib.crc32(block, crc)
    return first + again * 63 + c.flush()[:-8] + struct.pack("<II", crc, (64 * MiB) & 0xFFFFFFFF)


BOMB = _bomb()


def _encode(encoding: str, body: bytes) -> tuple[list[tuple[str, str]], bytes]:
    if encoding == "none":
        return [], body
    if encoding in ("gzip", "GZIP", "x-gzip"):
        return [("Content-Encoding", encoding)], gzip.compress(body)
    if encoding == "deflate":
        return [("Content-Encoding", "deflate")], zlib.compress(body)
    if encoding == "raw-deflate":  # a deflate stream without zlib's wrapper: not what "deflate" means
        c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        return [("Content-Encoding", "deflate")], c.compress(body) + c.flush()
    if encoding == "gzip, gzip":
        return [("Content-Encoding", "gzip, gzip")], gzip.compress(gzip.compress(body))
    if encoding == "gzip+gzip":  # the same, as two header lines
        return [("Content-Encoding", "gzip"), ("Content-Encoding", "gzip")], gzip.compress(gzip.compress(body))
    if encoding == "fake-gzip":
        return [("Content-Encoding", "gzip")], body
    if encoding == "gzip+junk":
        return [("Content-Encoding", "gzip")], gzip.compress(body) + b"junk"
    if encoding == "bomb":
        return [("Content-Encoding", "gzip")], BOMB
    if encoding == "bomb, bomb":
        return [("Content-Encoding", "gzip, gzip")], gzip.compress(BOMB)
    return [("Content-Encoding", encoding)], body  # identity, br, x-bogus: sent as is


def _decode(encoding: str, wire: bytes) -> bytes | None:
    """What an HTTP client that honours the one encoding okxlink reads would see; None: nothing."""
    try:
        if encoding in ("none", "identity"):
            return wire
        if encoding in ("gzip", "GZIP", "x-gzip", "fake-gzip", "gzip+junk"):
            return gzip.decompress(wire)
        if encoding in ("deflate", "raw-deflate"):
            return zlib.decompress(wire)
    except (OSError, EOFError, zlib.error):
        return None
    return None  # stacked, unknown, or a bomb: not an answer anyone reads


@dataclass(frozen=True)
class Answer:
    reply: Reply
    wire: bytes | None      # None: the connection is reset
    seen: Any               # the JSON a client that reads the answer right finds in it, else UNREADABLE


def render(reply: Reply, now_ms: int) -> Answer:
    kind = reply.payload[0]
    if kind == "bytes":
        body = reply.payload[1]
    else:
        text = dump(reply.payload[1], now_ms)
        if kind == "cut":
            text = text[:int(len(text) * reply.payload[2])]
        body = text.encode(reply.charset)
    headers, wire_body = _encode(reply.encoding, body)
    if reply.framing == "reset":
        return Answer(reply, None, UNREADABLE)
    if reply.framing == "garbage":
        return Answer(reply, b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff not http\r\n\r\n", UNREADABLE)
    if reply.framing == "empty":
        return Answer(reply, b"", UNREADABLE)
    length = {"length": len(wire_body), "short": len(wire_body) + reply.cut,
              "long": max(0, len(wire_body) - reply.cut)}.get(reply.framing)
    head = [f"HTTP/1.1 {reply.status} Hostile", f"Content-Type: {reply.ctype}", "Connection: close",
            *(f"{k}: {v}" for k, v in headers + list(reply.extra))]
    if length is not None:
        head.append(f"Content-Length: {length}")
    framed = wire_body
    if reply.framing == "chunked":
        head.append("Transfer-Encoding: chunked")
        step = max(1, len(wire_body) // reply.pieces + 1)
        parts = [wire_body[i:i + step] for i in range(0, len(wire_body), step)]
        framed = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    wire = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + framed
    delivered = wire_body[:length] if reply.framing == "long" else wire_body
    readable = (200 <= reply.status <= 999 and reply.status not in (204, 304) and reply.framing != "short"
                and ("Transfer-Encoding", "gzip") not in reply.extra)  # h11 reads no such body
    decoded = _decode(reply.encoding, delivered) if readable else None
    seen: Any = UNREADABLE
    if decoded is not None:
        with contextlib.suppress(ValueError, RecursionError):
            parsed = json.loads(decoded)
            seen = parsed if depth(parsed) <= MAX_DEPTH else UNREADABLE  # deeper: okxlink refuses it, always
    return Answer(reply, wire, seen)


def depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value (a scalar: 0)."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
    return 0 if items is None else 1 + max(map(depth, items), default=0)


# --- the server ------------------------------------------------------------------------------------------

ROUTES = {"api/v5/public/time": "time", "api/v5/account/config": "config", "api/v5/account/balance": "balance",
          "api/v5/asset/balances": "funding"}


@dataclass
class Plan:
    """One example's script: route → answers in order; and what was served, in order."""
    answers: dict[str, list[Answer]]
    served: list[tuple[str, Answer]] = field(default_factory=list)

    def next(self, route: str) -> Answer | None:
        found = self.answers.get(route)
        if not found:
            return None
        count = sum(1 for r, _a in self.served if r == route)
        answer = found[min(count, len(found) - 1)]
        self.served.append((route, answer))
        return answer

    def seen(self, *routes: str) -> list[Answer]:
        return [a for r, a in self.served if r in routes]


class Server(Loopback, socketserver.ThreadingTCPServer):
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.plans: dict[str, Plan] = {}
        self.count = 0
        self.serve()

    def new(self, okx: dict[str, list[Reply]], link: dict[str, list[Reply]]) -> tuple[str, Plan]:
        """A prefix of its own for one example, with its answers rendered now (`ts` near this clock)."""
        now_ms = int(time.time() * 1000)
        plan = Plan({route: [render(r, now_ms) for r in replies] for route, replies in {**okx, **link}.items()})
        with self.lock:
            self.count += 1
            prefix = f"e{self.count}"
            self.plans[prefix] = plan
            self.plans.pop(f"e{self.count - 4}", None)  # long over: its megabytes can go
        return f"{self.url}/{prefix}", plan

    def stop(self) -> None:
        self.stopping.set()
        super().stop()


class _Handler(socketserver.BaseRequestHandler):
    server: Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        try:
            request = _read_request(sock)
            if request is None:
                return
            method, path = request
            parts = path.split("?")[0].split("/")  # "", prefix, service, the rest
            prefix = parts[1] if len(parts) > 1 else ""
            route = _route(method, parts[2] if len(parts) > 2 else "", parts[3:])
            with self.server.lock:
                plan = self.server.plans.get(prefix)
                answer = plan.next(route) if plan is not None and route else None
            if answer is None:
                sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            elif answer.wire is None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close → RST
            else:
                self._send(sock, answer)
        except OSError:  # okxlink stopped reading: as it may
            pass

    def _send(self, sock: socket.socket, answer: Answer) -> None:
        wire, pieces, pause = answer.wire or b"", answer.reply.pieces, answer.reply.pause
        step = max(1, len(wire) // pieces + 1)
        for start in range(0, len(wire), step):
            sock.sendall(wire[start:start + step])
            if pause and self.server.stopping.wait(pause):
                return


def _read_request(sock: socket.socket) -> tuple[str, str] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            return None
        data += more
    head, _sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next((int(v) for k, _c, v in (ln.partition(":") for ln in lines[1:])
                   if k.strip().lower() == "content-length"), 0)
    while len(body) < length:
        more = sock.recv(65536)
        if not more:
            break
        body += more
    method, target, _version = lines[0].split(" ", 2)
    return method, target


def _route(method: str, service: str, rest: list[str]) -> str | None:
    if service == "okx":
        return ROUTES.get("/".join(rest[1:]))  # rest[0] is the site
    if service == "link" and rest[:2] == ["v1", "links"]:
        return {("POST", 2): "create", ("GET", 3): "read", ("GET", 2): "list",
                ("DELETE", 3): "delete"}.get((method, len(rest)))
    return None


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def no_waits() -> Iterator[None]:
    """In this process only: the retries happen as they would, without the waits between them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(core_okx, "RETRY_DELAYS", (0.0, 0.0))
        mp.setattr(core_linking, "RETRY_DELAYS", (0.0, 0.0))
        yield


# --- the oracle ---------------------------------------------------------------------------------------------

def config_ok(answer: Answer) -> bool:
    """An account/config answer that could make a key ready: a readable envelope, code "0", a row
    whose perm holds read_only and trade and not withdraw (contract.md's check table)."""
    seen = answer.seen
    if not 200 <= answer.reply.status < 400 or not isinstance(seen, dict):
        return False
    code = seen.get("code")
    if not (code == "0" or (type(code) is int and code == 0)):
        return False
    data = seen.get("data")
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return False
    perm = data[0].get("perm")
    perms = ({str(p).strip() for p in perm} if isinstance(perm, list) else
             {p.strip() for p in perm.split(",")} if isinstance(perm, str) else set())
    return {"read_only", "trade"} <= perms and "withdraw" not in perms


def a_link(answer: Answer) -> bool:
    return 200 <= answer.reply.status < 300 and isinstance(answer.seen, dict)


def ready_link(answer: Answer) -> bool:
    spot = answer.seen.get("spot") if a_link(answer) else None
    return isinstance(spot, dict) and spot.get("state") == "ready"


def okx_says_ready(plan: Plan) -> bool:
    return any(config_ok(a) for a in plan.seen("config"))


def platform_says_ready(plan: Plan, *routes: str) -> bool:
    return any(ready_link(a) for a in plan.seen(*routes))


def forbidden(ch: str) -> bool:
    """What okxlink/text.py keeps off a terminal: C0 and C1 controls but our own line break, format
    characters but the joiners (bidi controls among them), line and paragraph separators, surrogates."""
    if ch == "\n":
        return False
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cs", "Zl", "Zp") or (cat == "Cf" and ch not in "\u200c\u200d")


def inert(text: str) -> None:
    if text.replace("\n", "").isprintable():  # fast path: False for every category above
        return
    bad = next((ch for ch in text if forbidden(ch)), None)
    assert bad is None, f"{bad!r} printed: {text[:2000]!r}"


BOX = "".join(chr(c) for c in range(0x2500, 0x2580)) + " "


def no_spoofed_line(text: str) -> None:
    """The server's line break never starts a line of okxlink's output."""
    for line in text.splitlines():
        assert not line.lstrip(BOX).startswith(SPOOF), f"a line of the server's own: {line[:300]!r}"


def check_output(r: Result, plan: Plan, json_out: bool) -> Any:
    """What holds for every run: a documented exit, no traceback, nothing that acts on a terminal or
    reads as okxlink's, JSON that parses. Returns the JSON (or None)."""
    EXITS[r.code] += 1
    assert r.code in {0, 2, 3, 4, 5}, (r.code, r.out[-2000:], r.err[-2000:])  # never 1: no server makes a bug
    assert "Traceback" not in r.out + r.err, r.err[-3000:]
    inert(r.out)
    inert(r.err)
    no_spoofed_line(r.out)
    no_spoofed_line(r.err)
    if json_out and r.out.strip():
        return json.loads(r.out)
    return None


def check_verify(r: Result, plan: Plan, json_out: bool, platform: bool = False) -> None:
    found = check_output(r, plan, json_out)
    supported = okx_says_ready(plan) or (platform and platform_says_ready(plan, "read"))
    assert r.code != 0 or supported, ("ready without an answer that says so", r.out[-2000:], plan.served)
    assert r.code in (0, 3, 4), (r.code, r.err[-2000:])
    if json_out:
        assert isinstance(found, dict) and len(found["checks"]) == 13, r.out[-2000:]
        assert {True: 0, False: 3, None: 4}[found["ready"]] == r.code
    else:
        says_ready = "Ready: this key can be used for copy trading." in r.out  # this machine's verdict
        assert not says_ready or (r.code == 0 and okx_says_ready(plan)), r.out[-2000:]
        assert says_ready or r.code != 0 or platform, r.out[-2000:]


def check_link(r: Result, plan: Plan, json_out: bool) -> None:
    found = check_output(r, plan, json_out)
    if r.code == 0:
        assert any(a_link(a) for a in plan.seen("create", "read")), ("linked without a link", plan.served)
        assert not json_out or found["spot"]["state"] in ("ready", "attention"), found["spot"]
    says_ready = ((found or {}).get("spot", {}).get("state") == "ready" if json_out else
                  any(line.startswith("Linked to ") and line.endswith(": Spot ready.") for line in r.out.splitlines()))
    assert not says_ready or platform_says_ready(plan, "create", "read"), ("ready without a ready link", r.out)


def check_status(r: Result, plan: Plan, json_out: bool) -> None:
    found = check_output(r, plan, json_out)
    assert r.code in (0, 3, 4), (r.code, r.err[-2000:])
    supported = okx_says_ready(plan) or platform_says_ready(plan, "read")
    assert r.code != 0 or supported, ("ready without an answer that says so", r.out[-2000:], plan.served)
    if json_out:
        (row,) = found["profiles"]
        assert row["spot"] in ("ready", "attention", "unknown")
        assert all(p["spot"] in ("ready", "attention", None) for p in row["links"]), row["links"]


# --- running okxlink -----------------------------------------------------------------------------------------

SEEDS = ["none", "pending", "linked"]


def seed_profile(config: Path, secrets: MemoryStore, link_url: str, seed: str, name: str = PROFILE) -> None:
    """A profile as an earlier run left it: never linked, a link request pending, or linked."""
    repo = ProfileRepo(secrets, ProfilesFile(config / "profiles.toml"))
    repo.save(name, CREDS, ProfileMeta(name=name, site="global", demo=False))
    record = {"none": None,
              "pending": LinkRecord(service=link_url, state="pending",
                                    pending=PendingLink(idempotency_key="okxlink-seed", site="global", demo=False)),
              "linked": LinkRecord(service=link_url, id="lnk_seed", state="linked", spot="ready",
                                   checked_at="2026-11-26T19:00:02Z")}[seed]
    if record is not None:
        repo.update_meta(name, lambda m: m.put_link(replace(record, key=m.key)))


def in_process(run: InProcess, args: tuple[str, ...], environ: dict[str, str] | None = None,
               stdin: str = "") -> Result:
    """The real CLI in this process, behind a guard that turns a hang into a failure."""
    box: dict[str, Any] = {}

    def go() -> None:
        try:
            box["result"] = run(*args, environ=environ, width=1000, stdin=stdin)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            box["error"] = exc

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    worker.join(HANG_S)
    assert not worker.is_alive(), f"okxlink {' '.join(args)} did not end"
    if "error" in box:
        raise box["error"]
    TRIED["in-process"] += 1
    result: Result = box["result"]
    return result


def example(server: Server, okx: dict[str, list[Reply]], link: dict[str, list[Reply]], seed: str,
            config: Path) -> tuple[InProcess, Plan]:
    base, plan = server.new(okx, link)
    run = InProcess(config, base_url=base + "/okx/{site}", link_url=base + "/link", link_token=TOKEN)
    seed_profile(config, run.secrets, base + "/link", seed)
    return run, plan


VERIFY = [("verify", "--json"), ("verify",), ("verify", "--site", "auto", "--json")]


@settings(EXAMPLES, max_examples=100)
@given(okx=okx_plans, args=st.sampled_from(VERIFY))
def test_verify_in_process(server, no_waits, okx, args):
    with tempfile.TemporaryDirectory() as tmp:
        run, plan = example(server, okx, {}, "none", Path(tmp))
        r = in_process(run, args, environ=ENV_CREDS)
    check_verify(r, plan, "--json" in args)


@settings(EXAMPLES, max_examples=70)
@given(okx=okx_plans, link=link_plans, seed=st.sampled_from(SEEDS + ["linked"]), json_out=st.booleans(),
       command=st.sampled_from(["status", "status", "verify"]))
def test_status_and_profile_verify_in_process(server, no_waits, okx, link, seed, json_out, command):
    """status asks OKX and, for a linked profile, the service; verify --profile asks the service
    about a linked key OKX answers 50110 for."""
    with tempfile.TemporaryDirectory() as tmp:
        run, plan = example(server, okx, link, seed, Path(tmp))
        args = (command, *(["--profile", PROFILE] if command == "verify" else []), *(["--json"] if json_out else []))
        r = in_process(run, args)
    if command == "status":
        check_status(r, plan, json_out)
    else:
        check_verify(r, plan, json_out, platform=True)


@settings(EXAMPLES, max_examples=70)
@given(link=link_plans, seed=st.sampled_from(SEEDS), json_out=st.booleans())
def test_link_in_process(server, no_waits, link, seed, json_out):
    with tempfile.TemporaryDirectory() as tmp:
        run, plan = example(server, {}, link, seed, Path(tmp))
        r = in_process(run, ("link", "--profile", PROFILE, "--yes", *(["--json"] if json_out else [])))
    check_link(r, plan, json_out)


def answered(answer: Answer, *statuses: int) -> bool:
    """The service's status line reached okxlink: 2xx, or one of `statuses`."""
    return (answer.wire is not None and answer.reply.framing not in ("garbage", "empty")
            and (200 <= answer.reply.status < 300 or answer.reply.status in statuses))


def check_withdrawal(r: Result, plan: Plan, args: tuple[str, ...], seed: str, left: ProfileMeta | None) -> None:
    """A key a service may hold is never lost track of: whenever a withdrawal was not confirmed (a
    delete answered 2xx or 404; for a pending link, a list read), the profile keeps its record, unless
    --keep-links said to remove it anyway."""
    check_output(r, plan, "--json" in args)
    assert r.code in (0, 2, 4, 5), (r.code, r.err[-2000:])
    confirmed = (any(answered(a, 404) for a in plan.seen("delete")) if seed == "linked" else
                 any(answered(a) for a in plan.seen("list")))
    if r.code == 0 and "--keep-links" not in args:
        assert confirmed, ("withdrawn without an answer that says so", plan.served)
    if r.code == 0:
        assert left is None if args[0] == "remove" else (left is not None and left.links == []), left
    else:
        assert left is not None and left.links, ("the profile lost track of the key", r.err[-2000:])


WITHDRAW = [("unlink", "--yes"), ("unlink", "--yes", "--json"), ("remove", "--yes"), ("remove", "--yes", "--keep-links")]


@settings(EXAMPLES, max_examples=60)
@given(link=withdraw_plans, seed=st.sampled_from(["pending", "linked"]), args=st.sampled_from(WITHDRAW))
def test_withdrawal_in_process(server, no_waits, link, seed, args):
    with tempfile.TemporaryDirectory() as tmp:
        run, plan = example(server, {}, link, seed, Path(tmp))
        r = in_process(run, (args[0], "--profile", PROFILE, *args[1:]))
        left = ProfilesFile(Path(tmp) / "profiles.toml").read().get(PROFILE)
    check_withdrawal(r, plan, args, seed, left)


# --- real processes, their peak memory measured ----------------------------------------------------------

# A fresh, tiny interpreter starts okxlink and reads its peak RSS (ru_maxrss, kB on Linux) when it has
# ended: a child forked from pytest would start its count at pytest's size.
WRAPPER = ("import resource, subprocess, sys\n"
           "code = subprocess.call(sys.argv[2:])\n"
           "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
           "sys.exit(code)\n")


def measured(args: tuple[str, ...], env: dict[str, str], tmp: Path) -> Result:
    rss = tmp / "maxrss"
    done = subprocess.run([sys.executable, "-c", WRAPPER, str(rss), *OKXLINK, *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=HANG_S)
    TRIED["processes"] += 1
    peak_mb = int(rss.read_text()) / 1024
    assert peak_mb < MAX_RSS_MB, f"okxlink {' '.join(args)}: peak memory {peak_mb:.0f} MB"
    # decoded strictly: what okxlink writes must be valid UTF-8
    return Result(done.returncode, done.stdout.decode(), done.stderr.decode())


@settings(EXAMPLES, max_examples=5)
@given(okx=okx_plans, json_out=st.booleans())
def test_verify_real_process(server, okx, json_out):
    base, plan = server.new(okx, {})
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env(Path(tmp), OKXLINK_BASE_URL=base + "/okx/{site}", COLUMNS="1000", **ENV_CREDS)
        r = measured(("verify", *(["--json"] if json_out else [])), env, Path(tmp))
    check_verify(r, plan, json_out)


@pytest.fixture(scope="module")
def keyring_entry(secret_service):  # noqa: F811
    """The profile's secrets in the real keyring (a MemoryStore is not reachable from a child)."""
    secret_service.store(REAL_PROFILE, encode(CREDS))
    return secret_service


@settings(EXAMPLES, max_examples=3)
@given(okx=okx_plans, link=link_plans, seed=st.sampled_from(SEEDS))
def test_link_and_status_real_process(server, keyring_entry, okx, link, seed):
    base, plan = server.new(okx, link)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        # profiles.toml only: the secrets are the keyring's
        seed_profile(config, MemoryStore(), base + "/link", seed, REAL_PROFILE)
        env = keyring_entry.env(NO_COLOR="1", COLUMNS="1000", LANG="C.UTF-8", PYTHONUNBUFFERED="1",
                                OKXLINK_CONFIG_DIR=str(config), OKXLINK_BASE_URL=base + "/okx/{site}",
                                OKXLINK_LINK_URL=base + "/link", OKXLINK_LINK_TOKEN=TOKEN)
        linked = measured(("link", "--profile", REAL_PROFILE, "--yes", "--json"), env, Path(tmp))
        check_link(linked, plan, json_out=True)
        shown = measured(("status",), env, Path(tmp))
        check_status(shown, plan, json_out=False)


# --- what the examples found: each once a bug (exit 1, a line of the server's, a profile lost) ------------

def okx_answers(row: dict[str, Any] | None = None, balance: Any = (), funding: Any = ()) -> dict[str, list[Reply]]:
    """A ready key's answers, honest on the wire; `row` adds to account/config's row."""
    def ok(data: Any) -> list[Reply]:
        return [Reply(200, ("json", {"code": "0", "msg": "", "data": list(data)}))]
    return {"time": ok([{"ts": Now(0)}]), "config": ok([{"perm": "read_only,trade", "acctLv": "1", **(row or {})}]),
            "balance": ok(balance), "funding": ok(funding)}


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-NaN", "1e999999999", "1E-999999999", "Infinity"])
@pytest.mark.parametrize("where", ["trading", "funding"])
def test_an_amount_that_is_no_number_is_no_money(server, value, where, tmp_path):
    """Decimal takes "NaN" but will not compare it (InvalidOperation), and an exponent of a billion
    cannot be shown (Overflow): both ended verify with exit 1. They are no money: the key is ready,
    its Trading account empty."""
    details = [{"ccy": "BTC", "eq": value}] if where == "trading" else [{"ccy": "BTC", "eq": "0"}]
    funding = [{"ccy": "BTC", "bal": value}] if where == "funding" else []
    run, plan = example(server, okx_answers(balance=[{"details": details}], funding=funding), {}, "none", tmp_path)
    r = in_process(run, ("verify", "--json"), environ=ENV_CREDS)
    check_verify(r, plan, json_out=True)
    assert r.code == 0, r.err
    funds = next(c for c in r.json()["checks"] if c["id"] == "funds")
    assert (funds["status"], funds["message"]) == ("warn", "The Trading account is empty."), funds


def test_an_amount_of_any_length_is_shown_bounded(server, tmp_path):
    """1e100000 is a valid Decimal: it was shown as a number of 100 001 digits."""
    balance = [{"details": [{"ccy": "BTC", "eq": "1e100000"}, {"ccy": "ETH", "eq": "2.5"}]}]
    run, plan = example(server, okx_answers(balance=balance), {}, "none", tmp_path)
    r = in_process(run, ("verify", "--json"), environ=ENV_CREDS)
    check_verify(r, plan, json_out=True)
    funds = next(c for c in r.json()["checks"] if c["id"] == "funds")
    assert funds["message"] == "The Trading account holds ETH 2.5.", funds


def test_currency_and_account_mode_from_okx_are_one_bounded_line(server, tmp_path):
    """OKX's currency and account level go into sentences of okxlink's: a line break of theirs began
    a line of its own in the table, and a megabyte of them was printed whole."""
    spoof = "\n" + SPOOF + " Ready: this key can be used for copy trading."
    balance = [{"details": [{"ccy": "BTC" + spoof + "x" * 300_000, "eq": "1"}]}]
    run, plan = example(server, okx_answers({"acctLv": "9" + spoof + "y" * 300_000}, balance), {}, "none", tmp_path)
    r = in_process(run, ("verify",), environ=ENV_CREDS)
    check_verify(r, plan, json_out=False)
    assert "x" * 50 not in r.out and "y" * 50 not in r.out and len(r.out) < 10_000
    r = in_process(run, ("verify", "--json"), environ=ENV_CREDS)
    checks = {c["id"]: c["message"] for c in r.json()["checks"]}
    assert "\n" not in checks["funds"] + checks["account-mode"] and len(checks["funds"] + checks["account-mode"]) < 600


@pytest.mark.parametrize("field_name", ["label", "uid", "acctLv"])
def test_okx_words_no_file_can_hold_are_kept_replaced(server, field_name, tmp_path):
    """A lone surrogate ("\\ud800" is valid JSON) cannot be written to profiles.toml as UTF-8: status
    and setup ended with exit 1, and setup kept nothing."""
    run, plan = example(server, okx_answers({field_name: "a\ud800b"}), {}, "none", tmp_path)
    r = in_process(run, ("status", "--json"))
    check_status(r, plan, json_out=True)
    assert r.code == 0, r.err
    r = in_process(run, ("setup", "--profile", "again", "--stdin", "--json"), stdin=encode(CREDS))
    assert r.code == 0, r.err
    if field_name != "acctLv":
        (again,) = [p for p in in_process(run, ("profiles", "--json")).json()["profiles"] if p["name"] == "again"]
        assert again[field_name.lower()] == "a\ufffdb"


def test_a_label_of_any_size_cannot_make_a_key_unstorable(server, tmp_path):
    """A label of 200 000 DELs (200 kB of JSON, which need not escape them) takes six times that in
    profiles.toml ("\\u007f"): more than the file may hold, so setup refused to keep the key (exit 5).
    OKX's labels are 50 characters."""
    run, _plan = example(server, okx_answers({"label": Raw('"' + "\x7f" * 200_000 + '"')}), {}, "none", tmp_path)
    r = in_process(run, ("setup", "--profile", "big", "--stdin"), stdin=encode(CREDS))
    assert r.code == 0, r.err
    assert (tmp_path / "profiles.toml").stat().st_size < 10_000


def service_link(reasons: list[Any], state: str = "attention") -> dict[str, list[Reply]]:
    answer = [Reply(201, ("json", {"id": "lnk_7Hq2", "spot": {"state": state, "reasons": reasons}}))]
    return {"create": answer, "read": [Reply(404, ("json", {"error": {"code": "not_found"}}))]}


def test_a_service_reason_no_file_can_hold_is_kept_replaced(server, tmp_path):
    """The check id of a reason is kept in profiles.toml: a lone surrogate there ended link with
    exit 1 (UnicodeEncodeError) after the service had made the link."""
    run, plan = example(server, {}, service_link([{"check": "funds\ud800", "message": "m"}]), "none", tmp_path)
    r = in_process(run, ("link", "--profile", PROFILE, "--yes", "--json"))
    check_link(r, plan, json_out=True)
    assert r.code == 0, r.err
    (row,) = in_process(run, ("status", "--offline", "--json")).json()["profiles"]
    assert row["links"][0]["reasons"] == ["funds\ufffd"]


def test_a_service_cannot_make_a_link_unrecordable(server, tmp_path):
    """5000 reasons of DELs (375 kB of JSON): more than profiles.toml may hold, so the link the service
    made could not be recorded (exit 5), and every retry resent the same request into the same failure."""
    run, plan = example(server, {}, service_link([{"check": Raw('"' + "\x7f" * 60 + '"')}] * 5_000), "none", tmp_path)
    r = in_process(run, ("link", "--profile", PROFILE, "--yes", "--json"))
    check_link(r, plan, json_out=True)
    assert r.code == 0, r.err
    (row,) = in_process(run, ("status", "--offline", "--json")).json()["profiles"]
    assert row["links"][0]["state"] == "linked" and len(row["links"][0]["reasons"]) <= 26
    r = in_process(run, ("link", "--profile", PROFILE, "--yes"))  # the service forgot it: linked anew
    check_link(r, plan, json_out=False)
    assert r.code == 0 and len(r.out.splitlines()) < 30 and r.out.endswith("… and 4974 more.\n"), r.out[-500:]


def test_a_service_reason_is_one_bounded_line(server, tmp_path):
    """The platform's reasons were printed as written: a line break of theirs began a line of its own
    ("Linked to …: Spot ready." under "needs attention"), and a megabyte of them was printed whole."""
    spoof = "\n" + SPOOF + " Linked: Spot ready."
    reasons = [{"check": "funds" + spoof, "message": "Deposit." + spoof + "z" * 300_000}]
    run, plan = example(server, {}, service_link(reasons), "none", tmp_path)
    r = in_process(run, ("link", "--profile", PROFILE, "--yes"))
    check_link(r, plan, json_out=False)
    assert r.code == 0 and "needs attention" in r.out, r.out + r.err
    assert "z" * 300 not in r.out and len(r.out) < 2_000


def test_a_state_the_protocol_does_not_define_needs_attention(server, tmp_path):
    """A link's `spot.state` is "ready" or "attention": any other word was shown and recorded as
    written, so status --json's `links[].spot` held it, and status said "no verdict yet" beside
    "Spot: needs attention"."""
    reply = [Reply(201, ("json", {"id": "lnk_7Hq2", "spot": {"state": "Ready\x1b[2J", "reasons": []}}))]
    run, plan = example(server, okx_answers(), {"create": reply, "read": reply}, "none", tmp_path)
    r = in_process(run, ("link", "--profile", PROFILE, "--yes", "--json"))
    check_link(r, plan, json_out=True)
    assert r.json()["spot"]["state"] == "attention"
    r = in_process(run, ("status", "--json"))
    check_status(r, plan, json_out=True)
    (row,) = r.json()["profiles"]
    assert (row["spot"], row["links"][0]["spot"]) == ("attention", "attention"), row
    r = in_process(run, ("status",))
    assert "Spot needs attention · checked" in r.out, r.out


@pytest.mark.parametrize("verified_at", ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+00:01"])
def test_a_check_time_utc_cannot_hold_is_no_time(server, verified_at, tmp_path):
    """The first minutes of the year 1, east of UTC, are before the year 1 in UTC: turning the
    service's `verified_at` into UTC raised OverflowError (exit 1) after the link was made."""
    reply = [Reply(201, ("json", {"id": "lnk_7Hq2", "verified_at": verified_at, "spot": {"state": "ready"}}))]
    run, plan = example(server, {}, {"create": reply}, "none", tmp_path)
    r = in_process(run, ("link", "--profile", PROFILE, "--yes", "--json"))
    check_link(r, plan, json_out=True)
    assert r.code == 0, r.err
    (row,) = in_process(run, ("status", "--offline", "--json")).json()["profiles"]
    assert row["links"][0]["state"] == "linked" and row["links"][0]["checked_at"].startswith("20")
