"""The console: deny by default, the role matrix over every route, CSRF, editing, history."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk import UserProfile
from onboarding_sdk.console import ROLES
from onboarding_sdk.console.access import required_role
from tests.guides.app import HERE, START, Clock, create_app, grow

PREFIX = "/onboarding/console"
URL_VALUES: dict[str, Any] = {
    "guide_id": "footer-reports",
    "revision": 1,
    "name": "admins",
    "code": "zh-CN",
    "account_id": "acme",
    "experiment_id": "console-experiment",
}


def console_app(with_callback: bool = True) -> Flask:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    if with_callback:

        @ext.console_access
        def role() -> str | None:
            return request.headers.get("X-Role")

    grow(app, ext, "u", "use")
    return app


def console_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(url, method, endpoint) for every console rule in the app's url_map."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("onboarding_console."):
                continue
            url = app.url_for(rule.endpoint, **{k: URL_VALUES[k] for k in rule.arguments})
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((url, method, rule.endpoint))
    return routes


def token(client: FlaskClient, role: str = "viewer") -> str:
    client.get(f"{PREFIX}/guides", headers={"X-Role": role})
    with client.session_transaction() as session:
        return str(session["_onboarding_console_csrf"])


def publish_seed(app: Flask) -> None:
    with app.app_context():
        engine = app.extensions["onboarding"]
        seed = (HERE / "seed.yaml").read_text(encoding="utf-8")
        # an experiment, so /outcomes/<experiment_id> has one to start and stop
        seed += "experiments:\n  - id: console-experiment\n    guides: [footer-reports]\n    holdout: 0.1\n"
        engine.content.publish(seed, None, "setup", "")
        if engine.storage.index.account_activity("acme", [], 0, 0) is None:  # the account /accounts/acme
            engine.track("acme-user", None, None, UserProfile("acme-user", START, account_id="acme"))
        if engine.storage.drafts.load("segment/admins") is None:  # the saved segment /segments/admins
            engine.storage.drafts.save("segment/admins", {"condition": {"roles": ["admin"]}}, 0)


def test_every_route_is_on_the_console_prefix_and_declares_a_role() -> None:
    app = console_app()
    routes = console_routes(app)
    assert len(routes) >= 7
    for url, method, endpoint in routes:
        assert url.startswith(PREFIX)
        assert required_role(app.view_functions[endpoint], method) in ROLES, endpoint


def test_without_a_callback_the_console_is_404_everywhere() -> None:
    app = console_app(with_callback=False)
    client = app.test_client()
    for url, method, _ in console_routes(app):
        assert client.open(url, method=method, headers={"X-Role": "admin"}).status_code == 404, url


@pytest.mark.parametrize("role", [None, "nonsense", *ROLES])
def test_authorization_matrix(role: str | None) -> None:
    app = console_app()
    publish_seed(app)
    client = app.test_client()
    csrf = token(client, "admin")
    headers = {"X-Role": role} if role is not None else {}
    for url, method, endpoint in console_routes(app):
        publish_seed(app)  # every route finds its guide, whatever the previous request did
        needed = required_role(app.view_functions[endpoint], method)
        data = {"csrf_token": csrf, "base_revision": "1", "text": "id: footer-reports"} if method == "POST" else None
        status = client.open(url, method=method, headers=headers, data=data).status_code
        if role not in ROLES:
            assert status == 404, (role, method, url, status)  # anonymous: as if there were no console
        elif ROLES.index(role) < ROLES.index(needed or "admin"):
            assert status == 403, (role, method, url, status)
        else:
            assert status not in (403, 404), (role, method, url, status)


def test_posts_without_a_valid_token_are_refused() -> None:
    app = console_app()
    publish_seed(app)
    client = app.test_client()
    good = token(client, "admin")
    post_routes = [(url, endpoint) for url, method, endpoint in console_routes(app) if method == "POST"]
    assert post_routes
    for url, _ in post_routes:
        for data, headers in [
            ({}, {}),
            ({"csrf_token": "forged"}, {}),
            ({"csrf_token": good}, {"Origin": "https://evil.example"}),
        ]:
            response = client.post(url, data={**data, "base_revision": "1"}, headers={"X-Role": "admin", **headers})
            assert response.status_code == 400, (url, data, headers)
    assert app.extensions["onboarding"].storage.content_revision() == 1  # nothing changed
    # another session's token is not this session's
    other = app.test_client()
    token(other, "admin")
    assert other.post(post_routes[0][0], data={"csrf_token": good}, headers={"X-Role": "admin"}).status_code == 400


def edit_form(client: FlaskClient, guide_id: str = "footer-reports") -> tuple[str, str, str]:
    # the YAML editor: the guide as one text (the per-kind form: tests/test_console_editing.py)
    html = client.get(f"{PREFIX}/guides/{guide_id}/yaml", headers={"X-Role": "publisher"}).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    base = re.search(r'name="base_revision" value="(\d+)"', html)
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert csrf and base and text
    return csrf.group(1), base.group(1), html_lib.unescape(text.group(1))


def test_editing_a_guide_publishes_it_for_end_users_and_audits_it() -> None:
    app = console_app()
    client = app.test_client()
    csrf, base, text = edit_form(client)
    assert base == "0" and "About reports" in text
    response = client.post(
        f"{PREFIX}/guides/footer-reports",
        data={"csrf_token": csrf, "base_revision": base, "text": text.replace("About reports", "Reports 101")},
        headers={"X-Role": "publisher", "X-User": "pm-1"},
    )
    assert response.status_code == 200 and "Published as revision 1" in response.text
    assert "Reports 101" in app.test_client().get("/reports", headers={"X-User": "u"}).text
    entry = app.extensions["onboarding"].storage.audit_log()[0]
    assert entry["who"] == "pm-1" and entry["action"] == "publish" and entry["guide"] == "footer-reports"
    assert entry["revision"] == 1


def test_a_stale_save_is_refused_and_keeps_the_persons_text() -> None:
    app = console_app()
    ana, bo = app.test_client(), app.test_client()
    csrf_a, base_a, text_a = edit_form(ana)
    csrf_b, base_b, text_b = edit_form(bo)
    first = ana.post(
        f"{PREFIX}/guides/footer-reports",
        data={"csrf_token": csrf_a, "base_revision": base_a, "text": text_a.replace("About reports", "Ana's")},
        headers={"X-Role": "publisher"},
    )
    assert first.status_code == 200
    mine = text_b.replace("About reports", "Bo's careful wording")
    second = bo.post(
        f"{PREFIX}/guides/footer-reports",
        data={"csrf_token": csrf_b, "base_revision": base_b, "text": mine},
        headers={"X-Role": "publisher"},
    )
    assert second.status_code == 409
    assert "changed by someone else" in second.text and "Bo&#39;s careful wording" in second.text
    assert app.extensions["onboarding"].storage.content_revision() == 1


def test_an_invalid_guide_is_refused_with_every_error_and_the_text_kept() -> None:
    app = console_app()
    client = app.test_client()
    csrf, base, text = edit_form(client)
    bad = text.replace("kind: footer_help", "kind: footer_hlep")
    response = client.post(
        f"{PREFIX}/guides/footer-reports",
        data={"csrf_token": csrf, "base_revision": base, "text": bad},
        headers={"X-Role": "publisher"},
    )
    assert response.status_code == 422 and "footer_hlep" in response.text and "Not saved" in response.text
    assert app.extensions["onboarding"].storage.content_revision() == 0


def test_list_filters() -> None:
    app = console_app()
    client = app.test_client()

    def ids(query: str) -> set[str]:
        html = client.get(f"{PREFIX}/guides?{query}", headers={"X-Role": "viewer"}).text
        return set(re.findall(r'/guides/([\w-]+)"', html))

    everything = ids("")
    assert {"footer-home", "footer-reports"} <= everything
    assert ids("kind=footer_help") >= {"footer-home", "footer-reports"}
    assert all(i.startswith("footer") for i in ids("kind=footer_help"))
    assert ids("q=filter+by+year") == {"footer-reports"}
    assert ids("stage=use&kind=footer_help") >= {"footer-reports"}
    assert "footer-reports" not in ids("stage=depth")
    assert ids("status=ended") == set()
    assert ids("locale=zh-CN") >= {"footer-reports"}


def test_history_diff_and_rollback() -> None:
    app = console_app()
    publish_seed(app)
    client = app.test_client()
    csrf, base, text = edit_form(client)
    client.post(
        f"{PREFIX}/guides/footer-reports",
        data={"csrf_token": csrf, "base_revision": base, "text": text.replace("About reports", "Reports 101")},
        headers={"X-Role": "publisher"},
    )
    history = client.get(f"{PREFIX}/history", headers={"X-Role": "viewer"}).text
    assert "r2" in history and "(live)" in history and "Roll back to r1" not in history  # viewers cannot
    diff = client.get(f"{PREFIX}/history/2", headers={"X-Role": "viewer"}).text
    assert "~ footer-reports: title" in diff and "+" in diff and "Reports 101" in diff
    # the history's button asks first: what changes, and a confirm button; nothing is published yet
    asked = client.post(
        f"{PREFIX}/history/1/rollback", data={"csrf_token": csrf, "base_revision": "2"}, headers={"X-Role": "publisher"}
    )
    assert asked.status_code == 200 and "Roll back to revision 1?" in asked.text
    assert "~ footer-reports: title" in asked.text and 'name="confirmed" value="yes"' in asked.text
    store = app.extensions["onboarding"].storage
    assert store.content_revision() == 2
    response = client.post(
        f"{PREFIX}/history/1/rollback",
        data={"csrf_token": csrf, "base_revision": "2", "confirmed": "yes"},
        headers={"X-Role": "publisher"},
    )
    assert response.status_code == 302
    store = app.extensions["onboarding"].storage
    assert store.content_revision() == 3 and store.load_content(3)[1] == store.load_content(1)[1]
    assert "About reports" in app.test_client().get("/reports", headers={"X-User": "u"}).text
    stale = client.post(
        f"{PREFIX}/history/2/rollback",
        data={"csrf_token": csrf, "base_revision": "2", "confirmed": "yes"},
        headers={"X-Role": "publisher"},
    )
    assert stale.status_code == 409 and store.content_revision() == 3
    assert [e["action"] for e in store.audit_log()] == ["rollback", "publish"]
    audit = client.get(f"{PREFIX}/audit", headers={"X-Role": "admin"}).text
    assert "rollback" in audit and "to=1" in audit


def test_preview_renders_sanitized_markdown_in_every_locale_and_publishes_nothing() -> None:
    app = console_app()
    client = app.test_client()
    csrf, base, text = edit_form(client)
    edited = text.replace("Filter by year to compare seasons.", "'**Filter** by year <script>alert(1)</script>'")
    assert edited != text
    response = client.post(
        f"{PREFIX}/guides/footer-reports/preview",
        data={"csrf_token": csrf, "base_revision": base, "text": edited},
        headers={"X-Role": "editor"},
    )
    assert response.status_code == 200, response.text
    preview = response.text.split("Preview (not published)", 1)[1]
    assert "<strong>Filter</strong>" in preview and "<script>alert" not in preview
    assert 'lang="en"' in preview and 'lang="zh-CN"' in preview and "按年份筛选" in preview
    assert "&lt;script&gt;" in response.text.split("Preview (not published)", 1)[0]  # the text, kept
    assert app.extensions["onboarding"].storage.content_revision() == 0
    broken = client.post(
        f"{PREFIX}/guides/footer-reports/preview",
        data={"csrf_token": csrf, "base_revision": base, "text": "- not a mapping"},
        headers={"X-Role": "editor"},
    )
    assert broken.status_code == 422 and "one YAML mapping" in broken.text


def test_unpublish_takes_one_guide_out_and_a_rollback_restores_it() -> None:
    app = console_app()
    client = app.test_client()
    csrf, base, _ = edit_form(client)
    response = client.post(
        f"{PREFIX}/guides/footer-reports/unpublish",
        data={"csrf_token": csrf, "base_revision": base},
        headers={"X-Role": "publisher"},
    )
    assert response.status_code == 302
    store = app.extensions["onboarding"].storage
    assert store.content_revision() == 1 and "footer-reports" not in store.load_content()[1]
    assert "footer-home" in store.load_content()[1]
    assert "About reports" not in app.test_client().get("/reports", headers={"X-User": "u"}).text
    assert store.audit_log()[0]["action"] == "unpublish"
