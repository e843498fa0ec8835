"""The one storage interface. Every backend passes the shared suite in tests/storage."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Literal

CodeKind = Literal["e", "g"]
RawRecord = dict[str, bytes]


class Storage(ABC):
    """A user's record is a small hash of byte strings (see ``layout``).

    Every method is one round trip to the store. Backends raise
    ``onboarding_sdk.errors.StorageError`` for any failure to reach or use the store.
    """

    uri: str

    @abstractmethod
    def assign_codes(self, kind: CodeKind, names: Sequence[str]) -> dict[str, int]:
        """Stable small integer codes for event names (``"e"``) or guide ids (``"g"``).

        A name keeps its code forever; new names get the next free one, atomically,
        so concurrent processes agree.
        """

    @abstractmethod
    def track(self, user_id: str, field: str | None, at: int, signup: int | None) -> RawRecord:
        """Atomically apply ``layout.apply_event`` and return the whole updated record."""

    @abstractmethod
    def load(self, user_id: str) -> RawRecord:
        """The user's whole record ({} when unknown), in one round trip."""

    @abstractmethod
    def advance_stage(self, user_id: str, expected: int, new: int, times: Mapping[int, int]) -> bool:
        """Compare-and-set the stage index: True only for the one caller that moved it."""

    @abstractmethod
    def guide_action(
        self, user_id: str, field: str, action: str, day: int, value: int, budget_limit: int
    ) -> tuple[bytes, bool]:
        """Atomically apply ``layout.apply_guide_action``; returns (new state, allowed)."""

    @abstractmethod
    def count(self, day: int, counters: Mapping[str, int]) -> None:
        """Add to per-day analytics counters (``guide_id|action`` -> n). One round trip."""

    @abstractmethod
    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        """The per-day counters for these days (missing days are empty)."""

    @abstractmethod
    def forget(self, user_id: str) -> None:
        """Delete everything stored about one user."""

    @abstractmethod
    def ping(self) -> None:
        """Raise StorageError when the store is not reachable."""

    @abstractmethod
    def reset(self) -> None:
        """Delete every key under this storage's prefix (tests and demos)."""

    def close(self) -> None:  # noqa: B027 - optional hook, deliberately not abstract
        """Release connections. The default does nothing."""
