"""Events out, wired (issue 15 item 6): ``ONBOARDING_OUTBOX`` connects the app's signals to the
outbox stream at init_app; ``flask onboarding stream`` reads it (``stream_cli``).

The stream lives beside the rest of the store: on the store's own Redis client (single node or
Cluster; one key, ``keys.outbox_key``), or a ``MemoryStream`` for ``memory://`` (this process
only: tests and development; the CLI worker refuses it). docs/events-out.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .outbox import MemoryStream, Outbox, RedisStream, StreamBackend, connect
from .storage import keys
from .storage.base import Storage


class _StoreClient:
    """The store's Redis client, built on first use (init_app does no I/O, even for a Cluster)."""

    def __init__(self, connect_client: Callable[[], Any]) -> None:
        self._connect = connect_client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connect(), name)


def stream_of(storage: Storage, prefix: str, maxlen: int) -> StreamBackend:
    """The outbox stream of ``storage``: on its Redis client, or a new memory stream (memory://:
    this process only, kept by the app's ``Outbox``)."""
    from .storage.redis import RedisStorage

    if isinstance(storage, RedisStorage):
        return RedisStream(_StoreClient(storage.conn.connect), keys.outbox_key(prefix), maxlen)
    return MemoryStream(maxlen=maxlen)


def wire(
    sender: object,
    storage: Storage,
    prefix: str,
    setting: bool | Sequence[str],
    maxlen: int,
    clock: Callable[[], datetime],
) -> Outbox | None:
    """Connect ``sender``'s signals to the outbox when ``setting`` asks for it; None when off."""
    if not setting:
        return None
    outbox = Outbox(stream_of(storage, prefix, maxlen), clock)
    connect(sender, outbox, None if setting is True else list(setting))
    return outbox
