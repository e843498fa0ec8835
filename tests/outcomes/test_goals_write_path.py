"""Goals and experiments keep the lean write path, counted on a real redis-server (MONITOR):
a page view of a user whose arm is stored is one command, an event POST with no goal pending
one script; the first exposure and a conversion cost their one extra write, once."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from onboarding_sdk.experiments import TREATMENT
from tests.guides.app import START, Clock, create_app
from tests.outcomes.test_goals import CONTENT, USERS, arm_of
from tests.test_api import payload, post
from tests.test_write_path import sent_commands


def test_arms_and_goals_cost_nothing_once_recorded(redis_uri: str, tmp_path: Path) -> None:
    content = tmp_path / "goals.yaml"
    content.write_text(CONTENT, encoding="utf-8")
    app, _ = create_app(
        Clock(START + timedelta(days=1)),
        [str(content)],
        ONBOARDING_STORAGE_URI=redis_uri,
        ONBOARDING_KEY_PREFIX=f"wp{uuid.uuid4().hex[:10]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
    )
    client = app.test_client()
    user = next(u for u in USERS if arm_of(u) == TREATMENT)
    headers = {"X-User": user}
    with sent_commands(redis_uri) as first:
        data = payload(client, user)  # the day's activity, codes, the exposure
    assert first["evalsha"] >= 2  # the user's read and the arm's one write (scripts may load first)
    token = data["csrf"]["token"]
    assert post(client, "/guides/how-to-start/shown", user, token=token).status_code == 200
    with sent_commands(redis_uri) as views:
        for _ in range(3):
            assert client.get("/onboarding/api/guides?page=home&path=/", headers=headers).status_code == 200
    assert views == Counter({"evalsha": 3})  # the arm comes with the user's record
    with sent_commands(redis_uri) as other:
        for _ in range(3):
            assert post(client, "/events", user, {"name": "export_done"}, token=token).status_code == 200
    assert other == Counter({"evalsha": 3})  # no goal of that event pending: one script each
    with sent_commands(redis_uri) as converted:
        assert post(client, "/events", user, {"name": "report_created"}, token=token).status_code == 200
    assert converted["evalsha"] > 1  # the conversion's writes, this once
    with sent_commands(redis_uri) as after:
        for _ in range(3):
            assert post(client, "/events", user, {"name": "report_created"}, token=token).status_code == 200
    assert after == Counter({"evalsha": 3})  # reached: never written again
    app.extensions["onboarding"].engine.storage.reset()
