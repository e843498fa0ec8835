"""The console's audit log: who changed what, when. Kept in the store, append-only, capped."""

from __future__ import annotations

from typing import Any

from ..engine import Engine
from ..timeutil import to_epoch


def record(engine: Engine, who: str, action: str, **detail: Any) -> None:
    entry = {"at": to_epoch(engine.now()), "who": who, "action": action, **detail}
    engine.call_store(lambda: engine.storage.audit.record(entry))
