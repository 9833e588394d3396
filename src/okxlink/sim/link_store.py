"""SQLite storage for the reference linking service, with every credential encrypted at rest.

What is in the database file, and why:
- `secrets`: one Fernet token holding api_key, secret_key and passphrase. The Fernet key lives in a
  separate file (`<db>.key`, mode 0600) or only in memory, so a copied database alone is useless.
- `key_hash`: HMAC-SHA256 of the api_key under a key derived from the Fernet key, so "is this key
  already linked?" is an index lookup without decrypting every row, and offers no offline oracle.
- `api_key_masked` (first 4 + last 4), label, site, demo, times and spot state: not secrets.
- `idempotency`: the hash (same HMAC) of the canonical request body, never the body, plus the
  201 answer as sent (it holds only the masked key), so a retry gets byte-for-byte the same JSON.
- `token_hash`: HMAC-SHA256 of the bearer token under its own key derived from the Fernet key;
  every query is scoped by it. Keyed, so a stolen database (without its key) lets nobody test token
  guesses offline. Schema version 2; a version-1 database (plain SHA-256 of the token) is refused,
  see docs/link-service.md.

The methods are synchronous and short; the app runs them in a worker thread (see link_app).
One connection guarded by a lock: SQLite serialises writers anyway, and this keeps it simple.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from okxlink.core.credentials import Credentials
from okxlink.i18n import _

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS links (
  id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, key_hash TEXT NOT NULL,
  exchange TEXT NOT NULL, site TEXT NOT NULL, demo INTEGER NOT NULL, label TEXT,
  api_key_masked TEXT NOT NULL, secrets BLOB NOT NULL,
  created TEXT NOT NULL, verified_at TEXT NOT NULL, spot TEXT NOT NULL,
  UNIQUE (token_hash, key_hash));
CREATE TABLE IF NOT EXISTS idempotency (
  token_hash TEXT NOT NULL, idem_key TEXT NOT NULL, body_hash TEXT NOT NULL,
  link_id TEXT NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,
  PRIMARY KEY (token_hash, idem_key));
"""
_CANARY = b"okxlink link store"
# 2: token_hash is keyed (HMAC). 1 (no `schema` row) kept a plain SHA-256 of the token.
SCHEMA_VERSION = b"2"
# Queries are literal text only; every value is bound as a ? parameter.
_SELECT = "SELECT id, exchange, site, demo, label, api_key_masked, created, verified_at, spot FROM links"


def render(link: dict[str, Any]) -> str:
    """JSON exactly as Starlette's JSONResponse renders it, so a replayed 201 is the same bytes."""
    return json.dumps(link, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def load_or_create_key(path: Path) -> bytes:
    """The Fernet key file beside the database: created 0600 if missing, refused if others can read it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise ValueError(f"{path} is readable by other users; run: chmod 600 {path}") from None
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
    return key


class LinkStore:
    """`key=None`: read or create `<path>.key`. Pass a key (e.g. Fernet.generate_key()) to keep it in
    memory only, as the runner does for its throw-away database."""

    def __init__(self, path: str | Path, key: bytes | None = None) -> None:
        path = Path(path)
        if key is None:
            key = load_or_create_key(path.with_name(path.name + ".key"))
        self._fernet = Fernet(key)
        # Separate keys for lookups, so the index hashes and the ciphertext never share a key.
        self._index_key = hmac.new(key, b"okxlink link index", hashlib.sha256).digest()
        self._token_key = hmac.new(key, b"okxlink link token", hashlib.sha256).digest()
        if not path.exists():  # created 0600: nothing secret inside, but nobody else's business
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA secure_delete = ON")  # a deleted link's bytes are overwritten
        try:
            self._db.executescript(_SCHEMA)
            self._check_key(path)
        except BaseException:
            self._db.close()
            raise

    def _check_key(self, path: Path) -> None:
        """Fail at start, not at the first refresh, when the key file does not match the database or
        the database is of an older schema."""
        row = self._db.execute("SELECT value FROM meta WHERE name = 'canary'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('canary', ?), ('schema', ?)",  # one statement: atomic
                             (self._fernet.encrypt(_CANARY), SCHEMA_VERSION))
            return
        try:
            self._fernet.decrypt(row[0])
        except InvalidToken:
            raise ValueError("the link database was encrypted with another key") from None
        version = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if version is not None and bytes(version[0]) == SCHEMA_VERSION:
            return
        if version is None and not self._db.execute(
                "SELECT 1 FROM links UNION ALL SELECT 1 FROM idempotency LIMIT 1").fetchone():
            # version 1 without a single token hash: nothing to re-hash, so it simply moves on
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            return
        # Unkeyed token hashes (version 1), and the tokens are not here to re-hash them: it cannot be
        # upgraded, only replaced (a reference service's links are for tests and demos).
        raise ValueError(_("the link database {file} was made by another version of okxlink (version 1 kept "
                           "the token's hash unkeyed); delete it and {file}.key, or choose another "
                           "--link-db").format(file=path))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def digest(self, value: str) -> str:
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()

    def token_digest(self, token: str) -> str:
        """What every row and query is scoped by: the bearer token, keyed (see the docstring)."""
        return hmac.new(self._token_key, token.encode(), hashlib.sha256).hexdigest()

    # ---- reads ----------------------------------------------------------------------------
    def get(self, token_h: str, link_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(_SELECT + " WHERE token_hash = ? AND id = ?",
                                   (token_h, link_id)).fetchone()
        return _link(row) if row else None

    def links(self, token_h: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(_SELECT + " WHERE token_hash = ? "
                                    "ORDER BY created, rowid", (token_h,)).fetchall()
        return [_link(r) for r in rows]

    def idempotent(self, token_h: str, idem_key: str) -> tuple[str, int, str] | None:
        """(body hash, status, response JSON) recorded for this Idempotency-Key, if any."""
        with self._lock:
            row = self._db.execute("SELECT body_hash, status, response FROM idempotency "
                                   "WHERE token_hash = ? AND idem_key = ?", (token_h, idem_key)).fetchone()
        return tuple(row) if row else None

    def linked(self, token_h: str, api_key: str) -> str | None:
        """The id of the link holding this api_key, if any."""
        with self._lock:
            row = self._db.execute("SELECT id FROM links WHERE token_hash = ? AND key_hash = ?",
                                   (token_h, self.digest(api_key))).fetchone()
        return row[0] if row else None

    def credentials(self, token_h: str, link_id: str) -> Credentials | None:
        with self._lock:
            row = self._db.execute("SELECT secrets FROM links WHERE token_hash = ? AND id = ?",
                                   (token_h, link_id)).fetchone()
        if row is None:
            return None
        return Credentials(**json.loads(self._fernet.decrypt(row[0])))

    # ---- writes ---------------------------------------------------------------------------
    def create(self, token_h: str, link: dict[str, Any], creds: Credentials,
               idem: tuple[str, str] | None) -> tuple[str, Any]:
        """Insert a link (and its idempotency record) unless a concurrent request won the race.
        Returns ("created", link), ("replay", (body_hash, status, response)) or ("linked", id)."""
        secret = self._fernet.encrypt(json.dumps({
            "api_key": creds.api_key, "secret_key": creds.secret_key.get_secret_value(),
            "passphrase": creds.passphrase.get_secret_value()}).encode())
        key_h = self.digest(creds.api_key)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                outcome = self._create(token_h, link, key_h, secret, idem)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return outcome

    def _create(self, token_h: str, link: dict[str, Any], key_h: str, secret: bytes,
                idem: tuple[str, str] | None) -> tuple[str, Any]:
        if idem is not None:
            row = self._db.execute("SELECT body_hash, status, response FROM idempotency "
                                   "WHERE token_hash = ? AND idem_key = ?", (token_h, idem[0])).fetchone()
            if row is not None:
                return "replay", tuple(row)
        row = self._db.execute("SELECT id FROM links WHERE token_hash = ? AND key_hash = ?",
                               (token_h, key_h)).fetchone()
        if row is not None:
            return "linked", row[0]
        self._db.execute(
            "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (link["id"], token_h, key_h, link["exchange"], link["site"], int(link["demo"]),
             link["label"], link["api_key"], secret, link["created"], link["verified_at"],
             json.dumps(link["spot"])))
        if idem is not None:
            self._db.execute("INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
                             (token_h, idem[0], idem[1], link["id"], 201, render(link)))
        return "created", link

    def update_spot(self, token_h: str, link_id: str, verified_at: str,
                    spot: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            done = self._db.execute("UPDATE links SET verified_at = ?, spot = ? "
                                    "WHERE token_hash = ? AND id = ?",
                                    (verified_at, json.dumps(spot), token_h, link_id)).rowcount
        return self.get(token_h, link_id) if done else None

    def delete(self, token_h: str, link_id: str) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            gone = self._db.execute("DELETE FROM links WHERE token_hash = ? AND id = ?",
                                    (token_h, link_id)).rowcount
            self._db.execute("DELETE FROM idempotency WHERE token_hash = ? AND link_id = ?",
                             (token_h, link_id))
            self._db.execute("COMMIT")
        return bool(gone)


def _link(row: tuple[Any, ...]) -> dict[str, Any]:
    link_id, exchange, site, demo, label, masked, created, verified_at, spot = row
    return {"id": link_id, "exchange": exchange, "site": site, "demo": bool(demo), "label": label,
            "api_key": masked, "created": created, "verified_at": verified_at,
            "spot": json.loads(spot)}
