"""Blinker signals. The sender is always the Flask app; data comes as keyword arguments.

Signals are sent only after the store write they describe succeeded.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: An event was recorded: ``user_id``, ``event``, ``at``, ``count`` (the new total).
event_tracked = _signals.signal("onboarding.event-tracked")
#: A user entered a new stage: ``user_id``, ``old``, ``new``, ``at``. One per stage entered.
stage_changed = _signals.signal("onboarding.stage-changed")
#: The store failed and calls are now skipped until it answers: ``error``.
storage_degraded = _signals.signal("onboarding.storage-degraded")
#: The store answers again after being degraded: ``down_for`` (seconds).
storage_recovered = _signals.signal("onboarding.storage-recovered")

#: A guide was really drawn for a user: ``user_id``, ``guide_id``, ``auto`` (it opened by itself).
guide_shown = _signals.signal("onboarding.guide-shown")
#: A user dismissed a guide (gone on every device): ``user_id``, ``guide_id``.
guide_dismissed = _signals.signal("onboarding.guide-dismissed")
#: A user finished a guide (a tour's last step, a checklist): ``user_id``, ``guide_id``.
guide_completed = _signals.signal("onboarding.guide-completed")
#: "Was this helpful?": ``user_id``, ``guide_id``, ``helpful`` (bool).
guide_feedback = _signals.signal("onboarding.guide-feedback")

#: A user reached a guide's goal within its window after first seeing the guide
#: (docs/content.md "Goals"): ``user_id``, ``guide_id``, ``days`` (whole days from the first
#: sighting), ``at`` (when the event was tracked or the stage entered). Once per user and guide
#: across every process.
goal_reached = _signals.signal("onboarding.goal-reached")

#: A new content revision was published from this process: ``revision``, ``author``, ``note``.
content_published = _signals.signal("onboarding.content-published")
#: A console editor submitted a guide's draft for review (publishers are told): ``guide_id``,
#: ``version`` (the draft's), ``author`` (the editor's id), ``author_name`` (their display name,
#: ``@onboarding.console_user_name``, else the id), ``url`` (the guide's console page).
draft_submitted = _signals.signal("onboarding.draft-submitted")
#: An account's last activity became older than ONBOARDING_DORMANT_AFTER_DAYS: ``account_id``,
#: ``last_active`` (a ``date``, UTC), ``users`` (how many users the account has). Once per
#: dormancy episode across every process; again only after the account was active and went
#: dormant again.
account_dormant = _signals.signal("onboarding.account-dormant")
#: An account's health moved between bands (``healthy``, ``watch``, ``at_risk``): ``account_id``,
#: ``old``, ``new`` (bands), ``score`` (0-100), ``reason`` (the weakest components in words,
#: English). Once per move across every process (docs/console.md, "Account health").
account_health_changed = _signals.signal("onboarding.account-health-changed")
#: An account reached a milestone of ONBOARDING_MILESTONES: ``account_id``, ``milestone`` (its
#: name), ``day`` (a ``date``, UTC). Once per account and milestone across every process.
milestone_reached = _signals.signal("onboarding.milestone-reached")
#: Everything stored about a user was deleted (``Onboarding.forget``, ``flask onboarding forget``,
#: or the ONBOARDING_RETENTION_DAYS sweep): ``user_id``, ``reason`` (``"request"`` or
#: ``"retention"``). Sent after the deletion succeeded; the host deletes its own copies here.
user_forgotten = _signals.signal("onboarding.user-forgotten")
#: A user answered "No" to the follow-up after an error hint (docs/follow-ups.md), once per
#: trouble: ``user_id``, ``guide_id``, ``context`` (``guide``, ``page``, ``at``: where and when).
trouble_unresolved = _signals.signal("onboarding.trouble-unresolved")

__all__ = [
    "account_dormant",
    "account_health_changed",
    "content_published",
    "draft_submitted",
    "event_tracked",
    "goal_reached",
    "guide_completed",
    "guide_dismissed",
    "guide_feedback",
    "guide_shown",
    "milestone_reached",
    "stage_changed",
    "storage_degraded",
    "storage_recovered",
    "trouble_unresolved",
    "user_forgotten",
]
