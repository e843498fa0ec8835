"""The `app` fixture the onboarding plugin reads (docs/testing.md), Flask-Login style."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from projects import add_user, create_app
from projects.models import users

from onboarding_sdk.testing import clear_store


@pytest.fixture
def app() -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            # memory:// by default; a Redis URI when the environment names one, with a key
            # prefix per test so that tests never see each other's users.
            "ONBOARDING_STORAGE_URI": os.environ.get("PROJECTS_ONBOARDING_STORAGE_URI", "memory://"),
            "ONBOARDING_KEY_PREFIX": f"projects-test-{uuid.uuid4().hex}",
        }
    )
    yield app
    clear_store(app)  # the keys under this test's prefix
    users.clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., FlaskClient]:
    def sign_in(user_id: str, **options: object) -> FlaskClient:
        add_user(user_id, **options)  # type: ignore[arg-type]
        client.post("/login", data={"id": user_id})
        return client

    return sign_in
