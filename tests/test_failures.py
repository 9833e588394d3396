"""A request that got no answer is told in the user's words: what happened and to which host,
never httpx's class name (ReadTimeout, ConnectError). One table (core/transfer.py:failure) serves
the OKX client and the linking client."""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpx
import pytest

from okxlink import errors
from okxlink.core import linking, okx
from okxlink.core.credentials import Credentials
from okxlink.core.diagnose import Facts, diagnose
from okxlink.core.linking import LinkClient
from okxlink.core.okx import OkxClient
from okxlink.core.secret import SecretStr
from okxlink.core.transfer import failure

CREDS = Credentials(api_key="0f4b2c9a-1d3e-4f5a-8b6c-7d8e9f0a3e7a", secret_key=SecretStr("S" * 32),
                    passphrase=SecretStr("Pass-phrase1"))


def _wrapped(outer: httpx.TransportError, cause: BaseException) -> httpx.TransportError:
    """As httpx raises them: its error caused by httpcore's, caused by the socket's or ssl's."""
    outer.__cause__ = cause
    return outer


def _cert() -> httpx.ConnectError:
    return _wrapped(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"),
                    ssl.SSLCertVerificationError(1, "certificate verify failed"))


def _refused() -> httpx.ConnectError:
    return _wrapped(httpx.ConnectError("[Errno 111] Connection refused"),
                    ConnectionRefusedError(111, "Connection refused"))


def _dns() -> httpx.ConnectError:
    return _wrapped(httpx.ConnectError("[Errno -2] Name or service not known"),
                    socket.gaierror(-2, "Name or service not known"))


# (the error httpx raises, what OKX's network check says after "Could not reach OKX: ")
KINDS = [
    (lambda: httpx.ReadTimeout("timed out"), "okx.test did not answer within 10 s"),
    (lambda: httpx.WriteTimeout("timed out"), "okx.test did not answer within 10 s"),
    (lambda: httpx.ConnectTimeout("timed out"), "no connection to okx.test within 5 s"),
    (lambda: httpx.PoolTimeout("timed out"), "okx.test did not answer within 10 s"),
    (_refused, "okx.test refused the connection"),
    (lambda: httpx.ConnectError("[Errno 101] Network is unreachable"), "the connection to okx.test failed"),
    (_dns, "okx.test was not found (the name did not resolve)"),
    (lambda: httpx.ReadError("[Errno 104] Connection reset by peer"), "the connection to okx.test was reset"),
    (lambda: httpx.WriteError("[Errno 32] Broken pipe"), "the connection to okx.test was reset"),
    (lambda: httpx.RemoteProtocolError("Server disconnected without sending a response."),
     "okx.test closed the connection without answering"),
    (_cert, "the TLS certificate of okx.test could not be verified"),
    (lambda: httpx.ProxyError("502 Bad Gateway"), "the proxy could not connect to okx.test"),
    (lambda: httpx.UnsupportedProtocol("no"), "the request to okx.test failed"),
]


def _raising(make) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise make()
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def _no_sleep(seconds: float) -> None:
    return None


def _network_check(http: httpx.AsyncClient, base: str):
    """What verify's network check says after the OKX client at `base` got no answer."""
    async def go() -> errors.OkxError:
        async with http:
            try:
                await OkxClient(http, CREDS, "global", False, base_url=base, sleep=_no_sleep).account_config()
            except errors.OkxError as exc:
                return exc
        raise AssertionError("answered")
    error = asyncio.run(go())
    assert isinstance(error, errors.NetworkError)
    return diagnose(Facts(site="global", demo=False, network=error))[0]


@pytest.mark.parametrize("make, reason", KINDS)
def test_the_network_check_says_what_happened(make, reason):
    network = _network_check(_raising(make), "https://okx.test")
    assert (network.id, network.status) == ("network", "fail")
    assert network.message == f"Could not reach OKX: {reason}."
    assert type(make()).__name__ not in network.message


@pytest.mark.parametrize("make, reason", KINDS)
def test_the_linking_client_says_what_happened(make, reason):
    async def go():
        async with _raising(make) as http:
            return await LinkClient(http, "https://okx.test", SecretStr("token"), sleep=_no_sleep).get("lnk_1")
    with pytest.raises(errors.LinkError) as err:
        asyncio.run(go())
    if "certificate" in reason:  # its own message: never tried again, and says what to check
        assert err.value.message == ("The linking service at okx.test failed the certificate check, and "
                                     "okxlink does not skip certificate checks.")
        return
    # the service's limits are not OKX's: its read timeout is 30 s
    expected = reason.replace("within 10 s", "within 30 s")
    assert err.value.message == f"Could not reach the linking service: {expected}."


def test_a_deadline_is_told_in_the_seconds_of_the_whole_exchange():
    said = failure(asyncio.TimeoutError(), "okx.test", timeout=okx.TIMEOUT, deadline_s=okx.DEADLINE_S)
    assert (said.reason, said.timed_out) == ("okx.test did not answer within 15 s", True)
    said = failure(asyncio.TimeoutError(), "links.test", timeout=linking.TIMEOUT, deadline_s=linking.DEADLINE_S)
    assert said.reason == "links.test did not answer within 30 s"


def test_only_hangs_count_as_timed_out_and_only_a_refused_certificate_as_certificate():
    told = {type(make()).__name__ if make not in (_cert, _dns, _refused) else make.__name__:
            failure(make(), "h", timeout=okx.TIMEOUT, deadline_s=1) for make, _ in KINDS}
    assert {k for k, f in told.items() if f.timed_out} == {"ReadTimeout", "WriteTimeout", "ConnectTimeout",
                                                           "PoolTimeout"}
    assert {k for k, f in told.items() if f.certificate} == {"_cert"}


def test_a_closed_port_on_this_machine_refuses_the_connection():
    """The real thing: a socket connect to a port nothing listens on, through httpx's own stack."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        network = _network_check(httpx.AsyncClient(), f"http://127.0.0.1:{port}")
    assert network.message == f"Could not reach OKX: 127.0.0.1:{port} refused the connection."
    assert "ConnectError" not in network.message
