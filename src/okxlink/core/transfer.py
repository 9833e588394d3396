"""One bounded HTTP exchange, shared by the OKX client and the linking client: a deadline for the
whole exchange, however slowly the answer drips in, and a cap on how much of the answer is read."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


async def exchange(http: httpx.AsyncClient, method: str, url: str, *, deadline_s: float,
                   max_body: int, **kw: Any) -> tuple[int, bytes | None]:
    """(status, body); body is None when the answer ran past `max_body` (reading stopped there).
    Raises asyncio.TimeoutError past the deadline, httpx.TransportError on a transport failure."""
    async def read() -> tuple[int, bytes | None]:
        async with http.stream(method, url, **kw) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_body:
                    return response.status_code, None
            return response.status_code, bytes(body)

    return await asyncio.wait_for(read(), deadline_s)
