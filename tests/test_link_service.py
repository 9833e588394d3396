"""The reference link service (okxlink.sim.link_app): the protocol of docs/linking.md in-process
(verification pointed at the OKX simulator app through an injected transport), then the real
`python -m okxlink.sim` process: both servers, verification from 127.0.0.2 over real sockets,
the encrypted SQLite file, and a clean SIGTERM."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import signal
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from okxlink import i18n
from okxlink.core.credentials import Credentials
from okxlink.core.verify import verify
from okxlink.sim.accounts import default_accounts
from okxlink.sim.child import SimChild, SimDidNotStart, spawn
from okxlink.sim.link_app import LinkState, create_link_app
from okxlink.sim.link_store import LinkStore
from okxlink.sim.okx_app import SimState, create_app

pytestmark = pytest.mark.slow
TOKEN = "t0ken-for-tests-0123456789abcdef"
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
SECRETS = ("api_key", "secret_key", "passphrase")


class Service:
    """The link app in-process; its OKX is the simulator app, reached as from `source_ip`."""

    def __init__(self, tmp_path: Path, token: str = TOKEN, store: LinkStore | None = None,
                 okx_http=None) -> None:
        i18n.setup("en")  # as the runner does: reasons are the platform's answer, in English
        self.sim = SimState(accounts=default_accounts())
        self.store = store or LinkStore(tmp_path / "links.db")
        self.sources: list[str | None] = []
        self.state = LinkState(store=self.store, token=token, okx_base="http://okx.test/{site}",
                               okx_http=okx_http or self._okx)
        self.app = create_link_app(self.state)

    def _okx(self, source_ip: str | None) -> httpx.AsyncClient:
        self.sources.append(source_ip)
        transport = httpx.ASGITransport(app=create_app(self.sim), client=(source_ip, 40000))
        return httpx.AsyncClient(transport=transport)

    def account(self, name: str) -> dict:
        return next(a for a in self.sim.accounts if a.name == name).handed()

    def body(self, name: str, **override) -> dict:
        a = self.account(name)
        return {"exchange": "okx", "site": a["site"], "demo": a["demo"], "label": name,
                **{k: a[k] for k in SECRETS}, **override}

    async def send(self, method: str, url: str, token: str | None = TOKEN, idem: str | None = None,
                   headers: dict | None = None, **kwargs) -> httpx.Response:
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        if idem is not None:
            headers["Idempotency-Key"] = idem
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://link.test") as http:
            return await http.request(method, url, headers=headers, **kwargs)

    def __call__(self, method: str, url: str, **kwargs) -> httpx.Response:
        return asyncio.run(self.send(method, url, **kwargs))

    def link(self, name: str, **kwargs) -> dict:
        resp = self("POST", "/v1/links", json=self.body(name), **kwargs)
        assert resp.status_code == 201, resp.text
        return resp.json()


@pytest.fixture()
def svc(tmp_path):
    service = Service(tmp_path)
    yield service
    service.store.close()


def error(resp: httpx.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert err["code"] == code and err["message"]
    return err


# ---- authentication, validation, routing ------------------------------------------------------
def test_token_is_required_except_for_openapi(svc):
    for token in (None, "wrong", TOKEN[:-1]):
        resp = svc("GET", "/v1/links", token=token)
        error(resp, 401, "unauthorized")
        assert resp.headers["www-authenticate"] == "Bearer"
    error(svc("POST", "/v1/links", token="wrong", json=svc.body("ready")), 401, "unauthorized")
    basic = asyncio.run(svc.send("GET", "/v1/links", token=None,
                                 headers={"Authorization": f"Basic {TOKEN}"}))
    error(basic, 401, "unauthorized")
    assert svc("GET", "/v1/links").json() == {"links": []}
    assert svc("GET", "/openapi.json", token=None).status_code == 200
    assert svc.sources == []  # nothing reached OKX


BAD_BODIES = [
    (b"not json", ["body"]),
    (b"\xff\xfe", ["body"]),
    (b"[1, 2]", ["body"]),
    ({"exchange": "binance"}, ["exchange"]),
    ({"site": "mars"}, ["site"]),
    ({"site": ["global"]}, ["site"]),
    ({"demo": "false"}, ["demo"]),
    ({"demo": 0}, ["demo"]),
    ({"label": "x" * 51}, ["label"]),
    ({"label": 7}, ["label"]),
    ({"api_key": ""}, ["api_key"]),
    ({"secret_key": "   "}, ["secret_key"]),
    ({"passphrase": None}, ["passphrase"]),
    ({"exchange": None, "site": None, "api_key": 1}, ["exchange", "site", "api_key"]),
]


@pytest.mark.parametrize("change,fields", BAD_BODIES)
def test_malformed_requests_are_422_with_the_fields(svc, change, fields):
    if isinstance(change, bytes):
        resp = svc("POST", "/v1/links", content=change, idem="k1")
    else:
        resp = svc("POST", "/v1/links", json=svc.body("ready", **change), idem="k1")
    assert error(resp, 422, "invalid")["fields"] == fields
    assert svc("GET", "/v1/links").json() == {"links": []} and svc.sources == []


def test_missing_fields_and_a_bad_idempotency_key_are_422(svc):
    body = svc.body("ready")
    del body["demo"], body["passphrase"]
    assert error(svc("POST", "/v1/links", json=body), 422, "invalid")["fields"] == [
        "demo", "passphrase"]
    for key in ("", "k" * 256):
        resp = svc("POST", "/v1/links", json=svc.body("ready"), idem=key)
        assert error(resp, 422, "invalid")["fields"] == ["Idempotency-Key"]
    error(svc("GET", "/v1/links/lnk_1?refresh=maybe"), 422, "invalid")
    assert svc.sources == []


def test_unknown_paths_and_methods_answer_in_the_error_shape(svc):
    error(svc("GET", "/v2/links"), 404, "not_found")
    error(svc("PUT", "/v1/links"), 405, "method_not_allowed")
    error(svc("GET", "/v1/links/lnk_nope"), 404, "not_found")
    error(svc("DELETE", "/v1/links/lnk_nope"), 404, "not_found")


# ---- verification -----------------------------------------------------------------------------
def test_ready_key_links_as_ready_with_only_the_masked_key(svc):
    resp = svc("POST", "/v1/links", json=svc.body("ready"), idem="first")
    assert resp.status_code == 201 and resp.headers["content-type"] == "application/json"
    link = resp.json()
    a = svc.account("ready")
    assert re.fullmatch(r"lnk_[0-9a-f]+", link["id"])
    assert {k: link[k] for k in ("exchange", "site", "demo", "label")} == {
        "exchange": "okx", "site": "global", "demo": False, "label": "ready"}
    assert link["api_key"] == f"{a['api_key'][:4]}…{a['api_key'][-4:]}"
    assert ISO_Z.fullmatch(link["created"]) and ISO_Z.fullmatch(link["verified_at"])
    assert link["created"] <= link["verified_at"]
    assert link["spot"] == {"state": "ready", "reasons": []}
    assert not any(a[k] in resp.text for k in SECRETS)
    assert svc.sources == ["127.0.0.2"]  # verified from the platform's own address


def test_platform_bound_key_is_verified_from_the_platform_address(svc):
    link = svc.link("ip-not-whitelisted")
    assert link["spot"] == {"state": "ready", "reasons": []}
    assert svc.sources == ["127.0.0.2"]


@pytest.mark.parametrize("name,check,state", [
    ("wrong-secret", "credentials", "attention"), ("frozen", "credentials", "attention"),
    ("no-trade", "permission-trade", "attention"), ("other-site", "site", "attention"),
    ("no-ip-bound", "ip-binding", "ready"),  # a warning: still ready, with the reason
])
def test_failing_keys_are_still_linked_with_reasons(svc, name, check, state):
    link = svc.link(name)
    assert link["spot"]["state"] == state
    reasons = link["spot"]["reasons"]
    assert [r["check"] for r in reasons] == [check]
    assert reasons[0]["status"] == svc.account(name)["expect"]["status"]
    assert reasons[0]["message"].isascii() and reasons[0]["message"].endswith(".")
    assert svc("GET", f"/v1/links/{link['id']}").json() == link


def test_an_unexpected_failure_is_a_bare_500(tmp_path, caplog):
    leaked = "leaky-" + "S3CRET"

    def broken(_ip):
        raise RuntimeError(leaked)

    svc = Service(tmp_path, okx_http=broken)
    resp = svc("POST", "/v1/links", json=svc.body("ready"))
    assert error(resp, 500, "internal")
    assert leaked not in resp.text and "Traceback" not in resp.text
    assert "RuntimeError" in caplog.text and leaked not in caplog.text
    assert svc("GET", "/v1/links").json() == {"links": []}


# ---- idempotency and uniqueness ---------------------------------------------------------------
def test_same_idempotency_key_and_body_replays_the_same_answer(svc):
    first = svc("POST", "/v1/links", json=svc.body("ready"), idem="retry-1")
    # the same JSON with its keys in another order is the same body
    reordered = json.dumps(dict(reversed(list(svc.body("ready").items()))))
    again = svc("POST", "/v1/links", content=reordered, idem="retry-1")
    assert (again.status_code, again.content) == (201, first.content)
    assert len(svc("GET", "/v1/links").json()["links"]) == 1
    assert svc.sources == ["127.0.0.2"]  # the replay did not verify again


def test_idempotency_conflict_and_already_linked(svc):
    link = svc.link("ready", idem="k")
    other = svc("POST", "/v1/links", json=svc.body("ready", label="changed"), idem="k")
    error(other, 409, "idempotency_conflict")
    for idem in ("another-key", None):
        err = error(svc("POST", "/v1/links", json=svc.body("ready"), idem=idem), 409, "already_linked")
        assert err["id"] == link["id"]
    # the same key reused for a different API key is a conflict too, not a second link
    error(svc("POST", "/v1/links", json=svc.body("demo-ready"), idem="k"), 409, "idempotency_conflict")
    assert [x["id"] for x in svc("GET", "/v1/links").json()["links"]] == [link["id"]]


def test_concurrent_retries_make_one_link(svc):
    async def both():
        return await asyncio.gather(*(svc.send("POST", "/v1/links", json=svc.body("ready"),
                                               idem="race") for _ in range(3)))

    answers = asyncio.run(both())
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    assert len(svc("GET", "/v1/links").json()["links"]) == 1


# ---- reading, refreshing, deleting ------------------------------------------------------------
def test_list_get_refresh_and_delete(svc):
    ready, bound = svc.link("ready", idem="a"), svc.link("ip-not-whitelisted")
    assert svc("GET", "/v1/links").json() == {"links": [ready, bound]}
    next(a for a in svc.sim.accounts if a.name == "ready").frozen = True  # broken on OKX since
    assert svc("GET", f"/v1/links/{ready['id']}").json() == ready  # no refresh: as stored
    refreshed = svc("GET", f"/v1/links/{ready['id']}?refresh=true").json()
    assert refreshed["spot"]["state"] == "attention"
    assert [r["check"] for r in refreshed["spot"]["reasons"]] == ["credentials"]
    assert refreshed["id"] == ready["id"] and refreshed["created"] == ready["created"]
    assert svc("GET", f"/v1/links/{ready['id']}").json() == refreshed  # stored
    resp = svc("DELETE", f"/v1/links/{ready['id']}")
    assert resp.status_code == 204 and resp.content == b""
    error(svc("GET", f"/v1/links/{ready['id']}"), 404, "not_found")
    error(svc("GET", f"/v1/links/{ready['id']}?refresh=true"), 404, "not_found")
    error(svc("DELETE", f"/v1/links/{ready['id']}"), 404, "not_found")
    assert svc("GET", "/v1/links").json() == {"links": [bound]}
    # its idempotency record went with it: the same request links anew
    assert svc.link("ready", idem="a")["id"] != ready["id"]


def test_links_belong_to_their_token(svc, tmp_path):
    link = svc.link("ready")
    other = Service(tmp_path, token="another-token-abcdefghijklmnop", store=svc.store)
    other.sim = svc.sim
    assert other("GET", "/v1/links", token=other.state.token).json() == {"links": []}
    error(other("GET", f"/v1/links/{link['id']}", token=other.state.token), 404, "not_found")
    error(other("DELETE", f"/v1/links/{link['id']}", token=other.state.token), 404, "not_found")
    error(other("GET", "/v1/links", token=TOKEN), 401, "unauthorized")
    assert svc("GET", f"/v1/links/{link['id']}").status_code == 200


def test_openapi_document(svc):
    doc = svc("GET", "/openapi.json", token=None).json()
    assert doc["openapi"].startswith("3.1") and doc["info"]["title"] and doc["info"]["version"]
    ops = {(path, method) for path, item in doc["paths"].items() for method in item
           if method in ("get", "post", "put", "delete", "patch")}
    assert {("/v1/links", "post"), ("/v1/links", "get"), ("/v1/links/{id}", "get"),
            ("/v1/links/{id}", "delete")} <= ops
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert doc["paths"]["/openapi.json"]["get"]["security"] == []
    assert doc["servers"] == [{"url": "http://link.test"}]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))
    assert refs and all(r in doc["components"]["schemas"] for r in refs)
    codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert {"unauthorized", "not_found", "already_linked", "idempotency_conflict", "invalid"} <= set(codes)


# ---- storage ----------------------------------------------------------------------------------
def raw_files(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.iterdir() if p.is_file())


def test_no_secret_is_stored_in_clear_and_delete_forgets(tmp_path):
    svc = Service(tmp_path)
    links = {n: svc.link(n, idem=f"i-{n}") for n in ("ready", "wrong-passphrase", "demo-ready")}
    raw = raw_files(tmp_path)
    for name in links:
        a = svc.account(name)
        for k in SECRETS:
            assert a[k].encode() not in raw, (name, k)
    assert links["ready"]["api_key"].encode() in raw  # the masked key is stored, and is enough
    key_file = tmp_path / "links.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "links.db").stat().st_mode) == 0o600
    assert svc("DELETE", f"/v1/links/{links['ready']['id']}").status_code == 204
    svc.store.close()
    assert links["ready"]["api_key"].encode() not in raw_files(tmp_path)  # secure_delete

    reopened = LinkStore(tmp_path / "links.db")  # same key file: the secrets come back
    creds = reopened.credentials(svc.state.token_hash, links["demo-ready"]["id"])
    reopened.close()
    assert creds.passphrase.get_secret_value() == svc.account("demo-ready")["passphrase"]
    with pytest.raises(ValueError, match="another key"):
        LinkStore(tmp_path / "links.db", key=Fernet.generate_key())
    key_file.chmod(0o644)
    with pytest.raises(ValueError, match="chmod 600"):
        LinkStore(tmp_path / "links.db")


def test_token_hash_is_keyed(tmp_path):
    svc = Service(tmp_path)
    svc.link("ready", idem="i-ready")
    svc.store.close()
    unkeyed = hashlib.sha256(TOKEN.encode()).hexdigest()
    assert unkeyed.encode() not in raw_files(tmp_path)  # nothing to test a token guess against offline
    with closing(sqlite3.connect(tmp_path / "links.db")) as db:
        stored = {row[0] for query in ("SELECT token_hash FROM links", "SELECT token_hash FROM idempotency")
                  for row in db.execute(query)}
    reopened = LinkStore(tmp_path / "links.db")
    assert stored == {reopened.token_digest(TOKEN)}
    reopened.close()
    other = LinkStore(tmp_path / "other.db", key=Fernet.generate_key())
    assert other.token_digest(TOKEN) not in stored  # another service's key: another hash
    other.close()


def version_1(db: Path) -> None:
    """Make `db` look as okxlink's first schema left it: no `schema` row (token hashes unkeyed)."""
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("DELETE FROM meta WHERE name = 'schema'")


def test_a_version_1_database_is_refused_unless_empty(tmp_path):
    empty = tmp_path / "empty.db"
    LinkStore(empty).close()
    version_1(empty)
    LinkStore(empty).close()  # no token hash in it: simply moves on to version 2
    LinkStore(empty).close()

    svc = Service(tmp_path)
    svc.link("ready")
    svc.store.close()
    version_1(tmp_path / "links.db")
    with pytest.raises(ValueError, match="made by another version of okxlink") as err:
        LinkStore(tmp_path / "links.db")
    assert f"delete it and {tmp_path / 'links.db'}.key" in str(err.value)
    with pytest.raises(SimDidNotStart, match="made by another version of okxlink"):
        spawn("--link-db", str(tmp_path / "links.db"))


# ---- the real process -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def proc(tmp_path_factory):
    db = tmp_path_factory.mktemp("linkdb") / "links.db"
    child = spawn("--link-db", str(db), link_token=TOKEN)
    child.db = db  # type: ignore[attr-defined]
    yield child
    child.stop()


def post(child: SimChild, name: str, **extra: str) -> httpx.Response:
    a = child.account(name)
    body = {"exchange": "okx", "site": a["site"], "demo": a["demo"], **{k: a[k] for k in SECRETS}}
    return httpx.post(child.line["link_url"] + "/v1/links", json=body, timeout=30,
                      headers={"Authorization": f"Bearer {child.line['link_token']}", **extra})


def test_ready_line_announces_the_link_service(proc):
    line = proc.line
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", line["link_url"])
    assert line["link_url"] != line["okx_url"] and line["link_token"] == TOKEN
    doc = httpx.get(line["link_url"] + "/openapi.json").json()
    assert doc["servers"] == [{"url": line["link_url"]}]


def test_platform_bound_key_over_real_sockets(proc):
    resp = post(proc, "ip-not-whitelisted", **{"Idempotency-Key": "bound"})
    assert resp.status_code == 201 and resp.json()["spot"] == {"state": "ready", "reasons": []}
    # the same key from this machine (127.0.0.1): OKX refuses the address
    a = proc.account("ip-not-whitelisted")
    creds = Credentials(**{k: a[k] for k in SECRETS})

    async def here():
        async with httpx.AsyncClient() as http:
            return await verify(creds, site="global", http=http, base=proc.template)

    report = asyncio.run(here())
    assert report.okx_code == "50110" and report.ready is None


def test_ready_and_wrong_secret_over_real_sockets(proc):
    ready = post(proc, "ready")
    assert ready.status_code == 201 and ready.json()["spot"]["state"] == "ready"
    wrong = post(proc, "wrong-secret").json()
    assert wrong["spot"]["state"] == "attention"
    assert [r["check"] for r in wrong["spot"]["reasons"]] == ["credentials"]
    got = httpx.get(f"{proc.line['link_url']}/v1/links/{wrong['id']}?refresh=true",
                    headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert got["id"] == wrong["id"] and got["spot"]["state"] == "attention"


def test_database_file_holds_no_secret(proc):
    assert post(proc, "no-ip-bound").status_code == 201
    raw = raw_files(proc.db.parent)  # type: ignore[attr-defined]
    assert raw.count(b"lnk_") >= 1
    for a in proc.line["accounts"]:
        for k in SECRETS:
            assert a[k].encode() not in raw, (a["name"], k)
    assert stat.S_IMODE(Path(str(proc.db) + ".key").stat().st_mode) == 0o600  # type: ignore[attr-defined]


def test_temporary_database_goes_and_sigterm_exits_0(tmp_path):
    child = spawn("--link-port", "0", env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert [p.name[:13] for p in tmp_path.iterdir()] == ["okxlink-link-"]
        assert post(child, "ready").status_code == 201
        assert not list(tmp_path.glob("*/*.key"))  # a throw-away database's key stays in memory
        child.proc.send_signal(signal.SIGTERM)
        assert child.proc.wait(timeout=10) == 0
    finally:
        child.stop()
    assert list(tmp_path.iterdir()) == []
    err = child.proc.stderr.read()
    assert "/v1/links" not in err and "Traceback" not in err  # no access log, no crash
    assert not any(a[k] in err for a in child.line["accounts"] for k in SECRETS)


def test_no_link_and_a_foreign_key_file(tmp_path):
    child = spawn("--no-link")
    try:
        assert "link_url" not in child.line and "link_token" not in child.line
    finally:
        assert child.stop() == 0
    db = tmp_path / "links.db"
    LinkStore(db).close()
    (tmp_path / "links.db.key").write_bytes(Fernet.generate_key())
    with pytest.raises(SimDidNotStart, match="another key"):
        spawn("--link-db", str(db))
