"""The app the stream worker test runs with the real `flask` command (``--app tests.stream_app:make``):
the store and prefix come from ``STREAM_STORE_URI`` and ``STREAM_PREFIX``."""

from __future__ import annotations

import logging
import os

from flask import Flask

from tests.guides.app import Clock, create_app


def make() -> Flask:
    logging.basicConfig(level=logging.ERROR)
    app, _ = create_app(
        Clock(),
        ONBOARDING_STORAGE_URI=os.environ["STREAM_STORE_URI"],
        ONBOARDING_KEY_PREFIX=os.environ["STREAM_PREFIX"],
        ONBOARDING_OUTBOX=True,
    )
    return app
