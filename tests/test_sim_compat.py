"""The simulator as a real process on loopback, driven by two independent OKX clients (ccxt's
`okx` class and python-okx): if they authenticate against it and read its answers, it speaks OKX."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import ccxt
import httpx
import pytest
from okx import Account as okx_account

SRC = str(Path(__file__).resolve().parents[1] / "src")
pytestmark = pytest.mark.e2e


def start_sim(*args: str) -> tuple[subprocess.Popen, dict]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "okxlink.sim", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    if not ready:
        proc.kill()
        pytest.fail("the simulator printed no ready line within 20 s")
    line = proc.stdout.readline()
    if not line:
        proc.wait(5)
        pytest.fail(f"the simulator exited early: {proc.stderr.read()}")
    return proc, json.loads(line)


def stop(proc: subprocess.Popen, sig: int) -> tuple[int, str]:
    proc.send_signal(sig)
    try:
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, proc.stdout.read()


@pytest.fixture(scope="module")
def sim():
    proc, info = start_sim()
    yield info
    code, rest = stop(proc, signal.SIGTERM)
    assert (code, rest) == (0, ""), proc.stderr.read()


def account(info: dict, name: str) -> dict:
    return next(a for a in info["accounts"] if a["name"] == name)


def exchange(info: dict, creds: dict) -> ccxt.okx:
    ex = ccxt.okx({"apiKey": creds["api_key"], "secret": creds["secret_key"],
                   "password": creds["passphrase"], "timeout": 5000})
    ex.urls["api"] = {"rest": info["okx_url"]}
    return ex


def okx_sdk(info: dict, creds: dict, flag: str) -> okx_account.AccountAPI:
    return okx_account.AccountAPI(api_key=creds["api_key"], api_secret_key=creds["secret_key"],
                                  passphrase=creds["passphrase"], flag=flag,
                                  domain=info["okx_url"], debug=False)


def test_ready_line(sim):
    assert sim["okx_url"].startswith("http://127.0.0.1:")
    assert sim["okx_url_template"] == sim["okx_url"] + "/{site}"
    assert "fake" in sim["note"]
    first = sim["accounts"][0]
    assert first["name"] == "ready" and first["site"] == "global" and first["demo"] is False
    assert set(first) == {"name", "api_key", "secret_key", "passphrase", "site", "demo", "expect"}


def test_ccxt_reads_config_and_balance(sim):
    ex = exchange(sim, account(sim, "ready"))
    config = ex.privateGetAccountConfig()
    assert config["code"] == "0" and "trade" in config["data"][0]["perm"].split(",")
    balance = ex.privateGetAccountBalance({"ccy": "USDT,BTC"})
    assert balance["data"][0]["details"][0]["ccy"] == "USDT"


@pytest.mark.parametrize("name,code", [("wrong-secret", "50113"), ("wrong-passphrase", "50105")])
def test_ccxt_rejects_bad_credentials(sim, name, code):
    with pytest.raises(ccxt.AuthenticationError, match=code):
        exchange(sim, account(sim, name)).privateGetAccountConfig()


def test_python_okx_reads_config_and_balance(sim):
    api = okx_sdk(sim, account(sim, "ready"), flag="0")
    config = api.get_account_config()
    assert config["code"] == "0" and "trade" in config["data"][0]["perm"].split(",")
    balance = api.get_account_balance(ccy="USDT")
    assert balance["code"] == "0" and balance["data"][0]["totalEq"] == "1000"


def test_python_okx_errors(sim):
    ready, demo = account(sim, "ready"), account(sim, "demo-ready")
    assert okx_sdk(sim, ready, flag="1").get_account_config()["code"] == "50101"
    assert okx_sdk(sim, demo, flag="1").get_account_config()["code"] == "0"
    assert okx_sdk(sim, account(sim, "wrong-secret"), "0").get_account_config()["code"] == "50113"
    assert okx_sdk(sim, account(sim, "wrong-passphrase"), "0").get_account_config()[
        "code"] == "50105"


def test_site_template_routes_to_the_named_site(sim):
    other = account(sim, "other-site")  # lives on eea, handed out as global
    eea = {**sim, "okx_url": sim["okx_url_template"].replace("{site}", "eea")}
    assert okx_sdk(sim, other, "0").get_account_config()["code"] == "50119"
    assert okx_sdk(eea, other, "0").get_account_config()["code"] == "0"


def _tcp_queues(port: int) -> dict[str, tuple[int, int]]:
    """The established IPv4 loopback connections to `port`, both ends, from /proc/net/tcp:
    "server"/"client" -> (tx_queue, rx_queue) in bytes (the last one seen of each end)."""
    ends: dict[str, tuple[int, int]] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, queues = fields[1], fields[2], fields[3], fields[4]
        if state != "01":  # ESTABLISHED
            continue
        tx, rx = (int(q, 16) for q in queues.split(":"))
        if int(local.split(":")[1], 16) == port:
            ends["server"] = (tx, rx)
        elif int(remote.split(":")[1], 16) == port:
            ends["client"] = (tx, rx)
    return ends


def wait_until_read_by_server(port: int) -> None:
    """Wait until every byte sent to `port` was acknowledged and read by the server process: then
    uvicorn has parsed the request and the app is running it. Polls a condition; the deadline only
    turns a hang into a loud failure."""
    deadline = time.monotonic() + 60
    while True:
        ends = _tcp_queues(port)
        if ends.get("client", (1, 0))[0] == 0 and ends.get("server", (0, 1))[1] == 0:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the simulator never read the request within 60 s: {ends}")
        time.sleep(0.01)  # polling interval, not synchronisation: the condition above decides


# Linux only (CI is Linux): there /proc/net/tcp always exists, so a missing one fails, never skips.
@pytest.mark.skipif(sys.platform != "linux",
                    reason="sees when the server has read a request through Linux's /proc/net/tcp")
def test_sigint_exits_0_even_with_a_hanging_request():
    proc, info = start_sim("--hang")
    port = httpx.URL(info["okx_url"]).port
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(b"GET /api/v5/public/time HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        wait_until_read_by_server(port)  # the request is hanging inside the simulator now
        code, rest = stop(proc, signal.SIGINT)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert (code, rest) == (0, "")  # stop() kills after 10 s, and then the code is not 0
    assert "Traceback" not in proc.stderr.read()
    # the hanging request is released with OKX's timeout answer, not left to the client's timeout
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split()[1] == b"504", answer
    assert json.loads(body)["code"] == "50004"


def test_bad_accounts_file_exits_2_with_nothing_on_stdout(tmp_path):
    bad = tmp_path / "accounts.json"
    bad.write_text('{"accounts": []}')
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-m", "okxlink.sim", "--accounts", str(bad)],
                          capture_output=True, text=True, timeout=20, env=env)
    assert (done.returncode, done.stdout) == (2, "")
    assert "accounts" in done.stderr
