"""Follow-up after trouble (seed 001): when to ask "Did you get it done?", and what to offer on "No".

Pure: no Flask, no store. A trouble is recorded when a user meets an error or failed-result
hint (the guide, the page, the time; never what they typed). It is followed up once, on a later
visit: by default on the next day the user is active (``delay_hours=None``), or after a fixed
number of hours. The support offer states the host's response time concretely, as the seed
asks ("we answer within 4 working hours", never "soon").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

#: A trouble not followed up within this many days is dropped: asking about a month-old error
#: confuses more than it helps.
FORGET_AFTER_DAYS = 14
OUTCOMES = ("resolved", "unresolved")


@dataclass(frozen=True)
class Trouble:
    guide_id: str
    #: The Flask endpoint (or path) where the hint was shown.
    page: str
    at: datetime


@dataclass(frozen=True)
class Support:
    """``ONBOARDING_SUPPORT``: how users reach the host's support, and how fast it answers."""

    #: Per locale, e.g. {"en": "within 4 working hours", "zh-CN": "4 个工作小时内"}.
    response_time: Mapping[str, str]
    url: str | None = None
    email: str | None = None

    def response_time_in(self, locale: str) -> str:
        table = self.response_time
        return table.get(locale) or table.get(locale.split("-")[0]) or table.get("en") or next(iter(table.values()))


def parse_support(raw: Any) -> Support | None:
    """``ONBOARDING_SUPPORT`` checked, or ValueError naming the field; None when not configured."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError("ONBOARDING_SUPPORT must be a mapping with response_time and url or email")
    unknown = sorted(set(raw) - {"response_time", "url", "email"})
    if unknown:
        raise ValueError(f"ONBOARDING_SUPPORT: unknown key {unknown[0]!r}")
    times = raw.get("response_time")
    if isinstance(times, str):
        times = {"en": times}
    if not isinstance(times, Mapping) or not times or not all(isinstance(v, str) and v.strip() for v in times.values()):
        raise ValueError(
            'ONBOARDING_SUPPORT.response_time: a concrete time per locale, e.g. {"en": "within 4 working hours"}'
        )
    url, email = raw.get("url"), raw.get("email")
    if url is None and email is None:
        raise ValueError("ONBOARDING_SUPPORT: give url or email (where the user asks for help)")
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://", "/"))):
        raise ValueError("ONBOARDING_SUPPORT.url: an http(s) URL or a path on this site")
    if email is not None and not (isinstance(email, str) and "@" in email.strip("@")):
        raise ValueError("ONBOARDING_SUPPORT.email: an email address")
    return Support(dict(times), url, email)


def due(trouble: Trouble, now: datetime, delay_hours: float | None = None) -> bool:
    """Whether ``trouble`` should be followed up on a visit at ``now`` (both aware, UTC)."""
    if now - trouble.at > timedelta(days=FORGET_AFTER_DAYS):
        return False
    if delay_hours is None:
        return now.date() > trouble.at.date()
    return now - trouble.at >= timedelta(hours=delay_hours)


def expired(trouble: Trouble, now: datetime) -> bool:
    return now - trouble.at > timedelta(days=FORGET_AFTER_DAYS)


def context_for_support(trouble: Trouble) -> dict[str, str]:
    """What the support offer attaches: where and when, so the user need not explain again."""
    return {"guide": trouble.guide_id, "page": trouble.page, "at": trouble.at.isoformat(timespec="minutes")}
