"""The console's outcome statistics against published values and simulated truth."""

from __future__ import annotations

import random

import pytest

from onboarding_sdk import stats


def test_wilson_matches_the_published_interval_for_8_of_10() -> None:
    interval = stats.wilson(8, 10)
    assert interval is not None
    assert interval.value == pytest.approx(0.8)
    assert (interval.low, interval.high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_wilson_stays_inside_zero_and_one_at_the_extremes() -> None:
    none, every = stats.wilson(0, 12), stats.wilson(12, 12)
    assert none is not None and every is not None
    assert none.low == 0.0 and 0 < none.high < 0.3
    assert every.high == 1.0 and 0.7 < every.low < 1


def test_wilson_of_no_trials_is_none_and_impossible_counts_are_refused() -> None:
    assert stats.wilson(0, 0) is None
    for successes, trials in ((3, 2), (-1, 4), (0, -1)):
        with pytest.raises(ValueError, match="successes"):
            stats.wilson(successes, trials)


def test_wilson_covers_the_true_rate_about_95_percent_of_the_time() -> None:
    rng = random.Random(15)
    true_rate, trials, covered, samples = 0.12, 80, 0, 4000
    for _ in range(samples):
        successes = sum(rng.random() < true_rate for _ in range(trials))
        interval = stats.wilson(successes, trials)
        assert interval is not None
        covered += interval.low <= true_rate <= interval.high
    assert 0.93 <= covered / samples <= 0.975


def test_difference_matches_newcombes_worked_example() -> None:
    # Newcombe (1998), method 10: 56/70 against 48/80.
    interval = stats.difference(48, 80, 56, 70)
    assert interval is not None
    assert interval.value == pytest.approx(56 / 70 - 48 / 80)
    assert (interval.low, interval.high) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_a_difference_of_equal_arms_straddles_zero_and_empty_arms_give_none() -> None:
    interval = stats.difference(30, 100, 30, 100)
    assert interval is not None and interval.low < 0 < interval.high
    assert stats.difference(0, 0, 3, 10) is None


def test_nps_counts_the_three_groups_and_scores_in_points() -> None:
    result = stats.nps([10, 9, 9, 8, 7, 6, 0, 10, 3, 5])
    assert (result.promoters, result.passives, result.detractors) == (4, 2, 4)
    assert result.answers == 10
    assert result.score is not None and result.score.value == pytest.approx(0.0)
    assert result.score.low < 0 < result.score.high


def test_nps_of_all_promoters_is_100_and_the_interval_never_leaves_the_scale() -> None:
    result = stats.nps([9, 10] * 20)
    assert result.score is not None
    assert result.score.value == pytest.approx(100.0)
    assert -100 <= result.score.low <= result.score.high <= 100


def test_nps_without_answers_has_no_score_and_refuses_answers_off_the_scale() -> None:
    assert stats.nps([]).score is None
    with pytest.raises(ValueError, match="0 to 10"):
        stats.nps([11])


def test_nps_interval_narrows_as_answers_grow() -> None:
    small, large = stats.nps([10, 3, 8] * 10).score, stats.nps([10, 3, 8] * 200).score
    assert small is not None and large is not None
    assert (large.high - large.low) < (small.high - small.low) / 4


def test_mean_interval_and_median() -> None:
    interval = stats.mean_interval([4, 5, 3, 5, 4])
    assert interval is not None and interval.value == pytest.approx(4.2)
    assert interval.low < 4.2 < interval.high
    assert stats.mean_interval([]) is None
    assert stats.median([3, 1, 2]) == 2 and stats.median([4, 1, 3, 2]) == 2.5 and stats.median([]) is None


def test_enough_data_needs_both_users_and_conversions() -> None:
    assert not stats.enough_data(stats.MIN_USERS - 1, 40)
    assert not stats.enough_data(500, stats.MIN_CONVERSIONS - 1)
    assert stats.enough_data(stats.MIN_USERS, stats.MIN_CONVERSIONS)
