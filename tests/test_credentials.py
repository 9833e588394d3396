from okxlink.core.credentials import Credentials, clean, clean_passphrase, looks_swapped, mask

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
    text = repr(creds) + str(creds) + creds.model_dump_json()
    assert SECRET not in text and "Pass-phrase1" not in text


def test_swapped_fields():
    assert looks_swapped(SECRET, KEY)
    assert not looks_swapped(KEY, SECRET)


def test_mask():
    assert mask(KEY) == "0f1e…4a5b"
    assert mask("short") == "…"
