"""Our tour step next to Driver.js's and Shepherd's, drawn on the same host page (issue 11 item 8).

    python scripts/compare_screenshots.py        # writes docs/img/compare-*.png

One small Flask app serves one host page (a header, a heading, a row of figures, some text) in
three versions that differ only in what draws the popover: our widget through the real
extension (a two-step tour, first step anchored to the figures), Driver.js 1.8 (`drive()` on
the same two steps) and Shepherd 15 (a two-step tour with a Next button and its × icon, since
Shepherd has no default buttons). Every library keeps its own defaults and default theme
(Driver.js dims the page; Shepherd and ours do not unless asked). The libraries come from
bench/compare (pinned, `npm ci`). Headless Chromium (/usr/bin/chromium, or ONBOARDING_CHROMIUM)
at 1280x800 and on a 390x844 phone, on a light host and on a dark one (`color-scheme: dark`):
only ours has a dark theme, the others are shown on the dark host as they draw there.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, render_template_string, request, send_from_directory  # noqa: E402
from playwright.sync_api import ViewportSize, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from bench.compare_libs import DRIVER_CSS, DRIVER_JS, SHEPHERD_CSS, SHEPHERD_JS, ensure_installed  # noqa: E402
from onboarding_sdk import Onboarding, UserProfile  # noqa: E402

OUT = ROOT / "docs" / "img"
SIZES: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")
LIBRARIES = ("ours", "driver", "shepherd")

TITLE = "Today at a glance"
BODY = "Visitors, page views and bounce rate for today, updated every hour."
STEP_2 = ("Top pages", "The pages people land on most.")

CONTENT = f"""
version: 1
guides:
  - id: compare-tour
    kind: tour
    title: The dashboard
    steps:
      - {{endpoint: host, anchor: kpis, title: "{TITLE}", body: "{BODY}"}}
      - {{endpoint: host, anchor: pages, title: "{STEP_2[0]}", body: "{STEP_2[1]}"}}
    when: {{endpoints: [host]}}
"""

HOST = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="{{ scheme }}">
<title>Dashboard ({{ lib }})</title>
<link rel="stylesheet" href="/c/host.css">
{% if lib == "ours" %}{{ onboarding_assets() }}
{% elif lib == "driver" %}<link rel="stylesheet" href="/lib/{{ driver_css }}">
<script defer src="/lib/{{ driver_js }}"></script><script defer src="/c/driver-start.js"></script>
{% else %}<link rel="stylesheet" href="/lib/{{ shepherd_css }}">
<script type="module" src="/c/shepherd-start.js"></script>{% endif %}
</head>
<body class="{{ scheme }}">
<header class="top"><strong>Pulse</strong> <nav><a href="#">Dashboard</a> <a href="#">Reports</a></nav></header>
<main>
<h1>Dashboard</h1>
<section id="kpis" class="kpis" {{ anchor("kpis") }}><div>Visitors <b>1,204</b></div>
<div>Page views <b>3,918</b></div><div>Bounce rate <b>41%</b></div></section>
<h2 id="pages" {{ anchor("pages") }}>Top pages</h2>
{% for n in range(8) %}
<p>/{{ ["pricing", "blog", "docs", "signup"][n % 4] }}/{{ n }}: {{ 900 - n * 97 }} visits</p>{% endfor %}
</main>
</body>
</html>
"""

HOST_CSS = """
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; background: #f6f7f9 }
body.dark { color: #e6edf3; background: #0d1117 }
.top { display: flex; gap: 24px; padding: 12px 24px; background: #0f3d5e; color: #fff }
.top a { color: #fff; margin-inline-end: 12px }
main { padding: 8px 24px; max-width: 960px }
.kpis { display: flex; flex-wrap: wrap; gap: 12px }
.kpis div { flex: 1; min-width: 90px; padding: 12px; border: 1px solid #ccd; border-radius: 8px; background: #fff }
.dark .kpis div { border-color: #30363d; background: #161b22 }
.kpis b { display: block; font-size: 1.4rem }
"""

STEPS_JS = f"""
const steps = [
  {{ element: '#kpis', title: {TITLE!r}, text: {BODY!r} }},
  {{ element: '#pages', title: {STEP_2[0]!r}, text: {STEP_2[1]!r} }},
];
"""

DRIVER_START = (
    STEPS_JS
    + """
addEventListener('DOMContentLoaded', () => {
  const tour = window.driver.js.driver({
    steps: steps.map((s) => ({ element: s.element, popover: { title: s.title, description: s.text } })),
  });
  tour.drive();
});
"""
)

SHEPHERD_START = (
    f"import Shepherd from '/lib/{SHEPHERD_JS}';\n"
    + STEPS_JS
    + """
const tour = new Shepherd.Tour({ defaultStepOptions: { cancelIcon: { enabled: true } } });
for (const s of steps) {
  tour.addStep({
    title: s.title,
    text: s.text,
    attachTo: { element: s.element, on: 'bottom' },
    buttons: [{ text: 'Next', action: () => tour.next() }],
  });
}
tour.start();
"""
)


def compare_app(modules: Path) -> Flask:
    content = Path(tempfile.mkdtemp()) / "compare.yaml"
    content.write_text(CONTENT, encoding="utf-8")
    app = Flask(__name__)
    app.config.update(SECRET_KEY="compare", ONBOARDING_STORAGE_URI="memory://", ONBOARDING_CONTENT=[str(content)])
    ext = Onboarding(app)

    @ext.user_loader
    def load() -> UserProfile | None:
        uid = request.cookies.get("uid")
        return UserProfile(id=uid, signed_up_at=datetime(2026, 1, 1, tzinfo=UTC)) if uid else None

    def host(lib: str, scheme: str) -> str:
        # only our page marks anchors with the extension's helper; the others find the ids
        anchor = app.jinja_env.globals["onboarding_anchor"] if lib == "ours" else (lambda key: "")
        return render_template_string(
            HOST,
            lib=lib,
            scheme=scheme,
            anchor=anchor,
            driver_css=DRIVER_CSS,
            driver_js=DRIVER_JS,
            shepherd_css=SHEPHERD_CSS,
        )

    def script(name: str) -> tuple[str, dict[str, str]]:
        text = {"driver-start.js": DRIVER_START, "shepherd-start.js": SHEPHERD_START}.get(name)
        if text is not None:
            return text, {"Content-Type": "text/javascript"}
        return HOST_CSS, {"Content-Type": "text/css"}

    app.add_url_rule("/host/<lib>/<scheme>", "host", host)
    app.add_url_rule("/c/<name>", "script", script)
    app.add_url_rule("/lib/<path:name>", "lib", lambda name: send_from_directory(modules, name))
    return app


# What to wait for: each library's popover, drawn and placed.
POPOVER = {"ours": "ob-layer .ob-card", "driver": ".driver-popover", "shepherd": ".shepherd-element"}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    server = make_server("127.0.0.1", 0, compare_app(ensure_installed()), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        chromium = os.environ.get("ONBOARDING_CHROMIUM", "/usr/bin/chromium")
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for size, viewport in SIZES.items():
            for scheme in SCHEMES:
                for lib in LIBRARIES:
                    phone = size == "phone"
                    context = browser.new_context(
                        viewport=viewport, color_scheme=scheme, is_mobile=phone, has_touch=phone
                    )
                    context.add_cookies([{"name": "uid", "value": f"compare-{size}-{scheme}", "url": base}])
                    page = context.new_page()
                    page.emulate_media(reduced_motion="reduce")
                    page.goto(f"{base}/host/{lib}/{scheme}")
                    page.locator(POPOVER[lib]).first.wait_for()
                    page.wait_for_timeout(800)  # Driver.js fades in (400 ms); placement settles
                    path = OUT / f"compare-{lib}-{size}-{scheme}.png"
                    page.screenshot(path=str(path))
                    print("wrote", path, f"{path.stat().st_size // 1024} KB")
                    context.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
