"""What went wrong with the OS keyring, in one sentence, and the one thing to do about it.

Users on servers meet three failures (see docs/storage.md): no D-Bus session / Secret Service
(keyring's NoKeyringError), a keyring created without an unlock password so the daemon wanted to
show a prompt nobody can see (InitError "Prompt dismissed"), and a keyring that stays locked
because it was unlocked with the wrong password (KeyringLocked). Each gets its own message.

A backend's own text is never shown: it may quote what it was handed (the profile's JSON, the link
token) in any escaping — repr(), JSON, %-encoding — so no scrub of known values can be trusted to
catch it. A failure we do not recognise is named by its exception type and the backend instead.
"""

from __future__ import annotations

import os

from okxlink.errors import StorageError
from okxlink.i18n import _

DOCS = "docs/storage.md"
SERVER_RECIPE = ("dbus-run-session -- sh -c 'printf %s \"$KEYRING_PASSWORD\" | gnome-keyring-daemon "
                 "--unlock --daemonize --components=secrets; okxlink setup'")
REUNLOCK = "printf %s \"$KEYRING_PASSWORD\" | gnome-keyring-daemon --replace --unlock --daemonize --components=secrets"

# Backends that would "work" while keeping nothing, or keeping secrets readable by anyone:
# refused rather than used silently.
REFUSED = {
    "keyring.backends.fail.Keyring": "fail",
    "keyring.backends.null.Keyring": "null",
    "keyrings.alt.file.PlaintextKeyring": "plaintext",
    "keyrings.cryptfile.file.PlaintextKeyring": "plaintext",
}


def refusal(backend: object) -> str | None:
    """'fail', 'null' or 'plaintext' when the backend (or a class it derives from) is refused."""
    for cls in type(backend).__mro__:
        kind = REFUSED.get(f"{cls.__module__}.{cls.__qualname__}")
        if kind:
            return kind
    return None


def no_backend() -> StorageError:
    return StorageError(
        _("No usable keyring: this machine has no D-Bus session with a Secret Service (such as "
          "gnome-keyring) and no other keyring backend is configured."),
        _("Install gnome-keyring (apt-get install gnome-keyring dbus libsecret-tools) or set "
          "PYTHON_KEYRING_BACKEND, e.g. keyrings.cryptfile.cryptfile.CryptFileKeyring; on a server "
          "without a desktop run okxlink inside a D-Bus session with an unlocked keyring: {recipe} "
          "(see {docs}).").format(recipe=SERVER_RECIPE, docs=DOCS))


def refused(kind: str, name: str) -> StorageError:
    source = "PYTHON_KEYRING_BACKEND" if os.environ.get("PYTHON_KEYRING_BACKEND") else _("the keyring configuration")
    what = {"null": _("stores nothing"), "plaintext": _("stores secrets as readable text")}[kind]
    return StorageError(
        _("Refusing the keyring backend {name} chosen by {source}: it {what}.").format(
            name=name, source=source, what=what),
        _("Choose a real keyring: unset PYTHON_KEYRING_BACKEND or set it to an encrypted backend such as "
          "keyrings.cryptfile.cryptfile.CryptFileKeyring, and check the configuration file shown by "
          "python -m keyring diagnose (see {docs}).").format(docs=DOCS))


def unloadable(name: str, exc: BaseException) -> StorageError:
    return StorageError(
        _("The keyring backend {name} named by PYTHON_KEYRING_BACKEND cannot be used ({kind}).").format(
            name=name, kind=type(exc).__name__),
        _("Install the package that provides it, correct the name, or unset PYTHON_KEYRING_BACKEND "
          "(see {docs}).").format(docs=DOCS))


def timed_out(where: str, seconds: float) -> StorageError:
    return StorageError(
        _("The keyring ({store}) did not answer within {seconds:g} s.").format(store=where, seconds=seconds),
        _("A keyring that waits for an unlock prompt nobody can see hangs like this: unlock it in your "
          "desktop session, or on a server start it unlocked: {recipe} (see {docs}).").format(
            recipe=SERVER_RECIPE, docs=DOCS))


def translate(exc: BaseException, where: str, profile: str | None) -> StorageError:
    """A keyring exception as a StorageError, naming the exception's type and the backend (`where`),
    never the exception's text (see the module's docstring)."""
    if isinstance(exc, StorageError):
        return exc
    from keyring import errors as ke  # already imported: the call that raised came from keyring

    if isinstance(exc, ke.NoKeyringError):
        return no_backend()
    # Read to recognise the case, never shown: gnome-keyring's own words, no value of ours.
    if isinstance(exc, ke.InitError) and "prompt dismissed" in str(exc).lower():
        return StorageError(
            _("The keyring ({store}) is not unlocked and asked for a password with a prompt that cannot be "
              "shown here (Prompt dismissed).").format(store=where),
            _("Unlock the daemon without a prompt, from the same D-Bus session: {cmd} — or start the session "
              "that way: {recipe} (see {docs}).").format(cmd=REUNLOCK, recipe=SERVER_RECIPE, docs=DOCS))
    if isinstance(exc, ke.KeyringLocked):
        return StorageError(
            _("The keyring ({store}) is locked and could not be unlocked.").format(store=where),
            _("Unlock it (in a desktop session, log in or unlock it in your keyring manager); on a server "
              "it stays locked when gnome-keyring-daemon --unlock was given the wrong password: restart it "
              "with the right one: {cmd} (see {docs}).").format(cmd=REUNLOCK, docs=DOCS))
    if isinstance(exc, ke.PasswordSetError):
        return StorageError(
            _("The keyring ({store}) refused to store the credentials of profile {name}.").format(
                store=where, name=profile),
            _("Check that the keyring is unlocked and writable, then run the command again (see {docs}).").format(
                docs=DOCS))
    return StorageError(
        _("The keyring ({store}) failed with {kind} (its message is not shown: it may quote a secret).").format(
            store=where, kind=type(exc).__name__),
        _("Check that the keyring is running and unlocked, then try again (see {docs}).").format(docs=DOCS))
