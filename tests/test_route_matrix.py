"""Issue 10 item 9: the authorization and CSRF matrix, generated from ``app.url_map``.

Every rule under the extension's prefixes (widget files, JSON API, pages, console) must have an
entry in ``POLICY``; a new route without one fails ``test_every_route_has_a_policy``, so no route
can escape the matrix. For every role (anonymous, a signed-in customer, and the four console
roles) and every method of every rule, the answer must be the one the policy gives: the API
answers 401 to anonymous visitors; the console answers 404 to anyone without a console role and
403 to a role below the route's; every state-changing request without this user's CSRF token,
with another user's token, or from a foreign Origin is refused.

The host is tests/hosts/login_app.py (Flask-Login, written from our docs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from onboarding_sdk import UserProfile
from tests.hosts import login_app

API, PAGES, CONSOLE = "/onboarding/api", "/onboarding", "/onboarding/console"
FOREIGN = "https://evil.example"
CONSOLE_ROLES = ("viewer", "editor", "publisher", "admin")
#: role name -> the login_app person who has it (None: anonymous)
PEOPLE: dict[str, str | None] = {
    "anonymous": None,
    "customer": "cora",
    "viewer": "vic",
    "editor": "eddie",
    "publisher": "pat",
    "admin": "ada",
}
CONSOLE_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Sample:
    """One request to make for a rule: URL values and, for a POST, its JSON or form body."""

    values: dict[str, Any]
    body: dict[str, Any] | None = None


#: Who may use each method of each rule: "public", "user" (signed in), or the lowest console role.
#: A rule of the extension that is not here fails the test: add it, with its policy.
POLICY: dict[str, dict[str, str]] = {
    "onboarding.static": {"GET": "public"},
    "onboarding.api_root": {"GET": "public"},
    "onboarding.api_openapi": {"GET": "public"},
    "onboarding.api_guides": {"GET": "user"},
    "onboarding.api_changelog": {"GET": "user"},
    "onboarding.api_centre": {"GET": "user"},
    "onboarding.api_events": {"POST": "user"},
    "onboarding.api_shown": {"POST": "user"},
    "onboarding.api_guide_action": {"POST": "user"},
    "onboarding.api_changelog_read": {"POST": "user"},
    "onboarding.api_anchor_missing": {"POST": "user"},
    "onboarding.api_followup": {"POST": "user"},
    # anonymous visitors get no guides (a 404, as for a guide a user is not targeted by); the
    # targeting itself is checked in test_guide_page_applies_targeting
    "onboarding.guide_page": {"GET": "user"},
    "onboarding.tips_page": {"GET": "user"},
    "onboarding.changelog_page": {"GET": "user"},
    "onboarding_console.css": {"GET": "viewer"},
    "onboarding_console.js": {"GET": "viewer"},
    "onboarding_console.index": {"GET": "viewer"},
    "onboarding_console.guides": {"GET": "viewer"},
    "onboarding_console.edit": {"GET": "viewer", "POST": "publisher"},
    "onboarding_console.yaml": {"GET": "viewer"},
    "onboarding_console.new": {"GET": "editor", "POST": "publisher"},
    "onboarding_console.preview": {"POST": "editor"},
    "onboarding_console.new_preview": {"POST": "editor"},
    "onboarding_console.draft": {"POST": "editor"},
    "onboarding_console.new_draft": {"POST": "editor"},
    "onboarding_console.discard": {"POST": "editor"},
    "onboarding_console.unpublish": {"POST": "publisher"},
    "onboarding_console.history": {"GET": "viewer"},
    "onboarding_console.revision": {"GET": "viewer"},
    "onboarding_console.rollback": {"POST": "publisher"},
    "onboarding_console.audit": {"GET": "admin"},
    "onboarding_console.preview_as": {"GET": "viewer"},
    "onboarding_console.analytics": {"GET": "viewer"},
    "onboarding_console.accounts": {"GET": "viewer"},
    "onboarding_console.account": {"GET": "viewer"},
    "onboarding_console.account_report": {"GET": "viewer"},
    "onboarding_console.report_css": {"GET": "viewer"},
    "onboarding_console.outcomes": {"GET": "viewer"},
    "onboarding_console.experiment": {"POST": "publisher"},
    "onboarding_console.inventory": {"GET": "viewer"},
    "onboarding_console.segments": {"GET": "viewer"},
    "onboarding_console.new_segment": {"GET": "editor", "POST": "editor"},
    "onboarding_console.segment": {"GET": "viewer", "POST": "editor"},
    "onboarding_console.guide_history": {"GET": "viewer"},
    "onboarding_console.revert": {"POST": "publisher"},
    "onboarding_console.language": {"GET": "viewer"},
}

#: The requests made for a rule (default: one, with the values below and an empty body).
SAMPLES: dict[str, list[Sample]] = {
    "onboarding.static": [Sample({"filename": "onboarding.js"}), Sample({"filename": "onboarding.css"})],
    "onboarding.api_events": [Sample({}, {"name": "invited"})],
    "onboarding.api_shown": [
        Sample({"guide_id": "projects-tip"}, {}),
        Sample({"guide_id": "projects-tip"}, {"auto": True}),
    ],
    "onboarding.api_guide_action": [
        Sample({"guide_id": "projects-tip", "action": "dismiss"}, {}),
        Sample({"guide_id": "first-steps", "action": "complete"}, {}),
        Sample({"guide_id": "projects-tour", "action": "progress"}, {"step": 1}),
        Sample({"guide_id": "faq-invite", "action": "feedback"}, {"helpful": True}),
    ],
    "onboarding.api_changelog_read": [Sample({}, {}), Sample({}, {"ids": ["v1-search"]})],
    "onboarding.api_followup": [Sample({"guide_id": "faq-invite"}, {"done": True})],
    "onboarding.guide_page": [Sample({"guide_id": "faq-invite"})],
    "onboarding.api_anchor_missing": [Sample({}, {"anchor": "save-report", "path": "/projects"})],
}
URL_VALUES: dict[str, Any] = {
    "guide_id": "faq-invite",
    "revision": 1,
    "account_id": "matrix-account",
    "experiment_id": "matrix-experiment",
    "name": "matrix-segment",
    "code": "zh-CN",
}


def extension_rules(app: Flask) -> Iterator[Any]:
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith((API, PAGES + "/", CONSOLE)):
            yield rule


def samples(app: Flask, endpoint: str, arguments: set[str]) -> list[tuple[str, Sample]]:
    listed = SAMPLES.get(endpoint) or [Sample({k: URL_VALUES[k] for k in arguments})]
    with app.test_request_context():
        return [(app.url_for(endpoint, **s.values), s) for s in listed]


def allows(role: str, needed: str) -> bool:
    if needed == "public":
        return True
    if needed == "user":
        return role != "anonymous"
    return role in CONSOLE_ROLES and CONSOLE_ROLES.index(role) >= CONSOLE_ROLES.index(needed)


@pytest.fixture
def app() -> Flask:
    app = login_app.create_app({"TESTING": True, "ONBOARDING_STORAGE_URI": "memory://"})
    with app.app_context():  # revision 1 exists, so /history/1 and its rollback have something to show
        engine = app.extensions["onboarding"]
        # the host's guides, with an experiment so /outcomes/<experiment_id> has one to stop or start
        content = login_app.CONTENT.read_text(encoding="utf-8")
        content += "experiments:\n  - id: matrix-experiment\n    guides: [projects-tip]\n    holdout: 0.1\n"
        engine.content.publish(content, None, "matrix", "seed")
        # a saved segment, so /segments/<name> has one to show and save
        engine.storage.drafts.save("segment/matrix-segment", {"condition": {"roles": ["admin"]}}, 0)
        # an account, so /accounts/<id> and its report have something to show
        engine.engine.track("matrix-user", None, None, UserProfile("matrix-user", None, account_id="matrix-account"))
        # a trouble for each signed-in person, so the follow-up's answer has something to answer
        for person in filter(None, PEOPLE.values()):
            engine.engine.storage.troubles.note(f"login-{person}", "faq-invite", "/projects", 0, 0)
    return app


class Visitor:
    """A browser of one person: their session cookie, their API token, their console token."""

    def __init__(self, app: Flask, role: str) -> None:
        self.role, self.client = role, app.test_client()
        person = PEOPLE[role]
        self.api_token = self.console_token = ""
        if person is not None:
            answer = self.client.post("/login", data={"username": person, "password": login_app.PASSWORD})
            assert answer.status_code == 302, answer.text
            self.api_token = api_token(self.client)
        if role in CONSOLE_ROLES:
            match = CONSOLE_TOKEN.search(self.client.get(f"{CONSOLE}/guides/faq-invite").text)
            assert match, "the console's edit form carries no csrf_token"
            self.console_token = match.group(1)

    def send(self, url: str, method: str, sample: Sample, *, token: str | None, origin: str | None) -> TestResponse:
        headers = {"Origin": origin} if origin else {}
        if url.startswith(CONSOLE):
            form = {"csrf_token": token} if token else {}
            return self.client.open(url, method=method, data=form, headers=headers)
        if token:
            headers["X-Onboarding-CSRF"] = token
        if method in STATE_CHANGING:
            return self.client.open(url, method=method, json=sample.body or {}, headers=headers)
        return self.client.open(url, method=method, headers=headers)


def api_token(client: FlaskClient) -> str:
    answer = client.get(f"{API}/guides?page=projects")
    assert answer.status_code == 200, answer.text
    token: str = answer.get_json()["csrf"]["token"]
    return token


def refusal(answer: TestResponse) -> str | None:
    """Why the extension refused the request (None: it was let through)."""
    if answer.status_code in (401, 403, 404, 405):
        return str(answer.status_code)
    if answer.status_code == 400 and "security token" in answer.text:
        return "console-csrf"
    return None


def test_every_route_has_a_policy(app: Flask) -> None:
    missing, unlisted = [], []
    for rule in extension_rules(app):
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        policy = POLICY.get(rule.endpoint)
        if policy is None or set(policy) != methods:
            missing.append(f"{rule.rule} {sorted(methods)} ({rule.endpoint})")
        unlisted += [f"{rule.endpoint}: no sample value for <{a}>" for a in rule.arguments - set(URL_VALUES)
                     if rule.endpoint not in SAMPLES]  # fmt: skip
    assert not missing, "routes without an entry (or with other methods) in POLICY: " + "; ".join(missing)
    assert not unlisted, unlisted
    known = {rule.endpoint for rule in extension_rules(app)}
    assert set(POLICY) <= known, f"POLICY names routes that are gone: {set(POLICY) - known}"


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_gets_what_the_policy_says(app: Flask, role: str) -> None:
    visitor = Visitor(app, role)
    wrong: list[str] = []
    probes = 0
    for rule in extension_rules(app):
        if rule.endpoint not in POLICY:
            wrong.append(f"{rule.rule}: not in POLICY (see test_every_route_has_a_policy)")
            continue
        for method, needed in POLICY[rule.endpoint].items():
            for url, sample in samples(app, rule.endpoint, set(rule.arguments)):
                token = visitor.console_token if url.startswith(CONSOLE) else visitor.api_token
                answer = visitor.send(url, method, sample, token=token, origin=None)
                probes += 1
                expected = expected_refusal(url, role, needed)
                got = refusal(answer)
                if got != expected:
                    wrong.append(f"{method} {url}: {answer.status_code} ({got}), expected {expected or 'allowed'}")
                if expected is None and answer.status_code >= 500:
                    wrong.append(f"{method} {url}: {answer.status_code}")
    assert probes >= 35
    assert not wrong, f"{role}: " + "\n".join(wrong)


def expected_refusal(url: str, role: str, needed: str) -> str | None:
    if allows(role, needed):
        return None
    if url.startswith(CONSOLE):  # deny by default: no console role, no console
        return "404" if role not in CONSOLE_ROLES else "403"
    if url.startswith(f"{PAGES}/guide/"):  # a guide page never says whether the guide exists
        return "404"
    return "401"


def state_changing_probes(app: Flask, visitor: Visitor) -> Iterator[tuple[str, str, Sample]]:
    for rule in extension_rules(app):
        for method, needed in POLICY.get(rule.endpoint, {}).items():
            if method in STATE_CHANGING and allows(visitor.role, needed):
                for url, sample in samples(app, rule.endpoint, set(rule.arguments)):
                    yield url, method, sample


@pytest.mark.parametrize("role", [r for r in PEOPLE if r != "anonymous"])
def test_every_state_change_needs_the_users_token_and_this_origin(app: Flask, role: str) -> None:
    visitor = Visitor(app, role)
    someone_else = Visitor(app, "admin" if role != "admin" else "customer")
    wrong: list[str] = []
    probes = 0
    for url, method, sample in state_changing_probes(app, visitor):
        own = visitor.console_token if url.startswith(CONSOLE) else visitor.api_token
        foreign_token = someone_else.console_token if url.startswith(CONSOLE) else someone_else.api_token
        forged = {
            "no token": visitor.send(url, method, sample, token=None, origin=None),
            "a made-up token": visitor.send(url, method, sample, token="1.deadbeef", origin=None),
            "another user's token": visitor.send(url, method, sample, token=foreign_token or "x", origin=None),
            "a foreign Origin": visitor.send(url, method, sample, token=own, origin=FOREIGN),
            "Origin null": visitor.send(url, method, sample, token=own, origin="null"),
        }
        for how, answer in forged.items():
            probes += 1
            if refusal(answer) not in ("403", "console-csrf"):
                wrong.append(f"{method} {url} with {how}: {answer.status_code} {answer.text[:120]}")
    assert probes >= 5
    assert not wrong, "\n".join(wrong)


def test_api_routing_errors_are_json(app: Flask) -> None:
    """Issue 10 item 8: a 404 or 405 under the API is the API's JSON error, never HTML."""
    client = Visitor(app, "customer").client
    answers = {"GET /nope": client.get(f"{API}/nope")}
    for rule in extension_rules(app):
        if not rule.rule.startswith(API):
            continue
        (url, _), *_ = samples(app, rule.endpoint, set(rule.arguments))
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method not in (rule.methods or set()):
                answers[f"{method} {url}"] = client.open(url, method=method)
    wrong = [f"{k}: {a.status_code} {a.mimetype}" for k, a in answers.items()
             if a.status_code not in (404, 405) or not (a.is_json and "error" in a.get_json())]  # fmt: skip
    assert not wrong, wrong


def test_guide_page_applies_targeting(app: Flask) -> None:
    """Issue 10 item 8: /onboarding/guide/<id> shows only what the widget would show this user."""
    hidden = {"paid-only": "Paid-plan text", "not-yet": "Unreleased text"}
    for role in ("anonymous", "customer"):
        client = Visitor(app, role).client
        for guide_id, text in hidden.items():
            answer = client.get(f"{PAGES}/guide/{guide_id}")
            assert answer.status_code == 404 and text not in answer.text, (role, guide_id, answer.status_code)
    assert Visitor(app, "customer").client.get(f"{PAGES}/guide/faq-invite").status_code == 200


def test_api_token_is_bound_to_the_session(app: Flask) -> None:
    """Issue 10 item 8: the token rotates at sign-in and sign-out; a token from before is refused."""
    visitor = Visitor(app, "customer")
    before = visitor.api_token
    assert visitor.client.post("/logout").status_code == 302
    answer = visitor.client.post("/login", data={"username": "cora", "password": login_app.PASSWORD})
    assert answer.status_code == 302
    after = api_token(visitor.client)
    assert after != before
    stale = visitor.send(f"{API}/events", "POST", Sample({}, {"name": "invited"}), token=before, origin=None)
    assert stale.status_code == 403, stale.text
    fresh = visitor.send(f"{API}/events", "POST", Sample({}, {"name": "invited"}), token=after, origin=None)
    assert fresh.status_code == 200, fresh.text
    other_session = Visitor(app, "customer")  # the same person on another device: another token
    assert other_session.api_token != after
