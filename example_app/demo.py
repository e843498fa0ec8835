"""Demo data: users at every stage with backfilled histories, Pulse's own team (who may use the
onboarding console), and the 'view as day N' control.

The control exists only in debug mode (or with DEMO_CLOCK set): it moves this browser
session's clock ahead and backfills the daily visits a real user would have made meanwhile, so
a product team can watch one user grow from awareness to stickiness in a few clicks.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, abort, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from onboarding_sdk import UserProfile

from . import db
from .extensions import DEMO_OFFSET_KEY, demo_clock_enabled, now, onboarding
from .models import create_org, create_user
from .redirects import local_path
from .security import current_org, current_user, login_required
from .settings import CONSOLE_ROLES, STAFF_ORG

logger = logging.getLogger(__name__)
bp = Blueprint("demo", __name__, url_prefix="/demo")
PASSWORD = "demo-pass"
MAX_DAY = 400


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    org: str
    role: str
    locale: str
    days: int  # since sign-up
    stage: str
    dormant: bool = False  # no activity for longer than ONBOARDING_DORMANT_AFTER_DAYS


ORGS = {  # slug -> (name, plan, days since the tracking code was installed, or None)
    "lantern-studio": ("Lantern Studio", "free", None),
    "harbor-books": ("Harbor Books 海港书店", "free", 2),
    "acme-shop": ("Acme Shop", "paid", 130),
    "quiet-cafe": ("Quiet Café", "paid", 45),  # installed, then went quiet: a churn risk
    STAFF_ORG: ("Pulse Analytics team", "paid", None),  # our own team: the onboarding console
}
USERS = (
    DemoUser("ana@lantern.demo", "Ana Silva", "lantern-studio", "decision_maker", "en", 0, "awareness"),
    DemoUser("bo@harbor.demo", "王博", "harbor-books", "decision_maker", "zh-CN", 3, "use"),
    DemoUser("chen@acme.demo", "陈静", "acme-shop", "manager", "zh-CN", 12, "depth"),
    DemoUser("dana@acme.demo", "Dana Kim", "acme-shop", "employee", "en", 40, "adaptation"),
    DemoUser("eli@acme.demo", "Eli Zhou", "acme-shop", "decision_maker", "en", 120, "stickiness"),
    # active for their first days only: the console's analytics list Quiet Café as a dormant account
    DemoUser("fay@quiet.demo", "Fay Moreau", "quiet-cafe", "decision_maker", "en", 45, "use", dormant=True),
)
# Pulse's product team: the onboarding console's users (their team role gives their console role,
# settings.CONSOLE_ROLES). They use the product too, as a new organisation would.
STAFF = (
    DemoUser("pia@pulse.demo", "Pia Novak", STAFF_ORG, "decision_maker", "en", 60, "awareness"),  # admin
    DemoUser("sam@pulse.demo", "Sam Ortiz", STAFF_ORG, "employee", "en", 30, "awareness"),  # editor
)


def console_role_of(user: DemoUser) -> str | None:
    """The console role a demo user gets (security.console_role decides it for real)."""
    return CONSOLE_ROLES.get(user.role) if user.org == STAFF_ORG else None


def history(user: DemoUser, signup: datetime) -> list[tuple[str, datetime]]:
    """A plausible event history that takes ``user`` to their stage."""
    at = signup + timedelta(hours=1)
    if user.stage == "awareness":
        return []
    events = [("installed_code", at), ("report_viewed", at + timedelta(days=1))]
    if user.stage == "use":
        return [*events, ("report_viewed", at + timedelta(days=2))]
    events += [
        ("report_created", at + timedelta(days=2)),
        ("alert_set", at + timedelta(days=3)),
        ("export_done", at + timedelta(days=5)),
    ]
    step = 3 if user.stage == "adaptation" else 2  # visits every few days
    events += [("report_viewed", at + timedelta(days=d)) for d in range(6, user.days, step)]
    return events


def _wipe(slugs: list[str]) -> None:
    for slug in slugs:
        row = db.one("select id from orgs where slug = ?", slug)
        if row is None:
            continue
        for table in ("reports", "alerts", "exports", "users"):
            db.execute(f"delete from {table} where org_id = ?", row["id"])  # fixed table names
        db.execute("delete from orgs where id = ?", row["id"])


@contextmanager
def seed_lock(app: Flask) -> Iterator[None]:
    """One process seeds at a time: gunicorn's workers each call create_app() at once on a fresh
    store, and two seeds racing would insert the same users twice (IntegrityError). An exclusive
    lock on a file beside the database; the one who waited then finds the demo already there."""
    path = app.config["DATABASE"] + ".seed-lock"
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def seed(app: Flask) -> None:
    """Create the demo organisations and users unless the onboarding store already knows them.
    Safe to run from several processes at once (``seed_lock``)."""
    with seed_lock(app), app.test_request_context("/"):
        marks = ",".join("?" * len(USERS))
        rows = db.query(f"select id, email, created_at from users where email in ({marks})", *(u.email for u in USERS))
        try:
            if rows and any(not onboarding.state_of(str(r["id"])).is_new for r in rows):
                _add_staff(now())  # a persistent store (Redis) already holds their histories
                return
        except Exception as exc:  # the store is down: the app still starts, without demo histories
            logger.warning("demo users not seeded: %s", exc)
            return
        real_now = now()
        if len(rows) == len(USERS):
            # Another process created them (gunicorn's other worker, a restart), but this store
            # has no histories (memory:// is per process): the same users, their histories again.
            signups = {r["email"]: (str(r["id"]), _utc(r["created_at"])) for r in rows}
            for user in USERS:
                _backfill(user, *signups[user.email], real_now)
            _add_staff(real_now)
            return
        _wipe(list(ORGS))
        org_ids = {slug: _create_demo_org(slug, real_now) for slug in ORGS}
        for user in USERS:
            signup = real_now - timedelta(days=user.days, hours=2)
            uid = create_user(org_ids[user.org], user.email, user.name, PASSWORD, user.role, user.locale, signup)
            _backfill(user, str(uid), signup, real_now)
        _sample_rows(org_ids["acme-shop"], real_now)
        _add_staff(real_now)


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _backfill(user: DemoUser, uid: str, signup: datetime, real_now: datetime) -> None:
    # With the profile, the history counts for the user's organisation in the console's
    # account analytics, as the app's own requests do (load_profile).
    profile = UserProfile(
        id=uid,
        signed_up_at=signup,
        role=user.role,
        plan=ORGS[user.org][1],
        locale=user.locale,
        account_id=user.org,
    )
    for event, at in history(user, signup):
        onboarding.track(event, profile=profile, at=min(at, real_now))


def _create_demo_org(slug: str, real_now: datetime) -> int:
    name, plan, installed = ORGS[slug]
    created = real_now - timedelta(days=max((u.days for u in (*USERS, *STAFF) if u.org == slug), default=0))
    org_id = create_org(name, slug=slug, plan=plan, created=created)
    if installed is not None:
        site = f"https://{slug.replace('-', '')}.example"
        db.execute("update orgs set site_url = ?, installed_at = ? where id = ?",
                   site, (real_now - timedelta(days=installed)).isoformat(), org_id)  # fmt: skip
    return org_id


def _add_staff(real_now: datetime) -> None:
    """Pulse's team, unless they exist (they have no onboarding history to keep in step)."""
    row = db.one("select id from orgs where slug = ?", STAFF_ORG)
    org_id = row["id"] if row is not None else _create_demo_org(STAFF_ORG, real_now)
    for user in STAFF:
        if db.one("select id from users where email = ?", user.email) is None:
            signup = real_now - timedelta(days=user.days, hours=2)
            create_user(org_id, user.email, user.name, PASSWORD, user.role, user.locale, signup)


def _sample_rows(org_id: int, at: datetime) -> None:
    stamp = (at - timedelta(days=20)).isoformat()
    for name, metric in (("Weekly visitors", "uv"), ("Blog pageviews", "pv"), ("Landing page bounce", "bounce")):
        db.execute("insert into reports (org_id, name, metric, year, created_at) values (?, ?, ?, ?, ?)",
                   org_id, name, metric, at.year, stamp)  # fmt: skip
    db.execute("insert into alerts (org_id, metric, direction, threshold, created_at) values (?, ?, ?, ?, ?)",
               org_id, "bounce", "above", 60, stamp)  # fmt: skip
    db.execute("insert into exports (org_id, days, rows, created_at) values (?, ?, ?, ?)", org_id, 30, 30, stamp)


def days_since_signup() -> int:
    return max(0, (now() - current_user().created_at).days)


def demo_bar() -> dict[str, Any] | None:
    """The demo strip's data for the signed-in user (debug mode only)."""
    if not demo_clock_enabled() or g.get("user") is None:
        return None
    try:
        state = onboarding.state_of(str(current_user().id))
    except Exception:  # the store is down: no strip, the page still renders
        return None
    return {"stage": state.stage, "dormant": state.dormant, "day": days_since_signup()}


@bp.post("/day")
@login_required
def view_as_day() -> Response:
    """Jump this session's clock ahead to day N since sign-up, backfilling daily visits."""
    if not demo_clock_enabled():
        abort(404)
    raw = request.form.get("jump") or request.form.get("day", "")  # a quick button, else the field
    current = days_since_signup()
    if not raw.isdigit() or not current < int(raw) <= MAX_DAY:
        return redirect(_next())
    jump = int(raw) - current
    before = now()
    if current_org().installed:  # a user who installed the code keeps reading reports every day
        for k in range(1, jump + 1):
            onboarding.track("report_viewed", user_id=str(current_user().id), at=before + timedelta(days=k, minutes=-5))
    session[DEMO_OFFSET_KEY] = int(session.get(DEMO_OFFSET_KEY, 0)) + jump
    return redirect(_next())


def _next() -> str:
    return local_path(request.form.get("next")) or url_for("dashboard.index")
