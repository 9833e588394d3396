"""Property-based tests: clean-up and parsing never crash and never alter what is valid; the
simulator and the client agree on signatures for any path, query and body."""

from __future__ import annotations

import contextlib
import json
import string

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okxlink import errors
from okxlink.core.credentials import KEY_SHAPE, SECRET_SHAPE, clean, clean_passphrase, looks_swapped
from okxlink.core.okx import _data

TRIED = {"inputs": 0}


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    """The count this module proves things over, printed in CI's output (even under -q)."""
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nproperty tests: inputs tried: {TRIED['inputs']}")


HEX = "0123456789abcdef"
keys = st.builds(lambda a, b, c, d, e: f"{a}-{b}-{c}-{d}-{e}",
                 *(st.text(HEX, min_size=n, max_size=n) for n in (8, 4, 4, 4, 12)))
secrets_ = st.text("0123456789ABCDEF", min_size=32, max_size=32)
passphrases = st.text(string.ascii_letters + string.digits + "!@#%^&*-_=+? ", min_size=8, max_size=32).map(str.strip).filter(
    lambda p: len(p) >= 8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@given(keys, secrets_)
def test_clean_never_alters_valid_values(key, secret):
    TRIED["inputs"] += 1
    assert clean(key) == key and clean(secret) == secret
    assert KEY_SHAPE.match(clean(key)) and SECRET_SHAPE.match(clean(secret))
    assert not looks_swapped(key, secret) and looks_swapped(secret, key)


@given(passphrases)
def test_clean_passphrase_never_alters_a_valid_one(value):
    TRIED["inputs"] += 1
    assert clean_passphrase(value) == value


@given(st.text(), st.text())
def test_clean_and_swap_detection_never_crash(a, b):
    TRIED["inputs"] += 1
    for value in (clean(a), clean_passphrase(a)):
        assert isinstance(value, str) and len(value) <= len(a)
    assert looks_swapped(a, b) in (True, False)


@given(keys, st.text(min_size=1, max_size=20), st.text(" \t\n\u200b\ufeff", max_size=4))
def test_clean_removes_what_a_paste_drags_along(key, _junk, noise):
    TRIED["inputs"] += 1
    assert clean(noise + key + noise) == key


@settings(max_examples=300)
@given(json_values, st.sampled_from([200, 400, 401, 429, 500, 503]))
def test_response_parsing_never_crashes(body, status):
    TRIED["inputs"] += 1
    try:
        data = _data(status, json.dumps(body).encode())
    except errors.OkxError as exc:
        assert exc.exit_code in (errors.Exit.NOT_READY, errors.Exit.UNVERIFIED)
    else:
        assert isinstance(data, list)


@given(st.binary(max_size=200), st.sampled_from([200, 401, 502]))
def test_garbage_bodies_are_typed_errors(body, status):
    TRIED["inputs"] += 1
    with contextlib.suppress(errors.OkxError):
        _data(status, body)


query_values = st.text(string.ascii_letters + string.digits + " -_.,:/+&=?%éü中€", max_size=12)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=6), query_values, max_size=3),
       st.sampled_from(["global", "eea", "us", "tr"]))
def test_simulator_and_client_agree_on_signatures(query, site):
    TRIED["inputs"] += 1
    """Whatever query the client sends (unicode, reserved characters), the simulator recomputes the
    same signature from the request it receives: the answer is code 0, never 50113."""
    import asyncio
    import itertools

    from okxlink.core.credentials import Credentials
    from okxlink.core.okx import OkxClient
    from okxlink.sim.accounts import Account
    from okxlink.sim.okx_app import SimState, create_app

    account = Account(name="p", site=site)
    ticks = itertools.count(step=60)  # each request in its own rate-limit window
    app = create_app(SimState(accounts=[account], monotonic=lambda: float(next(ticks))))
    creds = Credentials(api_key=account.api_key, secret_key=account.secret_key, passphrase=account.passphrase)

    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            client = OkxClient(http, creds, site, base_url=f"http://sim/{site}")
            return await client.get("/api/v5/account/balance", params=query)
    assert isinstance(asyncio.run(go()), list)
