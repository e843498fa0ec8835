"""The app's own users and organisations (rows in SQLite, read into small dataclasses)."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from werkzeug.security import check_password_hash, generate_password_hash

from . import db
from .extensions import now
from .settings import BRANDS, DEFAULT_ACCENT, PAID_ACCENT


@dataclass(frozen=True)
class Org:
    id: int
    slug: str
    name: str
    plan: str
    site_id: str
    site_url: str | None
    installed_at: datetime | None
    created_at: datetime

    @property
    def installed(self) -> bool:
        return self.installed_at is not None

    @property
    def accent(self) -> str:
        if self.plan != "paid":
            return DEFAULT_ACCENT
        return BRANDS.get(self.slug, PAID_ACCENT)


@dataclass(frozen=True)
class User:
    id: int
    org_id: int
    email: str
    name: str
    role: str
    locale: str
    created_at: datetime


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _org(row: sqlite3.Row) -> Org:
    return Org(
        row["id"], row["slug"], row["name"], row["plan"], row["site_id"], row["site_url"],
        _dt(row["installed_at"]), datetime.fromisoformat(row["created_at"]),
    )  # fmt: skip


def _user(row: sqlite3.Row) -> User:
    created = datetime.fromisoformat(row["created_at"])
    return User(row["id"], row["org_id"], row["email"], row["name"], row["role"], row["locale"], created)


def user_by_id(user_id: int) -> User | None:
    row = db.one("select * from users where id = ?", user_id)
    return _user(row) if row else None


def user_by_email(email: str) -> sqlite3.Row | None:
    return db.one("select * from users where email = ?", email.strip().lower())


def authenticate(email: str, password: str) -> User | None:
    row = user_by_email(email)
    if row is None or not check_password_hash(row["password_hash"], password):
        return None
    return _user(row)


def org_by_id(org_id: int) -> Org:
    row = db.one("select * from orgs where id = ?", org_id)
    assert row is not None, f"no org {org_id}"
    return _org(row)


def members(org_id: int) -> list[User]:
    return [_user(r) for r in db.query("select * from users where org_id = ? order by id", org_id)]


def new_site_id() -> str:
    return "PA-" + secrets.token_hex(3).upper()


def slugify(name: str) -> str:
    base = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:24] or "org"
    return f"{base}-{secrets.token_hex(2)}"


def create_org(name: str, *, slug: str | None = None, plan: str = "free", created: datetime | None = None) -> int:
    return db.execute(
        "insert into orgs (slug, name, plan, site_id, created_at) values (?, ?, ?, ?, ?)",
        slug or slugify(name), name, plan, new_site_id(), (created or now()).isoformat(),
    )  # fmt: skip


def create_user(
    org_id: int, email: str, name: str, password: str, role: str, locale: str, created: datetime | None = None
) -> int:
    return db.execute(
        "insert into users (org_id, email, name, password_hash, role, locale, created_at) values (?, ?, ?, ?, ?, ?, ?)",
        org_id, email.strip().lower(), name.strip(), generate_password_hash(password), role, locale,
        (created or now()).isoformat(),
    )  # fmt: skip


def mark_installed(org_id: int, site_url: str, at: datetime | None = None) -> None:
    db.execute(
        "update orgs set site_url = ?, installed_at = coalesce(installed_at, ?) where id = ?",
        site_url, (at or now()).isoformat(), org_id,
    )  # fmt: skip
