"""The app bench/http.py serves with gunicorn: 1,000 guides, and a baseline endpoint.

The baseline makes the same single Redis round trip as a page view (``load_with_revision``:
the user's record and the content revision) and
returns a small JSON, so the ratio shows what resolution and serialisation cost on top.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime, timedelta

from flask import Flask, jsonify, request

from bench.sample_content import EVENTS, guide_dicts
from onboarding_sdk import Onboarding, UserProfile, get_state

SIGNUP = datetime.now(UTC) - timedelta(days=3)


def content_file(count: int) -> str:
    handle, path = tempfile.mkstemp(suffix=".json", prefix="bench-content-")
    with os.fdopen(handle, "w") as out:
        json.dump({"guides": guide_dicts(count)}, out)
    return path


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="bench",
        ONBOARDING_STORAGE_URI=os.environ["BENCH_REDIS_URI"],
        ONBOARDING_KEY_PREFIX="bench-http",
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_CONTENT=[content_file(int(os.environ.get("BENCH_GUIDES", "1000")))],
        ONBOARDING_TRACK_ACTIVITY=False,
    )
    onboarding = Onboarding(app)

    @onboarding.user_loader
    def load() -> UserProfile:
        return UserProfile(id=request.args.get("u", "u1"), signed_up_at=SIGNUP, plan="free")

    @app.get("/baseline")
    def baseline() -> object:
        profile = onboarding.current_profile()
        assert profile is not None
        engine = get_state(app).engine
        # The same single round trip as a page view: the user's record and the content revision.
        record, revision = engine.storage.load_with_revision(profile.id)
        return jsonify({"user": profile.id, "fields": len(record), "revision": revision})

    return app


app = create_app() if "BENCH_REDIS_URI" in os.environ else None
