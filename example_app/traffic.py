"""Believable, deterministic traffic for an organisation's site (there is no real collector).

Numbers depend only on the organisation and the day, so every page and export agrees.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from zlib import crc32

from .models import Org

PAGES = ("/", "/pricing", "/blog/launch-week", "/docs/getting-started", "/signup", "/blog/seo-checklist", "/about")
SOURCES = ("search", "direct", "social", "referral", "email")


@dataclass(frozen=True)
class DayStats:
    day: date
    pv: int
    uv: int
    bounce: int  # percent
    seconds: int

    @property
    def minutes(self) -> str:
        return f"{self.seconds // 60}:{self.seconds % 60:02d}"


def _scale(org: Org) -> int:
    return 400 + crc32(org.slug.encode()) % 2600


def has_data(org: Org, day: date) -> bool:
    return org.installed_at is not None and day >= org.installed_at.date()


def day_stats(org: Org, day: date) -> DayStats:
    if not has_data(org, day):
        return DayStats(day, 0, 0, 0, 0)
    rnd = random.Random(f"{org.slug}:{day.isoformat()}")
    weekly = 1.0 - 0.28 * (day.weekday() >= 5)
    growth = 1.0 + 0.002 * (day.toordinal() % 365)
    wave = 1.0 + 0.12 * math.sin(day.toordinal() / 9)
    pv = int(_scale(org) * weekly * growth * wave * rnd.uniform(0.85, 1.15))
    uv = int(pv / rnd.uniform(2.1, 2.9))
    return DayStats(day, pv, uv, rnd.randint(31, 58), rnd.randint(95, 260))


def series(org: Org, end: date, days: int = 14) -> list[tuple[str, int]]:
    return [(d.isoformat(), day_stats(org, d).pv) for d in (end - timedelta(days=i) for i in range(days - 1, -1, -1))]


def change(org: Org, today: date) -> dict[str, int]:
    """Percent change of today against the same weekday last week."""
    now, before = day_stats(org, today), day_stats(org, today - timedelta(days=7))

    def pct(a: int, b: int) -> int:
        return round((a - b) * 100 / b) if b else 0

    return {"pv": pct(now.pv, before.pv), "uv": pct(now.uv, before.uv), "bounce": now.bounce - before.bounce}


@dataclass(frozen=True)
class Month:
    month: int
    pv: int
    uv: int
    bounce: int


def monthly(org: Org, year: int, until: date) -> list[Month]:
    """Month totals of ``year`` up to ``until`` (months without data are left out)."""
    months: list[Month] = []
    for month in range(1, 13):
        first = date(year, month, 1)
        if first > until:
            break
        last = min(date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1), until)
        days = [day_stats(org, first + timedelta(days=i)) for i in range((last - first).days + 1)]
        days = [d for d in days if d.pv]
        if days:
            bounce = round(sum(d.bounce for d in days) / len(days))
            months.append(Month(month, sum(d.pv for d in days), sum(d.uv for d in days), bounce))
    return months


def top_pages(org: Org, day: date) -> list[tuple[str, int]]:
    total = day_stats(org, day).pv
    rnd = random.Random(f"{org.slug}:pages")
    weights = sorted((rnd.uniform(0.2, 1.0) for _ in PAGES), reverse=True)
    norm = sum(weights)
    return [(p, int(total * w / norm)) for p, w in zip(PAGES, weights, strict=True)][:5]


def sources(org: Org) -> list[tuple[str, int]]:
    rnd = random.Random(f"{org.slug}:sources")
    weights = [rnd.uniform(0.3, 1.0) for _ in SOURCES]
    shares = [round(w * 100 / sum(weights)) for w in weights]
    return sorted(zip(SOURCES, shares, strict=True), key=lambda s: -s[1])


def export_rows(org: Org, end: date, days: int) -> list[DayStats]:
    return [day_stats(org, end - timedelta(days=i)) for i in range(days - 1, -1, -1)]
