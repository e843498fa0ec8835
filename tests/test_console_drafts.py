"""Console drafts and new guides: an editor saves a draft that a publisher publishes; drafts live
in the store (every process sees them) with the same stale-version protection as publishing;
new guides of every kind start from the console; racing saves have exactly one winner."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk import signals
from onboarding_sdk.console.access import required_role
from onboarding_sdk.content import KINDS, GuideSpec
from onboarding_sdk.errors import StorageError
from tests.console_forms import read_form, submit
from tests.guides.app import START, Clock, create_app, grow
from tests.storage.support import in_threads
from tests.test_console import console_app, console_routes
from tests.test_console_editing import EVERY_KIND

PREFIX = "/onboarding/console"


def make_app(store_uri: str = "memory://", prefix: str | None = None, publish: bool = True) -> Flask:
    clock = Clock(START + timedelta(days=1))
    app, ext = create_app(
        clock, ONBOARDING_STORAGE_URI=store_uri, ONBOARDING_KEY_PREFIX=prefix or f"t{uuid.uuid4().hex[:10]}"
    )

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    grow(app, ext, "u", "use")
    if publish:
        with app.app_context():
            engine = app.extensions["onboarding"]
            engine.content.publish(EVERY_KIND, engine.storage.content_revision() or None, "setup", "")
    return app


@pytest.fixture
def app(store_uri: str) -> Any:
    made = make_app(store_uri)
    yield made
    made.extensions["onboarding"].storage.reset()


def as_(role: str, who: str | None = None) -> dict[str, str]:
    return {"X-Role": role, "X-User": who or f"{role}-1"}


def page(client: FlaskClient, path: str, role: str = "editor") -> str:
    response = client.get(f"{PREFIX}{path}", headers=as_(role))
    assert response.status_code == 200, response.text
    return response.text


def published(app: Flask) -> dict[str, GuideSpec]:
    engine = app.extensions["onboarding"]
    found = engine.storage.load_content()
    return {} if found is None else {s.id: replace(s, source=None) for s in engine.content.parse(found[1])}


def served(app: Flask, text: str) -> bool:
    return text in app.test_client().get("/reports", headers={"X-User": "u"}).text


def problems(html: str) -> str:
    return " | ".join(re.findall(r"<li>(.*?)</li>", html) + re.findall(r'class="field-error"[^>]*>([^<]*)<', html))


# --- draft, then publish ----------------------------------------------------------------


def test_an_editor_saves_a_draft_and_a_publisher_publishes_it(app: Flask) -> None:
    editor, publisher = app.test_client(), app.test_client()
    store = app.extensions["onboarding"].storage
    revision = store.content_revision()
    saved = submit(
        editor,
        page(editor, "/guides/footer-reports"),
        button="Save draft",
        change={"title.en": "Reports, explained"},
        headers=as_("editor", "ed"),
    )
    assert saved.status_code == 200, problems(saved.text)
    assert "Draft saved (version" in saved.text and read_form(saved.text).get("title.en") == "Reports, explained"
    assert (
        store.content_revision() == revision and not served(app, "Reports, explained") and served(app, "About reports")
    )
    assert store.load_draft("footer-reports")["author"] == "ed"

    listing = publisher.get(f"{PREFIX}/guides?status=draft", headers=as_("viewer")).text
    assert re.findall(r'/guides/([\w-]+)"', listing) == ["footer-reports"] and "by ed" in listing
    html = page(publisher, "/guides/footer-reports", "publisher")
    assert read_form(html).get("title.en") == "Reports, explained"  # the draft, not the live text
    assert "Differences from the published guide" in html and "-  en: About reports" in html.replace("&#39;", "'")
    sent: list[dict[str, Any]] = []

    def on_published(sender: Any, **data: Any) -> None:
        sent.append(data)

    signals.content_published.connect(on_published, app)
    try:
        done = submit(publisher, html, button="Publish", headers=as_("publisher", "pm"))
    finally:
        signals.content_published.disconnect(on_published, app)
    assert done.status_code == 200 and f"Published as revision {revision + 1}" in done.text, problems(done.text)
    assert served(app, "Reports, explained") and store.load_draft("footer-reports") is None
    assert sent == [{"revision": revision + 1, "author": "pm", "note": "edit footer-reports"}]
    actions = [(e["action"], e["who"]) for e in store.audit_log()]
    assert actions[:2] == [("publish", "pm"), ("save_draft", "ed")]
    assert "Draft version" not in done.text  # no draft left


def test_editors_cannot_publish_and_viewers_cannot_save_drafts(app: Flask) -> None:
    client = app.test_client()
    html = page(client, "/guides/footer-reports", "publisher")
    assert submit(client, html, button="Publish", headers=as_("editor")).status_code == 403
    assert submit(client, html, button="Save draft", headers=as_("viewer")).status_code == 403
    assert "Publish</button>" not in page(client, "/guides/footer-reports", "editor")
    assert "Save draft" not in page(client, "/guides/footer-reports", "viewer")
    assert app.extensions["onboarding"].storage.drafts() == {}


def test_a_stale_draft_save_is_refused_and_keeps_the_text(app: Flask) -> None:
    ana, bo = app.test_client(), app.test_client()
    html_a, html_b = page(ana, "/guides/footer-reports"), page(bo, "/guides/footer-reports")
    first = submit(ana, html_a, button="Save draft", change={"title.en": "Ana's"}, headers=as_("editor", "ana"))
    assert first.status_code == 200
    mine = "Bo's careful wording\n\nwith a second paragraph"
    second = submit(bo, html_b, button="Save draft", change={"body.en": mine}, headers=as_("editor", "bo"))
    assert second.status_code == 409 and "the draft of &#39;footer-reports&#39; changed" in second.text
    kept = read_form(second.text)
    assert kept.get("body.en") == mine and kept.get("draft_version") == "0"  # still stale: no silent rebase
    again = submit(bo, second.text, button="Save draft", headers=as_("editor", "bo"))
    assert again.status_code == 409
    # from the draft's current version it works
    fresh = submit(
        bo,
        page(bo, "/guides/footer-reports"),
        button="Save draft",
        change={"body.en": mine},
        headers=as_("editor", "bo"),
    )
    assert fresh.status_code == 200
    draft = app.extensions["onboarding"].storage.load_draft("footer-reports")
    assert "Ana's" in draft["text"] and "second paragraph" in draft["text"]


def test_a_draft_from_before_a_publication_of_its_guide_is_refused(app: Flask) -> None:
    ed, pm = app.test_client(), app.test_client()
    stale = page(ed, "/guides/footer-reports")
    other = page(ed, "/guides/faq-code")
    live = submit(pm, page(pm, "/guides/footer-reports", "publisher"), button="Publish",
                  change={"title.en": "Published meanwhile"}, headers=as_("publisher"))  # fmt: skip
    assert live.status_code == 200
    refused = submit(ed, stale, button="Save draft", change={"body.en": "My edit"}, headers=as_("editor"))
    assert refused.status_code == 409 and "published guide changed since you opened it" in refused.text
    assert read_form(refused.text).get("body.en") == "My edit"
    # another guide's publication does not make this form stale
    assert (
        submit(ed, other, button="Save draft", change={"body.en": "FAQ draft"}, headers=as_("editor")).status_code
        == 200
    )


def test_publishing_over_a_draft_saved_meanwhile_is_refused(app: Flask) -> None:
    ed, pm = app.test_client(), app.test_client()
    html = page(pm, "/guides/footer-reports", "publisher")
    submit(
        ed, page(ed, "/guides/footer-reports"), button="Save draft", change={"title.en": "Draft"}, headers=as_("editor")
    )
    response = submit(pm, html, button="Publish", change={"title.en": "Mine"}, headers=as_("publisher"))
    assert response.status_code == 409 and "someone saved one since you opened the guide" in response.text
    assert read_form(response.text).get("title.en") == "Mine"
    assert published(app)["footer-reports"].title["en"] == "About reports"


def test_discarding_a_draft(app: Flask) -> None:
    client = app.test_client()
    saved = submit(
        client, page(client, "/guides/faq-code"), button="Save draft", change={"title.en": "X"}, headers=as_("editor")
    )
    newer = submit(client, saved.text, button="Save draft", change={"title.en": "Y"}, headers=as_("editor"))
    stale = submit(client, saved.text, button="Discard draft", headers=as_("editor"))
    assert stale.status_code == 409 and app.extensions["onboarding"].storage.load_draft("faq-code") is not None
    done = submit(client, newer.text, button="Discard draft", headers=as_("editor"))
    assert done.status_code == 302 and done.headers["Location"].endswith("/guides/faq-code")
    assert app.extensions["onboarding"].storage.drafts() == {}
    assert read_form(page(client, "/guides/faq-code")).get("title.en") == "Where is my tracking code?"
    assert app.extensions["onboarding"].storage.audit_log()[0]["action"] == "discard_draft"


def test_the_yaml_editor_saves_drafts_too_but_not_renames(app: Flask) -> None:
    client = app.test_client()
    html = page(client, "/guides/faq-code/yaml")
    text = read_form(html).get("text") or ""
    ok = submit(client, html, button="Save draft", change={"text": text.replace("Settings,", "Settings (top right),")},
                headers=as_("editor"))  # fmt: skip
    assert ok.status_code == 200 and "Settings (top right)" in (read_form(ok.text).get("text") or "")
    renamed = submit(client, ok.text, button="Save draft", change={"text": text.replace("id: faq-code", "id: faq-2")},
                     headers=as_("editor"))  # fmt: skip
    assert renamed.status_code == 422 and "rename a guide by publishing" in renamed.text
    assert "Settings (top right)" in (read_form(page(client, "/guides/faq-code")).get("body.en") or "")


def test_drafts_are_shared_by_every_process(redis_uri: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    one = make_app(redis_uri, prefix)
    two = make_app(redis_uri, prefix, publish=False)
    try:
        a, b = one.test_client(), two.test_client()
        submit(
            a, page(a, "/guides/faq-code"), button="Save draft", change={"title.en": "From one"}, headers=as_("editor")
        )
        html = page(b, "/guides/faq-code", "publisher")
        assert read_form(html).get("title.en") == "From one"
        assert submit(b, html, button="Publish", headers=as_("publisher")).status_code == 200
        assert one.extensions["onboarding"].storage.load_draft("faq-code") is None
        assert read_form(page(a, "/guides/faq-code")).get("title.en") == "From one"
    finally:
        one.extensions["onboarding"].storage.reset()


# --- new guides ---------------------------------------------------------------------------

MINIMAL: dict[str, dict[str, str]] = {
    "starter_guide": {},
    "tooltip": {"anchor": "filter-year"},
    "footer_help": {"stages": "use", "endpoints": "reports"},
    "advanced_tip": {"topic.en": "reports", "topic.zh-CN": "报表"},
    "faq": {},
    "changelog": {"version": "3.0", "date": "2026-06-01T00:00"},
    "checklist": {"items.0.id": "install", "items.0.event": "installed_code", "items.0.title.en": "Install"},
    "tour": {"steps.0.endpoint": "reports", "steps.0.title.en": "Filter", "steps.0.body.en": "Pick a *year*."},
    "banner": {"starts_at": "2026-06-01T00:00"},
}


def test_the_kind_picker_lists_every_kind() -> None:
    app = make_app()
    client = app.test_client()
    html = page(client, "/new-guide")
    assert all(f"/new-guide?kind={kind}" in html for kind in KINDS)
    assert client.get(f"{PREFIX}/new-guide?kind=poster", headers=as_("editor")).status_code == 400
    assert client.get(f"{PREFIX}/new-guide", headers=as_("viewer")).status_code == 403
    assert "New guide</a>" in page(client, "/guides") and "New guide</a>" not in page(client, "/guides", "viewer")


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_guide_of_every_kind_drafted_then_published(kind: str) -> None:
    app = make_app()
    client = app.test_client()
    html = page(client, f"/new-guide?kind={kind}")
    form = read_form(html)
    assert form.get("kind") == kind and form.get("id") == "" and "title.zh-CN" in form.ids.values()
    guide_id = f"new-{kind.replace('_', '-')}"
    fields = {"id": guide_id, "title.en": f"A new {kind}", "body.en": "Some **help**.", **MINIMAL[kind]}
    draft = submit(client, html, button="Save draft", change=fields, headers=as_("editor"))
    assert draft.status_code == 200, problems(draft.text)
    assert guide_id not in published(app) and f"/guides/{guide_id}/draft" in draft.text
    listing = page(client, "/guides?status=draft")
    assert f'/guides/{guide_id}"' in listing and "<td>new</td>" in listing
    done = submit(client, page(client, f"/guides/{guide_id}", "publisher"), button="Publish", headers=as_("publisher"))
    assert done.status_code == 200, problems(done.text)
    spec = published(app)[guide_id]
    assert (
        spec.kind == kind
        and spec.title == {"en": f"A new {kind}"}
        and app.extensions["onboarding"].storage.drafts() == {}
    )
    if kind == "advanced_tip":
        assert spec.topic == {"en": "reports", "zh-CN": "报表"}
    assert "Unpublish this guide" in done.text


def test_a_new_guide_published_at_once_and_clashing_ids() -> None:
    app = make_app()
    client = app.test_client()
    html = page(client, "/new-guide?kind=footer_help", "publisher")
    base = {"title.en": "About the account page", "body.en": "Your plan and invoices.", "endpoints": "account"}
    clash = submit(client, html, button="Publish", change={**base, "id": "footer-reports"}, headers=as_("publisher"))
    assert clash.status_code == 422 and "already a published guide" in clash.text
    assert read_form(clash.text).get("title.en") == "About the account page"
    bad = submit(client, html, button="Publish", change={**base, "id": "Bad Id"}, headers=as_("publisher"))
    assert bad.status_code == 422 and "is not a valid id" in bad.text
    submit(client, page(client, "/new-guide?kind=faq"), button="Save draft",
           change={"id": "footer-account", "title.en": "Q", "body.en": "A"}, headers=as_("editor"))  # fmt: skip
    drafted = submit(client, html, button="Save draft", change={**base, "id": "footer-account"}, headers=as_("editor"))
    assert drafted.status_code == 409 and "already has a draft" in drafted.text
    direct = submit(client, html, button="Publish", change={**base, "id": "footer-account"}, headers=as_("publisher"))
    assert direct.status_code == 409  # a draft with that id exists: open it rather than overwrite it
    ok = submit(client, html, button="Publish", change={**base, "id": "footer-account2"}, headers=as_("publisher"))
    assert ok.status_code == 200, problems(ok.text)
    assert "Your plan and invoices." in app.test_client().get("/account", headers={"X-User": "u"}).text


# --- concurrency ------------------------------------------------------------------------------


def test_concurrent_edits_from_the_same_base_have_exactly_one_winner(app: Flask) -> None:
    clients = [app.test_client() for _ in range(6)]
    pages = [page(c, "/guides/footer-reports", "publisher") for c in clients]
    drafts = in_threads(
        6,
        lambda i: submit(clients[i], pages[i], button="Save draft", change={"title.en": f"Draft {i}"},
                         headers=as_("editor", f"ed{i}")).status_code,
    )  # fmt: skip
    assert sorted(drafts) == [200, 409, 409, 409, 409, 409]
    winner = drafts.index(200)
    assert app.extensions["onboarding"].storage.load_draft("footer-reports")["author"] == f"ed{winner}"
    fresh = [page(c, "/guides/footer-reports", "publisher") for c in clients]
    results = in_threads(
        6,
        lambda i: submit(clients[i], fresh[i], button="Publish", change={"title.en": f"Live {i}"},
                         headers=as_("publisher")).status_code,
    )  # fmt: skip
    assert sorted(results) == [200, 409, 409, 409, 409, 409]
    assert published(app)["footer-reports"].title["en"] == f"Live {results.index(200)}"
    assert app.extensions["onboarding"].storage.drafts() == {}


def test_storage_down_shows_the_503_page_and_saves_nothing() -> None:
    app = make_app()
    client = app.test_client()
    html = page(client, "/guides/faq-code")
    store = app.extensions["onboarding"].storage

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StorageError("Redis save_draft failed: connection refused")

    store.drafts.save = down  # type: ignore[method-assign]
    response = submit(client, html, button="Save draft", change={"title.en": "X"}, headers=as_("editor"))
    assert response.status_code == 503 and "Store unavailable" in response.text


def test_the_authorization_matrix_walks_every_editor_route() -> None:
    app = console_app()
    endpoints = {(endpoint, method) for _, method, endpoint in console_routes(app)}
    for name, method, role in [
        ("edit", "GET", "viewer"), ("edit", "POST", "publisher"), ("yaml", "GET", "viewer"),
        ("preview", "POST", "editor"), ("draft", "POST", "editor"), ("discard", "POST", "editor"),
        ("new", "GET", "editor"), ("new", "POST", "publisher"), ("new_draft", "POST", "editor"),
        ("new_preview", "POST", "editor"), ("js", "GET", "viewer"),
    ]:  # fmt: skip
        assert (f"onboarding_console.{name}", method) in endpoints, name
        assert required_role(app.view_functions[f"onboarding_console.{name}"], method) == role, name
