"""Time from DOMContentLoaded to the first guide drawn, ours next to Driver.js, in one run.

    python bench/widget_first_draw.py [--rounds 15] [--user bo@harbor.demo] [--reduced-motion]

Ours: the example app's dashboard (example_app/, memory store) for a signed-in demo user, the
widget as shipped in static/. Theirs, twice: the same dashboard for the same user with Driver.js
in place of the widget (its tags swapped for Driver.js's built IIFE file, its CSS and a start
script calling driver().highlight({...}) on the tour step's anchor on DOMContentLoaded), and a
small page of its own doing the same. Driver.js is pinned in bench/compare and installed with
`npm ci`; every page comes from the same Flask server on 127.0.0.1. Headless Chromium
(/usr/bin/chromium, or ONBOARDING_CHROMIUM); a fresh browser context (empty cache) per page load;
rounds alternate ours, theirs on the dashboard, theirs alone, ours, ... so that a noisy neighbour
slows all alike.

The widget marks nothing itself, so the bench page's init script watches for it: a
MutationObserver on the document and on every shadow root attached (attachShadow is wrapped to
observe the new root) notes a guide card (`.ob-card`, `.driver-popover`) that is connected, open
if it is a popover, and not `visibility: hidden` inline (an anchored card stays hidden until the
placement chunk has placed it), without reading layout; a ResizeObserver then confirms, after the
next rendering step's layout, that it has a size and is visible, and marks `guide-frame` (the
frame that paints it), with `guide-dom` at the time the MutationObserver saw it; `popover-*`
likewise for the first floating card (a top-layer popover: for the default user, the tour step).
Times are those marks minus the navigation entry's domContentLoadedEventStart. (A first version
read layout in the observer's callback: on the dashboard that cost more than the widget's own
script and was counted in the widget's frames.)

Also counted: long tasks (PerformanceObserver 'longtask', over 50 ms, whatever ran in them), the
guide library's own script runs over 50 ms (the scripts of 'long-animation-frame' entries whose
source is /onboarding/static/ or Driver.js's file, with the forced style and layout inside them:
the first layout of the host's page, when the script is what asks for it), and the requests
started before the first guide was drawn (Resource Timing), by kind.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # run as `python bench/NAME.py`: import from the repo root

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Blueprint, Flask, send_from_directory
from playwright.sync_api import Browser, Page, Route, ViewportSize, sync_playwright
from werkzeug.serving import make_server

from bench.compare_libs import DRIVER_CSS, DRIVER_JS, ensure_installed
from example_app import create_app

VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
Motion = Literal["no-preference", "reduce"]

# Installed before any page script: marks the first drawn guide, collects long tasks.
WATCH = """
(() => {
  const bench = (window.__bench = { longtasks: [], frames: [] });
  const roots = [document];
  const found = {};
  const CARDS = '.ob-card, .driver-popover';
  // Neither observer forces style or layout (on a large page that would cost more than the
  // widget itself): the MutationObserver picks candidates from inline state only, and a
  // ResizeObserver, called after the rendering step's own layout, confirms that a candidate has a
  // size; that is the frame that paints it.
  const candidate = (node) =>
    node.isConnected && node.style.visibility != 'hidden' && (!node.popover || node.matches(':popover-open'));
  const floating = (node) => node.matches(':popover-open') || node.classList.contains('driver-popover');
  const seenAt = new WeakMap(); // candidate -> when the MutationObserver saw it
  const sized = new ResizeObserver((entries) => {
    for (const { target, borderBoxSize } of entries) {
      const [box] = borderBoxSize;
      if (!box.inlineSize || !box.blockSize || !candidate(target)) continue;
      if (getComputedStyle(target).visibility != 'visible') continue; // style is clean here
      for (const name of floating(target) ? ['guide', 'popover'] : ['guide']) {
        if (found[name]) continue;
        found[name] = true;
        performance.mark(name + '-dom', { startTime: seenAt.get(target) });
        performance.mark(name + '-frame');
      }
      sized.unobserve(target);
    }
  });
  const check = () => {
    if (found.popover || (roots.length == 1 && !document.querySelector('.driver-popover'))) return;
    for (const root of roots) {
      for (const node of root.querySelectorAll(CARDS)) {
        if (seenAt.has(node) || !candidate(node) || (found.guide && !floating(node))) continue;
        seenAt.set(node, performance.now());
        sized.observe(node);
      }
    }
  };
  const watcher = new MutationObserver(check);
  const watch = (root) => watcher.observe(root, { childList: true, subtree: true, attributes: true });
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const shadow = attachShadow.call(this, init);
    roots.push(shadow);
    watch(shadow);
    return shadow;
  };
  watch(document);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longtasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      for (const s of e.scripts)
        bench.frames.push([s.sourceURL, s.invoker, s.startTime, s.duration, s.forcedStyleAndLayoutDuration]);
  }).observe({ type: 'long-animation-frame', buffered: true });
})();
"""

# What the page knows once the guide is drawn (times relative to DOMContentLoaded).
COLLECT = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const zero = nav.domContentLoadedEventStart;
  const at = (name) => {
    const entry = performance.getEntriesByName(name)[0];
    return entry ? entry.startTime : null;
  };
  const marks = {};
  for (const name of ['guide-dom', 'guide-frame', 'popover-dom', 'popover-frame'])
    marks[name] = at(name) === null ? null : at(name) - zero;
  const resources = performance.getEntriesByType('resource').map((r) => [r.name, r.startTime]);
  return { marks, zero, resources, longtasks: window.__bench.longtasks, frames: window.__bench.frames };
}
"""

# Driver.js's page: no inline script or style, since the example app's CSP (script-src 'self'
# and a nonce, style-src 'self') applies to it as to the dashboard.
DRIVER_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Driver.js, one popover</title>
<link rel="stylesheet" href="/bench/host.css">
<link rel="stylesheet" href="/bench/lib/{DRIVER_CSS}">
<script defer src="/bench/lib/{DRIVER_JS}"></script>
<script defer src="/bench/driver-start.js"></script>
</head>
<body>
<header><strong>Pulse</strong></header>
<main>
  <h1>Dashboard</h1>
  <section id="kpis"><div>Visitors<br><b>1,204</b></div><div>Page views<br><b>3,918</b></div>
  <div>Bounce rate<br><b>41%</b></div></section>
  <p>Traffic by day, top pages and sources below.</p>
</main>
</body>
</html>
"""

# On the small page the figures are #kpis; on the dashboard, the tour step's own anchor.
DRIVER_START = """
addEventListener('DOMContentLoaded', () => {
  window.driver.js.driver().highlight({
    element: document.querySelector('#kpis') ? '#kpis' : '[data-onboarding="kpis"]',
    popover: {
      title: 'Today at a glance',
      description: 'Page views, visitors and bounce rate, against the same day last week.',
    },
  });
});
"""

# The dashboard with Driver.js in place of the widget: the same host page, server and user.
WIDGET_TAGS = (
    re.compile(r"<link[^>]*/onboarding/static/onboarding\.css[^>]*>"),
    re.compile(r"<script[^>]*/onboarding/static/onboarding\.js[^>]*></script>"),
)
# the widget's chunk preloads (pages.py writes them for a page with a tour): gone too
WIDGET_PRELOADS = re.compile(r'<link rel="modulepreload"[^>]*/onboarding/static/[^>]*>')
DRIVER_TAGS = (
    f'<link rel="stylesheet" href="/bench/lib/{DRIVER_CSS}">'
    f'<script defer src="/bench/lib/{DRIVER_JS}"></script><script defer src="/bench/driver-start.js"></script>'
)


def with_driver(html: str) -> str:
    for tag in WIDGET_TAGS:
        html, found = tag.subn("", html)
        if found != 1:
            raise SystemExit(
                f"the dashboard has {found} tags matching {tag.pattern}: update bench/widget_first_draw.py"
            )
    html = WIDGET_PRELOADS.sub("", html)
    return html.replace("</head>", DRIVER_TAGS + "</head>", 1)


HOST_CSS = """
body { font: 16px system-ui, sans-serif; margin: 0 }
header { padding: 16px 24px; border-bottom: 1px solid #ddd }
main { padding: 24px }
#kpis { display: flex; gap: 16px }
#kpis div { border: 1px solid #ddd; border-radius: 8px; padding: 16px; width: 160px }
"""


@dataclass
class Load:
    """One page load's figures (milliseconds from DOMContentLoaded)."""

    guide: float | None
    popover: float | None
    guide_dom: float | None
    longtasks: list[float]  # durations over 50 ms, from navigation to one second after drawing
    own_scripts: list[tuple[float, float]]  # the guide library's runs in long animation frames: time, forced layout
    requests: dict[str, list[str]] = field(default_factory=dict)  # before the first guide, by kind
    requests_popover: dict[str, list[str]] = field(default_factory=dict)  # before the first popover


def bench_app(modules: Path) -> Flask:
    app = create_app(
        {
            "DATABASE": str(Path(tempfile.mkdtemp()) / "bench.sqlite3"),
            "DEMO_CLOCK": True,
            "ONBOARDING_STORAGE_URI": "memory://",
            "SECRET_KEY": "bench-widget-first-draw",
        }
    )
    # Driver.js's page on the same server, so both pages go through the same HTTP stack.
    pages = Blueprint("bench_pages", __name__, url_prefix="/bench")
    pages.add_url_rule("/driver", "driver", lambda: DRIVER_PAGE)
    pages.add_url_rule("/driver-start.js", "start", lambda: (DRIVER_START, {"Content-Type": "text/javascript"}))
    pages.add_url_rule("/host.css", "css", lambda: (HOST_CSS, {"Content-Type": "text/css"}))
    pages.add_url_rule("/lib/<path:name>", "lib", lambda name: send_from_directory(modules, name))
    app.register_blueprint(pages)
    return app


def kind_of(url: str, page: str) -> str:
    path = "/" + url.split("/", 3)[-1]
    if path.startswith("/onboarding/static/"):
        return "widget files"
    if path.startswith("/bench/lib/") or path == "/bench/driver-start.js":
        return "library files"
    if path.startswith("/onboarding/") and path.endswith("/shown"):
        return "widget reports (guide shown)"  # sent as the guide is drawn, not needed to draw it
    if path.startswith("/onboarding/"):
        return "widget API (extra)"
    return "host assets" if path != page else "page"


def load(browser: Browser, url: str, storage: Any, wait_for: str, motion: Motion, driver: bool = False) -> Load:
    """One page load in a fresh context (empty cache). The page itself goes through Playwright
    (as is, or with Driver.js in place of the widget), the same way for every variant."""
    context = browser.new_context(viewport=VIEWPORT, storage_state=storage, reduced_motion=motion)
    try:

        def document(route: Route) -> None:
            response = route.fetch()
            body = with_driver(response.text()) if driver else response.text()
            route.fulfill(response=response, body=body)

        context.route(url, document)
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(url)
        wait_for_mark(page, wait_for)
        page.wait_for_timeout(1000)  # long tasks right after drawing (a lazy chunk's work) count too
        data: dict[str, Any] = page.evaluate(COLLECT)
    finally:
        context.close()
    marks = data["marks"]
    path = "/" + url.split("/", 3)[-1]

    def started_before(mark: str) -> dict[str, list[str]]:
        if marks[mark] is None:
            return {}
        requests: dict[str, list[str]] = {"page": [url]}
        for name, start in data["resources"]:
            if start <= data["zero"] + marks[mark]:
                requests.setdefault(kind_of(name, path), []).append(name.split("/", 3)[-1])
        return requests

    own = [
        (d, forced) for src, _, _, d, forced in data["frames"] if "/onboarding/static/" in src or "/bench/lib/" in src
    ]
    return Load(
        guide=marks["guide-frame"],
        popover=marks["popover-frame"],
        guide_dom=marks["guide-dom"],
        longtasks=[d for _, d in data["longtasks"] if d > 50],
        own_scripts=own,
        requests=started_before("guide-dom"),
        requests_popover=started_before("popover-dom"),
    )


def wait_for_mark(page: Page, name: str, seconds: float = 15) -> None:
    """Polls from outside (page.evaluate is not subject to the page's CSP; wait_for_function is)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate("(name) => performance.getEntriesByName(name).length > 0", name):
        if time.monotonic() > deadline:
            raise SystemExit(f"no {name!r} mark after {seconds} s on {page.url}: nothing was drawn")
        time.sleep(0.02)


def sign_in(browser: Browser, base: str, email: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", "demo-pass")
    page.locator("form.form button").click()
    page.wait_for_url("**/app/**")
    state = context.storage_state()
    context.close()
    return state


def spread(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"median {statistics.median(values):7.1f} ms  (range {min(values):.1f} to {max(values):.1f}, n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15, help="page loads of each (default 15)")
    parser.add_argument("--user", default="bo@harbor.demo", help="demo user (default: stage use, with the tour)")
    parser.add_argument(
        "--reduced-motion", action="store_true", help="emulate prefers-reduced-motion: reduce (no smooth scroll)"
    )
    args = parser.parse_args()
    motion: Motion = "reduce" if args.reduced_motion else "no-preference"
    modules = ensure_installed()
    app = bench_app(modules)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    load_before = os.getloadavg()
    ours: list[Load] = []
    theirs: list[Load] = []  # Driver.js on the same dashboard
    alone: list[Load] = []  # Driver.js on a small page of its own
    with sync_playwright() as playwright:
        chromium = os.environ.get("ONBOARDING_CHROMIUM", "/usr/bin/chromium")
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        print(f"Chromium {browser.version}, reduced motion: {motion}")
        storage = sign_in(browser, base, args.user)
        load(browser, base + "/app/", storage, "guide-frame", motion)  # warm the server (templates, content)
        load(browser, base + "/bench/driver", None, "guide-frame", motion)
        for number in range(1, args.rounds + 1):
            ours.append(load(browser, base + "/app/", storage, "popover-frame", motion))
            theirs.append(load(browser, base + "/app/", storage, "popover-frame", motion, driver=True))
            alone.append(load(browser, base + "/bench/driver", None, "popover-frame", motion))
            a, b, c = ours[-1], theirs[-1], alone[-1]
            print(
                f"round {number:2}: ours first guide {a.guide:6.1f} ms, first popover {a.popover:6.1f} ms;"
                f" Driver.js on the dashboard {b.popover:6.1f} ms, alone {c.popover:6.1f} ms"
            )
        browser.close()
    server.shutdown()
    report(ours, theirs, alone, args.user)
    print(f"load average (1, 5, 15 min) before: {' '.join(f'{x:.2f}' for x in load_before)},"
          f" after: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")  # fmt: skip


def print_requests(title: str, loads: list[dict[str, list[str]]]) -> None:
    kinds: dict[str, set[str]] = {}
    for requests in loads:
        for kind, urls in requests.items():
            kinds.setdefault(kind, set()).update(urls)
    print(f"        requests started before {title} (median per load):")
    for kind in sorted(kinds):
        count = statistics.median(len(requests.get(kind, [])) for requests in loads)
        print(f"          {kind}: {count:g}  {sorted(kinds[kind])}")


def report(ours: list[Load], theirs: list[Load], alone: list[Load], user: str) -> None:
    guide = [x.guide for x in ours if x.guide is not None]
    popover = [x.popover for x in ours if x.popover is not None]
    driver = [x.popover for x in theirs if x.popover is not None]
    small = [x.popover for x in alone if x.popover is not None]
    print(f"\nDOMContentLoaded -> first frame with the guide drawn ({user} on /app/, 1280x800):")
    print(f"  ours, first guide (any kind):             {spread(guide)}")
    print(f"  ours, first floating card (the tour step): {spread(popover)}")
    print(f"  Driver.js 1.8 on the same dashboard:       {spread(driver)}")
    print(f"  Driver.js 1.8 alone on a small page:       {spread(small)}")
    dom = [x.guide_dom for x in ours if x.guide_dom is not None]
    print(f"  ours, first guide seen in the DOM:         {spread(dom)}")
    for what, theirs_median in (("on the dashboard", statistics.median(driver)), ("alone", statistics.median(small))):
        print(
            f"  ratio ours/Driver.js {what}: first guide {statistics.median(guide) / theirs_median:.2f},"
            f" tour step {statistics.median(popover) / theirs_median:.2f} (goal <= 1.0)"
        )
    for name, loads in (("ours", ours), ("Driver.js on the dashboard", theirs), ("Driver.js alone", alone)):
        tasks = [d for x in loads for d in x.longtasks]
        longest = f" (median {statistics.median(tasks):.0f} ms, longest {max(tasks):.0f} ms)" if tasks else ""
        print(f"  {name}: long tasks over 50 ms: {len(tasks)} in {len(loads)} loads{longest}")
        runs = [d for x in loads for d in x.own_scripts]
        over = [(d, forced) for d, forced in runs if d > 50]
        print(f"        the library's own script runs over 50 ms: {len(over)}", end="")
        if over:
            print(
                f"; median {statistics.median(d for d, _ in over):.0f} ms, of which forced style and layout"
                f" {statistics.median(f for _, f in over):.0f} ms; longest {max(d for d, _ in over):.0f} ms"
            )
        else:
            print()
        print_requests("the first guide", [x.requests for x in loads])
        if name == "ours":
            print_requests("the tour step", [x.requests_popover for x in loads])


if __name__ == "__main__":
    main()
