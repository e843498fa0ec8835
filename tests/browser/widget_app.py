"""The browser tests' host app: a small Flask app built on the real ``onboarding_sdk`` extension.

Nothing of what users run is imitated here: pages are Jinja templates (tests/browser/templates/)
that call the extension's helpers (``onboarding_assets()``, ``onboarding_anchor()``,
``onboarding_footer_help()``, ``onboarding_starter_link()``, ``onboarding_whats_new()``,
``onboarding_term()``); guides come from tests/browser/content.yaml; the widget's files, the
JSON API and the pages under /onboarding are the extension's own. The app sends a strict
Content-Security-Policy with a per-request nonce in ``g.csp_nonce``.

The user is picked by cookies, so a second browser context with the same cookies is "another
device" of the same user: ``uid`` (none: an anonymous visitor), ``plan`` (default ``free``),
``acct`` (account id: picks a theme from ONBOARDING_THEMES) and ``lang`` (the locale).

The store is ``memory://``: the server runs in a thread of the test process, so every browser
context and the tests' own assertions (``LiveServer.guide()`` and friends, through the
extension) see the same state. The only test hook is ``LiveServer.fail_writes``: the store's
writes raise StorageError, as a Redis outage would, so the real API answers 503.
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, redirect, render_template, request
from werkzeug.serving import make_server

from onboarding_sdk import Onboarding, UserProfile
from onboarding_sdk.delivery import Situation
from onboarding_sdk.errors import StorageError
from onboarding_sdk.guide_state import GuideState

HERE = Path(__file__).resolve().parent
API = "/onboarding/api"
CSP = "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:"
SIGNUP = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = {
    "installed_code": {"key": True, "client": False},  # reported by the host's server only
    "report_created": {},
    "invited": {},
}
THEMES = {"brand": {"vars": {"--ob-accent": "#b45309"}}, "light-co": {"mode": "light"}}


class FlakyStorage:
    """Wraps the real store; while ``failing``, its writes raise StorageError (a store outage)."""

    WRITES = frozenset({"guide_action", "guide_write", "track", "track_once", "count", "advance_stage"})

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.failing = False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in self.WRITES:
            return attr

        def write(*args: Any, **kwargs: Any) -> Any:
            if self.failing:
                raise StorageError("test: the store is down")
            return attr(*args, **kwargs)

        return write


def profile(uid: str, plan: str | None = None, acct: str | None = None, lang: str | None = None) -> UserProfile:
    return UserProfile(id=uid, signed_up_at=SIGNUP, plan=plan or "free", account_id=acct, locale=lang)


def make_app(**config: Any) -> Flask:
    app = Flask(__name__, root_path=str(HERE), template_folder="templates", static_folder="host", static_url_path="/t")
    app.config.update(
        SECRET_KEY="browser-tests",
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_CONTENT=["content.yaml"],
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_THEMES=THEMES,
        ONBOARDING_DEGRADED_PROBE_INTERVAL=0.0,  # after a (test) outage, the next call probes the store again
    )
    app.config.update(config)
    ext = Onboarding(app)
    engine = app.extensions["onboarding"]
    if engine.content.file_problems:
        raise RuntimeError("content.yaml: " + "\n".join(map(str, engine.content.file_problems)))
    engine.storage = FlakyStorage(engine.storage)
    app.config["TEST_STATE"] = state = {"deleted": 0, "calls": [], "answers": []}
    lock = threading.Lock()

    @ext.user_loader
    def load() -> UserProfile | None:
        c = request.cookies
        uid = c.get("uid")
        return profile(uid, c.get("plan"), c.get("acct"), c.get("lang")) if uid else None

    @app.before_request
    def nonce_and_log() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)
        if request.path.startswith(API):
            body = request.get_json(silent=True) if request.method == "POST" else None
            path = request.full_path.rstrip("?") if request.method == "GET" else request.path
            with lock:
                state["calls"].append((request.cookies.get("uid"), request.method, path, body))

    @app.after_request
    def strict_csp(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP.format(nonce=g.get("csp_nonce", ""))
        if request.method == "POST" and request.path.startswith(API):  # what the queue tests count
            key = request.headers.get("Idempotency-Key")
            answer = (request.cookies.get("uid"), request.path, key, response.status_code)
            with lock:
                state["answers"].append(answer)
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response

    def page(template: str, **context: Any) -> str:
        return render_template(template, **context)

    app.add_url_rule("/", "home", lambda: page("home.html"))
    app.add_url_rule("/welcome", "welcome", lambda: page("welcome.html"))
    app.add_url_rule("/account", "account", lambda: page("account.html"))
    app.add_url_rule("/tour/start", "tour.start", lambda: page("tour_start.html"))
    app.add_url_rule("/tour/next", "tour.next", lambda: page("tour_next.html"))
    app.add_url_rule("/late", "late", lambda: page("late.html"))
    app.add_url_rule("/setup", "setup", lambda: page("setup.html"))
    app.add_url_rule("/app", "spa.home", lambda: page("spa.html"))
    app.add_url_rule("/app/settings", "spa.settings", lambda: page("spa.html"))

    @app.route("/reports", methods=["GET", "POST"], endpoint="reports")
    def reports() -> Any:
        if request.method == "POST":
            state["deleted"] += 1
            return redirect("/reports?deleted=1")
        year = request.args.get("year", "")
        if year and not year.isdigit():  # the server's own validation failed: the product team's words
            ext.hints_for({"year": ["Not a valid year."]}, form="report-filter")
        own = bool(year and not year.isdigit() and request.args.get("own"))  # the host shows its own message
        return page("reports.html", year=year, deleted=request.args.get("deleted"), own_message=own)

    return app


class LiveServer:
    """The app on a real HTTP server (127.0.0.1, a free port) in a thread, and server-side checks."""

    def __init__(self, app: Flask | None = None) -> None:
        self.app = app or make_app()
        self.state: dict[str, Any] = self.app.config["TEST_STATE"]
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

    # --- the server's state, read through the extension --------------------------------------

    @property
    def engine(self) -> Any:
        return self.app.extensions["onboarding"]

    def situation(self, uid: str, **who: str) -> Situation:
        with self.app.app_context():
            return self.engine.situation(profile(uid, **who))  # type: ignore[no-any-return]

    def guide(self, uid: str, guide_id: str) -> GuideState:
        return self.situation(uid).state_of(guide_id)

    def track(self, uid: str, event: str) -> None:
        with self.app.app_context():
            self.engine.track(uid, event, None, profile(uid))

    def spend_budget(self, uid: str, guide_id: str, times: int = 1) -> None:
        with self.app.app_context():
            for _ in range(times):
                self.engine.guide_action(profile(uid), guide_id, "shown", auto=True)

    def mark_read(self, uid: str, *guide_ids: str) -> None:
        with self.app.app_context():
            for guide_id in guide_ids:
                self.engine.guide_action(profile(uid), guide_id, "read")

    @property
    def fail_writes(self) -> bool:
        return bool(self.engine.storage.failing)

    @fail_writes.setter
    def fail_writes(self, value: bool) -> None:
        self.engine.storage.failing = value

    # --- what the host saw --------------------------------------------------------------------

    @property
    def deleted(self) -> int:
        return int(self.state["deleted"])

    def posts(self, suffix: str = "") -> list[tuple[str, Any]]:
        return [(p, b) for _, m, p, b in list(self.state["calls"]) if m == "POST" and p.endswith(suffix)]

    def answers(self, suffix: str = "") -> list[tuple[str | None, str, str | None, int]]:
        """(uid, path, Idempotency-Key, status) of each API POST answered, in order."""
        return [a for a in list(self.state["answers"]) if a[1].endswith(suffix)]

    def gets(self, prefix: str = "") -> list[str]:
        return [p for _, m, p, _ in list(self.state["calls"]) if m == "GET" and p.startswith(prefix)]


if __name__ == "__main__":  # python -m tests.browser.widget_app: try the widget by hand (cookie uid=alice)
    srv = LiveServer().start()
    print("serving on", srv.url("/reports"), "- set the cookie uid=alice to sign in")
    srv.thread.join()
