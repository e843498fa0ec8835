"""flaskr, the Flask tutorial's blog, with onboarding."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from .onboarding import onboarding


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_EVENTS={"post_created": {"key": True}, "post_updated": {}},
        ONBOARDING_CONTENT=["onboarding.yaml"],
    )
    if test_config is None:
        os.makedirs(app.instance_path, exist_ok=True)  # the real database lives there
    else:
        app.config.from_mapping(test_config)

    from . import auth, blog, db

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)
    app.add_url_rule("/", endpoint="index")
    onboarding.init_app(app)
    return app
