"""Engine: one app's runtime (settings, store, clock) and the tracking logic. No Flask.

The Flask glue in ``extension.py`` finds the current app's Engine in
``app.extensions["onboarding"]`` and calls it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from . import signals
from .conditions import Facts
from .config import Settings
from .content.errors import ContentError, ContentProblem
from .content.model import GuideSpec
from .delivery import Catalog, Situation
from .errors import GuideNotTargeted, InvalidArgument, StorageError
from .events import unknown_event
from .guide_state import GuideState
from .health import HealthGate
from .identity import UserProfile
from .privacy import warn_if_reused
from .stages import transitions_between
from .state import STAGES, UserState
from .storage import Storage, layout
from .storage.population import DormantAccount
from .timeutil import DAY, EARLIEST, Clock, as_utc, epoch_day, to_epoch

if TYPE_CHECKING:
    from .content.limits import ContentLimits

logger = logging.getLogger("onboarding_sdk")
T = TypeVar("T")
_MAX_CAS_ATTEMPTS = 8
_ACTIVITY_CACHE_LIMIT = 50_000
_DORMANT_CLAIM_BATCH = 500
_DORMANT_CLAIM_ROUNDS = 100
_EPOCH_DATE = date(1970, 1, 1)


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
        self.sender = sender  # the Flask app: the sender of every signal
        self.extension: Any = None  # the Onboarding object whose callbacks serve this app (set by init_app)
        self.settings = settings
        self.storage = storage
        self.clock = clock
        self.gate = HealthGate.from_settings(settings)
        self._codes_lock = threading.Lock()
        self._event_fields: dict[str, str] | None = None
        self._field_events: dict[str, str] = {}
        self._guide_fields: dict[str, str] | None = None
        self._field_guides: dict[str, str] = {}
        self._activity_seen: dict[str, int] = {}
        self.monotonic: Callable[[], float] = time.monotonic  # the dormancy check's interval clock
        self._next_dormant_check = 0.0
        self._dormant_lock = threading.Lock()
        self.content_errors: list[ContentProblem] = []  # of the files, at the last load_files
        # Published content in the store wins over ONBOARDING_CONTENT files. The store's
        # revision comes back with every user load; 0 means "nothing published: use files".
        self.content_revision = 0
        self._file_specs: tuple[GuideSpec, ...] = ()
        self._content_lock = threading.Lock()
        self.url_cache: dict[str, dict[str, str]] = {}  # script root -> the blueprint's fixed URLs
        self.locale_cache: dict[str, dict[str, Any]] = {}  # locale -> the payload's per-locale parts
        self.theme_cache: dict[tuple[str | None, str | None], dict[str, Any]] = {}  # (account, plan) -> theme
        self.anchors: dict[str, set[str]] = {}  # endpoint -> anchor keys seen in rendered templates
        self.catalog = Catalog(
            (),
            events=settings.events,
            budget=settings["ONBOARDING_ATTENTION_BUDGET"],
            changelog_new_user_limit=settings["ONBOARDING_CHANGELOG_NEW_USER_LIMIT"],
        )

    def load_files(self, paths: Sequence[str]) -> list[ContentProblem]:
        """Load content files into a new catalog and return their problems.

        A problem drops only the guide it is about (or a file that cannot be read as a whole):
        every valid guide is served. The caller logs the problems (or, strict, raises).
        """
        if not paths:
            return []
        from .content.loader import read_content  # parsers load at start-up, not on import

        report = read_content(
            paths,
            events=list(self.settings.events),
            default_locale=self.settings["ONBOARDING_DEFAULT_LOCALE"],
            limits=self.content_limits(),
        )
        self._file_specs = report.guides
        if self.content_revision == 0:
            self.use_content(report.guides, "files")
        self.content_errors = list(report.problems)
        return self.content_errors

    def content_limits(self) -> ContentLimits:
        from .content.limits import ContentLimits

        return ContentLimits(
            max_bytes=self.settings["ONBOARDING_CONTENT_MAX_BYTES"],
            max_guides=self.settings["ONBOARDING_CONTENT_MAX_GUIDES"],
        )

    def parse_content(self, text: str, name: str = "published.yaml") -> tuple[GuideSpec, ...]:
        """Validate a whole content file's text, all or nothing (a publication): raise
        ContentError listing every problem, size and guide-count limits included."""
        from .content.loader import load_content_text  # parsers load with the first publication

        return load_content_text(
            text,
            name,
            events=list(self.settings.events),
            default_locale=self.settings["ONBOARDING_DEFAULT_LOCALE"],
            limits=self.content_limits(),
        )

    def publish(self, text: str, expected_revision: int | None, author: str, note: str = "") -> int:
        """Validate and publish a content set for every process; return the new revision.

        Raises ContentError (nothing published) or StaleRevision (someone published first).
        """
        self.parse_content(text)
        when = to_epoch(self.now())
        revision = self.call_store(lambda: self.storage.publish_content(text, expected_revision, author, note, when))
        try:
            self.sync_content(revision)
        except StorageError as exc:  # published all the same; the next user load syncs
            logger.warning("onboarding published revision %d but could not reload it: %s", revision, exc)
        signals.content_published.send(self.sender, revision=revision, author=author, note=note)
        return revision

    def refresh_content(self) -> None:
        """Serve the store's current revision, for a read that loads no user to bring it along
        (an anonymous visitor's validation hints). One small read; a storage error keeps the
        current catalog."""
        try:
            revision = self.call_store(self.storage.content_revision)
            if revision != self.content_revision:
                self.sync_content(revision)
        except StorageError as exc:
            logger.warning("onboarding could not check the published content revision: %s", exc)

    def sync_content(self, revision: int) -> None:
        """Serve the store's ``revision`` (called when a user load reports a new one).

        One extra read per process per revision. Broken stored content (published by an
        older version, say) is logged and skipped: the current catalog stays.
        """
        with self._content_lock:
            if revision == self.content_revision or 0 < revision < self.content_revision:
                return  # already served, or a racing thread's older view
            if revision == 0:  # the store was emptied (tests, demos): back to the files
                self.use_content(self._file_specs, "files")
                self.content_revision = 0
                return
            found = self.call_store(lambda: self.storage.load_content(revision))
            if found is None:
                logger.error("onboarding content revision %d is missing from the store", revision)
                self.content_revision = revision
                return
            try:
                specs = self.parse_content(found[1], f"published-r{revision}.yaml")
            except ContentError as exc:
                for problem in exc.errors:
                    logger.error("onboarding published content r%d: %s", revision, problem)
                self.content_revision = revision
                return
            self.use_content(specs, f"r{revision}")
            self.content_revision = revision

    def use_content(self, specs: Sequence[GuideSpec], revision: str) -> None:
        """Compile content into a new catalog and switch to it (atomically for readers)."""
        catalog = Catalog(
            specs,
            events=self.settings.events,
            revision=revision,
            budget=self.settings["ONBOARDING_ATTENTION_BUDGET"],
            changelog_new_user_limit=self.settings["ONBOARDING_CHANGELOG_NEW_USER_LIMIT"],
        )
        with self._codes_lock:
            self.catalog = catalog
            self._guide_fields = None  # new ids need codes; asked for on first use

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

    # --- codes ----------------------------------------------------------------------

    def event_fields(self) -> dict[str, str]:
        """Declared event name -> record field, asking the store for codes once."""
        if self._event_fields is None:
            with self._codes_lock:
                if self._event_fields is None:
                    names = list(self.settings.events)
                    codes = self.call_store(lambda: self.storage.assign_codes("e", names)) if names else {}
                    fields = {name: layout.event_field(code) for name, code in codes.items()}
                    self._field_events = {f: n for n, f in fields.items()}
                    self._event_fields = fields
        return self._event_fields

    def guide_fields(self) -> dict[str, str]:
        """Guide id -> record field for the current catalog, asking the store for codes once."""
        fields = self._guide_fields
        if fields is None:
            with self._codes_lock:
                if self._guide_fields is None:
                    ids = list(self.catalog.guides)
                    codes = self.call_store(lambda: self.storage.assign_codes("g", ids)) if ids else {}
                    new = {gid: layout.guide_field(code) for gid, code in codes.items()}
                    self._field_guides = {f: g for g, f in new.items()}
                    self._guide_fields = new
                fields = self._guide_fields
        return fields

    def decode(self, user_id: str, record: layout.Record, now: datetime) -> UserState:
        self.event_fields()
        self.guide_fields()
        state = layout.decode_user(user_id, record, self._field_events, self._field_guides)
        if state.is_dormant(now, self.settings["ONBOARDING_DORMANT_AFTER_DAYS"]):
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
        field = self.event_fields()[event] if event is not None else None
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
        return Situation(
            profile,
            state,
            guides,
            when,
            layout.budget_used(record, epoch_day(to_epoch(when))),
            self.settings["ONBOARDING_DORMANT_AFTER_DAYS"],
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
        field = self.guide_fields()[guide_id]
        now = self.now()
        day = epoch_day(to_epoch(now))
        guide = self.catalog.get(guide_id)
        budgeted = auto and action == "shown" and guide is not None and guide.budgeted
        limit = 0
        if targeted_only or budgeted:
            situation = situation or self.situation(profile, now)  # the one read, for both checks
            if targeted_only and guide is not None:
                reason = self.catalog.refusal(guide, situation)
                if reason is not None:
                    raise GuideNotTargeted(guide_id, reason)
            if budgeted:
                limit = self.catalog.budget.get(situation.user.stage, 1)
                # Spent already: no write. With a key, the store decides (it may be a replay).
                if limit == 0 or (key is None and situation.budget_used >= limit):
                    return GuideResult(situation.state_of(guide_id), False)
        counter = f"{guide_id}|{action}"
        write = self.call_store(
            lambda: self.storage.guide_write(
                profile.id, field, action, day, value, limit, key=key, now=to_epoch(now), counter=counter
            )
        )
        if write.allowed and not write.replayed:
            self._announce(profile.id, guide_id, action, auto)
        return GuideResult(GuideState.decode(write.state), write.allowed, write.replayed)

    def track_once(self, profile: UserProfile, event: str, key: str) -> tuple[UserState, bool]:
        """``track(event)`` for the widget's POST with idempotency ``key``: a key this user already
        applied records nothing again (no signal) and returns (current state, True)."""
        if event not in self.settings.events:
            raise unknown_event(event, self.settings.events)
        when = self.now()
        field = self.event_fields()[event]
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
        facts = Facts(state, profile, at, self.settings["ONBOARDING_DORMANT_AFTER_DAYS"])
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

    # --- dormant accounts -------------------------------------------------------------------

    def dormant_cutoff(self, now: datetime | None = None) -> int:
        """The last UTC day number that counts as dormant today: a user or account whose last
        active day is at most this one had no activity for ONBOARDING_DORMANT_AFTER_DAYS days."""
        today = epoch_day(to_epoch(self.now() if now is None else as_utc(now)))
        return today - int(self.settings["ONBOARDING_DORMANT_AFTER_DAYS"])

    def check_dormant_accounts(self) -> list[DormantAccount]:
        """Claim the accounts that went dormant since the last check (by any process) and send
        ``account_dormant`` for each; return them. Raises StorageError.

        The claim is atomic in the store, so each dormancy episode is announced once across
        the fleet, however many processes check at once. A receiver that raises is logged and
        the other accounts are still announced.
        """
        cutoff = self.dormant_cutoff()
        found: list[DormantAccount] = []
        for _ in range(_DORMANT_CLAIM_ROUNDS):
            batch = self.call_store(lambda: self.storage.claim_dormant_accounts(cutoff, _DORMANT_CLAIM_BATCH))
            found += batch
            for account in batch:
                try:
                    signals.account_dormant.send(
                        self.sender,
                        account_id=account.account_id,
                        last_active=day_date(account.last_day),
                        users=account.users,
                    )
                except Exception:
                    logger.exception("an account_dormant receiver failed for account %s", account.account_id)
            if len(batch) < _DORMANT_CLAIM_BATCH:
                break
        return found

    def dormant_check_due(self) -> bool:
        """True at most once per ONBOARDING_DORMANT_CHECK_INTERVAL seconds in this process
        (never when it is 0). Costs no I/O."""
        interval = float(self.settings["ONBOARDING_DORMANT_CHECK_INTERVAL"])
        if interval <= 0 or self.monotonic() < self._next_dormant_check:
            return False
        with self._dormant_lock:
            now = self.monotonic()
            if now < self._next_dormant_check:
                return False
            self._next_dormant_check = now + interval
            return True

    def run_dormant_check(self) -> list[DormantAccount] | None:
        """The opportunistic check: only the process that takes the fleet-wide lock (held for
        one interval) checks; None when another one has it."""
        interval = int(self.settings["ONBOARDING_DORMANT_CHECK_INTERVAL"])
        if not self.call_store(lambda: self.storage.acquire_lock("dormant-check", max(1, interval))):
            return None
        return self.check_dormant_accounts()

    def _advance(self, user_id: str, current: int, target: int, times: dict[int, int]) -> bool:
        return self.call_store(lambda: self.storage.advance_stage(user_id, current, target, times))

    def _load(self, user_id: str) -> layout.Record:
        # The content revision rides along with the user's record: no extra round trip.
        record, revision = self.call_store(lambda: self.storage.load_with_revision(user_id))
        if revision != self.content_revision:
            try:
                self.sync_content(revision)
            except StorageError as exc:  # keep serving the current catalog; retried next request
                logger.warning("onboarding could not load content revision %d: %s", revision, exc)
        return record


def day_date(day: int) -> date:
    """A UTC day number (days since 1970-01-01) as a date."""
    return _EPOCH_DATE + timedelta(days=day)


def _moved(state: UserState, target: int, at: datetime) -> UserState:
    """``state`` in stage ``target``, every stage passed on the way entered at ``at``."""
    if target == state.stage_index:
        return state
    entered = dict(state.stage_entered)
    entered.update({STAGES[i]: at for i in range(state.stage_index + 1, target + 1)})
    return replace(state, stage=STAGES[target], stage_entered=entered)
