"""Fixtures and helpers for the example app's tests (imported by name: this folder has no
``__init__.py``, so that it cannot shadow the ``example_app`` package)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from example_app import create_app

PAYLOAD = re.compile(r'<script type="application/json" id="onboarding-data"[^>]*>(.*?)</script>', re.S)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def payload(html: str) -> dict[str, Any]:
    match = PAYLOAD.search(html)
    assert match, "the page has no onboarding payload"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def guide_ids(html: str) -> set[str]:
    return {g["id"] for g in payload(html)["guides"]}


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form of the app with the session's CSRF token."""
    html = client.get("/login").text
    match = CSRF.search(html)
    if match is None:  # signed in: /login redirects; take the token from the user centre
        match = CSRF.search(client.get("/app/account/").text)
    assert match
    return client.post(path, data={"csrf_token": match.group(1), **(data or {})}, **kwargs)


def login(client: FlaskClient, email: str, password: str = "demo-pass") -> None:
    response = post(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.text


def signup(client: FlaskClient, email: str = "new@shop.test", locale: str = "en", company: str = "Tea House") -> None:
    data = {"name": "Nia Park", "email": email, "company": company, "password": "s3cret-pass", "locale": locale}
    response = post(client, "/signup", data)
    assert response.status_code == 302, response.text


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A fresh app per test: a temporary SQLite file, the memory store, the demo clock on."""
    config = {"TESTING": True, "DATABASE": str(tmp_path / "app.sqlite3"), "DEMO_CLOCK": True}
    yield create_app({**config, "ONBOARDING_STORAGE_URI": "memory://"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    """The app served on a free local port for a real browser: memory store, demo clock on."""
    app = create_app(
        {
            "DATABASE": str(tmp_path / "e2e.sqlite3"),
            "DEMO_CLOCK": True,
            "ONBOARDING_STORAGE_URI": "memory://",
            "SECRET_KEY": "example-app-browser-tests",  # neither debug nor testing: the app requires one
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)
