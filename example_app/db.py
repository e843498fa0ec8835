"""SQLite through the standard library: one connection per request, schema on start."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask, current_app, g

SCHEMA = """
create table if not exists orgs (
  id integer primary key, slug text unique not null, name text not null,
  plan text not null default 'free', site_id text not null, site_url text,
  installed_at text, created_at text not null
);
create table if not exists users (
  id integer primary key, org_id integer not null references orgs(id),
  email text unique not null, name text not null, password_hash text not null,
  role text not null, locale text not null default 'en', created_at text not null
);
create table if not exists reports (
  id integer primary key, org_id integer not null references orgs(id), name text not null,
  metric text not null, year integer not null, created_by integer, created_at text not null
);
create table if not exists alerts (
  id integer primary key, org_id integer not null references orgs(id), metric text not null,
  direction text not null, threshold integer not null, created_by integer, created_at text not null
);
create table if not exists exports (
  id integer primary key, org_id integer not null references orgs(id), days integer not null,
  rows integer not null, created_by integer, created_at text not null
);
"""


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, detect_types=0)
    conn.row_factory = sqlite3.Row
    conn.execute("pragma foreign_keys = on")
    return conn


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    conn: sqlite3.Connection = g.db
    return conn


def close_db(_: BaseException | None = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def query(sql: str, *args: Any) -> list[sqlite3.Row]:
    return get_db().execute(sql, args).fetchall()


def one(sql: str, *args: Any) -> sqlite3.Row | None:
    row: sqlite3.Row | None = get_db().execute(sql, args).fetchone()
    return row


def execute(sql: str, *args: Any) -> int:
    conn = get_db()
    cur = conn.execute(sql, args)
    conn.commit()
    return int(cur.lastrowid or 0)


def init_db(app: Flask) -> None:
    with connect(app.config["DATABASE"]) as conn:
        conn.executescript(SCHEMA)
    app.teardown_appcontext(close_db)
