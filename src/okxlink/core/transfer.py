"""One bounded HTTP exchange, shared by the OKX client and the linking client: a deadline for the
whole exchange, however slowly the answer drips in, and a cap on how much of the answer is read.

The cap holds for the answer as okxlink sees it, not only as it travels: a compressed answer of
7 kB can inflate to gigabytes. httpx inflates each network chunk whole, synchronously, before any
cap could be checked (and the deadline cannot fire while it does), so the raw bytes are read here:
we ask for no compression (`identity`, which an HTTP server must honour), and a server that
compresses anyway gets at most one gzip or deflate layer inflated, in pieces no larger than the room
left under the cap. Stacked or unknown encodings are refused: no honest server sends them."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import zlib
from dataclasses import dataclass
from typing import Any

import httpx

from okxlink.i18n import _

MAX_DEPTH = 32  # OKX's answers nest 4 deep, a linking service's 3
_NESTING = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # a string literal (skipped whole), or a bracket

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


async def exchange(http: httpx.AsyncClient, method: str, url: str, *, deadline_s: float,
                   max_body: int, **kw: Any) -> tuple[int, bytes | None]:
    """(status, body); body is None when the answer is not one okxlink reads: past `max_body` bytes
    on the wire or once inflated (reading stopped there), or in an encoding okxlink does not read
    (stacked, unknown or corrupt). Raises asyncio.TimeoutError past the deadline,
    httpx.TransportError on a transport failure."""
    headers = httpx.Headers(kw.pop("headers", None))
    headers["Accept-Encoding"] = "identity"

    async def read() -> tuple[int, bytes | None]:
        async with http.stream(method, url, headers=headers, **kw) as response:
            if response.is_stream_consumed:  # an in-process transport (httpx.MockTransport) read it already
                body = _Body([], max_body)
                return response.status_code, body.result() if body.add(response.content) else None
            body = _Body(response.headers.get_list("content-encoding", split_commas=True), max_body)
            async for chunk in response.aiter_raw():
                if not body.add(chunk):
                    return response.status_code, None
            return response.status_code, body.result()

    return await asyncio.wait_for(read(), deadline_s)


class _Body:
    """An answer's bytes as they arrive, inflated if the server compressed them anyway; `add` says
    False as soon as the answer cannot be one okxlink reads, so reading stops there."""

    def __init__(self, encodings: list[str], limit: int) -> None:
        codings = [c for c in (e.strip().lower() for e in encodings) if c not in ("", "identity")]
        self._limit = limit
        self._raw = 0
        self._out = bytearray()
        # one layer of gzip or deflate at most: no honest server stacks them, or sends others unasked
        self._refused = len(codings) > 1 or any(c not in _WBITS for c in codings)
        self._inflater = zlib.decompressobj(_WBITS[codings[0]]) if codings and not self._refused else None

    def add(self, chunk: bytes) -> bool:
        self._raw += len(chunk)
        if self._refused or self._raw > self._limit:
            return False
        if self._inflater is None:
            self._out += chunk
            return True
        if self._inflater.eof:  # bytes after the end of the compressed stream
            return False
        try:  # never more out than the room left + 1: more than that is too large anyway
            self._out += self._inflater.decompress(chunk, self._limit - len(self._out) + 1)
        except zlib.error:
            return False
        # input left over means the inflater stopped at the limit
        return len(self._out) <= self._limit and not self._inflater.unconsumed_tail

    def result(self) -> bytes | None:
        if self._refused:
            return None
        if self._inflater is not None and self._raw and (not self._inflater.eof or self._inflater.unused_data):
            return None  # cut short, or something after the compressed stream
        return bytes(self._out)


@dataclass(frozen=True)
class Failure:
    """An exchange that got no answer, in the user's words (never httpx's class names)."""
    reason: str          # a clause to follow "Could not reach OKX: ", e.g. "www.okx.com refused the connection"
    timed_out: bool      # a hang: not worth trying again at once
    certificate: bool    # the TLS certificate was refused: trying again cannot help


def failure(exc: BaseException, host: str, *, timeout: httpx.Timeout, deadline_s: float) -> Failure:
    """What `exchange` raising `exc` means, for `host` (as core/urls.py's host_of shows it).
    `timeout` and `deadline_s` are the limits the exchange ran with, so a hang is told in seconds."""
    def within(seconds: float | None) -> float:
        return deadline_s if seconds is None else seconds

    if isinstance(exc, asyncio.TimeoutError) and not isinstance(exc, httpx.TimeoutException):
        return Failure(_("{host} did not answer within {seconds:g} s").format(host=host, seconds=deadline_s),
                       True, False)
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(_("no connection to {host} within {seconds:g} s").format(
            host=host, seconds=within(timeout.connect)), True, False)
    if isinstance(exc, httpx.TimeoutException):
        limit = (timeout.write if isinstance(exc, httpx.WriteTimeout) else
                 timeout.pool if isinstance(exc, httpx.PoolTimeout) else timeout.read)
        return Failure(_("{host} did not answer within {seconds:g} s").format(host=host, seconds=within(limit)),
                       True, False)
    if _caused_by(exc, ssl.SSLCertVerificationError):
        return Failure(_("the TLS certificate of {host} could not be verified").format(host=host), False, True)
    if isinstance(exc, httpx.ProxyError):
        return Failure(_("the proxy could not connect to {host}").format(host=host), False, False)
    if isinstance(exc, httpx.ConnectError):
        if _caused_by(exc, socket.gaierror):
            return Failure(_("{host} was not found (the name did not resolve)").format(host=host), False, False)
        if _caused_by(exc, ConnectionRefusedError):
            return Failure(_("{host} refused the connection").format(host=host), False, False)
        return Failure(_("the connection to {host} failed").format(host=host), False, False)
    if isinstance(exc, httpx.RemoteProtocolError):
        return Failure(_("{host} closed the connection without answering").format(host=host), False, False)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return Failure(_("the connection to {host} was reset").format(host=host), False, False)
    return Failure(_("the request to {host} failed").format(host=host), False, False)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """httpx's errors wrap httpcore's, which wrap the socket's or ssl's: look down the chain."""
    seen: BaseException | None = exc
    for _depth in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def loads(body: bytes) -> Any:
    """The JSON of an answer. ValueError when it is not JSON, or nests deeper than MAX_DEPTH: json's
    own limit is the interpreter's recursion limit minus the frames above the call, so the same body
    could be read or refused depending on where it was parsed. Here the answer is always the same."""
    depth = 0
    for token in _NESTING.finditer(body):
        char = token.group()
        if char in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise ValueError(f"JSON nested deeper than {MAX_DEPTH}")
        elif char in (b"]", b"}"):
            depth -= 1
    return json.loads(body)
