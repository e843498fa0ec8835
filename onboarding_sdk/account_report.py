"""The account usage report (seed 003's 客户使用报告): what a customer-success manager hands to
the customer, per month, in English or Chinese. Pure: built from ``account_facts.AccountData``.

Every table is an ``analytics.Table`` (the page and its CSV show the same rows). Figures:

* active users of a month: the account's users with at least one active day in it;
* logins: active days (a user active on a day counts once that day, however many visits);
* events and key actions per month: the index's per-day figures of the account;
* key actions by event: times done and users who did them, from the users' records (ever),
  with the last day done;
* the trend: the report's months against the same number of months before them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from . import account_facts
from .analytics import Cell, Table
from .config import Settings
from .dormancy import day_date
from .state import STAGES

DEFAULT_MONTHS, MAX_MONTHS = 6, 12
LOCALES = ("en", "zh-CN")
TABLES = ("monthly", "key_actions", "milestones", "users")

ZH: Mapping[str, str] = {
    "Account usage report": "客户使用报告",
    "Account": "客户",
    "Period": "统计周期",
    "Prepared on": "生成日期",
    "Summary": "概览",
    "Usage per month": "每月使用情况",
    "Key actions": "关键操作",
    "Milestones": "里程碑",
    "Users and their stage": "用户及其所处阶段",
    "Active users": "活跃用户",
    "Logins": "登录次数",
    "Events": "操作次数",
    "month": "月份",
    "active_users": "活跃用户",
    "logins": "登录次数",
    "events": "操作次数",
    "key_actions": "关键操作",
    "event": "操作",
    "times": "次数",
    "users": "用户数",
    "last_done": "最近一次",
    "milestone": "里程碑",
    "reached_on": "达成日期",
    "user": "用户",
    "stage": "阶段",
    "last_active": "最近活跃",
    "active_days": "活跃天数",
    "this period": "本期",
    "previous period": "上期",
    "change": "变化",
    "not reached yet": "尚未达成",
    "never": "从未",
    "no change": "持平",
    "No users yet.": "暂无用户。",
    "No key actions declared.": "未设置关键操作。",
    "No milestones declared.": "未设置里程碑。",
    "Download CSV": "下载 CSV",
    "Print": "打印",
    "Logins count a user once per day they used the product.": "登录次数:每位用户每个使用日计一次。",
    "{n} of {total} users active in the last {days} days": "最近 {days} 天 {total} 名用户中 {n} 名活跃",
    "{reached} of {total} milestones reached": "已达成 {total} 个里程碑中的 {reached} 个",
    "Showing the {n} most recently active of {total} users.": "仅列出最近活跃的 {n} 名用户(共 {total} 名)。",
    "awareness": "认知",
    "use": "使用",
    "depth": "深入",
    "adaptation": "适应",
    "stickiness": "粘性",
}


#: The tables' column names (the CSV's headers) as people read them.
EN: Mapping[str, str] = {
    "month": "Month",
    "active_users": "Active users",
    "logins": "Logins",
    "events": "Events",
    "key_actions": "Key actions",
    "event": "Action",
    "times": "Times",
    "users": "Users",
    "last_done": "Last done",
    "milestone": "Milestone",
    "reached_on": "Reached on",
    "user": "User",
    "stage": "Stage",
    "last_active": "Last active",
    "active_days": "Active days",
}


def text(locale: str, key: str, **values: object) -> str:
    found = ZH.get(key, key) if locale == "zh-CN" else EN.get(key, key)
    return found.format(**values) if values else found


@dataclass(frozen=True)
class Trend:
    name: str
    now: int
    before: int

    @property
    def change(self) -> float | None:
        """The relative change (0.25: +25 %); None when there was nothing before."""
        return None if not self.before else (self.now - self.before) / self.before


@dataclass(frozen=True)
class Report:
    account_id: str
    months: tuple[tuple[int, int], ...]  # (year, month), oldest first
    tables: Mapping[str, Table]
    trends: tuple[Trend, ...]
    users: int
    active_users: int
    milestones_reached: int
    milestones_total: int
    today: int
    #: Users the report lists (at most ``account_facts.MAX_MEMBERS``, the most recently active).
    listed_users: int

    @property
    def period(self) -> tuple[date, date]:
        (first_year, first_month), _ = self.months[0], self.months[-1]
        return date(first_year, first_month, 1), day_date(self.today)


def month_of(day: int) -> tuple[int, int]:
    found = day_date(day)
    return found.year, found.month


def last_months(today: int, count: int) -> list[tuple[int, int]]:
    year, month = month_of(today)
    found = []
    for _ in range(count):
        found.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def month_days(months: Sequence[tuple[int, int]], today: int) -> list[int]:
    """Every UTC day number of ``months`` up to ``today``."""
    first = (date(*months[0], 1) - date(1970, 1, 1)).days
    return list(range(first, today + 1))


def days_wanted(today: int, months: int) -> list[int]:
    """The days whose index figures a report of ``months`` months needs (and the months before)."""
    return month_days(last_months(today, 2 * months), today)


def _label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def build(data: account_facts.AccountData, settings: Settings, months: int, locale: str = "en") -> Report:
    today = data.today
    shown = last_months(today, months)
    before = last_months(today, 2 * months)[:months]
    members = data.members
    figures = data.activity.days  # day -> (users, events, key events)

    def month_figures(year: int, month: int) -> tuple[int, int, int, int]:
        days = [d for d in figures if month_of(d) == (year, month)]
        active = sum(1 for m in members if any(month_of(d) == (year, month) for d in m.active_days))
        logins = sum(1 for m in members for d in m.active_days if month_of(d) == (year, month))
        return active, logins, sum(figures[d][1] for d in days), sum(figures[d][2] for d in days)

    monthly_rows = [(_label(y, m), *month_figures(y, m)) for y, m in shown]
    monthly = Table("monthly", ("month", "active_users", "logins", "events", "key_actions"), tuple(monthly_rows))

    def period_totals(period: Sequence[tuple[int, int]]) -> tuple[int, int, int]:
        wanted = set(period)
        active = sum(1 for m in members if any(month_of(d) in wanted for d in m.active_days))
        logins = sum(1 for m in members for d in m.active_days if month_of(d) in wanted)
        keys = sum(k for d, (_, _, k) in figures.items() if month_of(d) in wanted)
        return active, logins, keys

    now_totals, before_totals = period_totals(shown), period_totals(before)
    trends = tuple(
        Trend(name, now, was)
        for name, now, was in zip(("active_users", "logins", "key_actions"), now_totals, before_totals, strict=True)
    )

    key_rows: list[tuple[Cell, ...]] = []
    for event in account_facts.key_events(settings):
        done = [m.events[event] for m in members if event in m.events]
        last = max((s.last for s in done), default=None)
        label = _label_of(settings, event, locale)
        key_rows.append(
            (label, sum(s.count for s in done), len(done), last.date().isoformat() if last else text(locale, "never"))
        )
    key_actions = Table("key_actions", ("event", "times", "users", "last_done"), tuple(key_rows))

    milestone_rows = tuple(
        (
            m.name,
            day_date(data.reached[m.name]).isoformat() if m.name in data.reached else text(locale, "not reached yet"),
        )
        for m in settings.milestones
    )
    milestones_table = Table("milestones", ("milestone", "reached_on"), milestone_rows)

    period_days = set(month_days(shown, today))
    user_rows = tuple(
        (
            m.user_id,
            text(locale, STAGES[m.stage_index]),
            day_date(max(m.active_days)).isoformat() if m.active_days else text(locale, "never"),
            sum(1 for d in m.active_days if d in period_days),
        )
        for m in sorted(members, key=lambda m: (-(max(m.active_days) if m.active_days else 0), m.user_id))
    )
    users_table = Table("users", ("user", "stage", "last_active", "active_days"), user_rows)
    window = account_facts.WINDOW_DAYS
    return Report(
        account_id=data.account_id,
        months=tuple(shown),
        tables={"monthly": monthly, "key_actions": key_actions, "milestones": milestones_table, "users": users_table},
        trends=trends,
        users=max(data.activity.row.users, len(members)),
        active_users=sum(1 for m in members if account_facts.active_between(m, today - window + 1, today)),
        milestones_reached=sum(1 for m in settings.milestones if m.name in data.reached),
        milestones_total=len(settings.milestones),
        today=today,
        listed_users=len(members),
    )


def _label_of(settings: Settings, event: str, locale: str) -> str:
    label = settings.events[event].label
    if isinstance(label, Mapping):
        return str(label.get(locale) or label.get(locale.split("-")[0]) or label.get("en") or event)
    return label or event


def change_label(trend: Trend, locale: str) -> str:
    change = trend.change
    if change is None:
        return "—" if not trend.now else "+"
    if abs(change) < 0.005:
        return text(locale, "no change")
    return f"{change:+.0%}"
