import copy
import dataclasses
import json
import logging

import pytest

from okxlink.core.credentials import Credentials, clean, clean_passphrase, looks_swapped, mask
from okxlink.core.secret import SecretStr

KEY = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
SECRET = "22582BD0CFF14C41EDBF1AB98506286D"


def test_clean_drops_whitespace_and_invisibles():
    assert clean(f"\u200b {KEY}\n\ufeff") == KEY
    assert clean("2258 2BD0\tCFF1") == "22582BD0CFF1"


def test_passphrase_keeps_inner_spaces():
    assert clean_passphrase("  my pass\u200b phrase \n") == "my pass phrase"


def test_credentials_hide_secrets():
    creds = Credentials(api_key=f" {KEY} ", secret_key=f"{SECRET}\n", passphrase="Pass-phrase1")
    assert creds.api_key == KEY and creds.secret_key.get_secret_value() == SECRET
    shown = [repr(creds), str(creds), f"{creds}", f"{creds.secret_key!s:>40}", repr(dataclasses.asdict(creds)),
             json.dumps(dataclasses.asdict(creds), default=str), logging.Formatter().format(
                 logging.makeLogRecord({"msg": "%s %r", "args": (creds, creds.passphrase)}))]
    for text in shown:
        assert SECRET not in text and "Pass-phrase1" not in text and "**********" in text, text


def test_secret_str_keeps_pydantics_interface():
    secret = SecretStr("s3cret")
    assert secret.get_secret_value() == "s3cret" and len(secret) == 6
    assert (str(secret), repr(secret)) == ("**********", "SecretStr('**********')")
    assert (str(SecretStr("")), repr(SecretStr(""))) == ("", "SecretStr('')") and not SecretStr("")
    assert secret == SecretStr("s3cret") and secret != SecretStr("other") and secret != "s3cret"
    assert len({secret, SecretStr("s3cret")}) == 1
    assert copy.deepcopy(secret) == secret
    with pytest.raises(AttributeError):
        secret.value = "x"  # type: ignore[attr-defined]  # no __dict__ to hide a copy in
    with pytest.raises(TypeError):
        SecretStr(b"bytes")  # type: ignore[arg-type]


def test_credentials_take_text_and_secrets_only():
    given = SecretStr(f" {SECRET} ")
    creds = Credentials(api_key=KEY, secret_key=given, passphrase=" pp ")
    assert creds.secret_key is given and creds.passphrase.get_secret_value() == "pp"  # a SecretStr is kept as is
    assert creds == Credentials(api_key=KEY, secret_key=given, passphrase="pp") and hash(creds)
    for bad in ({"api_key": None}, {"secret_key": 5}, {"passphrase": ["pp"]}):
        with pytest.raises(ValueError):
            Credentials(**{"api_key": KEY, "secret_key": SECRET, "passphrase": "pp", **bad})
    with pytest.raises(dataclasses.FrozenInstanceError):
        creds.api_key = "x"  # type: ignore[misc]


def test_swapped_fields():
    assert looks_swapped(SECRET, KEY)
    assert not looks_swapped(KEY, SECRET)


def test_mask():
    assert mask(KEY) == "0f1e…4a5b"
    assert mask("short") == "…"
