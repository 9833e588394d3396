"""ProfileRepo: a profile is its secrets in a SecretStore plus its metadata in profiles.toml.

The metadata is what makes a profile exist: `names()` lists profiles.toml, and a keyring entry
without metadata is treated as absent. Both changes happen inside one profiles.toml transaction
(held under its lock), so two okxlink processes cannot interleave a secret of one with the
metadata of the other.

- save: the secret is written first, the metadata last. A crash in between leaves a secret without
  metadata: invisible (load says "not found") and overwritten by the next save of that name. A
  metadata write that fails (disk full, read-only) puts the keyring back as it was, still under
  the lock, before the error is raised: no secret stays behind that no listing shows.
- remove: the secret is deleted first, the metadata last. If the keyring refuses (locked, timed
  out) nothing changes and the profile stays listed, so the user can retry; a crash in between
  leaves metadata without a secret, which `load` reports and `remove` finishes. The other order
  could leave a secret in the keyring that no listing shows: a key the user believes is gone.
- rotate: the new key's secret is kept under NAME#next, and the metadata records the rotation,
  until every service holds the new key; then `save` replaces the old secret as above and the
  rotation ends. Both secrets are in the keyring until then, so a run that stops anywhere can be
  continued, and no key a service holds is ever without its secret here.
- results (verdicts, the platform's answers) are worth keeping but not worth a run: inside
  `best_effort()`, when profiles.toml cannot be written and the caller said where to tell
  (`on_unrecorded`), the change is kept in memory for the rest of the run (`known()`), the caller
  hears one sentence, once, and the run goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from okxlink.errors import StorageError, UsageError
from okxlink.i18n import _
from okxlink.storage.meta import ProfileMeta, now_iso
from okxlink.storage.profiles import ProfilesFile, Unwritable
from okxlink.storage.secrets import SecretStore

if TYPE_CHECKING:
    from okxlink.core.credentials import Credentials

# Letters (any script), digits, '.', '_', '-'; no leading '.' or '-' so it never reads as an option.
PREVIOUS = "#previous"  # keyring user of a secret being replaced; '#' is never in a profile name
NEXT = "#next"  # keyring user of a rotation's new key, until it replaces the profile's
# Matched whole (fullmatch): `$` would also match before a final newline, and "default\n" would pass.
_NAME = re.compile(r"(?![.-])[\w.-]{1,64}")


def validate_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise _invalid(name)
    return name


def _invalid(name: str) -> UsageError:
    return UsageError(_("{name!r} is not a valid profile name.").format(name=name),
                      _("Use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."))


class ProfileRepo:
    def __init__(self, secrets: SecretStore, profiles: ProfilesFile) -> None:
        self.secrets = secrets
        self.profiles = profiles
        self.on_unrecorded: Callable[[str], None] | None = None  # where to say a result was not recorded
        self._best_effort = 0
        self._unsaved: dict[str, ProfileMeta] | None = None  # what could not be written, this run

    @contextmanager
    def best_effort(self) -> Iterator[None]:
        """Metadata changed within is a result: see the module's docstring."""
        self._best_effort += 1
        try:
            yield
        finally:
            self._best_effort -= 1

    def known(self) -> dict[str, ProfileMeta]:
        """Every profile's metadata as this run knows it: profiles.toml, with what could not be
        written to it."""
        if self._unsaved is None:
            return self.profiles.read()
        return {n: m for n, m in self._unsaved.items() if not m.removing}

    def names(self) -> list[str]:
        return sorted(self.profiles.read())

    def exists(self, name: str) -> bool:
        return name in self.profiles.read()

    def meta(self, name: str) -> ProfileMeta:
        """The metadata alone: no keyring call (status and listings must work with a locked keyring)."""
        found = self.profiles.read()
        if name not in found:
            raise self.unknown(name, found)
        return found[name]

    def load(self, name: str) -> tuple[ProfileMeta, Credentials]:
        return self.load_many([name])[0]

    def load_many(self, names: list[str], known: dict[str, ProfileMeta] | None = None
                  ) -> list[tuple[ProfileMeta, Credentials]]:
        """Several profiles with one read of profiles.toml (none when the caller hands in what it
        read: `known`) and one batch of keyring reads (one connection, where the backend allows)."""
        found = self.profiles.read() if known is None else known
        unknown = [name for name in names if name not in found]
        if unknown:
            raise self.unknown(unknown[0], found)
        stored = self.secrets.get_many(names)
        return [(found[name], self._secret(found[name], stored[name])) for name in names]

    def _secret(self, meta: ProfileMeta, creds: Credentials | None) -> Credentials:
        name = meta.name
        if creds is not None and meta.key and creds.masked_key() != meta.key:
            previous = self.secrets.get(name + PREVIOUS)
            if previous is not None and previous.masked_key() == meta.key:
                # a replacement stopped between the new secret and the new metadata: back to the old
                self.secrets.set(name, previous)
                self.secrets.delete(name + PREVIOUS)
                creds = previous
        if creds is None:
            raise UsageError(
                _("Profile {name} has no credentials in {store}.").format(name=name, store=self.secrets.describe()),
                _("Store them again with okxlink setup --profile {name}, or forget the profile with "
                  "okxlink remove --profile {name}.").format(name=name))
        return creds

    def save(self, name: str, creds: Credentials, meta: ProfileMeta | None = None) -> ProfileMeta:
        """Store the secrets and the metadata; `key` is set from the credentials (masked) and
        `created` is kept from an earlier save of the same name."""
        from okxlink.core.credentials import mask

        validate_name(name)
        previous: Credentials | None = None  # what the keyring held for the name, to put back
        kept = written = False  # #previous written; the new secret (perhaps) written
        orphaned: list[str] = []

        def undo() -> None:
            """The metadata could not be written: the keyring goes back to what it held. A replaced
            secret that cannot be put back is still rolled back on the next read (from #previous)."""
            if not written:
                return
            try:
                if previous is None:
                    self.secrets.delete(name)
                else:
                    self.secrets.set(name, previous)
                    if kept:  # only ours: one a crash left is what rolls back a half-done replacement
                        self.secrets.delete(name + PREVIOUS)
            except StorageError:
                if previous is None:
                    orphaned.append(name)

        try:
            with self.profiles.transaction(undo=undo) as profiles:
                old = profiles.get(name)
                new = dataclasses.replace(meta or ProfileMeta(name=name), name=name, key=mask(creds.api_key))
                new.created = (old.created if old else None) or new.created or now_iso()
                same_key = old is not None and old.key == new.key
                new.key_stored = (old.key_stored or old.created if old and same_key else None) or now_iso()
                previous = self.secrets.get(name) if old is not None else None
                if previous is not None and old is not None and previous.masked_key() == old.key:
                    # the old secret, until the new metadata is on disk
                    self.secrets.set(name + PREVIOUS, previous)
                    kept = True
                written = True  # from here on the keyring may hold the new secret
                self.secrets.set(name, creds)
                profiles[name] = new
        except Unwritable as exc:
            if orphaned:  # the keyring failed too: say what stayed behind and what removes it
                raise StorageError(exc.message, _("The new secret stayed in {store} without its profile; "
                                                  "okxlink setup --profile {name} replaces it.").format(
                    store=self.secrets.describe(), name=name)) from None
            raise
        if previous is not None:
            self.secrets.delete(name + PREVIOUS)
        return new

    def begin_rotation(self, name: str, creds: Credentials) -> ProfileMeta:
        """Keep `creds` as the profile's next key (NAME#next) and record the rotation, in one
        transaction: a metadata write that fails takes the secret back out."""
        from okxlink.core.credentials import mask
        from okxlink.storage.meta import Rotation

        def undo() -> None:
            with contextlib.suppress(StorageError):  # unreferenced: the next rotation overwrites it
                self.secrets.delete(name + NEXT)

        with self.profiles.transaction(undo=undo) as profiles:
            if name not in profiles:
                raise self.unknown(name, profiles)
            self.secrets.set(name + NEXT, creds)
            profiles[name].rotation = Rotation(key=mask(creds.api_key), started=now_iso())
            return profiles[name]

    def next_key(self, name: str) -> Credentials | None:
        """The rotation's new key, if the keyring still holds the one the metadata records."""
        rotation = self.meta(name).rotation
        creds = self.secrets.get(name + NEXT) if rotation is not None else None
        return creds if creds is not None and rotation is not None and creds.masked_key() == rotation.key else None

    def forget_next(self, name: str) -> None:
        """After the rotation ended (or was abandoned): the #next copy is no longer needed."""
        self.secrets.delete(name + NEXT)

    def update_meta(self, name: str, change: Callable[[ProfileMeta], None]) -> ProfileMeta:
        """Change an existing profile's metadata (verify results, link state) without touching its secret."""
        return self.update_many({name: change})[name]

    def update_many(self, changes: dict[str, Callable[[ProfileMeta], None]]) -> dict[str, ProfileMeta]:
        """Several profiles' metadata in one locked write (one fsync, not one per profile)."""
        tell = self.on_unrecorded if self._best_effort else None
        if tell is not None and self._unsaved is not None:  # this run already could not write: stay in memory
            return self._change(self._unsaved, changes)
        try:
            with self.profiles.transaction() as profiles:
                changed = self._change(profiles, changes)
        except Unwritable as exc:
            if tell is None:
                raise
            self._unsaved = self.profiles.read(include_removing=True)
            tell(_("Could not record the results in {path} ({reason}): they are shown, but okxlink "
                   "status --offline will not know them.").format(path=exc.path, reason=exc.reason))
            return self._change(self._unsaved, changes)
        self._unsaved = None
        return changed

    def _change(self, profiles: dict[str, ProfileMeta],
                changes: dict[str, Callable[[ProfileMeta], None]]) -> dict[str, ProfileMeta]:
        for name, change in changes.items():
            if name not in profiles:
                raise self.unknown(name, profiles)
            change(profiles[name])
        return {name: profiles[name] for name in changes}

    def remove(self, name: str) -> ProfileMeta | None:
        """Forget the profile; returns its metadata (None when only a stray secret was removed).
        The metadata is marked `removing` first (from then on the profile is gone for every reader),
        then the secret is deleted, then the metadata. A keyring that refuses takes the mark back, so
        the profile stays listed as it was; a crash leaves the mark, and `okxlink remove` finishes."""
        with self.profiles.transaction() as profiles:
            meta = profiles.get(name)
            if meta is not None:
                self.secrets.get(name)  # a locked keyring fails here, before anything changes
                meta.removing = True
        if meta is None:
            try:
                deleted = self.secrets.delete(name)
            except StorageError:  # not a profile anyway: say that, not what the keyring thinks
                raise self.unknown(name, self.profiles.read()) from None
            if not deleted:
                raise self.unknown(name, self.profiles.read())
            return None
        try:
            self.secrets.delete(name)
            self.secrets.delete(name + NEXT)  # a rotation's new key, if one was under way
        except StorageError:
            with self.profiles.transaction() as profiles:
                if name in profiles:
                    profiles[name].removing = False
            raise
        with self.profiles.transaction() as profiles:
            profiles.pop(name, None)
        meta.removing = False
        return meta

    @staticmethod
    def unknown(name: str, known: dict[str, ProfileMeta]) -> UsageError:
        if not _NAME.fullmatch(name or ""):  # never a profile: say why, and show it escaped (repr)
            return _invalid(name)
        if known:
            fix = _("Known profiles: {names}. Choose one with --profile NAME.").format(names=", ".join(sorted(known)))
        else:
            fix = _("There are no profiles yet: run okxlink setup to add one.")
        return UsageError(_("Profile {name} not found.").format(name=name), fix)
