"""Where okxlink keeps a profile: the three secrets in the OS keyring, everything else in a TOML file.

    ProfileRepo                      one profile = one keyring entry + one table in profiles.toml
    ├── SecretStore (protocol)       get / set / delete / describe
    │   ├── KeyringStore             the OS keyring via python-keyring, every call under a timeout
    │   └── MemoryStore              tests and `okxlink demo`: gone when the process ends
    └── ProfilesFile                 profiles.toml: atomic writes, mode 0600, an exclusive lock
    ClockCache                       clock.json: the last measured offset to OKX's clock

Paths come from the caller (the CLI's Settings): nothing here reads okxlink's environment variables.

Failures surface as `StorageError` (exit 5: no keyring, locked, prompt dismissed, timed out, write
refused, profiles.toml not writable) or `UsageError` (exit 2: unknown profile, bad name, a
profiles.toml that is not valid TOML). No secret ever reaches profiles.toml, a message or a repr.

Importing this package is cheap: `keyring` is imported by KeyringStore on its first call, so
`okxlink profiles` needs none of it.
"""

from __future__ import annotations

from okxlink.storage.clock_cache import ClockCache
from okxlink.storage.keyring_store import KeyringStore
from okxlink.storage.meta import (
    Handover,
    LinkRecord,
    PendingLink,
    ProfileMeta,
    Rotation,
    VerifySummary,
    now_iso,
)
from okxlink.storage.profiles import ProfilesFile
from okxlink.storage.repo import ProfileRepo, validate_name
from okxlink.storage.secrets import SERVICE, MemoryStore, SecretStore

__all__ = [
    "SERVICE", "ClockCache", "Handover", "KeyringStore", "LinkRecord", "MemoryStore", "PendingLink", "ProfileMeta",
    "ProfileRepo", "ProfilesFile", "Rotation", "SecretStore", "VerifySummary", "now_iso", "validate_name",
]
