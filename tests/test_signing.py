"""Signing against the shared vectors, which three independent clients agree on."""

import json
from pathlib import Path

import httpx
import pytest

from okxlink.core.signing import OkxAuth, prehash, request_path, sign, timestamp

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "okx-signatures.json"
LOCAL_VECTORS = Path(__file__).parent / "data" / "okx-signatures.json"


def _cases():
    path = VECTORS if VECTORS.exists() else LOCAL_VECTORS
    return json.loads(path.read_text())["cases"]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c['method']} {c['request_path'][:40]}")
def test_vector(case):
    assert prehash(case["timestamp"], case["method"], case["request_path"], case["body"]) == case["prehash"]
    assert sign(case["secret"], case["timestamp"], case["method"], case["request_path"], case["body"]) == case["sign"]


def test_vector_count():
    assert len(_cases()) == 27


def test_timestamp_form():
    assert timestamp(1607418537715) == "2020-12-08T09:08:57.715Z"
    assert timestamp(1607418537005) == "2020-12-08T09:08:57.005Z"


def test_request_path_keeps_encoded_query_and_strips_prefix():
    url = httpx.URL("http://127.0.0.1:9/eea/api/v5/asset/balances?ccy=BTC%2CETH")
    assert request_path(url, "/eea") == "/api/v5/asset/balances?ccy=BTC%2CETH"
    assert request_path(url) == "/eea/api/v5/asset/balances?ccy=BTC%2CETH"


def test_auth_flow_signs_what_is_sent():
    case = _cases()[0]
    auth = OkxAuth("key-id", lambda: case["secret"], lambda: "pass phrase", lambda: 1607418537715)
    request = httpx.Request("GET", "https://www.okx.com" + case["request_path"])
    signed = next(auth.auth_flow(request))
    assert signed.headers["OK-ACCESS-TIMESTAMP"] == case["timestamp"]
    assert signed.headers["OK-ACCESS-SIGN"] == case["sign"]
    assert signed.headers["OK-ACCESS-PASSPHRASE"] == "pass phrase"
    assert "pass phrase" not in repr(auth) and case["secret"] not in repr(auth)
