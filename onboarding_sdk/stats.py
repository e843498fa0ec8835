"""Small statistics for the console's outcome figures: conversion rates, experiment arms, NPS.

Pure: no Flask, no store. Intervals are 95% by default. Below ``MIN_USERS`` users (or
``MIN_CONVERSIONS`` conversions) a figure is reported as "not enough data yet" rather than as
an interval too wide to read: a product team acting on 3 of 7 users is worse off than one told
to wait.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
#: An arm or a guide needs this many users before its conversion rate is shown as a figure.
MIN_USERS = 50
#: ... and this many conversions in total, so a rate of 0 is not read as "it does nothing".
MIN_CONVERSIONS = 5


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float


def enough_data(users: int, conversions: int) -> bool:
    """Whether a conversion figure over ``users`` is worth showing (see ``MIN_USERS``)."""
    return users >= MIN_USERS and conversions >= MIN_CONVERSIONS


def wilson(successes: int, trials: int, z: float = Z95) -> Interval | None:
    """The share ``successes / trials`` with its Wilson score interval; None for no trials.

    Wilson rather than the normal approximation: it stays inside [0, 1] and is honest at the
    small counts and extreme rates onboarding figures often have.
    """
    _check_counts(successes, trials)
    if trials == 0:
        return None
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # at 0 or every trial the bound is exact; the formula leaves a rounding crumb there
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(p, low, high)


def difference(successes_a: int, trials_a: int, successes_b: int, trials_b: int, z: float = Z95) -> Interval | None:
    """Rate of B minus rate of A with Newcombe's hybrid score interval; None if either is empty.

    An experiment arm against its control: an interval that excludes 0 means a difference.
    """
    a = wilson(successes_a, trials_a, z)
    b = wilson(successes_b, trials_b, z)
    if a is None or b is None:
        return None
    diff = b.value - a.value
    low = diff - math.sqrt((b.value - b.low) ** 2 + (a.high - a.value) ** 2)
    high = diff + math.sqrt((b.high - b.value) ** 2 + (a.value - a.low) ** 2)
    return Interval(diff, max(-1.0, low), min(1.0, high))


@dataclass(frozen=True)
class Nps:
    promoters: int
    passives: int
    detractors: int
    #: -100 to 100, with its interval; None without answers.
    score: Interval | None

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps(scores: Iterable[int], z: float = Z95) -> Nps:
    """Net Promoter Score of 0 to 10 answers: promoters (9, 10) minus detractors (0 to 6), in points.

    The interval comes from the variance of a difference of two shares of one multinomial sample.
    """
    promoters = passives = detractors = 0
    for score in scores:
        if not 0 <= score <= 10:
            raise ValueError(f"an NPS answer is 0 to 10, not {score}")
        if score >= 9:
            promoters += 1
        elif score >= 7:
            passives += 1
        else:
            detractors += 1
    n = promoters + passives + detractors
    if n == 0:
        return Nps(0, 0, 0, None)
    p, d = promoters / n, detractors / n
    value = p - d
    half = z * math.sqrt(max(0.0, p + d - value * value) / n)
    interval = Interval(100 * value, 100 * max(-1.0, value - half), 100 * min(1.0, value + half))
    return Nps(promoters, passives, detractors, interval)


def mean_interval(values: Sequence[float], z: float = Z95) -> Interval | None:
    """The mean with a normal-approximation interval (CSAT averages); None for no values."""
    n = len(values)
    if n == 0:
        return None
    mean = sum(values) / n
    if n == 1:
        return Interval(mean, mean, mean)
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = z * math.sqrt(variance / n)
    return Interval(mean, mean - half, mean + half)


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def _check_counts(successes: int, trials: int) -> None:
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
