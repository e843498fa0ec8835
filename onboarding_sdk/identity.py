"""UserProfile: who the current user is, as the host application tells us."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import InvalidProfile
from .timeutil import as_utc


@dataclass(frozen=True, slots=True)
class UserProfile:
    """What the host's ``@onboarding.user_loader`` returns for a signed-in user.

    ``id`` is the host's user id as a string; ``signed_up_at`` the sign-up time
    (naive datetimes are taken as UTC), or None when the app has no sign-up date: the user's
    sign-up is then the first time onboarding_sdk saw them (their first recorded activity,
    kept in the store). The other fields feed targeting rules.
    """

    id: str
    signed_up_at: datetime | None = None
    role: str | None = None
    plan: str | None = None
    locale: str | None = None
    account_id: str | None = None
    traits: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidProfile("UserProfile.id must be a non-empty string")
        if self.signed_up_at is None:
            return
        if not isinstance(self.signed_up_at, datetime):
            raise InvalidProfile("UserProfile.signed_up_at must be a datetime or None")
        object.__setattr__(self, "signed_up_at", as_utc(self.signed_up_at))
