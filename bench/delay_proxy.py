"""BENCHMARK ONLY: a TCP proxy on 127.0.0.1 that adds network latency the way a real network does.

Every byte waits half a round trip in each direction, and a new connection pays its TCP handshake:
the kernel accepts it at once, so the client's first bytes are held until one full round trip after
the accept (SYN, SYN-ACK, then the data). A request on a fresh connection therefore costs two round
trips and one on a kept-alive connection one, as on a real network; a client that opens many
connections at once pays the handshake once, in parallel. TLS is not modelled (the simulator speaks
plain HTTP): over https a new connection would cost one more round trip (TLS 1.3).

Runs its own asyncio loop in a daemon thread; `DelayProxy(upstream_port, rtt_s).start()` returns
the port to connect to; `stop()` closes it.
"""

from __future__ import annotations

import asyncio
import threading


class DelayProxy:
    def __init__(self, upstream_port: int, rtt_s: float) -> None:
        self.upstream_port = upstream_port
        self.rtt = rtt_s
        self.port = 0
        self.connections = 0  # accepted so far: how many connections the clients opened
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None

    def start(self) -> int:
        threading.Thread(target=self._run, name="delay-proxy", daemon=True).start()
        if not self._ready.wait(10):
            raise RuntimeError("the delay proxy did not start")
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=4096))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        accepted = self._loop.time()
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        # client → server: not before the handshake's round trip and the way there (1.5 RTT)
        await asyncio.gather(self._pump(client_r, server_w, earliest=accepted + 1.5 * self.rtt),
                             self._pump(server_r, client_w, earliest=0.0), return_exceptions=True)
        for w in (client_w, server_w):
            w.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, earliest: float) -> None:
        """Copy reader to writer, each chunk delivered half a round trip after it arrived (in order)."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                delay = max(due, earliest) - self._loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                await queue.put((self._loop.time() + self.rtt / 2, data))
                if not data:
                    break
            await sender
        finally:
            sender.cancel()
