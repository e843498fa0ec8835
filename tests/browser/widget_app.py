"""A stand-in for the server side of onboarding_sdk, for the widget's browser tests.

THIS FILE STANDS IN FOR THE REAL SERVER SIDE UNTIL THE GUIDES ISSUE LANDS. It renders HTML
pages with the payload inlined exactly as docs/widget-contract.md says (a CSP nonce on both
script tags, a strict Content-Security-Policy on every page) and implements the contract's JSON
API in memory, per user: the cookie ``uid`` picks the user, so a second browser context with the
same cookie is "another device" of the same user. Everything lives in this one file so the lead
can later swap ``make_app()`` for an app built on the real ``Onboarding`` extension; the tests
rely only on the pages' markup (below), the contract, and ``Store`` for assertions.
"""

from __future__ import annotations

import copy
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, jsonify, redirect, request, send_from_directory
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.serving import make_server

STATIC = Path(__file__).resolve().parents[2] / "static"
API = "/onboarding/api"
CSRF_HEADER = "X-Onboarding-CSRF"
CSP = "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:"

STRINGS = {
    "close": "Close",
    "next": "Next",
    "back": "Back",
    "done": "Done",
    "confirm": "Confirm",
    "cancel": "Cancel",
    "helpful": "Was this helpful?",
    "yes": "Yes",
    "no": "No",
    "dismiss": "Don't show again",
    "whats_new": "What's new",
    "tips": "Tips",
    "step": "Step {n} of {total}",
    "checklist": "Get started",
    "starter": "Starter guide",
    "help": "Help",
    "new_items": "{n} new items",
    "more": "See all",
}


def default_catalog() -> list[dict]:
    """One guide of every kind. ``pages`` (endpoints, "*" for all) is this stand-in's targeting."""
    return [
        {
            "id": "welcome",
            "kind": "starter_guide",
            "title": "How to start",
            "body": "<p>Install the tracking code, then create your first report.</p>",
            "url": "/starter",
            "priority": 10,
            "auto_open": False,
            "pages": ["home"],
        },
        {
            "id": "tip-filter",
            "kind": "tooltip",
            "anchor": "filter",
            "purpose": "field_help",
            "title": "Filter",
            "body": "<p>Type part of a report name.</p>",
            "priority": 5,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "tip-year",
            "kind": "tooltip",
            "anchor": "year",
            "purpose": "validation",
            "title": "Year",
            "body": "<p>Digits only, for example 2024.</p>",
            "priority": 5,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "tip-mrr",
            "kind": "tooltip",
            "anchor": "mrr",
            "purpose": "glossary",
            "term": "MRR",
            "title": "MRR",
            "body": "<p>Monthly recurring revenue.</p>",
            "priority": 4,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "confirm-delete",
            "kind": "tooltip",
            "anchor": "delete",
            "purpose": "confirm",
            "title": "Delete this report?",
            "body": "<p>This cannot be undone.</p>",
            "priority": 5,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "tip-missing",
            "kind": "tooltip",
            "anchor": "no-such-anchor",
            "purpose": "field_help",
            "title": "Never drawn",
            "body": "<p>The anchor does not exist.</p>",
            "priority": 1,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "foot-reports",
            "kind": "footer_help",
            "title": "About this page",
            "body": "<p>Reports sum up your data by month.</p>",
            "priority": 1,
            "auto_open": False,
            "pages": ["reports", "spa.home"],
        },
        {
            "id": "banner-maint",
            "kind": "banner",
            "title": "Maintenance on Sunday",
            "body": "<p>Reports may be slow from 02:00 to 03:00.</p>",
            "priority": 8,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "adv-shortcuts",
            "kind": "advanced_tip",
            "topic": "speed",
            "title": "Keyboard shortcuts",
            "body": "<p>Press <kbd>g</kbd> then <kbd>r</kbd> to open reports.</p>",
            "priority": 2,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "faq-export",
            "kind": "faq",
            "topic": "export",
            "title": "How do I export?",
            "body": "<p>Use the Export button above the table.</p>",
            "priority": 2,
            "auto_open": False,
            "pages": ["reports"],
        },
        {
            "id": "v2",
            "kind": "changelog",
            "version": "2.0",
            "date": "2026-11-01",
            "level": "badge",
            "title": "Scheduled reports",
            "body": "<p>Reports can now be emailed every week.</p>",
            "priority": 0,
            "auto_open": False,
            "pages": ["*"],
        },
        {
            "id": "v1",
            "kind": "changelog",
            "version": "1.9",
            "date": "2026-10-01",
            "level": "badge",
            "title": "Dark mode",
            "body": "<p>Follows your system setting.</p>",
            "priority": 0,
            "auto_open": False,
            "pages": ["*"],
        },
        {
            "id": "setup",
            "kind": "checklist",
            "title": "Set up your account",
            "body": "",
            "priority": 3,
            "auto_open": False,
            "pages": ["reports"],
            "items": [
                {"id": "code", "title": "Install the tracking code", "event": "installed_code"},
                {"id": "report", "title": "Create a report", "event": "report_created"},
                {"id": "invite", "title": "Invite a colleague", "event": "invited"},
            ],
        },
        {
            "id": "tour-basics",
            "kind": "tour",
            "title": "Basics",
            "body": "",
            "priority": 6,
            "auto_open": True,
            "pages": ["tour.start", "tour.next"],
            "steps": [
                {
                    "endpoint": "tour.start",
                    "url": "/tour/start",
                    "anchor": "t-one",
                    "title": "Your data",
                    "body": "<p>All your data starts here.</p>",
                },
                {
                    "endpoint": "tour.start",
                    "url": "/tour/start",
                    "anchor": "t-two",
                    "title": "Filters",
                    "body": "<p>Narrow it down.</p>",
                },
                {
                    "endpoint": "tour.next",
                    "url": "/tour/next",
                    "anchor": "t-three",
                    "title": "Export",
                    "body": "<p>Take it with you.</p>",
                },
            ],
        },
        {
            "id": "tip-late",
            "kind": "tooltip",
            "anchor": "late",
            "purpose": "field_help",
            "title": "Arrived late",
            "body": "<p>This anchor was added after load.</p>",
            "priority": 1,
            "auto_open": False,
            "pages": ["late"],
        },
        {
            "id": "tip-settings",
            "kind": "tooltip",
            "anchor": "sso",
            "purpose": "field_help",
            "title": "Single sign-on",
            "body": "<p>Let your team log in with SAML.</p>",
            "priority": 1,
            "auto_open": False,
            "pages": ["spa.settings"],
        },
    ]


@dataclass
class User:
    dismissed: set = field(default_factory=set)
    completed: set = field(default_factory=set)
    shown: dict = field(default_factory=dict)
    progress: dict = field(default_factory=dict)
    feedback: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    read: set = field(default_factory=set)


class Store:
    """All server state, in memory; tests read ``calls`` and ``users`` and may edit ``catalog``."""

    def __init__(self) -> None:
        self.catalog = default_catalog()
        self.users: dict[str, User] = {}
        self.calls: list[tuple[str, str, str, dict | None]] = []  # (uid, method, path, body)
        self.fail_posts = 0  # answer the next N API POSTs with 503 (retry tests)
        self.lock = threading.Lock()
        self.deleted = 0

    def user(self, uid: str) -> User:
        return self.users.setdefault(uid, User())

    def posts(self, suffix: str = "") -> list[tuple[str, dict | None]]:
        return [(p, b) for _, m, p, b in list(self.calls) if m == "POST" and p.endswith(suffix)]

    def gets(self, prefix: str = "") -> list[str]:
        return [p for _, m, p, _ in list(self.calls) if m == "GET" and p.startswith(prefix)]


def _csrf(uid: str) -> str:
    return "tok-" + uid


def payload(store: Store, uid: str, endpoint: str, path: str, args) -> dict:
    st = store.user(uid)
    guides = []
    for g in store.catalog:
        if endpoint not in g["pages"] and "*" not in g["pages"]:
            continue
        if g["id"] in st.dismissed or (g["kind"] in ("tour", "checklist") and g["id"] in st.completed):
            continue
        out = {k: copy.deepcopy(v) for k, v in g.items() if k != "pages"}
        if g["kind"] == "tour":
            out["step"] = st.progress.get(g["id"], 0)
        if g["kind"] == "changelog":
            out["read"] = g["id"] in st.read
        if g["kind"] == "checklist":
            for item in out["items"]:
                item["done"] = item["event"] in st.events
        guides.append(out)
    entries = [g for g in store.catalog if g["kind"] == "changelog"]
    unread = sum(1 for g in entries if g["id"] not in st.read)
    theme = {"mode": args.get("theme", "auto"), "vars": {}}
    if args.get("accent"):
        theme["vars"]["--ob-accent"] = args["accent"]
    hints = [{"anchor": "filter", "text": "No report matches this filter"}] if args.get("hint") else []
    return {
        "version": 1,
        "page": endpoint,
        "path": path,
        "api": API,
        "csrf": {"header": CSRF_HEADER, "token": _csrf(uid)},
        "locale": "en",
        "dir": args.get("dir", "ltr"),
        "theme": theme,
        "strings": dict(STRINGS),
        "changelog": {"unread": unread, "level": args.get("level", "badge"), "url": "/changelog"},
        "tips_url": "/tips",
        "hints": hints,
        "guides": guides,
    }


def onboarding_assets(data: dict, nonce: str) -> str:
    """The block the contract says ``onboarding_assets()`` writes."""
    text = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        '<link rel="stylesheet" href="/onboarding/static/onboarding.css">\n'
        f'<script type="application/json" id="onboarding-data" nonce="{nonce}">{text}</script>\n'
        f'<script src="/onboarding/static/onboarding.js" defer nonce="{nonce}"></script>'
    )


NAV = """<header><nav aria-label="Main"><a href="/">Home</a> <a href="/reports">Reports</a>
<button type="button" data-onboarding-open="tips">Tips</button>
<button type="button" data-onboarding-open="changelog">What's new</button>
<button type="button" data-onboarding-open="checklist">Get started</button></nav></header>"""

BODIES = {
    "home": """<h1>Home</h1><p>Welcome back.</p>""",
    "reports": """<h1>Reports</h1>{deleted}
<form method="post" action="/reports" class="host-card">
<p><label for="filter">Filter</label> <input id="filter" name="filter" data-onboarding="filter"></p>
<p><label for="year">Year</label> <input id="year" name="year" pattern="[0-9]*" data-onboarding="year"></p>
<p>Your <span data-onboarding="mrr" tabindex="0">MRR</span> grew this month.</p>
<p><button type="submit" data-onboarding-confirm="confirm-delete" data-onboarding="delete">Delete report</button>
<a href="/reports?gone=1" data-onboarding-confirm="Leave this page?">Leave</a></p>
</form>
<details class="host-details"><summary>Host details</summary><p>Host content.</p></details>
<div data-onboarding-footer></div>""",
    "tour.start": """<h1>Tour start</h1><p data-onboarding="t-one">Data panel</p>
<p data-onboarding="t-two">Filter panel</p><p><a href="/tour/next">Next page</a></p>""",
    "tour.next": """<h1>Tour next</h1><p data-onboarding="t-three">Export panel</p>""",
    "late": """<h1>Late</h1><div id="slot"></div><script src="/t/late.js" nonce="{nonce}"></script>""",
    "spa.home": """<h1>App</h1><div id="view"><p>Overview</p></div>
<p><a href="/app/settings" id="to-settings">Settings</a> <a href="/app" id="to-home">Overview</a></p>
<script src="/t/spa.js" nonce="{nonce}"></script>""",
}
BODIES["spa.settings"] = BODIES["spa.home"]

TEST_ASSETS = {
    "late.js": (
        "text/javascript",
        """setTimeout(() => {
  const i = document.createElement('input'); i.id = 'late'; i.setAttribute('data-onboarding', 'late');
  i.setAttribute('aria-label', 'Late field'); document.getElementById('slot').append(i);
}, 2000);""",
    ),
    "spa.js": (
        "text/javascript",
        """const view = document.getElementById('view');
const render = () => { view.innerHTML = location.pathname === '/app/settings'
  ? '<p>Settings</p><label>SSO <input data-onboarding="sso"></label>' : '<p>Overview</p>'; };
document.addEventListener('click', e => {
  const a = e.target.closest('#to-settings, #to-home'); if (!a) return;
  e.preventDefault(); history.pushState({}, '', a.getAttribute('href')); render();
});
addEventListener('popstate', render); render();""",
    ),
    # a hostile host stylesheet: z-index, overflow and element rules that must not reach the widget
    "host.css": (
        "text/css",
        """body{font-family:Georgia,serif;margin:0 16px}
header{position:relative;z-index:2147483647}
.host-card{overflow:hidden;position:relative;z-index:5;border:1px solid #888;padding:8px}
button{background:rgb(185,28,28);color:#fff;border:3px solid rgb(185,28,28);font-size:13px}
button[data-onboarding-open]{background:#1d4ed8;border-color:#1d4ed8}
h2{color:rgb(0,128,0);text-transform:uppercase}
p{margin:0 0 8px}""",
    ),
}


def make_app(store: Store | None = None) -> Flask:
    app = Flask(__name__)
    store = store or Store()
    app.config["STORE"] = store

    def uid() -> str:
        return request.cookies.get("uid") or "anon"

    def page(endpoint: str, **fmt) -> Response:
        nonce = secrets.token_urlsafe(12)
        data = payload(store, uid(), endpoint, request.path, request.args)
        with store.lock:
            store.calls.append((uid(), "PAGE", request.path, None))
        body = BODIES[endpoint].format(nonce=nonce, deleted=fmt.get("deleted", ""))
        doc = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{html.escape(endpoint)}</title>
<link rel="stylesheet" href="/t/host.css">
{onboarding_assets(data, nonce)}
</head><body>{NAV}<main>{body}</main><footer><p>Host footer</p></footer></body></html>"""
        resp = Response(doc, mimetype="text/html")
        resp.headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
        resp.headers["Cache-Control"] = "no-store"
        if not request.cookies.get("uid"):
            resp.set_cookie("uid", "anon")
        return resp

    app.add_url_rule("/", "home", lambda: page("home"))
    app.add_url_rule("/tour/start", "tour.start", lambda: page("tour.start"))
    app.add_url_rule("/tour/next", "tour.next", lambda: page("tour.next"))
    app.add_url_rule("/late", "late", lambda: page("late"))
    app.add_url_rule("/app", "spa.home", lambda: page("spa.home"))
    app.add_url_rule("/app/settings", "spa.settings", lambda: page("spa.settings"))

    @app.route("/reports", methods=["GET", "POST"], endpoint="reports")
    def reports():
        if request.method == "POST":
            store.deleted += 1
            return redirect("/reports?deleted=1")
        note = '<p id="deleted">Report deleted.</p>' if request.args.get("deleted") else ""
        return page("reports", deleted=note)

    @app.route("/onboarding/static/<path:name>")
    def widget_static(name):
        resp = send_from_directory(STATIC, name, max_age=0)
        return resp

    @app.route("/t/<name>")
    def test_asset(name):
        if name not in TEST_ASSETS:
            abort(404)
        mime, text = TEST_ASSETS[name]
        return Response(text, mimetype=mime)

    # ---- the contract's API ----
    def err(status: int, code: str, message: str, fields: dict | None = None):
        return jsonify({"error": {"code": code, "message": message, "fields": fields or {}}}), status

    @app.before_request
    def api_guard():
        if not request.path.startswith(API):
            return None
        body = request.get_json(silent=True) if request.method == "POST" else None
        with store.lock:
            store.calls.append(
                (
                    uid(),
                    request.method,
                    request.full_path.rstrip("?") if request.method == "GET" else request.path,
                    body,
                )
            )
        if request.method == "POST":
            if store.fail_posts > 0:
                store.fail_posts -= 1
                return err(503, "unavailable", "try again")
            if request.headers.get(CSRF_HEADER) != _csrf(uid()):
                return err(403, "csrf", "missing or wrong CSRF token")
            if not request.is_json or not isinstance(body, dict):
                return err(400, "bad_json", "expected a JSON object")
        return None

    def guide(gid: str) -> dict:
        for g in store.catalog:
            if g["id"] == gid:
                return g
        raise NotFound()

    @app.get(API + "/guides")
    def api_guides():
        path = request.args.get("path", "/")
        endpoint = request.args.get("page")
        if not endpoint:  # single-page apps know only the path: resolve it to an endpoint
            try:
                endpoint, _ = app.url_map.bind("localhost").match(path, method="GET")
            except HTTPException:
                return err(404, "no_page", "no page at this path", {"path": path})
        return jsonify(payload(store, uid(), endpoint, path, {}))

    @app.post(API + "/guides/<gid>/<action>")
    def api_guide(gid, action):
        g, st, body = guide(gid), store.user(uid()), request.get_json()
        if action == "shown":
            st.shown[gid] = st.shown.get(gid, 0) + 1
        elif action == "dismiss":
            st.dismissed.add(gid)
        elif action == "complete":
            st.completed.add(gid)
        elif action == "progress":
            step = body.get("step")
            if not isinstance(step, int) or not 0 <= step < len(g.get("steps", [])):
                return err(422, "invalid", "bad step", {"step": "out of range"})
            st.progress[gid] = step
        elif action == "feedback":
            if not isinstance(body.get("helpful"), bool):
                return err(422, "invalid", "helpful must be a boolean", {"helpful": "boolean"})
            st.feedback[gid] = body["helpful"]
        else:
            abort(404)
        return jsonify({"ok": True})

    @app.post(API + "/events")
    def api_events():
        name = request.get_json().get("name")
        if not isinstance(name, str) or not name:
            return err(422, "invalid", "name required", {"name": "required"})
        store.user(uid()).events.append(name)
        return jsonify({"ok": True})

    @app.get(API + "/changelog")
    def api_changelog():
        st = store.user(uid())
        entries = [
            dict({k: v for k, v in g.items() if k != "pages"}, read=g["id"] in st.read)
            for g in store.catalog
            if g["kind"] == "changelog"
        ]
        return jsonify({"entries": entries, "unread": sum(not e["read"] for e in entries)})

    @app.post(API + "/changelog/read")
    def api_changelog_read():
        ids = request.get_json().get("ids")
        st = store.user(uid())
        st.read |= set(ids) if ids else {g["id"] for g in store.catalog if g["kind"] == "changelog"}
        return jsonify({"ok": True})

    @app.errorhandler(404)
    def not_found(e):
        if request.path.startswith(API):
            return err(404, "not_found", "no such resource")
        return e

    return app


class LiveServer:
    """The app on a real HTTP server (127.0.0.1, a free port) in a thread."""

    def __init__(self, app: Flask | None = None) -> None:
        self.app = app or make_app()
        self.store: Store = self.app.config["STORE"]
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/") -> str:
        return self.base + path


if __name__ == "__main__":  # python tests/browser/widget_app.py: try the widget by hand
    srv = LiveServer().start()
    print("serving on", srv.url("/reports"))
    srv.thread.join()
