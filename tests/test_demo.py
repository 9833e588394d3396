"""`okxlink demo`: the README's first command, end to end, touching nothing of the user's."""

from __future__ import annotations

import gettext

from conftest import SRC_LOCALES, clean_env, okxlink


def test_demo_runs_end_to_end_without_the_users_keyring(tmp_path):
    # a keyring that fails on every call: the demo must not need (or touch) the user's
    env = clean_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = okxlink("demo", "--yes", env=env, timeout=120)
    assert result.code == 0, result.out + result.err
    # the recommended path: a key bound to the platform's address, which only the platform can check
    for text in ("[1/9]", "[9/9]", "Bound to your platform's IP addresses: this machine cannot use the key",
                 "Saved profile demo", "Spot ready", "okxlink status",
                 "This machine: bound to your platform's IPs", "Spot: ready"):
        assert text in result.out, text
    assert "Not checked" not in result.out
    assert not (tmp_path / "config").exists()  # the user's config dir is never written


def test_demo_in_chinese(tmp_path):
    zh = gettext.translation("okxlink", SRC_LOCALES, languages=["zh_CN"]).gettext
    result = okxlink("--lang", "zh", "demo", "--yes", env=clean_env(tmp_path), timeout=120)
    assert result.code == 0, result.err
    for message in ("Bound to your platform's IP addresses: this machine cannot use the key, as expected; "
                    "your platform verifies it.", "Check the key with OKX", "Two-factor authentication"):
        assert zh(message) != message and zh(message) in result.out, message
