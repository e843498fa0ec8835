"""The exceptions onboarding_sdk raises. All derive from OnboardingError."""

from __future__ import annotations


class OnboardingError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigurationError(OnboardingError):
    """A config value is missing or malformed; the message names the key."""


class UnknownEvent(OnboardingError):
    """track() was given an event name that ONBOARDING_EVENTS does not declare.

    ``event``: the name given; ``suggestions``: the closest declared names (the message names them too).
    """

    def __init__(self, message: str, *, event: str | None = None, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.event = event
        self.suggestions = suggestions


class InvalidArgument(OnboardingError, ValueError):
    """A public call was given a value it cannot use: a mistake in the calling code.

    Also a ValueError, as these errors were before they derived from OnboardingError."""


class InvalidProfile(OnboardingError, TypeError):
    """A UserProfile was built from unusable values, or the user loader returned something else.

    Also a TypeError, as these errors were before they derived from OnboardingError."""


class StorageError(OnboardingError):
    """The store could not be reached or answered with an error."""


class NoUserLoader(OnboardingError):
    """The current user was needed but no @onboarding.user_loader is registered."""


class NoCurrentUser(OnboardingError):
    """track() without user_id was called outside a request or for an anonymous visitor."""


class StaleRevision(OnboardingError):
    """A content publication was based on a revision that is no longer the current one."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"the content was changed by someone else: you edited revision {expected}, "
            f"the published revision is now {current}"
        )
        self.expected = expected
        self.current = current


class StaleDraft(OnboardingError):
    """A draft was saved, published or discarded based on a version that is no longer its current one."""

    def __init__(self, guide_id: str, expected: int, current: int) -> None:
        if current == 0:
            what = "it was published or discarded since"
        elif expected == 0:
            what = "someone saved one since you opened the guide"
        else:
            what = "someone saved a newer version since you opened it"
        super().__init__(f"the draft of {guide_id!r} changed: {what}")
        self.guide_id = guide_id
        self.expected = expected
        self.current = current


class GuideNotTargeted(OnboardingError):
    """An action on a guide the user is not targeted by: not in their stage (``reason``
    ``"stage"``), outside its schedule (``"schedule"``), its condition does not hold
    (``"condition"``) or the user's experiment arm does not show it (``"experiment"``). The API
    answers 404 ``not_targeted``."""

    def __init__(self, guide_id: str, reason: str) -> None:
        super().__init__(f"guide {guide_id!r} is not shown to this user ({reason})")
        self.guide_id = guide_id
        self.reason = reason
