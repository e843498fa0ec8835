"""An app factory for tests that run the real `flask` command (``--app tests.flask_cli_app:make``).

``CONTENT_FILE`` names the content file; ``FLASK_DEBUG`` decides the strict default.
"""

from __future__ import annotations

import logging
import os

from flask import Flask

from tests.guides.app import Clock, create_app


def make() -> Flask:
    logging.basicConfig(level=logging.ERROR)
    app, _ = create_app(Clock(), content=[os.environ["CONTENT_FILE"]])
    return app
