"""flaskr's fixtures, as in the Flask tutorial, plus the `app` fixture the onboarding plugin
reads (docs/testing.md)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flaskr import create_app
from flaskr.db import get_db, init_db
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from onboarding_sdk.testing import clear_store


@pytest.fixture
def app() -> Iterator[Flask]:
    db_fd, db_path = tempfile.mkstemp()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": db_path,
            # memory:// by default; a Redis URI when the environment names one. A key prefix
            # per test keeps tests apart on a shared Redis.
            "ONBOARDING_STORAGE_URI": os.environ.get("FLASKR_ONBOARDING_STORAGE_URI", "memory://"),
            "ONBOARDING_KEY_PREFIX": f"flaskr-test-{uuid.uuid4().hex}",
        }
    )
    with app.app_context():
        init_db()
        db = get_db()
        db.execute("INSERT INTO user (username, password) VALUES (?, ?)", ("test", generate_password_hash("test")))
        db.execute("INSERT INTO user (username, password) VALUES (?, ?)", ("other", generate_password_hash("other")))
        db.commit()
    yield app
    clear_store(app)  # the keys under this test's prefix
    os.close(db_fd)
    os.unlink(db_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str = "test", password: str = "test") -> TestResponse:
        return self._client.post("/auth/login", data={"username": username, "password": password})

    def logout(self) -> TestResponse:
        return self._client.get("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
