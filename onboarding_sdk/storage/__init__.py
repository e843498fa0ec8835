"""Storage backends, chosen by URI scheme: ``storage_from_uri("redis://localhost:6379/0")``.

A store gives its capabilities as attributes (``store.users``, ``.content``, ``.drafts``,
``.audit``, ``.index``, ``.locks``, ``.privacy``; interfaces in ``base``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import ConfigurationError
from .base import (
    AccountOutcomes,
    AuditLog,
    CodeKind,
    ContentStore,
    DraftStore,
    LockStore,
    PopulationIndex,
    PrivacyStore,
    RawRecord,
    Storage,
    UserStore,
)
from .memory import MemoryStorage

REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+cluster")
SCHEMES = ("memory", *REDIS_SCHEMES)


def storage_from_uri(uri: str, *, prefix: str = "ob", timeout: float = 0.5, retries: int = 1) -> Storage:
    """Build the backend a URI names. Raises ConfigurationError for an unknown scheme."""
    scheme = uri.split("://", 1)[0] if "://" in uri else urlsplit(uri).scheme
    if scheme == "memory":
        return MemoryStorage(uri, prefix=prefix)
    if scheme in REDIS_SCHEMES:
        from .redis import RedisStorage  # imported lazily: redis is only needed for these schemes

        return RedisStorage(uri, prefix=prefix, timeout=timeout, retries=retries)
    known = ", ".join(s + "://" for s in SCHEMES)
    # the URI is not repeated: it may hold a password
    raise ConfigurationError(f"ONBOARDING_STORAGE_URI: unknown scheme {scheme!r}; use one of {known}")


__all__ = [
    "SCHEMES",
    "AccountOutcomes",
    "AuditLog",
    "CodeKind",
    "ContentStore",
    "DraftStore",
    "LockStore",
    "MemoryStorage",
    "PopulationIndex",
    "PrivacyStore",
    "RawRecord",
    "Storage",
    "UserStore",
    "storage_from_uri",
]
