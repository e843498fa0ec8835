"""Preview-as and why: the pure explainer, and the console page built on it."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from flask import Flask, request

from onboarding_sdk import UserProfile, signals
from onboarding_sdk.anchor_reports import reports
from onboarding_sdk.conditions import Facts
from onboarding_sdk.content import load_content_text
from onboarding_sdk.delivery import Catalog, Page, Situation
from onboarding_sdk.guide_state import GuideState
from onboarding_sdk.state import EventStats, UserState
from onboarding_sdk.why import explain_page, explain_when, first_unmet
from tests.guides.app import EVENTS, START, Clock, create_app, grow

PREFIX = "/onboarding/console"
NOW = START + timedelta(days=1)

CONTENT = """
version: 1
guides:
  - id: footer-reports
    kind: footer_help
    title: {en: "About reports"}
    body: {en: "Filter by year to compare seasons."}
    when: {stages: [use], endpoints: [reports]}
  - id: reports-tip
    kind: tooltip
    anchor: filter-year
    auto_open: true
    priority: 5
    title: {en: "Filter"}
    body: {en: "Filter here."}
    when:
      stages: [use, depth]
      endpoints: [reports]
      any: [{done: [report_created]}, {not: {plans: [free]}}]
  - id: deep-dive
    kind: tooltip
    anchor: export
    title: {en: "Export"}
    body: {en: "Export it."}
    when: {stages: [depth], endpoints: [reports]}
  - id: home-only
    kind: footer_help
    title: {en: "Home"}
    body: {en: "The dashboard."}
    when: {endpoints: [home]}
  - id: later
    kind: footer_help
    title: {en: "Soon"}
    body: {en: "Not yet."}
    starts_at: 2027-01-01T00:00:00Z
"""


# --- the pure explainer ----------------------------------------------------------------


def user(stage: str = "use", events: tuple[str, ...] = (), days: int = 3) -> UserState:
    signup = NOW - timedelta(days=days)
    stats = {e: EventStats(1, NOW, NOW) for e in events}
    return UserState("x", signed_up_at=signup, stage=stage, first_seen=signup, last_seen=NOW, events=stats)


def test_the_explainer_marks_every_condition_of_a_nested_when() -> None:
    when = {
        "stages": ["use"],
        "days_since_signup": {"max": 7},
        "any": [{"done": ["export_done"]}, {"all": [{"plans": ["pro"]}, {"locales": ["en"]}]}],
        "not": {"done": ["installed_code"]},
    }
    profile = UserProfile("x", NOW - timedelta(days=3), plan="free", locale="en")
    facts = Facts(user(events=("installed_code",)), profile, NOW, endpoint="reports")
    nodes = explain_when(when, facts)
    assert [(n.path, n.met) for n in nodes] == [
        ("when.stages", True),
        ("when.days_since_signup", True),
        ("when.any", False),
        ("when.not", False),
    ]
    assert "3 days since sign-up" in nodes[1].text
    any_ = nodes[2]
    assert [(c.path, c.met) for c in any_.children] == [("when.any[0].done", False), ("when.any[1].all", False)]
    assert [(c.path, c.met) for c in any_.children[1].children] == [
        ("when.any[1].all[0].plans", False),
        ("when.any[1].all[1].locales", True),
    ]
    assert "plan free" in any_.children[1].children[0].text
    assert nodes[3].children[0].path == "when.not.done" and nodes[3].children[0].met is True
    assert first_unmet(nodes) is any_.children[0]  # the deepest first failing leaf
    # the same leaves for a user who meets everything
    facts = Facts(user(events=("export_done",)), profile, NOW, endpoint="reports")
    assert all(n.met for n in explain_when(when, facts))


def test_the_page_explanation_agrees_with_resolve() -> None:
    specs = load_content_text(CONTENT, "t.yaml", events=EVENTS, default_locale="en")
    catalog = Catalog(specs, events=EVENTS)
    profile = UserProfile("x", NOW - timedelta(days=3), plan="free")
    for stage in ("awareness", "use", "depth"):
        for events in ((), ("report_created",)):
            for states in ({}, {"footer-reports": GuideState(flags=2)}):
                situation = Situation(profile, user(stage, events), states, NOW)
                preview = explain_page(catalog, situation, Page("reports", "/reports"))
                decisions = catalog.resolve(situation, Page("reports", "/reports"))
                assert [d.guide.id for d in preview.decisions] == [d.guide.id for d in decisions]
                shown = [e.id for e in preview.explanations if e.shown]
                assert shown == [d.guide.id for d in decisions]
                for e in preview.explanations:
                    failed = [c for c in e.checks if c.ok is False]
                    assert bool(failed) is not e.shown, (stage, events, e.id, e.checks)
                ids = {e.id for e in preview.explanations}
                assert "home-only" not in ids and "later" in ids and preview.other_guides == 1


# --- the console page ------------------------------------------------------------------


def preview_app(with_callback: bool = True) -> Flask:
    app, ext = create_app(Clock(NOW))
    if with_callback:

        @ext.console_access
        def role() -> str | None:
            return request.headers.get("X-Role")

    with app.app_context():
        app.extensions["onboarding"].content.publish(CONTENT, None, "setup", "")
    grow(app, ext, "u", "use")
    return app


def preview(app: Flask, role: str | None = "viewer", **args: str | list[str]) -> tuple[int, str]:
    headers = {"X-Role": role} if role else {}
    response = app.test_client().get(f"{PREFIX}/preview-as?{urlencode(args, doseq=True)}", headers=headers)
    return response.status_code, html_lib.unescape(response.text)


def row(page: str, guide_id: str) -> str:
    found = re.search(rf'<tr id="why-{guide_id}">(.*?)</tr>', page, re.S)
    assert found, guide_id
    return found.group(1)


def shown_in_order(page: str) -> list[str]:
    listed = page.split("Shown on this page, in order", 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<li><code>([\w-]+)</code>", listed)


def test_a_made_up_user_in_stage_use_sees_the_expected_guides_and_why_not_the_others() -> None:
    app = preview_app()
    status, page = preview(app, stage="use", days="2", done=["installed_code", "report_created"], endpoint="reports")
    assert status == 200, page
    assert shown_in_order(page) == ["reports-tip", "footer-reports"]  # priority first
    assert "opens by itself" in row(page, "reports-tip")
    deep = row(page, "deep-dive")
    assert "not shown" in deep and "stages: depth (the user: use)" in deep
    assert re.search(r"✘ not met</strong> <code>stages: \[depth\] \(the user: stage use\)</code>", deep)
    assert "scheduled: starts 2027-01-01" in row(page, "later")
    assert "why-home-only" not in page  # never concerns the reports page
    # without report_created and on the free plan, the tooltip's `any` fails, leaf by leaf
    _, page = preview(app, stage="use", done="installed_code", endpoint="reports", plan="free")
    tip = row(page, "reports-tip")
    assert "not shown" in tip and "condition not met: done: [report_created]" in tip
    assert "✘ not met</strong> <code>plans: [free] (the user: plan free)" not in tip
    assert "✔ met</span> <code>plans: [free] (the user: plan free)" in tip
    assert shown_in_order(page) == ["footer-reports"]


def test_a_real_user_is_previewed_from_their_stored_state() -> None:
    app = preview_app()
    ext = app.extensions["onboarding"]
    with app.app_context():
        ext.guide_action(UserProfile("u", START), "footer-reports", "dismiss")
    status, page = preview(app, user_id="u", stage="depth", endpoint="reports", plan="pro")
    assert status == 200, page
    assert "User u on reports" in page and "Stage <strong>use</strong>" in page  # the form's stage is ignored
    assert shown_in_order(page) == ["reports-tip"]  # not on the free plan
    assert "dismissed by the user" in row(page, "footer-reports")
    _, unknown = preview(app, user_id="nobody", endpoint="reports")
    assert "Nothing is stored for user id nobody" in unknown


def test_bad_input_is_refused_with_the_form_kept() -> None:
    app = preview_app()
    status, page = preview(app, endpoint="no.such.page", days="-3")
    assert status == 400 and "is not a page of this app" in page and "whole number of days" in page
    status, page = preview(app)
    assert status == 200 and "Shown on this page" not in page and '<option value="reports"' in page


@pytest.mark.parametrize(("role", "status"), [(None, 404), ("guest", 404), ("viewer", 200), ("admin", 200)])
def test_preview_as_needs_the_viewer_role(role: str | None, status: int) -> None:
    app = preview_app()
    assert preview(app, role, endpoint="reports")[0] == status


def test_without_a_callback_preview_as_is_404() -> None:
    app = preview_app(with_callback=False)
    assert preview(app, "admin", endpoint="reports")[0] == 404


def test_previewing_a_real_user_never_moves_their_stage() -> None:
    # A stage rule that looks at the plan: the form's made-up plan must not promote the user.
    rules = {"use": {"plans": ["pro"]}}
    app, ext = create_app(Clock(NOW), ONBOARDING_STAGE_RULES=rules)
    moves: list[str] = []
    signals.stage_changed.connect(lambda sender, **kw: moves.append(kw["new"]), sender=app, weak=False)

    @ext.console_access
    def role() -> str | None:
        return "viewer"

    with app.app_context():
        ext.track("installed_code", user_id="u", at=START)
    status, page = preview(app, user_id="u", endpoint="home", plan="pro")
    assert status == 200 and "Stage <strong>use</strong>" in page  # what the rules reach with that plan
    with app.app_context():
        assert ext.stage_of("u") == "awareness"  # and nothing was written
    assert moves == []


def test_preview_as_is_reachable_from_the_menu_and_from_a_guide() -> None:
    app = preview_app()
    client = app.test_client()
    listing = client.get(f"{PREFIX}/guides", headers={"X-Role": "viewer"}).text
    assert f'href="{PREFIX}/preview-as">Preview as</a>' in listing
    guide = client.get(f"{PREFIX}/guides/reports-tip", headers={"X-Role": "viewer"}).text
    link = re.search(r'<a href="([^"]+)">who gets it', guide)
    assert link is not None and html_lib.unescape(link.group(1)) == f"{PREFIX}/preview-as?endpoint=reports"
    status, page = preview(app, endpoint="reports", stage="use")  # the page that link opens, filled in
    assert status == 200 and "reports-tip" in shown_in_order(page)


def test_an_anchor_the_widget_reported_missing_makes_preview_as_say_not_drawn() -> None:
    app = preview_app()
    args = {"stage": "use", "days": "2", "done": ["installed_code", "report_created"], "endpoint": "reports"}
    _, before = preview(app, **args)
    assert "reports-tip" in shown_in_order(before) and "not drawn" not in row(before, "reports-tip")
    # the widget on /reports waited for the tooltip's anchor in vain and said so
    reports(app).note("/reports", "filter-year", 0.0)
    reports(app).note("/elsewhere", "export", 0.0)
    _, after = preview(app, **args)
    tip = row(after, "reports-tip")
    assert "not drawn</strong>: anchor <code>filter-year</code> was not found on this page" in tip
    assert "the widget waited for anchor filter-year on /reports and did not find it" in tip
    assert "not drawn" not in row(after, "footer-reports")  # no anchor: unaffected
