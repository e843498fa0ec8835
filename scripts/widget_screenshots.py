"""Screenshots of the widget's default theme for docs/widget.md (issue 11 item 8).

    python scripts/widget_screenshots.py              # writes docs/img/widget-*.png
    python scripts/widget_screenshots.py --compare    # and docs/img/compare-*.png

Draws the host zoo's grid page (tests/browser/zoo/, the real extension) in headless Chromium
(/usr/bin/chromium, or ONBOARDING_CHROMIUM) at 1280x800 and on a 390x844 phone, light (the
light-only page) and dark (the dark page), and takes three pictures of each: a tour step with its
spotlight and the banner, a tooltip, and the tips panel.

With `--compare` it also draws the same first tour step with Driver.js's and Shepherd's
defaults on the same page (onboarding.js blocked), for docs/widget.md. They are installed only
for this, in scripts/compare/ (`cd scripts/compare && npm ci`); never shipped, never in tests.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.widget_app import LiveServer  # noqa: E402
from tests.browser.zoo.app import make_zoo_app  # noqa: E402

OUT = ROOT / "docs" / "img"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"light": "light-only", "dark": "dark"}  # zoo page per colour scheme
COMPARE = ROOT / "scripts" / "compare" / "node_modules"
DRIVER = """() => window.driver.js.driver({showProgress: true, steps: [
  {element: '[data-onboarding=kpi]',
   popover: {title: 'Your numbers', description: 'Visitors, signups and revenue, updated hourly.'}},
  {element: '#filter', popover: {title: 'Find a report', description: 'Type part of its name.'}}]}).drive()"""
SHEPHERD = """import Shepherd from '/__compare/shepherd.js/dist/js/shepherd.mjs';
const tour = new Shepherd.Tour({useModalOverlay: true, defaultStepOptions: {cancelIcon: {enabled: true}}});
tour.addStep({title: 'Your numbers', text: 'Visitors, signups and revenue, updated hourly.',
  attachTo: {element: '[data-onboarding=kpi]', on: 'bottom'},
  buttons: [{text: 'Next', action: tour.next}]});
tour.addStep({title: 'Find a report', text: 'Type part of its name.', attachTo: {element: '#filter', on: 'bottom'}});
tour.start();"""


def settle(page: Page) -> None:
    page.evaluate("() => new Promise((done) => setTimeout(() => requestAnimationFrame(done), 400))")


def shoot(page: Page, name: str) -> None:
    settle(page)
    page.screenshot(path=str(OUT / f"widget-{name}.png"))
    print("wrote", OUT / f"widget-{name}.png")


def compare(browser: Any, server: LiveServer) -> None:
    """The first tour step drawn by Driver.js and by Shepherd (their defaults) on the zoo page."""
    if not COMPARE.exists():
        sys.exit("--compare needs Driver.js and Shepherd: cd scripts/compare && npm ci")

    def serve(route: Any) -> None:
        path = COMPARE / route.request.url.split("/__compare/", 1)[1]
        kind = "text/css" if path.suffix == ".css" else "text/javascript"
        route.fulfill(body=path.read_bytes(), content_type=kind)

    for size, viewport in SIZES.items():
        for library in ("driver", "shepherd"):
            phone = size == "phone"
            context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, bypass_csp=True)
            context.route("**/onboarding.js", lambda route: route.abort())  # the other library alone
            context.route("**/__compare/**", serve)
            page = context.new_page()
            page.emulate_media(reduced_motion="reduce")
            page.goto(server.url("/zoo/light-only"))
            if library == "driver":
                page.add_style_tag(url="/__compare/driver.js/dist/driver.css")
                page.add_script_tag(url="/__compare/driver.js/dist/driver.js.iife.js")
                page.evaluate(DRIVER)
                page.locator(".driver-popover").wait_for()
            else:
                page.add_style_tag(url="/__compare/shepherd.js/dist/css/shepherd.css")
                page.add_script_tag(content=SHEPHERD, type="module")
                page.locator(".shepherd-element").wait_for()
            shoot(page, f"compare-{library}-{size}")
            context.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    server = LiveServer(make_zoo_app()).start()
    with sync_playwright() as playwright:
        chromium = os.environ.get("ONBOARDING_CHROMIUM", "/usr/bin/chromium")
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        if "--compare" in sys.argv:
            compare(browser, server)
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
