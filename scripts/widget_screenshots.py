"""Screenshots of the widget's default theme for docs/widget.md (issue 11 item 8).

    python scripts/widget_screenshots.py        # writes docs/img/widget-*.png

Draws the host zoo's grid page (tests/browser/zoo/, the real extension) in headless Chromium
(/usr/bin/chromium, or ONBOARDING_CHROMIUM) at 1280x800 and on a 390x844 phone, light (the
light-only page) and dark (the dark page), and takes three pictures of each: a tour step with its
spotlight and the banner, a tooltip, and the tips panel.
The same popover drawn by Driver.js and Shepherd is scripts/compare_screenshots.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.widget_app import LiveServer  # noqa: E402
from tests.browser.zoo.app import make_zoo_app  # noqa: E402

OUT = ROOT / "docs" / "img"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"light": "light-only", "dark": "dark"}  # zoo page per colour scheme


def settle(page: Page) -> None:
    page.evaluate("() => new Promise((done) => setTimeout(() => requestAnimationFrame(done), 400))")


def shoot(page: Page, name: str) -> None:
    settle(page)
    page.screenshot(path=str(OUT / f"widget-{name}.png"))
    print("wrote", OUT / f"widget-{name}.png")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    server = LiveServer(make_zoo_app()).start()
    with sync_playwright() as playwright:
        chromium = os.environ.get("ONBOARDING_CHROMIUM", "/usr/bin/chromium")
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for size, viewport in SIZES.items():
            for scheme, variant in SCHEMES.items():
                phone = size == "phone"
                context = browser.new_context(viewport=viewport, color_scheme=scheme, is_mobile=phone, has_touch=phone)
                context.add_cookies([{"name": "uid", "value": f"shots-{size}-{scheme}", "url": server.base}])
                page = context.new_page()
                page.emulate_media(reduced_motion="reduce")
                page.goto(server.url(f"/zoo/{variant}"))
                page.locator("ob-layer .ob-spot").wait_for()
                shoot(page, f"tour-{size}-{scheme}")
                page.keyboard.press("Escape")  # the tour step
                page.locator("#filter").hover() if not phone else page.locator("#filter").focus()
                page.locator("ob-layer .ob-card", has_text="Type part of a report name").wait_for()
                shoot(page, f"tooltip-{size}-{scheme}")
                page.mouse.move(0, 0)
                page.locator("[data-onboarding-open=tips]").click()
                page.locator("ob-layer .ob-p").wait_for()
                shoot(page, f"panel-{size}-{scheme}")
                context.close()
        browser.close()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
