"""Engine: the domain of one app: tracking, settling stages, user state and guide actions.

It owns the store (behind its health gate), the clock and three helpers with one job each:
``content`` (content_runtime.ContentRuntime: files, published revisions, the catalog),
``dormancy`` (dormancy.Dormancy: the dormant-account check) and ``codes``
(field_codes.FieldCodes: record fields of events and guides). No Flask: ``sender`` is just
the object signals are sent from (the app).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from . import signals
from .account_outcomes import AccountOutcomes
from .conditions import Facts
from .config import Settings
from .content_runtime import ContentRuntime
from .delivery import Catalog, Situation
from .dormancy import Dormancy
from .errors import GuideNotTargeted, InvalidArgument, StorageError
from .events import unknown_event
from .experiment_runtime import ExperimentArms
from .field_codes import FieldCodes
from .goals import Goals
from .guide_state import GuideState
from .health import HealthGate
from .identity import UserProfile
from .privacy import warn_if_reused
from .stages import transitions_between
from .state import STAGES, UserState
from .storage import Storage, layout
from .timeutil import DAY, EARLIEST, Clock, as_utc, epoch_day, to_epoch

logger = logging.getLogger("onboarding_sdk")
T = TypeVar("T")
_MAX_CAS_ATTEMPTS = 8
_ACTIVITY_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class GuideResult:
    """An action on a guide: the guide's state now, whether it was allowed (False: over the
    day's attention budget) and whether it was a replay of an applied idempotency key."""

    state: GuideState
    allowed: bool
    replayed: bool = False


class Engine:
    """Per-app state and the operations on users. Thread-safe."""

    def __init__(self, sender: Any, settings: Settings, storage: Storage, clock: Clock) -> None:
        self.sender = sender  # the app: the sender of every signal (any object; no Flask here)
        self.settings = settings
        self.storage = storage
        self.clock = clock
        self.gate = HealthGate.from_settings(settings)
        self._activity_seen: dict[str, int] = {}
        self.content = ContentRuntime(settings, self)
        self.dormancy = Dormancy(settings, self)
        self.accounts = AccountOutcomes(self)  # account health bands and milestones
        self.goals = Goals(self)  # guides' goals and experiments' per-arm figures
        self.arms = ExperimentArms(self)  # experiment arms: stored at exposure, hide other arms' guides
        # The store is looked up per call: a caller may swap it (render_check's throwaway store).
        self.codes = FieldCodes(
            lambda kind, names: self.call_store(lambda: self.storage.assign_codes(kind, names)), settings.events
        )

    @property
    def catalog(self) -> Catalog:
        """The compiled content served now (``content.catalog``); read it once per decision."""
        return self.content.catalog

    # --- moved to content_runtime; a deprecated alias for this version -------------------

    def publish(self, text: str, expected_revision: int | None, author: str, note: str = "") -> int:
        """Deprecated: ``engine.content.publish`` (docs/content.md)."""
        _moved_to("publish", "content.publish")
        return self.content.publish(text, expected_revision, author, note)

    # --- time and storage guard ---------------------------------------------------

    def now(self) -> datetime:
        return as_utc(self.clock())

    def call_store(self, operation: Callable[[], T]) -> T:
        """Run one storage call through the health gate; raise StorageError when skipped or failed."""
        if not self.gate.allow():
            raise StorageError("storage is degraded; skipping the call until the next probe")
        try:
            result = operation()
        except StorageError as exc:
            if self.gate.failed():
                logger.error("onboarding storage failed, degrading: %s", exc)
                signals.storage_degraded.send(self.sender, error=exc)
            raise
        down_for = self.gate.succeeded()
        if down_for is not None:
            logger.warning("onboarding storage recovered after %.1f s", down_for)
            signals.storage_recovered.send(self.sender, down_for=down_for)
        return result

    def decode(self, user_id: str, record: layout.Record, now: datetime) -> UserState:
        guides = self.codes.guides(self.catalog.guides)
        state = layout.decode_user(user_id, record, self.codes.events().names, guides.names)
        if state.is_dormant(now, self.settings.dormant_after_days):
            return replace(state, dormant=True)  # copying the state costs; most users are not dormant
        return state

    # --- operations -------------------------------------------------------------------

    def track(
        self, user_id: str, event: str | None, at: datetime | None = None, profile: UserProfile | None = None
    ) -> UserState:
        """Record ``event`` (None: activity only) at ``at`` and settle the user's stage there."""
        if event is not None and event not in self.settings.events:
            raise unknown_event(event, self.settings.events)
        when = self.now() if at is None else as_utc(at)
        if when < EARLIEST:
            raise InvalidArgument(f"at={when.isoformat()} is before 2000-01-01; is it a unit mistake?")
        field = self.codes.events().fields[event] if event is not None else None
        # No sign-up date (None): nothing is stored, and the user's first activity stands in.
        signup = to_epoch(profile.signed_up_at) if profile is not None and profile.signed_up_at is not None else None
        account = profile.account_id if profile is not None else None
        events = 0 if event is None else 1
        key = 1 if event is not None and self.settings.events[event].key else 0
        # The user's record and the population index (another slot), in one round trip.
        record = self.call_store(
            lambda: self.storage.track_and_note(user_id, field, to_epoch(when), signup, account, events, key)
        )
        warn_if_reused(self, user_id, record, signup)
        state = self.decode(user_id, record, when)
        if event is not None:
            signals.event_tracked.send(self.sender, user_id=user_id, event=event, at=when, count=state.count(event))
            self.accounts.on_event(account, event, when)  # milestones this event decides (usually none)
            self.goals.on_event(state, event, when)  # goals this event reaches (usually none pending)
        return self.settle(state, when, profile)

    def record_activity(self, profile: UserProfile) -> None:
        """An active day for a signed-in user: one store write per user per day per process."""
        now = self.now()
        today = epoch_day(to_epoch(now))
        if self._activity_seen.get(profile.id) == today:
            return
        self.track(profile.id, None, now, profile)
        if len(self._activity_seen) > _ACTIVITY_CACHE_LIMIT:
            self._activity_seen.clear()
        self._activity_seen[profile.id] = today

    def forget_cached(self, user_id: str) -> None:
        """Drop what this process remembers of a forgotten user (today's recorded activity), so
        that their next request records them afresh."""
        self._activity_seen.pop(user_id, None)

    def state_of(self, user_id: str, profile: UserProfile | None = None, now: datetime | None = None) -> UserState:
        """Load a user (one round trip) and settle their stage at ``now``."""
        when = self.now() if now is None else as_utc(now)
        return self.settle(self.decode(user_id, self._load(user_id), when), when, profile)

    def situation(self, profile: UserProfile, now: datetime | None = None, *, read_only: bool = False) -> Situation:
        """Everything resolution needs about a user, in one storage round trip.

        ``read_only`` (the console's preview-as, whose profile is made up in a form): the stage
        the rules reach is computed but never written, so no transition is recorded or signalled.
        """
        when = self.now() if now is None else as_utc(now)
        record = self._load(profile.id)
        state = self.decode(profile.id, record, when)
        state = self.reachable_stage(state, when, profile) if read_only else self.settle(state, when, profile)
        guides = {gid: GuideState.decode(raw) for gid, raw in state.guides.items()}
        arms = self.arms.of(profile, state)  # from the record: no store call
        if arms.arms and not read_only:
            arms = self.arms.expose(state, arms, when, profile.account_id)  # a write at first exposure only
        return Situation(
            profile,
            state,
            guides,
            when,
            layout.budget_used(record, epoch_day(to_epoch(when))),
            self.settings.dormant_after_days,
            arms.hidden,
            arms.arms,
        )

    def guide_action(
        self, profile: UserProfile, guide_id: str, action: str, value: int = 0, auto: bool = False
    ) -> tuple[GuideState, bool]:
        """Record a user's action on a guide; an auto-open ``shown`` spends today's budget.

        Returns the new state and whether the action was allowed (False: over budget). Host
        code is trusted: no targeting check (the API's ``act_on_guide`` makes one).
        """
        result = self.act_on_guide(profile, guide_id, action, value=value, auto=auto)
        return result.state, result.allowed

    def act_on_guide(
        self,
        profile: UserProfile,
        guide_id: str,
        action: str,
        *,
        value: int = 0,
        auto: bool = False,
        key: str | None = None,
        targeted_only: bool = False,
        situation: Situation | None = None,
    ) -> GuideResult:
        """``guide_action`` exactly once and counted once (docs/widget-contract.md).

        ``key``: the request's idempotency key; a key this user already applied writes nothing
        and answers the current state (``replayed``). ``targeted_only`` (the API): raise
        GuideNotTargeted when resolution would give the user this guide on no page, or not now
        (stage, schedule, condition; how often it was shown does not matter: a guide seen once
        still takes its dismissal and feedback). ``situation``: the user's, when the caller has it.
        The analytics counter ``guide_id|action`` counts each user once per day.
        """
        catalog = self.catalog  # one view, should a publication swap it meanwhile
        field = self.codes.guides(catalog.guides).fields[guide_id]
        now = self.now()
        day = epoch_day(to_epoch(now))
        guide = catalog.get(guide_id)
        budgeted = auto and action == "shown" and guide is not None and guide.budgeted
        limit = 0
        if targeted_only or budgeted:
            situation = situation or self.situation(profile, now)  # the one read, for both checks
            if targeted_only and guide is not None:
                reason = catalog.refusal(guide, situation)
                if reason is not None:
                    raise GuideNotTargeted(guide_id, reason)
            if budgeted:
                limit = catalog.budget.get(situation.user.stage, 1)
                # Spent already: no write. With a key, the store decides (it may be a replay).
                if limit == 0 or (key is None and situation.budget_used >= limit):
                    return GuideResult(situation.state_of(guide_id), False)
        # a tour's progress counts the step reached (its drop-off, docs/console.md "Outcomes")
        counter = f"{guide_id}|step{value}" if action == "progress" else f"{guide_id}|{action}"
        write = self.call_store(
            lambda: self.storage.guide_write(
                profile.id, field, action, day, value, limit, key=key, now=to_epoch(now), counter=counter
            )
        )
        state = GuideState.decode(write.state)
        if write.allowed and not write.replayed:
            if action == "shown" and state.impressions == 1:
                self.goals.first_sighting(guide_id, day)  # the goal's "shown (users)"
            self._announce(profile.id, guide_id, action, auto)
        return GuideResult(state, write.allowed, write.replayed)

    def track_once(self, profile: UserProfile, event: str, key: str) -> tuple[UserState, bool]:
        """``track(event)`` for the widget's POST with idempotency ``key``: a key this user already
        applied records nothing again (no signal) and returns (current state, True)."""
        if event not in self.settings.events:
            raise unknown_event(event, self.settings.events)
        when = self.now()
        field = self.codes.events().fields[event]
        signup = to_epoch(profile.signed_up_at) if profile.signed_up_at is not None else None
        key_event = 1 if self.settings.events[event].key else 0
        record, replayed = self.call_store(
            lambda: self.storage.track_once(
                profile.id, field, to_epoch(when), signup, profile.account_id, 1, key_event, key
            )
        )
        warn_if_reused(self, profile.id, record, signup)
        state = self.decode(profile.id, record, when)
        if not replayed:
            signals.event_tracked.send(self.sender, user_id=profile.id, event=event, at=when, count=state.count(event))
            self.accounts.on_event(profile.account_id, event, when)
            self.goals.on_event(state, event, when)
        return self.settle(state, when, profile), replayed

    def _announce(self, user_id: str, guide_id: str, action: str, auto: bool) -> None:
        if action == "shown":
            signals.guide_shown.send(self.sender, user_id=user_id, guide_id=guide_id, auto=auto)
        elif action == "dismiss":
            signals.guide_dismissed.send(self.sender, user_id=user_id, guide_id=guide_id)
        elif action == "complete":
            signals.guide_completed.send(self.sender, user_id=user_id, guide_id=guide_id)
        elif action in ("helpful", "not_helpful"):
            signals.guide_feedback.send(self.sender, user_id=user_id, guide_id=guide_id, helpful=action == "helpful")

    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        return self.call_store(lambda: self.storage.counters(days))

    def reachable_stage(self, state: UserState, at: datetime, profile: UserProfile | None) -> UserState:
        """``state`` in the stage its rules reach at ``at``, in memory only (nothing is written)."""
        if state.is_new:
            return state
        return _moved(state, self._target(state, at, profile), at)

    def settle(self, state: UserState, at: datetime, profile: UserProfile | None) -> UserState:
        """Move the user to the stage their rules reach, once, however many processes race.

        The store's compare-and-set lets exactly one caller record each transition; that
        caller alone sends ``stage_changed``. A loser re-reads and tries from there.
        """
        if state.is_new:
            return state
        for _ in range(_MAX_CAS_ATTEMPTS):
            current = state.stage_index
            target = self._target(state, at, profile)
            if target == current:
                return state
            times = {index: to_epoch(at) for index in range(current + 1, target + 1)}
            if self._advance(state.user_id, current, target, times):
                self._count_stages(state, current, target, at)
                self.goals.on_stage(state, current, target, at)
                for step in transitions_between(state.user_id, current, target, at):
                    signals.stage_changed.send(
                        self.sender, user_id=step.user_id, old=step.old, new=step.new, at=step.at
                    )
                return _moved(state, target, at)
            state = self.decode(state.user_id, self._load(state.user_id), at)
        logger.warning("stage of user %s still contended after %d attempts", state.user_id, _MAX_CAS_ATTEMPTS)
        return state

    def _target(self, state: UserState, at: datetime, profile: UserProfile | None) -> int:
        """The stage index the rules reach for ``state`` at ``at`` (never below the current one)."""
        facts = Facts(state, profile, at, self.settings.dormant_after_days)
        return self.settings.stage_model.target(state.stage_index, facts)

    def _count_stages(self, state: UserState, current: int, target: int, at: datetime) -> None:
        """For the analytics funnel (only the compare-and-set winner gets here): the stages
        entered and the whole days spent in each stage left (0 for stages passed at once)."""
        entered = [STAGES[i] for i in range(current + 1, target + 1)]
        stays: list[tuple[str, int]] = []
        since = state.stage_entered.get(STAGES[current])
        if since is not None:
            stays.append((STAGES[current], max(0, (to_epoch(at) - to_epoch(since)) // DAY)))
        stays += [(STAGES[i], 0) for i in range(current + 1, target)]
        day = epoch_day(to_epoch(at))
        try:
            self.call_store(lambda: self.storage.count_stages(day, entered, stays, state.user_id))
        except StorageError as exc:  # the stage itself is recorded; only the funnel misses it
            logger.warning("stage move of user %s not counted for the funnel: %s", state.user_id, exc)

    def _advance(self, user_id: str, current: int, target: int, times: dict[int, int]) -> bool:
        return self.call_store(lambda: self.storage.advance_stage(user_id, current, target, times))

    def _load(self, user_id: str) -> layout.Record:
        # The content revision rides along with the user's record: no extra round trip.
        record, revision = self.call_store(lambda: self.storage.load_with_revision(user_id))
        self.content.observe(revision)
        return record


def _moved(state: UserState, target: int, at: datetime) -> UserState:
    """``state`` in stage ``target``, every stage passed on the way entered at ``at``."""
    if target == state.stage_index:
        return state
    entered = dict(state.stage_entered)
    entered.update({STAGES[i]: at for i in range(state.stage_index + 1, target + 1)})
    return replace(state, stage=STAGES[target], stage_entered=entered)


def _moved_to(old: str, new: str) -> None:
    warnings.warn(f"Engine.{old} is deprecated: use engine.{new}", DeprecationWarning, stacklevel=3)
