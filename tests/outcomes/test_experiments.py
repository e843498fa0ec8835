"""Experiment assignment: deterministic, proportional, by account when asked, never by content."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from onboarding_sdk.experiments import (
    HOLDOUT,
    TREATMENT,
    Arm,
    Experiment,
    assign,
    hidden_guides,
    holdout,
    unit_of,
)


def test_a_holdout_keeps_about_its_share_of_users_away_from_the_guides() -> None:
    experiment = holdout("starter-holdout", ["how-to-start"], 0.2)
    arms = Counter(assign(experiment, unit_of(experiment, str(n), None)) for n in range(20_000))
    assert set(arms) == {HOLDOUT, TREATMENT}
    assert 0.19 <= arms[HOLDOUT] / 20_000 <= 0.21


def test_three_variants_split_by_their_weights() -> None:
    experiment = Experiment("tip-copy", (Arm("a", 1), Arm("b", 1), Arm("c", 2)), ("tip-a", "tip-b", "tip-c"))
    arms = Counter(assign(experiment, f"u:{n}") for n in range(40_000))
    assert arms["c"] / 40_000 == pytest.approx(0.5, abs=0.01)
    assert arms["a"] / 40_000 == pytest.approx(0.25, abs=0.01)


def test_assignment_is_the_same_in_another_process() -> None:
    experiment = holdout("cross-process", ["g"], 0.5)
    here = [assign(experiment, f"u:{n}") for n in range(200)]
    code = (
        "from onboarding_sdk.experiments import holdout, assign\n"
        "e = holdout('cross-process', ['g'], 0.5)\n"
        "print(','.join(assign(e, f'u:{n}') for n in range(200)))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert there.split(",") == here


def test_colleagues_share_an_arm_in_an_account_experiment() -> None:
    experiment = holdout("by-account", ["g"], 0.5, unit="account")
    for account in range(50):
        arms = {assign(experiment, unit_of(experiment, f"user-{account}-{n}", f"acct-{account}")) for n in range(6)}
        assert len(arms) == 1
    # a user without an account is a unit of one, never mistaken for an account of the same id
    assert unit_of(experiment, "7", None) == "u:7" != unit_of(experiment, "x", "7")


def test_arms_do_not_depend_on_the_guides_or_the_other_experiments() -> None:
    before = holdout("stable", ["a"], 0.3)
    after = holdout("stable", ["a", "b", "c"], 0.3)  # a content edit adds guides to it
    units = [f"u:{n}" for n in range(500)]
    assert [assign(before, u) for u in units] == [assign(after, u) for u in units]


def test_two_experiments_split_users_independently() -> None:
    first, second = holdout("one", ["a"], 0.5), holdout("two", ["b"], 0.5)
    pairs = Counter((assign(first, f"u:{n}"), assign(second, f"u:{n}")) for n in range(8000))
    assert len(pairs) == 4 and min(pairs.values()) > 1800


def test_hidden_guides_follow_the_arm() -> None:
    experiment = Experiment(
        "copy", (Arm("short", 1, ("tip-short",)), Arm("long", 1, ("tip-long",))), ("tip-short", "tip-long")
    )
    held = holdout("held", ["banner"], 0.1)
    assert hidden_guides([experiment, held], {"copy": "short", "held": HOLDOUT}) == {"tip-long", "banner"}
    assert hidden_guides([experiment, held], {"copy": "long", "held": TREATMENT}) == {"tip-short"}
    assert hidden_guides([experiment], {}) == frozenset()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: holdout("h", ["g"], 1.0), "between 0 and 1"),
        (lambda: Experiment("e", (Arm("a", 1),), ("g",)), "two arms"),
        (lambda: Experiment("e", (Arm("a", 1), Arm("a", 1)), ("g",)), "differ"),
        (lambda: Experiment("e", (Arm("a", 1), Arm("b", 0)), ("g",)), "above 0"),
        (lambda: Experiment("e", (Arm("a", 1), Arm("b", 1)), ("g",), unit="team"), "unit"),
    ],
)
def test_bad_experiments_are_refused_with_the_reason(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
