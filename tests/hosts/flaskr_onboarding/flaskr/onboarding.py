"""The app's Onboarding object: created once, bound to each app by create_app (init_app)."""

from __future__ import annotations

from flask import g

from onboarding_sdk import Onboarding, UserProfile

onboarding = Onboarding()


@onboarding.user_loader
def load_profile() -> UserProfile | None:
    if g.user is None:
        return None  # anonymous visitors are never tracked
    # flaskr keeps no sign-up date: onboarding counts from the user's first visit.
    return UserProfile(id=str(g.user["id"]), signed_up_at=None)
