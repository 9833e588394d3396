"""Hostile answers and inputs cannot take the machine: memory stays bounded, nothing ends in a
traceback, and okxlink says one clear sentence with the documented exit code.

- Compressed answers: 400 bytes `Content-Encoding: gzip, gzip` inflating to 128 MiB (okxlink once
  peaked at 1 GB on it; 1 GiB inside took 23 GB), one gzip layer inflating to 512 MiB, a corrupt
  gzip stream, an encoding okxlink does not read. okxlink runs as a real process (`verify --json`)
  against a raw server on 127.0.0.1; the linking client, which shares the one bounded exchange, runs
  in a small real process of its own. Peak memory is the child's ru_maxrss, read by a tiny wrapper
  process (so the figure is okxlink's, not pytest's).
- Nesting: `[[[[…` 100 000 deep from OKX (exit 4), on --stdin (exit 2), in clock.json (no file).
- Size: 64 MB on --stdin is refused after 64 KiB.
- Time: a server saying it is the year 9999, and the clock.json such a server would leave.
"""

from __future__ import annotations

import json
import socket
import socketserver
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from okxlink.storage import ClockCache

from conftest import OKXLINK, clean_env, creds_env
from inproc import InProcess
from loopback import Loopback

pytestmark = pytest.mark.slow
MAX_RSS_MB = 100        # okxlink itself takes ~50-65 MB here
MiB = 1 << 20
YEAR_9999_MS = 253402300799000   # 9999-12-31T23:59:59Z
DAY_MS = 86_400_000
CREDS = {"OKX_API_KEY": "6f2c1d6e-5a3b-4c2d-9e8f-0a1b2c3d4e5f",
         "OKX_SECRET_KEY": "00112233445566778899AABBCCDDEEFF", "OKX_PASSPHRASE": "Hostile-Pass-1!"}
NESTED = b"[" * 100_000 + b"]" * 100_000


def gzip_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes (a whole number of MiB), built in a blink: after a full flush the
    compressor starts afresh, so every further MiB compresses to the same bytes."""
    block = b"\0" * MiB
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    last_block = c.flush()[:-8]  # the trailer it wrote counts 2 MiB; ours follows
    crc = 0
    for _ in range(size // MiB):
        crc = zlib.crc32(block, crc)
    return first + again * (size // MiB - 1) + last_block + struct.pack("<II", crc, size & 0xFFFFFFFF)


def _resp(status: int, body: bytes, extra: str = "", reason: str = "OK") -> bytes:
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n{extra}\r\n").encode() + body


UNAVAILABLE = _resp(503, b'{"code":"50001","msg":"Service temporarily unavailable"}', reason="Unavailable")


def _answers() -> dict[str, bytes]:
    """First path segment → the whole answer to every request under it."""
    stacked = gzip_zeros(128 * MiB)  # 128 MiB inside, ~130 kB once, ~400 bytes twice
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    stacked = c.compress(stacked) + c.flush()
    return {
        "gzip2": _resp(200, stacked, "Content-Encoding: gzip, gzip\r\n"),
        "gzip1": _resp(200, gzip_zeros(512 * MiB), "Content-Encoding: gzip\r\n"),  # ~520 kB on the wire
        "badgzip": _resp(200, b"\x1f\x8b\x08\x00 this is no gzip stream", "Content-Encoding: gzip\r\n"),
        "brotli": _resp(200, b"\x1b\x03\x00\xf8\xa5\x40\x12", "Content-Encoding: br\r\n"),
        "nested": _resp(200, NESTED),
    }


class Server(Loopback, socketserver.ThreadingTCPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers = _answers()
        self.serve()

    def at(self, segment: str) -> str:
        return f"{self.url}/{segment}"


class _Handler(socketserver.BaseRequestHandler):
    server: Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(30)
        try:
            data = sock.recv(65536)
            while data and b"\r\n\r\n" not in data:
                more = sock.recv(65536)
                if not more:
                    return
                data += more
            path = data.split(b" ", 2)[1].decode("latin-1") if data.count(b" ") >= 2 else "/"
            segment = path.split("/")[1]
            if segment == "y9999":  # a server whose clock says the last second of the year 9999
                time_body = json.dumps({"code": "0", "msg": "", "data": [{"ts": str(YEAR_9999_MS)}]}).encode()
                sock.sendall(_resp(200, time_body) if path.endswith("/public/time") else UNAVAILABLE)
            else:
                sock.sendall(self.server.answers.get(segment, UNAVAILABLE))
        except OSError:  # okxlink stopped reading: as it should
            pass


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


# --- a real process, its peak memory measured ------------------------------------------------------

# A fresh, tiny interpreter starts the child and reads its peak RSS (ru_maxrss, kB on Linux) when it
# has ended: a child forked from pytest would start its count at pytest's size.
WRAPPER = ("import resource, subprocess, sys\n"
           "code = subprocess.call(sys.argv[2:])\n"
           "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
           "sys.exit(code)\n")


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    rss_mb: float


def measured(command: list[str], env: dict[str, str], tmp: Path, stdin: Path | None = None) -> Outcome:
    rss = tmp / "maxrss"
    with open(stdin or "/dev/null", "rb") as inp:
        done = subprocess.run([sys.executable, "-c", WRAPPER, str(rss), *command], env=env, stdin=inp,
                              capture_output=True, timeout=120)
    return Outcome(done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"),
                   int(rss.read_text()) / 1024)


def one_sentence(line: str) -> bool:
    return bool(line) and "\n" not in line and line.rstrip().endswith((".", "。")) and len(line) < 400


@pytest.mark.parametrize("segment", ["gzip2", "gzip1", "badgzip", "brotli", "nested"])
def test_verify_reads_a_hostile_answer_in_bounded_memory(server, segment, tmp_path):
    """OKX's answer is stacked gzip, a gzip bomb, corrupt gzip, an unknown encoding or nested 100 000
    deep: "OKX is unavailable" (exit 4, one sentence), and okxlink stays under 100 MB."""
    env = clean_env(tmp_path, OKXLINK_BASE_URL=server.at(segment), **CREDS)
    o = measured([*OKXLINK, "verify", "--json"], env, tmp_path)
    assert "Traceback" not in o.out + o.err
    assert o.code == 4, (o.code, o.err)
    report = json.loads(o.out)
    network = next(c for c in report["checks"] if c["id"] == "network")
    assert report["ready"] is None and network["status"] == "fail" and one_sentence(network["message"])
    assert o.rss_mb < MAX_RSS_MB, f"peak memory {o.rss_mb:.0f} MB"


LINK_SCRIPT = """
import asyncio, sys
import httpx
from okxlink.core.secret import SecretStr
from okxlink.core.linking import LinkClient
from okxlink.errors import LinkError

async def main():
    async with httpx.AsyncClient() as http:
        try:
            await LinkClient(http, sys.argv[1], SecretStr("token")).get("lnk_1")
        except LinkError as exc:
            print(exc.message)
            return 4
    return 0

sys.exit(asyncio.run(main()))
"""


@pytest.mark.parametrize("segment", ["gzip2", "gzip1"])
def test_link_client_reads_a_bomb_in_bounded_memory(server, segment, tmp_path):
    """The linking client shares the exchange: a bomb from the service is a failed answer, not 1 GB."""
    o = measured([sys.executable, "-c", LINK_SCRIPT, server.at(segment)], clean_env(), tmp_path)
    assert o.code == 4 and "Traceback" not in o.err, (o.code, o.err)
    assert one_sentence(o.out.strip())
    assert o.rss_mb < MAX_RSS_MB, f"peak memory {o.rss_mb:.0f} MB"


# --- standard input -------------------------------------------------------------------------------

def test_stdin_is_read_no_further_than_64_kib(tmp_path):
    """64 MB piped into --stdin: refused after 64 KiB, not read whole (it once took 2x its size)."""
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(64 * MiB)  # sparse: reads as zero bytes
    o = measured([*OKXLINK, "verify", "--stdin", "--json"], clean_env(tmp_path), tmp_path, stdin=big)
    assert o.code == 2, (o.code, o.err)
    lines = o.err.strip().splitlines()
    assert len(lines) == 1 and "64 KiB" in lines[0] and one_sentence(lines[0].removeprefix("okxlink: "))
    assert o.rss_mb < MAX_RSS_MB, f"peak memory {o.rss_mb:.0f} MB"


@pytest.mark.parametrize("command", ["verify", "setup"])
def test_stdin_nested_deep_is_not_json(command, tmp_path):
    run = InProcess(tmp_path / "config")
    r = run(command, "--stdin", "--json", stdin="[" * 60_000)  # under 64 KiB, too deep to parse
    assert r.code == 2, (r.code, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "Standard input is not JSON" in lines[0] and one_sentence(lines[0]), r.err


# --- clock.json and the server's time --------------------------------------------------------------

@pytest.mark.parametrize("content", [
    NESTED, b'{"offset_ms": ' + NESTED + b"}", b"\x00\xff garbage", b'{"offset_ms": 1e999}',
    b'{"offset_ms": "90000"}', b'{"offset_ms": true}', b'["offset_ms"]', b'"offset_ms"',
    json.dumps({"offset_ms": YEAR_9999_MS}).encode(), json.dumps({"offset_ms": -10**30}).encode(),
    json.dumps({"offset_ms": 90_000, "pad": "x" * 100_000}).encode()],
    ids=["nested", "nested-value", "garbage", "infinite", "text", "bool", "list", "string", "year-9999",
         "huge-negative", "huge-file"])
def test_a_broken_clock_cache_is_no_cache(tmp_path, content):
    path = tmp_path / "clock.json"
    path.write_bytes(content)
    assert ClockCache(path).load() == 0


def test_a_sane_clock_cache_is_read_and_an_insane_offset_never_written(tmp_path):
    cache = ClockCache(tmp_path / "clock.json")
    cache.save(90_000, 0)
    assert cache.load() == 90_000
    cache.save(YEAR_9999_MS, 0)
    assert cache.load() == 90_000


def test_a_server_in_the_year_9999_is_not_believed(server, sim, tmp_path):
    """Run 1: OKX says it is the last second of the year 9999 (and is down otherwise): exit 4, the
    clock "not checked", and no such offset kept. Run 2: the clock.json that server would have left
    (a minute on: its clock runs too) is planted by hand; the ready key is still ready."""
    env = clean_env(tmp_path, OKXLINK_BASE_URL=server.at("y9999"), **CREDS)
    first = subprocess.run([*OKXLINK, "verify", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in first.stdout + first.stderr
    assert first.returncode == 4, first.stderr
    clock = next(c for c in json.loads(first.stdout)["checks"] if c["id"] == "clock")
    assert clock["status"] == "skip"
    clock_json = tmp_path / "config" / "clock.json"
    assert not clock_json.exists() or abs(json.loads(clock_json.read_text())["offset_ms"]) <= DAY_MS

    clock_json.parent.mkdir(parents=True, exist_ok=True)
    clock_json.write_text(json.dumps({"offset_ms": YEAR_9999_MS + 60_000 - int(time.time() * 1000)}))
    account = sim.account("ready")
    second = subprocess.run([*OKXLINK, "verify", "--site", account["site"], "--json"],
                            env=creds_env(account, sim.template, OKXLINK_CONFIG_DIR=str(tmp_path / "config")),
                            capture_output=True, text=True, timeout=60)
    assert "Traceback" not in second.stdout + second.stderr
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["ready"] is True
