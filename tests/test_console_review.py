"""A console people can work in: names instead of ids, "submitted for review" (the
``draft_submitted`` signal and the menu's badge), and one guide reverted to an earlier revision
without rolling back the others."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk import signals
from tests.console_forms import submit
from tests.guides.app import START, Clock, create_app, grow
from tests.test_console_editing import EVERY_KIND

PREFIX = "/onboarding/console"
NAMES = {"ed": "Edith Editor", "pm": "Paul Publisher"}


def make_app(store_uri: str = "memory://", names: bool = True) -> Flask:
    app, ext = create_app(
        Clock(START + timedelta(days=1)),
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:10]}",
    )

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    if names:

        @ext.console_user_name
        def name(user_id: str) -> str | None:
            if user_id == "boom":
                raise RuntimeError("the directory is down")
            return NAMES.get(user_id)

    grow(app, ext, "u", "use")
    with app.app_context():
        engine = app.extensions["onboarding"].engine
        engine.content.publish(EVERY_KIND, engine.storage.content.revision() or None, "pm", "setup")
    return app


@pytest.fixture
def app(store_uri: str) -> Any:
    made = make_app(store_uri)
    yield made
    made.extensions["onboarding"].engine.storage.reset()


def as_(role: str, who: str | None = None) -> dict[str, str]:
    return {"X-Role": role, "X-User": who or f"{role}-1"}


def get(client: FlaskClient, path: str, role: str = "editor", who: str | None = None) -> str:
    response = client.get(f"{PREFIX}{path}", headers=as_(role, who))
    assert response.status_code == 200, response.text
    return response.text


def badge(html: str) -> int:
    found = re.search(r'data-review-count="(\d+)"', html)
    return int(found.group(1)) if found else 0


# --- submitted for review ----------------------------------------------------------------


def test_submitting_a_draft_for_review_signals_publishers_and_shows_a_badge(app: Flask) -> None:
    client = app.test_client()
    sent: list[dict[str, Any]] = []

    def on_submitted(sender: Any, **data: Any) -> None:
        sent.append(data)

    html = get(client, "/guides/footer-reports", who="ed")
    signals.draft_submitted.connect(on_submitted, app)
    try:
        plain = submit(client, html, button="Save draft", headers=as_("editor", "ed"))
        assert plain.status_code == 200 and sent == []  # a draft alone asks nobody
        assert badge(get(client, "/guides", "publisher")) == 0
        asked = submit(
            client,
            plain.text,
            button="Save and submit for review",
            change={"title.en": "Reports, reviewed"},
            headers=as_("editor", "ed"),
        )
    finally:
        signals.draft_submitted.disconnect(on_submitted, app)
    assert asked.status_code == 200 and "submitted for review" in asked.text
    version = app.extensions["onboarding"].engine.storage.drafts.load("footer-reports")["version"]
    assert sent == [
        {
            "guide_id": "footer-reports",
            "version": version,
            "author": "ed",
            "author_name": "Edith Editor",
            "url": f"http://localhost{PREFIX}/guides/footer-reports",
        }
    ]
    assert badge(get(client, "/guides", "publisher")) == 1 and badge(get(client, "/history", "admin")) == 1
    assert badge(get(client, "/guides", "editor")) == 0 and badge(get(client, "/analytics", "viewer")) == 0
    waiting = get(client, "/guides?status=review", "publisher")
    assert re.findall(r'/guides/([\w-]+)"', waiting) == ["footer-reports"]
    assert "Edith Editor (submitted for review)" in waiting
    actions = [e["action"] for e in app.extensions["onboarding"].engine.storage.audit.entries(10)]
    assert actions[:2] == ["submit_draft", "save_draft"]
    # publishing closes it: the badge goes
    done = submit(
        client, get(client, "/guides/footer-reports", "publisher"), button="Publish", headers=as_("publisher")
    )
    assert done.status_code == 200 and badge(get(client, "/guides", "publisher")) == 0


def test_a_viewer_cannot_submit_and_a_forged_post_is_refused(app: Flask) -> None:
    client = app.test_client()
    html = get(client, "/guides/footer-reports", "publisher")
    assert submit(client, html, button="Save and submit for review", headers=as_("viewer")).status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    forged = client.post(f"{PREFIX}/guides/footer-reports/draft", data={"review": "yes"}, headers=as_("editor"))
    assert forged.status_code == 400
    assert app.extensions["onboarding"].engine.storage.drafts.all() == {}


# --- names instead of ids ------------------------------------------------------------------


def test_history_audit_and_drafts_show_names_and_fall_back_to_ids(app: Flask) -> None:
    client = app.test_client()
    html = get(client, "/guides/footer-reports")
    submit(client, html, button="Save draft", headers=as_("editor", "ed"))
    assert "saved by Edith Editor" in get(client, "/guides/footer-reports")
    assert "v" in get(client, "/guides", "viewer") and "by Edith Editor" in get(client, "/guides", "viewer")
    assert "<td>Paul Publisher</td>" in get(client, "/history", "viewer")
    audit = get(client, "/audit", "admin")
    assert "<td>Edith Editor</td>" in audit
    # no name: the id; a callback that fails: the id
    submit(client, get(client, "/guides/tip-filter"), button="Save draft", headers=as_("editor", "boom"))
    assert "<td>boom</td>" in get(client, "/audit", "admin")


def test_without_the_callback_ids_are_shown() -> None:
    app = make_app(names=False)
    client = app.test_client()
    assert "<td>pm</td>" in get(client, "/history", "viewer")


# --- one guide reverted ------------------------------------------------------------------


def publish_title(client: FlaskClient, guide_id: str, title: str) -> None:
    html = get(client, f"/guides/{guide_id}", "publisher")
    done = submit(client, html, button="Publish", change={"title.en": title}, headers=as_("publisher", "pm"))
    assert done.status_code == 200, done.text


def titles(app: Flask) -> dict[str, str]:
    engine = app.extensions["onboarding"].engine
    return {gid: guide.spec.title.get("en", "") for gid, guide in engine.catalog.guides.items()}


def test_one_guide_is_reverted_to_an_earlier_revision_and_the_others_stay(app: Flask) -> None:
    client = app.test_client()
    original = titles(app)
    publish_title(client, "footer-reports", "Reports v2")  # r2
    publish_title(client, "tip-filter", "Filter v2")  # r3
    history = get(client, "/guides/footer-reports/history", "publisher")
    assert "Revert this guide to revision 1…" in history and "Revert this guide to revision 2" not in history
    assert "Paul Publisher" in history
    engine = app.extensions["onboarding"].engine
    revision = engine.content.revision
    html = get(client, "/guides/footer-reports/history", "publisher")
    asked = submit(
        client, html, form_id="revert-1", button="Revert this guide to revision 1…", headers=as_("publisher")
    )
    assert asked.status_code == 200 and "Revert footer-reports to revision 1?" in asked.text
    assert engine.content.revision == revision  # nothing yet: it asks first
    assert "+  en: About reports" in asked.text.replace("&#39;", "'") or "About reports" in asked.text
    done = submit(
        client,
        asked.text,
        form_id="confirm",
        button="Yes, revert this guide to revision 1",
        headers=as_("publisher", "pm"),
    )
    assert done.status_code == 302
    now = titles(app)
    assert now["footer-reports"] == original["footer-reports"] and now["tip-filter"] == "Filter v2"
    assert engine.content.revision == revision + 1
    entry = engine.storage.audit.entries(1)[0]
    assert (entry["action"], entry["guide"], entry["to"], entry["who"]) == ("revert_guide", "footer-reports", 1, "pm")
    assert engine.storage.content.history(1)[0]["note"] == "revert footer-reports to r1"


def test_reverting_is_for_publishers_and_refuses_a_revision_without_the_guide(app: Flask) -> None:
    client = app.test_client()
    html = get(client, "/new-guide?kind=banner", "publisher")
    made = submit(
        client,
        html,
        button="Publish",
        change={"id": "late-banner", "title.en": "Late", "body.en": "Came later"},
        headers=as_("publisher"),
    )
    assert made.status_code == 200, made.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', made.text)
    assert token is not None
    data = {"csrf_token": token.group(1), "base_revision": "2", "confirmed": "yes"}
    refused = client.post(f"{PREFIX}/guides/late-banner/revert/1", data=data, headers=as_("publisher"))
    assert refused.status_code == 422 and "late-banner did not exist in revision 1" in refused.text
    assert client.post(f"{PREFIX}/guides/late-banner/revert/99", data=data, headers=as_("publisher")).status_code == 404
    for role in ("viewer", "editor"):
        assert client.post(f"{PREFIX}/guides/footer-reports/revert/1", data=data, headers=as_(role)).status_code == 403
    assert (
        client.post(
            f"{PREFIX}/guides/footer-reports/revert/1", data={**data, "csrf_token": "x"}, headers=as_("publisher")
        ).status_code
        == 400
    )
    stale = client.post(
        f"{PREFIX}/guides/footer-reports/revert/1", data={**data, "base_revision": "1"}, headers=as_("publisher")
    )
    assert stale.status_code == 409
    assert "Revert this guide" not in get(client, "/guides/footer-reports/history", "editor")
    assert client.get(f"{PREFIX}/guides/nothing-like-it/history", headers=as_("viewer")).status_code == 404
