"""Test servers on 127.0.0.1: a mixin for socketserver classes that listen on a free loopback port,
serve from a daemon thread once the subclass has set what its handler reads (`serve()`), and stop
whole. Nothing a test starts here listens beyond this machine."""

from __future__ import annotations

import threading
from typing import Any


class Loopback:
    daemon_threads = True
    allow_reuse_address = True
    scheme = "http"
    server_address: Any

    def serve(self) -> None:
        threading.Thread(target=self.serve_forever, daemon=True).start()  # type: ignore[attr-defined]

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.shutdown()  # type: ignore[attr-defined]
        self.server_close()  # type: ignore[attr-defined]
