"""Secrets go only where they should: the key, secret, passphrase and the linking token never reach
a proxy, another service, a path or a host the user did not mean.

Real servers on 127.0.0.1 record what reaches them: the simulator with its reference linking service
(`start_sim` via the session `sim`), a linking service of our own (`Platform`, answers set per test),
an HTTP proxy that forwards nothing (`Proxy`), and a TLS server with a certificate nobody trusts.
okxlink runs in this process (tests/inproc.py: a memory keyring, a config dir of its own), or as a
real process where the environment is the point (proxies, OKXLINK_BASE_URL).

1. proxies never see loopback traffic          2. a token goes only to its own service
3. the key is sent only after a yes             4. a service address is a host, nothing more
5. link ids cannot become paths                 6. any answer ends in one sentence
7. OKXLINK_BASE_URL follows the https rule and is named when used
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import json
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from okxlink.storage import LinkRecord, ProfileRepo, ProfilesFile

from conftest import clean_env, creds_env, okxlink
from inproc import InProcess
from loopback import Loopback

pytestmark = pytest.mark.slow
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
NO_PROXY_VARS = ("NO_PROXY", "no_proxy")
NOT_FOUND = (404, b'{"error": {"code": "not_found", "message": "No such link."}}')
PATH_ID = "../../admin/delete-everything?x="


# --- the servers ---------------------------------------------------------------------------------

@dataclass
class Seen:
    method: str
    target: str              # the request target as it arrived: path and query
    headers: dict[str, str]
    body: bytes


def link_body(link_id: str) -> bytes:
    return json.dumps({"id": link_id, "site": "global", "demo": False, "api_key": "0f1e…4a5b",
                       "verified_at": "2026-01-01T00:00:00Z", "spot": {"state": "ready", "reasons": []}}).encode()


class Platform(Loopback, ThreadingHTTPServer):
    """A linking service on 127.0.0.1 that records every request. By default it links (POST
    /v1/links → 201 with link `link_id`), knows that link (GET → 200, DELETE → 204) and nothing else;
    `post` and `get` replace those answers."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _PlatformHandler)
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.link_id = "lnk_b1"
        self.post: tuple[int, bytes] | None = None
        self.get: tuple[int, bytes] | None = None
        self.serve()

    def answer(self, method: str, target: str) -> tuple[int, bytes]:
        if method == "POST" and target == "/v1/links":
            return self.post or (201, link_body(self.link_id))
        if target.split("?")[0] == f"/v1/links/{self.link_id}":
            if method == "GET":
                return self.get or (200, link_body(self.link_id))
            if method == "DELETE":
                return 204, b""
        return NOT_FOUND

    def received(self) -> str:
        """Everything that reached it, as one text to search for a secret."""
        with self.lock:
            return "\n".join(f"{s.target} {s.headers} {s.body.decode(errors='replace')}" for s in self.seen)

    def methods(self) -> list[str]:
        with self.lock:
            return [s.method for s in self.seen]


class _PlatformHandler(BaseHTTPRequestHandler):
    server: Platform

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        status, data = self.server.answer(self.command, self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = _handle


class Proxy(Loopback, socketserver.ThreadingTCPServer):
    """An HTTP proxy on 127.0.0.1 that records the head of every request reaching it and forwards
    nothing (502)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[bytes] = []
        self.lock = threading.Lock()
        self.serve()


class _ProxyHandler(socketserver.BaseRequestHandler):
    server: Proxy

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                more = sock.recv(65536)
                if not more:
                    break
                data += more
            with self.server.lock:
                self.server.seen.append(data)
            sock.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass


class UntrustedTls(Loopback, socketserver.ThreadingTCPServer):
    """HTTPS on 127.0.0.1 with a self-signed certificate: counts the connections, and the requests
    that got through a handshake (none should)."""

    scheme = "https"

    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), _TlsHandler)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(*_self_signed(folder))
        self.connections = 0
        self.requests = 0
        self.lock = threading.Lock()
        self.serve()


class _TlsHandler(socketserver.BaseRequestHandler):
    server: UntrustedTls

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        self.request.settimeout(10)
        try:
            with self.server.context.wrap_socket(self.request, server_side=True) as tls:
                if tls.recv(65536):
                    with self.server.lock:
                        self.server.requests += 1
        except (OSError, ssl.SSLError):
            pass  # the client refused the certificate: as it should


def _self_signed(folder: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture()
def platform():
    server = Platform()
    yield server
    server.stop()


@pytest.fixture()
def proxy():
    server = Proxy()
    yield server
    server.stop()


@pytest.fixture()
def proxied(proxy, monkeypatch):
    """This process's environment points every scheme at the recording proxy, with no exceptions."""
    for name in PROXY_VARS:
        monkeypatch.setenv(name, proxy.url)
    for name in NO_PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    return proxy


# --- helpers ---------------------------------------------------------------------------------------

def secrets_of(account: dict[str, Any]) -> tuple[str, str]:
    return account["secret_key"], account["passphrase"]


def stored(tmp_path: Path, sim, account: str = "ready", *flags: str, **settings: Any) -> InProcess:
    """okxlink in this process with the simulator's `account` stored as profile `main`."""
    run = InProcess(tmp_path / "config", base_url=sim.template, **settings)
    a = sim.account(account)
    payload = json.dumps({k: a[k] for k in ("api_key", "secret_key", "passphrase")})
    where = ["--site", a["site"], *(["--demo"] if a["demo"] else [])]
    r = run("setup", "--profile", "main", "--stdin", *where, *flags, stdin=payload)
    assert r.code == 0, r.out + r.err
    return run


def one_sentence(err: str) -> bool:
    lines = err.strip().splitlines()
    return 1 <= len(lines) <= 2 and lines[0].startswith("okxlink: ") and "Traceback" not in err


def relink(run: InProcess, **settings: Any) -> InProcess:
    """The same store and config dir, other settings (as another shell's environment would give)."""
    return dataclasses.replace(run, **settings)


# --- 1. proxies ------------------------------------------------------------------------------------

def test_loopback_never_goes_through_a_proxy(sim, proxied, tmp_path):
    """HTTP_PROXY, HTTPS_PROXY and ALL_PROXY set: setup's verification (passphrase in a header), link
    (key, secret and passphrase in the body), status and unlink, all to servers on 127.0.0.1, go
    straight there. They used to go through the proxy, in plain text."""
    run = stored(tmp_path, sim, link_url=sim.link_url, link_token=sim.link_token)
    linked = run("link", "--profile", "main", "--yes")
    assert linked.code == 0, linked.err
    assert run("status", "--json").code == 0
    assert run("unlink", "--profile", "main", "--yes").code == 0
    assert proxied.seen == []


def test_a_real_process_verifies_on_loopback_without_the_proxy(sim, proxy):
    account = sim.account("ready")
    env = {k: v for k, v in creds_env(account, sim.template).items() if k not in NO_PROXY_VARS}
    result = okxlink("verify", "--json", env={**env, **dict.fromkeys(PROXY_VARS, proxy.url)})
    assert result.code == 0, result.err
    assert proxy.seen == []


def test_other_hosts_still_go_through_the_proxy(sim, proxied, tmp_path):
    """Only loopback is exempt: a service elsewhere is reached through the proxy, as a CONNECT (the
    request itself inside TLS)."""
    run = stored(tmp_path, sim, link_token="token-P")
    r = run("link", "--profile", "main", "--yes", "--service", "https://platform.example")
    assert r.code == 4 and one_sentence(r.err), r.err
    heads = b"".join(proxied.seen)
    assert heads.startswith(b"CONNECT platform.example:443 ")
    for secret in (*secrets_of(sim.account("ready")), "token-P"):
        assert secret.encode() not in heads


# --- 2. a token belongs to one service --------------------------------------------------------------

def test_a_token_goes_only_to_its_own_service(sim, platform, tmp_path):
    """A key bound to the platform's IPs, linked to platform B with B's token (kept for B's URL).
    With OKXLINK_LINK_URL and OKXLINK_LINK_TOKEN naming the simulator's service, status and verify
    ask B again with B's token: the other service's token used to be sent to B."""
    run = stored(tmp_path, sim, "ip-not-whitelisted", "--keep-unverified",
                 link_url=platform.url, link_token="token-B")
    assert run("link", "--profile", "main", "--yes").code == 0
    other = relink(run, link_url=sim.link_url, link_token=sim.link_token)
    with platform.lock:
        platform.seen.clear()
    status = other("status", "--json")
    assert status.code == 0, status.err
    verify = other("verify", "--profile", "main", "--json")
    assert verify.code == 0 and verify.json()["verified_by"] == "platform", verify.out + verify.err
    assert platform.methods() == ["GET", "GET"]
    assert {s.headers.get("Authorization") for s in platform.seen} == {"Bearer token-B"}
    assert sim.link_token not in platform.received()


def test_no_token_of_its_own_means_not_asked(sim, platform, tmp_path):
    """A profile whose service has no token kept for it (say, profiles.toml pointed elsewhere by
    hand): status does not hand it the token given for another service."""
    run = stored(tmp_path, sim, link_url=sim.link_url, link_token=sim.link_token)
    ProfileRepo(run.secrets, ProfilesFile(tmp_path / "config" / "profiles.toml")).update_meta(
        "main", lambda m: m.put_link(LinkRecord(service=platform.url, id="lnk_b1", state="linked", key=m.key,
                                                spot="ready")))
    r = run("status", "--json")
    assert r.code == 0 and r.json()["profiles"][0]["links"][0]["reachable"] is False, r.out + r.err
    assert platform.seen == []


# --- 3. asking before the key is sent ---------------------------------------------------------------

def test_relinking_a_forgotten_link_asks_first(sim, platform, tmp_path, script):
    """The profile says linked; the service answers 404 (it forgot). Linking again sends the key, so
    it is asked for: without a terminal or --yes, exit 2 and only the token-bearing GET was sent."""
    run = stored(tmp_path, sim, link_url=platform.url, link_token="token-B")
    assert run("link", "--profile", "main", "--yes").code == 0
    platform.get = NOT_FOUND
    with platform.lock:
        platform.seen.clear()
    r = run("link", "--profile", "main")
    assert r.code == 2 and one_sentence(r.err) and "without confirmation" in r.err, r.err
    assert platform.methods() == ["GET"]
    for secret in secrets_of(sim.account("ready")):
        assert secret not in platform.received()
    asker = script({"send-key": False})
    r = run("link", "--profile", "main", asker=asker)
    assert r.code == 2 and "nothing was sent" in r.err
    assert "POST" not in platform.methods()
    assert f"to 127.0.0.1:{platform.port}?" in asker.messages[0]
    r = run("link", "--profile", "main", asker=script({"send-key": True}))
    assert r.code == 0 and platform.methods()[-1] == "POST", r.err


# --- 4. a service address is a host -----------------------------------------------------------------

@pytest.mark.parametrize(("service", "words"), [
    ("http://okx:hunter2@127.0.0.1:{port}", "user name or password"),
    ("http://127.0.0.1:{port}/?next=/v1", "query"),
    ("http://127.0.0.1:{port}/#top", "fragment"),
    ("http://127.0.0.1:{port}/ v1", "space"),
    ("http://127.0.0.1:{port}\\@evil.example", "backslash"),
    ("http://127.0.0.1:{port}/\x1b[2J", "control character"),
], ids=["userinfo", "query", "fragment", "space", "backslash", "control"])
def test_service_addresses_that_say_more_than_a_host_are_refused(sim, platform, tmp_path, service, words):
    run = stored(tmp_path, sim, link_token="token-B")
    r = run("link", "--profile", "main", "--yes", "--service", service.format(port=platform.port))
    assert r.code == 2 and one_sentence(r.err) and words in r.err, r.err
    assert "hunter2" not in r.out + r.err
    assert platform.seen == []
    assert ProfilesFile(tmp_path / "config" / "profiles.toml").read()["main"].links == []


def test_the_question_never_shows_a_disguised_host(sim, tmp_path, script):
    """`https://platform.example@evil.example` goes to evil.example: refused before it is asked about."""
    run = stored(tmp_path, sim, link_token="token-B")
    asker = script({})
    r = run("link", "--profile", "main", "--service", "https://platform.example@evil.example", asker=asker)
    assert r.code == 2 and "user name or password" in r.err, r.err
    assert asker.asked == []


# --- 5. link ids ---------------------------------------------------------------------------------

def test_a_link_id_that_is_a_path_is_unreadable(sim, platform, tmp_path):
    platform.link_id = PATH_ID
    run = stored(tmp_path, sim, link_url=platform.url, link_token="token-B")
    r = run("link", "--profile", "main", "--yes")
    assert r.code == 4 and one_sentence(r.err) and "cannot read" in r.err, r.err
    run("status", "--json")
    run("unlink", "--profile", "main", "--yes")  # pending: looked up by its key (GET /v1/links)
    assert {s.target for s in platform.seen} == {"/v1/links"}  # the one POST and that GET, nothing else


def test_an_existing_link_id_that_is_a_path_is_unreadable(sim, platform, tmp_path):
    platform.post = (409, json.dumps({"error": {"code": "already_linked", "message": "Already linked.",
                                                "id": "../../admin"}}).encode())
    run = stored(tmp_path, sim, link_url=platform.url, link_token="token-B")
    r = run("link", "--profile", "main", "--yes")
    assert r.code == 4 and one_sentence(r.err) and "cannot read" in r.err, r.err
    assert {s.target for s in platform.seen} == {"/v1/links"}


def test_a_stored_link_id_that_is_a_path_is_not_used(sim, platform, tmp_path):
    run = stored(tmp_path, sim, link_url=platform.url, link_token="token-B")
    run.secrets.set_token(platform.url, "token-B")
    ProfileRepo(run.secrets, ProfilesFile(tmp_path / "config" / "profiles.toml")).update_meta(
        "main", lambda m: m.put_link(LinkRecord(service=platform.url, id=PATH_ID, state="linked", key=m.key,
                                                spot="ready")))
    for args in (("unlink", "--profile", "main"), ("unlink", "--profile", "main", "--yes"),
                 ("remove", "--profile", "main", "--yes"), ("link", "--profile", "main", "--yes")):
        r = run(*args)
        assert r.code == 2 and one_sentence(r.err) and "not one a linking service gives" in r.err, (args, r.err)
    r = run("status", "--json")
    assert "Traceback" not in r.err and r.json()["profiles"][0]["links"][0]["reachable"] is False
    assert platform.seen == []


# --- 6. answers of any shape ---------------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(("status", "body", "code", "words"), [
    (422, b'{"error": ["a"]}', 4, "found the request invalid"),
    (409, b'{"error": "str"}', 4, "failed (HTTP 409)"),
    (409, b'{"error": {"code": 7, "message": ["x"], "id": {"a": 1}}}', 4, "failed (HTTP 409)"),
    (422, b'{"error": ' + DEEP + b"}", 4, "found the request invalid"),
    (201, DEEP, 4, "cannot read"),
], ids=["422-list", "409-string", "409-wrong-types", "422-deep", "201-deep"])
def test_answers_of_any_shape_end_in_one_sentence(sim, platform, tmp_path, status, body, code, words):
    platform.post = (status, body)
    run = stored(tmp_path, sim, link_url=platform.url, link_token="token-B")
    r = run("link", "--profile", "main", "--yes")
    assert r.code == code and one_sentence(r.err) and words in r.err, r.err
    assert "Unexpected error" not in r.err


def test_a_token_that_cannot_be_sent_is_one_sentence(sim, platform, tmp_path):
    run = stored(tmp_path, sim, link_url=platform.url, link_token="tökén-B")
    r = run("link", "--profile", "main", "--yes")
    assert r.code == 2 and one_sentence(r.err) and "token" in r.err, r.err
    assert platform.seen == []


def test_a_certificate_failure_says_so(sim, tmp_path):
    server = UntrustedTls(tmp_path)
    try:
        run = stored(tmp_path, sim, link_token="token-T")
        r = run("link", "--profile", "main", "--yes", "--service", server.url)
        assert r.code == 4 and one_sentence(r.err), r.err
        assert "certificate" in r.err and "does not skip certificate checks" in r.err
        assert (server.connections, server.requests) == (1, 0)  # not retried; nothing sent
    finally:
        server.stop()


# --- 7. OKXLINK_BASE_URL ---------------------------------------------------------------------------

CREDS = {"OKX_API_KEY": "6f2c1d6e-5a3b-4c2d-9e8f-0a1b2c3d4e5f",
         "OKX_SECRET_KEY": "00112233445566778899AABBCCDDEEFF", "OKX_PASSPHRASE": "Routes-Pass-1!"}


def test_okxlink_base_url_follows_the_https_rule(platform, tmp_path):
    """A user:password@ to a recording server on loopback used to receive the signed requests (and
    Basic auth); plain http to another host was used as given. Both: exit 2, naming the variable."""
    env = clean_env(tmp_path, OKXLINK_BASE_URL=f"http://okx:hunter2@127.0.0.1:{platform.port}", **CREDS)
    r = okxlink("verify", "--json", env=env)
    assert r.code == 2 and one_sentence(r.err) and "OKXLINK_BASE_URL" in r.err and r.out == "", r.err
    assert "hunter2" not in r.err and platform.seen == []
    r = okxlink("status", env=clean_env(tmp_path, OKXLINK_BASE_URL="http://okx.example/{site}"))
    assert r.code == 2 and one_sentence(r.err) and "OKXLINK_BASE_URL" in r.err and "http://" in r.err, r.err


def test_an_overridden_okx_endpoint_is_named(sim, tmp_path):
    run = stored(tmp_path, sim)
    note = f"OKX requests go to {sim.template}, not to OKX's own sites."
    for args in (("verify", "--profile", "main"), ("status",)):
        human = run(*args, width=200)
        assert human.code == 0 and note in human.err, human.err
        machine = run(*args, "--json")
        assert machine.code == 0 and machine.err == "" and "OKX requests go to" not in machine.out
