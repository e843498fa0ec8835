"""Jinja helpers and the onboarding pages: useful HTML without JavaScript, safe, overridable."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import g, render_template_string

from tests.guides.app import START, TOPICS, Clock, create_app


def test_assets_inline_the_payload_with_the_hosts_nonce() -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)))

    @app.before_request
    def nonce() -> None:
        g.csp_nonce = "n0nce"

    html = app.test_client().get("/", headers={"X-User": "a"}).text
    assert '<link rel="stylesheet" href="/onboarding/static/onboarding.css" nonce="n0nce">' in html
    assert '<script src="/onboarding/static/onboarding.js" defer nonce="n0nce"></script>' in html
    match = re.search(r'<script type="application/json" id="onboarding-data" nonce="n0nce">(.*?)</script>', html)
    assert match is not None
    data = json.loads(match.group(1))
    assert [guide["id"] for guide in data["guides"]] == ["how-to-start", "starter-guide"]
    assert " on" not in html.split("<body>")[1].split("<main>")[0]  # no inline event handlers


def test_a_page_with_a_tour_preloads_the_chunks_its_step_needs(tmp_path: Path) -> None:
    # the tour's chunk and the placement chunk load beside the core, not one after another
    content = tmp_path / "tour.yaml"
    content.write_text(
        "guides:\n  - id: tour\n    kind: tour\n    title: Tour\n    steps:\n"
        "      - {endpoint: home, anchor: filter-year, title: Filter}\n"
    )
    app, _ = create_app(Clock(), content=[str(content)])

    @app.before_request
    def nonce() -> None:
        g.csp_nonce = "n0nce"

    html = app.test_client().get("/", headers={"X-User": "a"}).text
    assert [guide["kind"] for guide in payload_of(html)["guides"]] == ["tour"]
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)" nonce="n0nce">', html)
    assert preloads == ["/onboarding/static/onboarding-tour.js", "/onboarding/static/onboarding-float.js"]


def test_a_page_without_floating_guides_preloads_no_chunk() -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)))
    html = app.test_client().get("/", headers={"X-User": "a"}).text
    assert {guide["kind"] for guide in payload_of(html)["guides"]} == {"starter_guide"}
    assert "modulepreload" not in html


def payload_of(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="onboarding-data"[^>]*>(.*?)</script>', html)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_payload_json_cannot_break_out_of_the_script_tag(tmp_path: Path) -> None:
    content = tmp_path / "evil.yaml"
    content.write_text(
        "guides:\n  - id: evil\n    kind: footer_help\n    title: '</script><script>alert(1)</script>'\n"
        "    body: hello\n"
    )
    app, _ = create_app(Clock(), content=[str(content)])
    html = app.test_client().get("/", headers={"X-User": "a"}).text
    assert "</script><script>alert(1)" not in html
    assert "\\u003c/script\\u003e" in html


def test_anonymous_pages_render_without_guides() -> None:
    app, _ = create_app(Clock())
    html = app.test_client().get("/").text
    assert "onboarding-data" not in html and "How to start" not in html
    assert app.test_client().get("/onboarding/tips").status_code == 401


def test_static_widget_files_are_served() -> None:
    app, _ = create_app(Clock())
    client = app.test_client()
    assert client.get("/onboarding/static/onboarding.js").status_code == 200
    assert client.get("/onboarding/static/onboarding.css").status_code == 200


def test_the_host_can_override_a_template(tmp_path: Path) -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)))
    override = tmp_path / "onboarding"
    override.mkdir()
    (override / "starter_link.html").write_text("{% for g in guides %}<b class=mine>{{ g.title }}</b>{% endfor %}")
    from jinja2 import ChoiceLoader, FileSystemLoader

    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(tmp_path)), app.jinja_loader])  # type: ignore[assignment,list-item]
    html = app.test_client().get("/", headers={"X-User": "a"}).text
    assert "<b class=mine>How to start</b>" in html


def test_pages_extend_the_hosts_base_template() -> None:
    app, _ = create_app(Clock(), ONBOARDING_BASE_TEMPLATE="base.html")
    html = app.test_client().get("/onboarding/tips", headers={"X-User": "a"}).text
    assert '<nav><a href="/">Home</a>' in html  # the host's layout around the tips
    assert "Where do I find my tracking code?" in html


def test_helpers_never_break_the_page_when_storage_is_down() -> None:
    app, _ = create_app(Clock(), ONBOARDING_STORAGE_URI="redis://127.0.0.1:1/0", ONBOARDING_STORAGE_TIMEOUT=0.2)
    response = app.test_client().get("/", headers={"X-User": "a"})
    assert response.status_code == 200
    assert "Dashboard" in response.text and "onboarding-data" not in response.text


def test_unknown_guide_page_is_a_404_page() -> None:
    app, _ = create_app(Clock())
    assert app.test_client().get("/onboarding/guide/nope", headers={"X-User": "a"}).status_code == 404


def test_term_without_glossary_entry_is_plain_text() -> None:
    app, _ = create_app(Clock())
    with app.test_request_context("/", headers={"X-User": "a"}):
        assert render_template_string('{{ onboarding_term("<b>PV</b>") }}') == "&lt;b&gt;PV&lt;/b&gt;"


def test_the_tips_page_shows_each_topic_in_the_readers_locale() -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)), content=["topics.yaml"])
    client = app.test_client()
    for locale, topics in TOPICS.items():
        html = client.get("/onboarding/tips", headers={"X-User": "a", "X-Locale": locale}).text
        shown = dict(
            re.findall(
                r'<article id="([^"]+)" class="ob-tip">\s*<h3>[^<]*</h3>\s*<p class="ob-topic">([^<]*)</p>', html
            )
        )
        assert shown == {gid: topic for gid, topic in topics.items() if gid.startswith("tip-")}, locale
    # no profile locale: the default locale's
    html = client.get("/onboarding/tips", headers={"X-User": "a"}).text
    assert '<p class="ob-topic">Reports</p>' in html and "报表" not in html


RESTRICTED = """
version: 1
guides:
  - id: renewal-price-paid
    kind: starter_guide
    title: {en: "Renewal price"}
    body: {en: "The paid-plan text."}
    when: {plans: [paid]}
  - id: unreleased
    kind: advanced_tip
    title: {en: "Coming"}
    body: {en: "Unreleased text."}
    starts_at: 2030-01-01
  - id: for-depth
    kind: advanced_tip
    title: {en: "Deep"}
    body: {en: "Depth text."}
    when: {stages: [depth]}
  - id: open-to-all
    kind: starter_guide
    title: {en: "Welcome"}
    body: {en: "Everyone's text."}
    frequency: once
"""


def test_a_guide_page_applies_the_widgets_targeting_and_schedule(tmp_path: Path) -> None:
    content = tmp_path / "restricted.yaml"
    content.write_text(RESTRICTED, encoding="utf-8")
    app, _ = create_app(Clock(START + timedelta(days=1)), content=[str(content)])
    client = app.test_client()
    for guide, text in (("renewal-price-paid", "paid-plan"), ("unreleased", "Unreleased"), ("for-depth", "Depth")):
        for headers in ({}, {"X-User": "a"}):  # anonymous, and a free awareness user
            page = client.get(f"/onboarding/guide/{guide}", headers=headers)
            assert page.status_code == 404 and text not in page.text, (guide, headers)
    assert client.get("/onboarding/guide/open-to-all").status_code == 404  # anonymous
    from tests.test_api import post

    assert post(client, "/guides/open-to-all/shown", "a", {}).status_code == 200
    page = client.get("/onboarding/guide/open-to-all", headers={"X-User": "a"})  # shown once: still theirs
    assert page.status_code == 200 and "<p>Everyone's text.</p>" in page.text


HINT = """
version: 1
guides:
  - id: year-hint
    kind: tooltip
    purpose: validation
    form: report
    field: year
    title: {en: "Year"}
    body: {en: "Digits & dashes **only**, like 2024-2025"}
  - id: uv
    kind: tooltip
    purpose: glossary
    term: UV
    title: {en: "UV"}
    body: {en: "Unique visitors: people, not visits & reloads"}
"""


def test_hints_and_terms_show_an_ampersand_once_escaped(tmp_path: Path) -> None:
    content = tmp_path / "hint.yaml"
    content.write_text(HINT, encoding="utf-8")
    app, ext = create_app(Clock(START + timedelta(days=1)), content=[str(content)])
    with app.test_request_context("/", headers={"X-User": "a"}):
        assert ext.hints_for({"year": ["Not a number."]}, form="report") == {
            "year": "Digits & dashes only , like 2024-2025"
        }
        term = render_template_string('{{ onboarding_term("UV") }}')
        assert "visits &amp; reloads" in term and "&amp;amp;" not in term


def test_help_pages_say_why_they_are_empty_and_never_fail_when_the_store_is_down() -> None:
    # a real Redis client against a port where nothing listens: the store is down
    app, _ = create_app(Clock(), ONBOARDING_STORAGE_URI="redis://127.0.0.1:1/0", ONBOARDING_STORAGE_RETRIES=0)
    client = app.test_client()
    anonymous = client.get("/onboarding/tips")
    assert anonymous.status_code == 401 and "Sign in to see your help pages." in anonymous.text
    for path in ("/onboarding/tips", "/onboarding/changelog", "/onboarding/guide/starter-guide"):
        for locale, text in (("en", "Help is unavailable for a moment."), ("zh-CN", "帮助内容暂时无法加载")):
            response = client.get(path, headers={"X-User": "a", "X-Locale": locale})
            assert response.status_code == 503, path
            assert text in response.text, (path, locale)
