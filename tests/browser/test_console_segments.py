"""The segment builder and the Chinese console in Chromium under a strict CSP: console.js adds a
targeting row in place and shows each row's parts, the live preview's audience follows the rows,
the draft saved holds the condition, and the new pages (in English and zh-CN, light and dark)
have no accessibility violations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.chromium import missing
from tests.test_console_i18n import make_app

from .conftest import AXE
from .test_axe import RUN

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'"
CONSOLE = "/onboarding/console"


@pytest.fixture
def console() -> Iterator[Any]:
    app = make_app()

    @app.after_request
    def strict(response: Any) -> Any:
        response.headers["Content-Security-Policy"] = CSP
        return response

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def open_page(browser: Any, url: str, role: str = "editor", **options: Any) -> tuple[Any, list[str]]:
    language = options.pop("language", "en")
    headers = {"X-Role": role, "X-User": "ed", "Accept-Language": language}
    context = browser.new_context(extra_http_headers=headers, **options)
    if AXE.exists():
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))

    def note(message: Any) -> None:  # the browser's own favicon.ico request is a 404 here: not the page's
        if message.type in ("error", "warning") and "Failed to load resource" not in message.text:
            problems.append(message.text)

    page.on("console", note)
    page.goto(url)
    return page, problems


def test_a_row_is_added_in_place_and_the_audience_follows(browser: Any, console: Any) -> None:
    app, base = console
    page, problems = open_page(browser, base + CONSOLE + "/guides/footer-reports")
    rows = page.locator("[data-seg-row]")
    before = rows.count()
    page.get_by_role("button", name="Add a condition").click()
    expect(rows).to_have_count(before + 1)  # in place: no round trip
    assert page.url.endswith("/guides/footer-reports")
    row = rows.last
    expect(row.locator("select").first).to_be_focused()
    expect(row.get_by_label("Trait name")).to_be_hidden()  # only a trait row names its trait
    row.locator("select").first.select_option("trait")
    expect(row.get_by_label("Trait name")).to_be_visible()
    expect(row.locator("select[name$='.op'] option[value=done]")).to_be_hidden()  # a trait is, or is not
    row.get_by_label("Trait name").fill("industry")
    row.get_by_label("Values").fill("retail, media")
    expect(page.locator("#live-preview [data-audience]")).to_contain_text("traits are not in the index")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".saved")).to_contain_text("Draft saved")
    draft = app.extensions["onboarding"].engine.storage.drafts.load("footer-reports")
    assert "industry:" in draft["text"] and "- retail" in draft["text"]
    assert problems == [], problems
    page.context.close()


def test_between_shows_its_upper_bound_field(browser: Any, console: Any) -> None:
    _, base = console
    page, problems = open_page(browser, base + CONSOLE + "/segments/new")
    row = page.locator("[data-seg-row]").first
    row.locator("select").first.select_option("days")
    expect(row.get_by_label("Up to (days)")).to_be_hidden()
    row.locator("select[name$='.op']").select_option("between")
    expect(row.get_by_label("Up to (days)")).to_be_visible()
    assert problems == [], problems
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_new_pages_have_no_accessibility_violations(browser: Any, console: Any, scheme: str, language: str) -> None:
    if not AXE.exists():
        missing("axe-core (cd tests/browser && npm install)")  # fails under CI=true, never hides
    _, base = console
    for path in (
        "/segments",
        "/segments/admins",
        "/segments/new",
        "/guides/start-here",
        "/guides/footer-reports/history",
    ):
        page, problems = open_page(
            browser, base + CONSOLE + path, role="publisher", color_scheme=scheme, language=language
        )
        assert page.evaluate(RUN) == [], (path, scheme, language)
        assert problems == [], (path, problems)
        page.context.close()
