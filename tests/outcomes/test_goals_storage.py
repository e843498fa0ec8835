"""The storage half of goals and experiments on every backend, byte for byte against the
reference rules (``GuideState.apply``, ``layout.remember_arms``): the first sighting's day, the
goal flag, arms kept from the first exposure, racing writers agreeing on one."""

from __future__ import annotations

import random

from onboarding_sdk.guide_state import GOAL, GuideState
from onboarding_sdk.storage import Storage, layout
from tests.storage.support import NOW, TODAY, in_threads


def test_guide_writes_match_the_reference_with_first_days_and_goals(storage: Storage) -> None:
    rng = random.Random(15)
    expected: dict[str, bytes] = {}
    for n in range(120):
        field = rng.choice(["g1", "g2", "g3"])
        action = rng.choice(["shown", "dismiss", "goal", "progress", "helpful"])
        day = TODAY + n // 10
        want = layout.apply_guide_action(expected, field, action, day, n % 4, 0)
        got = storage.users.guide_write("goal-user", field, action, day, n % 4, 0, now=NOW + n * 600)
        assert (got.state, got.allowed) == want
    assert storage.users.load("goal-user") == expected
    states = {field: GuideState.decode(raw) for field, raw in expected.items()}
    assert any(s.first_shown_day and s.first_shown_day < s.last_shown_day for s in states.values())
    assert any(s.flags & GOAL for s in states.values())


def test_a_state_never_shown_keeps_the_four_fields_of_earlier_versions(storage: Storage) -> None:
    assert storage.users.guide_write("old", "g1", "dismiss", TODAY, 0, 0).state == b"2,0,0,0"
    shown = storage.users.guide_write("old", "g1", "shown", TODAY + 2, 0, 0).state
    assert shown == b"3,1,%d,0,%d" % (TODAY + 2, TODAY + 2)
    # a record written by an earlier version (four fields, shown) takes its first day later
    assert GuideState.decode(b"1,3,20000,2") == GuideState(1, 3, 20000, 2, 0)


def test_arms_are_kept_from_the_first_exposure_and_racing_writers_agree(storage: Storage) -> None:
    first = storage.users.remember_arms("armed", {"exp": "holdout,20000,0", "other": "b,20000,1"})
    assert first == {"exp": ("holdout,20000,0", True), "other": ("b,20000,1", True)}
    again = storage.users.remember_arms("armed", {"exp": "treatment,20001,2"})
    assert again == {"exp": ("holdout,20000,0", False)}
    assert layout.arms_in(storage.users.load("armed")) == {"exp": "holdout,20000,0", "other": "b,20000,1"}
    results = in_threads(8, lambda i: storage.users.remember_account_arms("acme", {"exp": f"arm{i}"}))
    winners = [r["exp"] for r in results if r["exp"][1]]
    assert len(winners) == 1 and {r["exp"][0] for r in results} == {winners[0][0]}
