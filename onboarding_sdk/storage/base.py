"""The storage interfaces, one per capability, and the store that composes them.

Every backend (memory, Redis, Redis Cluster) implements each capability and passes the shared
suite in tests/storage. A ``Storage`` gives them as attributes: ``store.users``,
``store.content``, ``store.drafts``, ``store.audit``, ``store.index`` (the population index and
the per-day counters), ``store.locks``, ``store.privacy``, ``store.outcomes`` (account health
bands and milestones) and ``store.troubles`` (follow-ups after trouble). The flat methods of
earlier versions (``store.track(...)``, ``store.population(...)``, ...) still work: each
forwards to its capability (deprecated; new code names the capability).

Every method is one round trip to the store unless it says otherwise. Backends raise
``onboarding_sdk.errors.StorageError`` for any failure to reach or use the store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Literal, ParamSpec, TypeVar, cast

if TYPE_CHECKING:
    from .personal import StoredUser
    from .population import AccountActivity, DormantAccount, Population
    from .troubles import StoredTrouble

P = ParamSpec("P")
R = TypeVar("R")
CodeKind = Literal["e", "g"]
RawRecord = dict[str, bytes]


@dataclass(frozen=True, slots=True)
class GuideWrite:
    """What ``UserStore.guide_write`` did: the guide's state now, whether the action was allowed
    (False: over the day's budget, nothing written), whether its idempotency key had already
    been applied (nothing written again), and whether the day's analytics counter was bumped."""

    state: bytes
    allowed: bool
    replayed: bool = False
    counted: bool = False


class UserStore(ABC):
    """Users' records (a small hash of byte strings, see ``layout``): tracking, stages, guide
    actions, idempotency keys, and the code registry their field names come from."""

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
    def track_activity(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
        key: str | None,
    ) -> tuple[RawRecord, bool]:
        """``track`` and the index's ``note_activity`` for the day of ``at``, in one round trip
        (one script on a single node; on a cluster the slots are written in parallel), unless
        this user already applied idempotency ``key`` (within ``layout.IDEMPOTENCY_TTL`` of
        ``at``). Returns the record and whether it was a replay (nothing written to the record;
        the index never counts a replay's events). The key is stored with the user's write,
        atomically. A failing index never fails the user's write (logged)."""

    def track_and_note(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
    ) -> RawRecord:
        """``track_activity`` without a key."""
        return self.track_activity(user_id, field, at, signup, account, events, key_events, None)[0]

    def track_once(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
        key: str,
    ) -> tuple[RawRecord, bool]:
        """``track_activity`` with an idempotency key."""
        return self.track_activity(user_id, field, at, signup, account, events, key_events, key)

    @abstractmethod
    def load(self, user_id: str) -> RawRecord:
        """The user's whole record ({} when unknown), in one round trip."""

    @abstractmethod
    def load_with_revision(self, user_id: str) -> tuple[RawRecord, int]:
        """The user's record and the published content revision (0: none), in one round trip.

        The engine calls this on every request, so a new content revision reaches every
        process on its next request at no extra cost (see docs/architecture.md).
        """

    @abstractmethod
    def advance_stage(self, user_id: str, expected: int, new: int, times: Mapping[int, int]) -> bool:
        """Compare-and-set the stage index: True only for the one caller that moved it."""

    def guide_action(
        self, user_id: str, field: str, action: str, day: int, value: int, budget_limit: int
    ) -> tuple[bytes, bool]:
        """Atomically apply ``layout.apply_guide_action``; returns (new state, allowed)."""
        write = self.guide_write(user_id, field, action, day, value, budget_limit)
        return write.state, write.allowed

    @abstractmethod
    def guide_write(
        self,
        user_id: str,
        field: str,
        action: str,
        day: int,
        value: int,
        budget_limit: int,
        *,
        key: str | None = None,
        now: int = 0,
        counter: str | None = None,
    ) -> GuideWrite:
        """``guide_action``, exactly once and counted once.

        ``key``: an idempotency key; when this user already applied it (within
        ``layout.IDEMPOTENCY_TTL`` of ``now``, epoch seconds) nothing is written and the current
        state comes back with ``replayed``; otherwise it is stored with the write, atomically
        (``layout.key_applied`` / ``remember_key``). A refusal (over budget) stores no key.
        ``counter``: the per-day analytics counter (``guide_id|action``) to add 1 to on ``day``,
        at most once per user and day (``keys.counted_key``), never for a refused action.
        One round trip when ``budget_limit`` is 0 (the user's slot and the counters' slot in
        one pipeline); a budgeted ``shown`` counts after its write is known to be allowed.
        """

    @abstractmethod
    def remember_arms(self, user_id: str, arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
        """Atomically apply ``layout.remember_arms``: keep each experiment's arm (experiment id
        -> arm) unless the user has one; per experiment, the arm stored now and whether this call
        stored it (the user's first exposure). One round trip."""

    @abstractmethod
    def remember_account_arms(self, account: str, arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
        """``remember_arms`` for an account (experiments with ``unit: account``): its first
        member's exposure places every colleague. One round trip."""


class ContentStore(ABC):
    """Published content: one set of guides for every process, by revision."""

    @abstractmethod
    def publish(self, text: str, expected_revision: int | None, author: str, note: str, at: int | None = None) -> int:
        """Store ``text`` (a whole content file) as the next revision and return it.

        Atomic compare-and-set: when ``expected_revision`` is not None and is not the current
        revision, nothing changes and ``StaleRevision`` is raised. ``at`` (epoch seconds,
        default now) is recorded in the history with ``author`` and ``note``.
        """

    @abstractmethod
    def revision(self) -> int:
        """The current published revision; 0 when nothing was ever published."""

    @abstractmethod
    def load(self, revision: int | None = None) -> tuple[int, str] | None:
        """``(revision, text)`` of ``revision`` (default: the current one); None when absent."""

    @abstractmethod
    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest ``limit`` publications, newest first: revision, author, note, time."""


class DraftStore(ABC):
    """The console's drafts: a guide's unpublished edit, seen by every process."""

    @abstractmethod
    def save(self, guide_id: str, draft: Mapping[str, Any], expected_version: int) -> int:
        """Store ``draft`` (JSON-able: the guide's text, its base revision, author, time) as
        ``guide_id``'s draft and return its new version.

        Compare-and-set: ``expected_version`` is the version the person edited (0: there was
        no draft); when it is not the current one nothing changes and ``StaleDraft`` is raised.
        Versions come from one counter, so a version is never reused, even after a discard.
        """

    @abstractmethod
    def load(self, guide_id: str) -> dict[str, Any] | None:
        """``guide_id``'s draft with its ``version``; None when it has none."""

    @abstractmethod
    def all(self) -> dict[str, dict[str, Any]]:
        """Every draft by guide id, each with its ``version``."""

    def __call__(self) -> dict[str, dict[str, Any]]:
        """``all()``: ``store.drafts()`` of earlier versions (deprecated)."""
        return self.all()

    @abstractmethod
    def delete(self, guide_id: str, expected_version: int) -> bool:
        """Remove the draft if it is still at ``expected_version``: True only for that caller."""


class AuditLog(ABC):
    """The console's audit log: append-only, capped (``layout.AUDIT_LIMIT``), oldest dropped."""

    @abstractmethod
    def record(self, entry: Mapping[str, Any]) -> None:
        """Append one JSON-able entry."""

    @abstractmethod
    def entries(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest ``limit`` entries, newest first."""


class PopulationIndex(ABC):
    """The population index and the per-day counters (docs/console.md "Analytics"; the
    reference rules in ``population``, the key names in ``keys``)."""

    @abstractmethod
    def note_activity(self, user_id: str, account: str | None, day: int, events: int, key_events: int) -> None:
        """Atomically apply ``population.note_activity``: the user (and ``account``, or the one
        last remembered for the user when None) active on ``day`` with ``events`` events."""

    @abstractmethod
    def count_stages(
        self, day: int, entered: Sequence[str], stays: Sequence[tuple[str, int]], user_id: str = ""
    ) -> None:
        """Atomically apply ``population.count_stages``: stages entered on ``day`` and whole
        days spent in the stages left, by ``user_id`` (Redis counts them in the user's bucket
        of the index, where ``forget`` takes them back)."""

    @abstractmethod
    def count(self, day: int, counters: Mapping[str, int]) -> None:
        """Add to per-day analytics counters (``guide_id|action`` -> n). One round trip."""

    @abstractmethod
    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        """The per-day counters for these days (missing days are empty)."""

    @abstractmethod
    def population(self, cutoff: int, since: int, limit: int) -> Population:
        """Totals, stage reach, and the newest ``limit`` dormant users and accounts (last active
        day <= ``cutoff``); an account's active users are those active on or after ``since``."""

    @abstractmethod
    def account_activity(self, account: str, days: Sequence[int], since: int, limit: int) -> AccountActivity | None:
        """One account: its row, its newest ``limit`` users and per-day counters; None if unknown."""

    @abstractmethod
    def account_days(self, accounts: Sequence[str], days: Sequence[int]) -> dict[str, dict[int, tuple[int, int, int]]]:
        """Per account, per day: (distinct active users, events, key events)."""

    @abstractmethod
    def claim_dormant_accounts(self, cutoff: int, limit: int) -> list[DormantAccount]:
        """Atomically apply ``population.claim_dormant``: each account is returned to exactly
        one caller per dormancy episode, however many processes claim at once."""

    @abstractmethod
    def active_accounts(self, since: int, limit: int) -> list[tuple[str, int]]:
        """The newest ``limit`` accounts ``(account, last active day)`` whose last active day is
        on or after ``since``, newest first (equal days: account ids descending)."""


class AccountOutcomes(ABC):
    """What is recorded once per account (docs/console.md "Account health", "Milestones"): the
    health band of the last check and the milestones reached, each a compare-and-set so one
    process of the fleet sees each change; and the counts of the events milestones name."""

    @abstractmethod
    def record_health(self, account: str, band: str, snapshot: str) -> str | None:
        """Atomically store ``band`` and ``snapshot`` (text) and return the band stored before
        (None: the account had none): a move between bands is returned to one caller."""

    @abstractmethod
    def health(self) -> dict[str, tuple[str, str]]:
        """Every account's stored ``(band, snapshot)``."""

    @abstractmethod
    def reach_milestone(self, account: str, name: str, day: int) -> bool:
        """Record milestone ``name`` reached on ``day`` unless it was: True for the one caller
        that recorded it."""

    @abstractmethod
    def milestones(self, accounts: Sequence[str]) -> dict[str, dict[str, int]]:
        """Per account: milestone -> the day it was reached (one round trip)."""

    @abstractmethod
    def add_event(self, account: str, event: str) -> int:
        """Add 1 to the account's count of ``event`` and return the new count."""

    @abstractmethod
    def event_counts(self, account: str) -> dict[str, int]:
        """The account's counts of the events added with ``add_event``."""


class LockStore(ABC):
    """Fleet-wide locks that expire by themselves (one sweep or claim at a time)."""

    @abstractmethod
    def acquire(self, name: str, seconds: int) -> bool:
        """True for the one caller that takes the lock ``name`` for ``seconds``."""


class PrivacyStore(ABC):
    """One person's data (docs/privacy.md; the pure part in ``personal``)."""

    @abstractmethod
    def stored_user(self, user_id: str) -> StoredUser:
        """Everything stored about ``user_id``: the record, the applied idempotency keys and
        the user's entries in the population index. A few round trips (the user's slot, then
        the index's); an unknown user gives an empty ``StoredUser``."""

    @abstractmethod
    def forget(self, user_id: str) -> None:
        """Delete everything stored about one user: the record, the idempotency keys and every
        index entry that names them (last active day, account, the account's member set (an
        account left without users leaves the index), the days' "counted once" sets); the
        stages they reached count one user fewer. Anonymous per-day totals stay (docs/privacy.md)."""

    @abstractmethod
    def forget_inactive(self, cutoff: int, limit: int) -> list[str]:
        """The retention sweep: ``forget`` up to ``limit`` users whose last active day in the
        index is at most ``cutoff``, oldest first, and return their ids. A user whose record
        shows activity after ``cutoff`` by then (they came back meanwhile) is kept."""


class TroubleStore(ABC):
    """Troubles kept for the follow-up (issue 16; the rules in ``troubles``): one field of the
    user's record per guide, so they are exported and forgotten with it."""

    @abstractmethod
    def note(self, user_id: str, guide_id: str, page: str, at: int, stale_before: int) -> bool:
        """Note that an error or failed-result hint of ``guide_id`` was shown on ``page`` at
        ``at`` (epoch seconds). Kept only when none is pending for that guide, or the pending
        one is from before ``stale_before``; True when noted."""

    @abstractmethod
    def change(self, user_id: str, guide_id: str, states: tuple[str, ...], new: str) -> bool:
        """Move the trouble of ``guide_id`` to the state ``new`` when it is in one of ``states``
        (``troubles.ASK_FROM``, ``ANSWER_FROM``); True for the one caller that moved it."""

    @abstractmethod
    def troubles(self, user_id: str) -> dict[str, StoredTrouble]:
        """The user's troubles by guide id."""


class _Forward(Generic[P, R]):
    """A flat method of earlier versions on ``Storage``, typed as the capability's method it
    stands for: ``store.<name>(...)`` is ``store.<capability>.<method>(...)``. A non-data
    descriptor, so a test may still replace it on one store object."""

    def __init__(self, capability: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self._capability = capability
        self._method = method.__name__

    def __get__(self, store: object, owner: type | None = None) -> Callable[P, R]:
        return cast("Callable[P, R]", getattr(getattr(store, self._capability), self._method))


class Storage(ABC):
    """One store: its capabilities as attributes, and the store-wide operations."""

    uri: str
    prefix: str
    users: UserStore
    content: ContentStore
    drafts: DraftStore
    audit: AuditLog
    index: PopulationIndex
    locks: LockStore
    privacy: PrivacyStore
    outcomes: AccountOutcomes
    troubles: TroubleStore

    @abstractmethod
    def ping(self) -> None:
        """Raise StorageError when the store is not reachable."""

    @abstractmethod
    def reset(self) -> None:
        """Delete every key under this storage's prefix (tests and demos)."""

    def close(self) -> None:  # noqa: B027 - optional hook, deliberately not abstract
        """Release connections. The default does nothing."""

    # --- the flat methods of earlier versions, kept for this version (deprecated): each is
    # ``store.<capability>.<method>``, which new code names instead.

    assign_codes = _Forward("users", UserStore.assign_codes)
    track = _Forward("users", UserStore.track)
    track_and_note = _Forward("users", UserStore.track_and_note)
    track_once = _Forward("users", UserStore.track_once)
    load = _Forward("users", UserStore.load)
    load_with_revision = _Forward("users", UserStore.load_with_revision)
    advance_stage = _Forward("users", UserStore.advance_stage)
    guide_action = _Forward("users", UserStore.guide_action)
    guide_write = _Forward("users", UserStore.guide_write)
    publish_content = _Forward("content", ContentStore.publish)
    content_revision = _Forward("content", ContentStore.revision)
    load_content = _Forward("content", ContentStore.load)
    content_history = _Forward("content", ContentStore.history)
    save_draft = _Forward("drafts", DraftStore.save)
    load_draft = _Forward("drafts", DraftStore.load)
    delete_draft = _Forward("drafts", DraftStore.delete)
    record_audit = _Forward("audit", AuditLog.record)
    audit_log = _Forward("audit", AuditLog.entries)
    note_activity = _Forward("index", PopulationIndex.note_activity)
    count_stages = _Forward("index", PopulationIndex.count_stages)
    count = _Forward("index", PopulationIndex.count)
    counters = _Forward("index", PopulationIndex.counters)
    population = _Forward("index", PopulationIndex.population)
    account_activity = _Forward("index", PopulationIndex.account_activity)
    account_days = _Forward("index", PopulationIndex.account_days)
    claim_dormant_accounts = _Forward("index", PopulationIndex.claim_dormant_accounts)
    acquire_lock = _Forward("locks", LockStore.acquire)
    stored_user = _Forward("privacy", PrivacyStore.stored_user)
    forget = _Forward("privacy", PrivacyStore.forget)
    forget_inactive = _Forward("privacy", PrivacyStore.forget_inactive)
