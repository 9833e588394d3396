"""BENCHMARK ONLY: a python-keyring backend that keeps entries in a JSON file, in clear text.

bench/run.py needs 50 stored profiles that several okxlink processes can read, on machines with no
Secret Service. It points PYTHON_KEYRING_BACKEND at `bench_keyring.JsonFileKeyring` and
BENCH_KEYRING_FILE at a file in a temporary directory that it deletes afterwards; the secrets in it
are the simulator's fake ones. Never use this backend for a real key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class JsonFileKeyring(KeyringBackend):
    priority = 0.1  # only ever chosen by name (PYTHON_KEYRING_BACKEND)

    @property
    def _path(self) -> Path:
        return Path(os.environ["BENCH_KEYRING_FILE"])

    def _read(self) -> dict[str, str]:
        try:
            return json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}

    def _write(self, data: dict[str, str]) -> None:
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self._path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\0{username}"] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError(username)
        self._write(data)
