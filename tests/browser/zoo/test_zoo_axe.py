"""axe-core across the host zoo (issue 11 item 7): zero violations on every zoo page, light and
dark, with every kind open: the banner, starter card, footer help, badge, beacons, the server's
hint and the tour step with its spotlight as the page loads, then a hovered tooltip with the
validation hint, each panel in turn and the confirmation.

axe is injected with add_init_script (through the DevTools protocol), as in test_axe.py, so it
runs on the zoo's real pages without weakening their policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ..test_axe import RUN
from ..widget_app import LiveServer
from .app import VARIANTS, make_zoo_app

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def zoo() -> Iterator[LiveServer]:
    server = LiveServer(make_zoo_app()).start()
    yield server
    server.stop()


def violations(page: Page, moment: str) -> list[str]:
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return [f"{moment}: {v}" for v in page.evaluate(RUN)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_axe_finds_no_violations_in_the_zoo(browser: Any, zoo: LiveServer, axe: Any, name: str, scheme: str) -> None:
    context = browser.new_context(**DESKTOP, color_scheme=scheme, reduced_motion="reduce")
    try:
        context.add_init_script(path=str(axe))
        context.add_cookies([{"name": "uid", "value": f"axe-{name}-{scheme}", "url": zoo.base}])
        page = context.new_page()
        page.goto(zoo.url(f"/zoo/{name}"))
        layer = page.locator("ob-layer")
        expect(layer.locator(".ob-ban")).to_be_visible()
        expect(layer.locator(".ob-card", has_text="Your numbers")).to_be_visible()  # the tour step
        expect(page.locator(".ob-badge")).to_have_count(1)
        found = violations(page, "on load")

        page.locator("#filter").hover()
        expect(layer.locator(".ob-card", has_text="Type part of a report name")).to_be_visible()
        page.locator("#year").fill("20x")
        page.locator("#year").press("Tab")
        found += violations(page, "tooltip and validation hint")

        for opener, text in (
            ("tips", "How do I export?"),
            ("checklist", "Install the code"),
            ("changelog", "Scheduled"),
        ):
            page.locator(f"[data-onboarding-open={opener}]").first.click()
            expect(layer.locator(".ob-p", has_text=text)).to_be_visible()
            found += violations(page, f"the {opener} panel")
            page.keyboard.press("Escape")
            expect(layer.locator(".ob-p:popover-open")).to_have_count(0)

        page.locator("#delete").press("Enter")
        expect(layer.locator("dialog.ob-m")).to_be_visible()
        found += violations(page, "the confirmation")
        assert found == [], "\n".join(found)
    finally:
        context.close()
