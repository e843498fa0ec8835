"""Placing a guide without a developer (issue 13): the pages and anchors inventory, the form's
page and anchor lists, the checks before publishing, and preview-as naming a missing anchor."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

from flask import Flask, request

from tests.console_forms import read_form, submit
from tests.guides.app import START, Clock, create_app, grow

PREFIX = "/onboarding/console"

CONTENT = """
version: 1
guides:
  - id: tip-filter
    kind: tooltip
    anchor: filter-year
    title: {en: Filter, zh-CN: 筛选}
    body: {en: "Pick a **year**.", zh-CN: "选择**年份**。"}
    when: {stages: [use], endpoints: [reports]}
  - id: footer-home
    kind: footer_help
    title: {en: Home, zh-CN: 首页}
    body: {en: "Your dashboard.", zh-CN: "您的仪表盘。"}
    when: {endpoints: [home]}
"""


def placing_app(content: str = CONTENT) -> Flask:
    app, ext = create_app(Clock(START + timedelta(days=1)))

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    grow(app, ext, "u", "use")
    with app.app_context():
        app.extensions["onboarding"].content.publish(content, None, "setup", "")
    return app


def as_(role: str) -> dict[str, str]:
    return {"X-Role": role, "X-User": f"{role}-1"}


def text_of(html: str) -> str:
    """The page's text, tags dropped and entities decoded, for reading messages."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def options(html: str, datalist: str) -> dict[str, str]:
    """value -> label of a datalist's options."""
    found = re.search(rf'<datalist id="{datalist}"[^>]*>(.*?)</datalist>', html, re.S)
    assert found, datalist
    pairs = re.findall(r'<option value="([^"]*)" label="([^"]*)"', found.group(1))
    return {html_lib.unescape(v): html_lib.unescape(label) for v, label in pairs}


# --- the inventory page -------------------------------------------------------------------


def test_pages_and_anchors_lists_every_host_page_with_its_rules_and_labelled_anchors() -> None:
    app = placing_app()
    client = app.test_client()
    response = client.get(f"{PREFIX}/pages", headers=as_("viewer"))
    assert response.status_code == 200
    text = text_of(response.text)
    for endpoint, rule in (("home", "/"), ("reports", "/reports"), ("account", "/account")):
        assert f"{endpoint} {rule} · GET" in text, endpoint
    # each anchor with its accessible name: the enclosing label, the text, the button's text
    assert "filter-year Year reports.html tip-filter" in text
    assert "import-result Import failed reports.html none" in text
    assert "delete-report Delete reports.html" in text
    assert "static" not in text and "onboarding_console." not in text and "onboarding.api" not in text
    # viewers read it; the "new tooltip here" link is for editors
    assert "New tooltip" not in text
    editor = client.get(f"{PREFIX}/pages", headers=as_("editor")).text
    assert 'href="/onboarding/console/new-guide?kind=tooltip&amp;anchor=delete-report&amp;endpoints=reports"' in editor
    assert client.get(f"{PREFIX}/pages").status_code == 404  # no role: no console


def test_a_new_tooltip_from_the_inventory_is_placed_and_publishes() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(
        f"{PREFIX}/new-guide?kind=tooltip&anchor=delete-report&endpoints=reports", headers=as_("publisher")
    )
    form = read_form(html.text)
    assert form.get("anchor") == "delete-report" and form.get("endpoints") == "reports"
    change = {"id": "tip-delete", "title.en": "Careful", "body.en": "This cannot be undone."}
    change |= {"title.zh-CN": "小心", "body.zh-CN": "无法撤销。"}
    published = submit(client, html.text, button="Publish", change=change, headers=as_("publisher"))
    assert published.status_code == 200, text_of(published.text)
    assert "Published as revision 2" in published.text and "warning" not in text_of(published.text).lower()


# --- the form's lists -----------------------------------------------------------------------


def test_the_form_offers_the_pages_with_their_urls_and_the_chosen_pages_anchors() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter", headers=as_("viewer")).text
    pages = options(html, "page-list")
    assert pages == {"account": "/account", "home": "/", "reports": "/reports"}
    assert 'id="f-endpoints" name="endpoints" type="text" value="reports" list="page-list"' in html
    assert 'name="anchor" type="text" value="filter-year" list="anchor-list"' in html
    offered = options(html, "anchor-list")
    assert offered == {
        "delete-report": "Delete · reports",
        "filter-year": "Year · reports",
        "import-result": "Import failed · reports",
    }
    # on another page, that page's anchors (home has none): the server filters without JavaScript
    elsewhere = client.get(f"{PREFIX}/new-guide?kind=tooltip&endpoints=home", headers=as_("editor")).text
    assert options(elsewhere, "anchor-list") == {}
    assert set(options(elsewhere, "anchor-catalog")) == set(offered)  # the full list, for console.js


def test_a_tours_steps_offer_each_steps_own_pages_anchors() -> None:
    content = CONTENT + (
        "  - id: tour\n    kind: tour\n    title: {en: Tour, zh-CN: 导览}\n    steps:\n"
        "      - {endpoint: reports, anchor: filter-year, title: {en: Filter, zh-CN: 筛选}}\n"
        "      - {endpoint: home, title: {en: Home, zh-CN: 首页}}\n"
    )
    client = placing_app(content).test_client()
    html = client.get(f"{PREFIX}/guides/tour", headers=as_("viewer")).text
    assert set(options(html, "anchors-step-0")) == {"filter-year", "import-result", "delete-report"}
    assert options(html, "anchors-step-1") == {}
    assert 'data-pages-from="f-steps.0.endpoint"' in html


# --- the checks before publishing -----------------------------------------------------------


def test_a_url_in_the_pages_field_is_refused_with_the_endpoint_to_use() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter", headers=as_("publisher")).text
    for button in ("Publish", "Save draft", "Preview"):
        response = submit(client, html, button=button, change={"endpoints": "/reports"}, headers=as_("publisher"))
        assert response.status_code == 422, button
        text = text_of(response.text)
        assert "'/reports' is a URL, not a page: pages are named by their endpoint: use 'reports'" in text
        assert 'aria-describedby="err-endpoints"' in response.text
    store = app.extensions["onboarding"].storage
    assert store.content_revision() == 1 and store.drafts() == {}  # nothing published, nothing drafted
    full = submit(
        client, html, button="Publish", change={"endpoints": "https://app.example/nowhere"}, headers=as_("publisher")
    )
    assert full.status_code == 422 and "no page of this app answers that URL" in text_of(full.text)


def test_an_endpoint_not_in_the_app_is_refused_with_a_suggestion() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter", headers=as_("publisher")).text
    response = submit(client, html, button="Publish", change={"endpoints": "reportz"}, headers=as_("publisher"))
    assert response.status_code == 422
    assert "no endpoint 'reportz' in this app (did you mean 'reports'?)" in text_of(response.text)
    assert app.extensions["onboarding"].storage.content_revision() == 1


def test_a_mistyped_anchor_is_warned_on_the_form_the_draft_and_the_draft_list() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter", headers=as_("editor")).text
    change = {"anchor": "reports-save-button"}
    previewed = submit(client, html, button="Preview", change=change, headers=as_("editor"))
    assert previewed.status_code == 200  # a warning does not refuse
    text = text_of(previewed.text)
    expected = "no template marks 'reports-save-button' (add {{ onboarding_anchor(\"reports-save-button\") }}"
    assert f"Warning: {expected}" in text  # beside the field
    assert 'aria-describedby="warn-anchor"' in previewed.text and "Check before publishing (1 warning" in text
    saved = submit(client, html, button="Save draft", change=change, headers=as_("editor"))
    assert saved.status_code == 200 and "Draft saved" in saved.text and expected in text_of(saved.text)
    listing = text_of(client.get(f"{PREFIX}/guides", headers=as_("viewer")).text)
    assert "1 warning" in listing and f"Warning: anchor: {expected}" in listing
    # an anchor of another page: the page it is on is named
    other = submit(client, html, button="Preview", change={"endpoints": "home"}, headers=as_("editor"))
    assert "'filter-year' is not on page home (it is on reports): it will not be drawn" in text_of(other.text)


def test_the_live_preview_fragment_carries_the_warnings() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter", headers=as_("editor")).text
    form = read_form(html)
    data = dict(form.fields) | {"anchor": "nope", "fragment": "1"}
    response = client.post(f"{PREFIX}/guides/tip-filter/preview", data=data, headers=as_("editor"))
    assert response.status_code == 200
    assert "Warnings (they do not block)" in response.text and "no template marks &#39;nope&#39;" in response.text


def test_missing_and_possibly_stale_translations_are_warned() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter", headers=as_("publisher")).text
    changed = submit(
        client, html, button="Preview", change={"body.en": "Pick a **year** first."}, headers=as_("editor")
    )
    text = text_of(changed.text)
    assert "body.zh-CN: translation may be out of date: en changed, zh-CN did not" in text
    assert 'aria-describedby="warn-body.zh-CN"' in changed.text
    both = {"body.en": "Pick a **year** first.", "body.zh-CN": "先选择**年份**。"}
    assert "out of date" not in text_of(submit(client, html, button="Preview", change=both, headers=as_("editor")).text)
    new = client.get(f"{PREFIX}/new-guide?kind=footer_help&endpoints=account", headers=as_("publisher")).text
    english = {"id": "footer-account", "title.en": "Account", "body.en": "Plan and invoices."}
    only_en = submit(client, new, button="Publish", change=english, headers=as_("publisher"))
    assert only_en.status_code == 200  # published: a missing translation is a warning
    assert "body.zh-CN: no zh-CN translation (body): zh-CN readers get another locale's text" in text_of(only_en.text)


def test_the_yaml_editor_runs_the_same_checks() -> None:
    app = placing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter/yaml", headers=as_("publisher")).text
    text = read_form(html).get("text") or ""
    url = submit(
        client,
        html,
        button="Publish",
        change={"text": text.replace("- reports", "- /reports")},
        headers=as_("publisher"),
    )
    assert url.status_code == 422 and "use 'reports'" in text_of(url.text)
    typo = submit(
        client,
        html,
        button="Publish",
        change={"text": text.replace("filter-year", "filter-yaer")},
        headers=as_("publisher"),
    )
    assert typo.status_code == 200 and "anchor: no template marks 'filter-yaer'" in text_of(typo.text)


# --- preview-as -------------------------------------------------------------------------------


def test_preview_as_says_not_drawn_when_the_anchor_is_not_on_the_page() -> None:
    content = CONTENT + (
        "  - id: tip-save\n    kind: tooltip\n    anchor: reports-save-button\n"
        "    title: {en: Save, zh-CN: 保存}\n    body: {en: Save it., zh-CN: 保存。}\n"
        "    when: {endpoints: [reports]}\n"
    )
    client = placing_app(content).test_client()
    response = client.get(f"{PREFIX}/preview-as?endpoint=reports&stage=use", headers=as_("viewer"))
    assert response.status_code == 200
    verdicts = dict(
        re.findall(r'<tr id="why-([^"]+)">\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>', response.text, re.S)
    )
    assert text_of(verdicts["tip-save"]) == "not drawn : anchor reports-save-button is not on this page"
    assert text_of(verdicts["tip-filter"]) == "shown #1"
    listed = text_of(response.text.split("<table>")[0])
    assert "tip-save (tooltip): not drawn: anchor reports-save-button is not on this page" in listed


def test_preview_as_judges_a_tours_current_step_anchor() -> None:
    content = CONTENT + (
        "  - id: tour\n    kind: tour\n    title: {en: Tour, zh-CN: 导览}\n    steps:\n"
        "      - {endpoint: reports, anchor: save-button, title: {en: Save, zh-CN: 保存}}\n"
        "      - {endpoint: home, title: {en: Home, zh-CN: 首页}}\n"
    )
    client = placing_app(content).test_client()
    on_reports = client.get(f"{PREFIX}/preview-as?endpoint=reports&stage=use", headers=as_("viewer")).text
    cells = r'<tr id="why-tour">\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>'
    verdict = re.search(cells, on_reports, re.S)
    assert verdict and text_of(verdict.group(1)) == "not drawn : anchor save-button is not on this page"


# --- item 6 -----------------------------------------------------------------------------------


def test_every_page_links_back_to_the_app_and_schedules_say_their_zone() -> None:
    client = placing_app().test_client()
    html = client.get(f"{PREFIX}/guides/tip-filter", headers=as_("viewer")).text
    assert '<a class="back" href="/">← Back to the app</a>' in html
    assert html.count("(time zone: UTC)") == 2 and html.count("data-utc-time") == 2
