"""The console's accounts (role viewer): every checked account sorted by risk, one account's
health and milestones, and its usage report for the customer (printable, en or zh-CN, CSV).

What the figures mean: docs/console.md, "Accounts", "Account health", "Milestones", "The account
usage report".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, render_template, request

from .. import account_facts, account_health, account_report
from ..account_outcomes import read_snapshot
from ..analytics import Table
from ..app_state import get_state
from ..dormancy import day_date
from ..trouble_notes import unresolved_troubles
from . import svg
from .access import requires
from .analytics_views import MAX_ACCOUNT_ID, csv_response
from .base import bp, common, locale, page

COMPONENTS = tuple(account_health.DEFAULT_WEIGHTS)
_REPORT_CSS = (Path(__file__).resolve().parent / "report.css").read_text(encoding="utf-8")
BAND_ORDER = {account_health.AT_RISK: 0, account_health.WATCH: 1, account_health.HEALTHY: 2}


def _account(account_id: str) -> str:
    if not account_id or len(account_id) > MAX_ACCOUNT_ID or any(not c.isprintable() for c in account_id):
        abort(400, description=f"an account id is printable, at most {MAX_ACCOUNT_ID} characters")
    return account_id


def _format() -> str:
    value = request.args.get("format", "html") or "html"
    if value not in ("html", "csv"):
        abort(400, description="format must be html or csv")
    return value


def accounts_table(stored: dict[str, tuple[str, str]], lang: str) -> Table:
    """Every checked account, the riskiest first: band, score, reason, each component."""
    rows = []
    for account, (band, text) in stored.items():
        snap = read_snapshot(text)
        parts = snap.get("components") if isinstance(snap.get("components"), dict) else {}
        reasons = snap.get("reason") if isinstance(snap.get("reason"), dict) else {}
        score = snap.get("score")
        rows.append(
            (
                account,
                band,
                score if isinstance(score, int | float) else None,
                str(reasons.get(lang) or reasons.get("en") or "") if isinstance(reasons, dict) else "",
                *((parts or {}).get(name) if isinstance(parts, dict) else None for name in COMPONENTS),
            )
        )
    rows.sort(key=lambda r: (BAND_ORDER.get(str(r[1]), 3), r[2] if isinstance(r[2], int | float) else 101, r[0]))
    return Table("accounts", ("account", "band", "score", "reason", *COMPONENTS), tuple(rows), percent=COMPONENTS)


@bp.get("/accounts", endpoint="accounts")
@requires("viewer")
def accounts_page() -> tuple[str, int] | Response:
    engine = get_state().engine
    stored = engine.call_store(lambda: engine.storage.outcomes.health())
    table = accounts_table(stored, locale())
    if _format() == "csv":
        return csv_response(table, 0, "onboarding-accounts.csv")
    counts = {band: sum(1 for r in table.rows if r[1] == band) for band in account_health.BANDS}
    return page("accounts.html", table=table, counts=counts, components=COMPONENTS)


@bp.get("/report.css", endpoint="report_css")
@requires("viewer")
def report_css() -> Response:
    # a file, never inline: hosts may run the console under a strict CSP
    return Response(_REPORT_CSS, mimetype="text/css")


@bp.get("/accounts/<path:account_id>/report", endpoint="account_report")
@requires("viewer")
def report_page(account_id: str) -> tuple[str, int] | Response:
    account = _account(account_id)
    engine = get_state().engine
    months = _months()
    lang = _lang()
    data = account_facts.gather(engine, account, account_report.days_wanted(account_facts.today_of(engine), months))
    if data is None:
        abort(404, description=f"no activity recorded for account {account!r}")
    report = account_report.build(data, engine.settings, months, lang)
    if _format() == "csv":
        name = request.args.get("table", "monthly")
        if name not in account_report.TABLES:
            abort(400, description=f"table must be one of {', '.join(account_report.TABLES)}")
        return csv_response(report.tables[name], months, f"onboarding-{account}-{name}-{months}m.csv")
    context: dict[str, Any] = common(None)
    context.update(
        report=report,
        lang=lang,
        months=months,
        text=lambda key, **values: account_report.text(lang, key, **values),
        change_label=account_report.change_label,
        chart=svg.bar_chart(
            account_report.text(lang, "Active users"),
            account_report.text(lang, "Usage per month"),
            [(str(row[0]), int(row[1] or 0)) for row in report.tables["monthly"].rows],
        ),
        limit=account_facts.MAX_MEMBERS,
        window=account_facts.WINDOW_DAYS,
    )
    return render_template("onboarding/console/account_report.html", **context), 200


@bp.get("/accounts/<path:account_id>", endpoint="account")
@requires("viewer")
def account_page(account_id: str) -> tuple[str, int]:
    account = _account(account_id)
    engine = get_state().engine
    data = account_facts.gather(engine, account)
    if data is None:
        abort(404, description=f"no activity recorded for account {account!r}")
    result = account_facts.health(data, engine.settings)
    stored = engine.call_store(lambda: engine.storage.outcomes.health()).get(account)
    milestones = [
        (m.name, day_date(data.reached[m.name]).isoformat() if m.name in data.reached else None)
        for m in engine.settings.milestones
    ]
    return page(
        "account.html",
        account=account,
        result=result,
        reason=account_health.reason(result, locale()),
        stored_band=stored[0] if stored else None,
        milestones=milestones,
        facts=account_facts.health_facts(data, engine.settings),
        window=account_facts.WINDOW_DAYS,
        unresolved=unresolved_troubles(engine, [member.user_id for member in data.members]),
    )


def _lang() -> str:
    """``?lang=en`` or ``?lang=zh-CN`` (``zh`` too); the console's language when absent."""
    raw = request.args.get("lang", "")
    if not raw:
        return locale()
    low = raw.lower()
    if low in ("zh", "zh-cn", "zh-hans"):
        return "zh-CN"
    if low == "en":
        return "en"
    abort(400, description=f"lang must be one of {', '.join(account_report.LOCALES)}")


def _months() -> int:
    raw = request.args.get("months", "")
    if not raw:
        return account_report.DEFAULT_MONTHS
    if not raw.isdigit() or not 1 <= int(raw) <= account_report.MAX_MONTHS:
        abort(400, description=f"months must be a whole number from 1 to {account_report.MAX_MONTHS}")
    return int(raw)
