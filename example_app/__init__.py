"""A small demo app for onboarding_sdk (a placeholder until the full example app lands).

Pick a demo user, do things, and watch the stage move. ``python -m example_app`` runs it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from flask import Flask, redirect, render_template_string, request, session, url_for
from werkzeug.wrappers import Response

from onboarding_sdk import Onboarding, UserProfile

EVENTS = {
    "installed_code": {"key": True, "label": "Installed the tracking code"},
    "report_created": {"label": "Created a report"},
    "export_done": {"label": "Exported data"},
    "alert_set": {"label": "Set an alert"},
    "api_used": {"label": "Used the API"},
}
DEMO_USERS = {"ana": 0, "bo": 3, "chen": 40}  # user -> days since sign-up

onboarding = Onboarding()

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example analytics</title></head>
<body><main>
<h1>Example analytics</h1>
{% if user %}
  <p>Signed in as <strong>{{ user }}</strong>. Stage: <strong>{{ state.stage }}</strong>,
     active days {{ state.active_days|length }}.</p>
  <form method="post" action="{{ url_for('do') }}">
    {% for name, spec in events.items() %}
      <button name="event" value="{{ name }}">{{ spec.label }}</button>
    {% endfor %}
  </form>
  <h2>Events</h2>
  <ul>{% for name, s in state.events.items() %}<li>{{ name }}: {{ s.count }}</li>{% endfor %}</ul>
  <p><a href="{{ url_for('logout') }}">Sign out</a></p>
{% else %}
  <p>Sign in as a demo user:</p>
  <ul>{% for name, days in demo.items() %}
    <li><a href="{{ url_for('login', name=name) }}">{{ name }}</a> (signed up {{ days }} days ago)</li>
  {% endfor %}</ul>
{% endif %}
</main></body></html>"""


def create_app(config: dict[str, object] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev-only-secret"),
        ONBOARDING_STORAGE_URI=os.environ.get("ONBOARDING_STORAGE_URI", "memory://"),
        ONBOARDING_EVENTS=EVENTS,
    )
    app.config.update(config or {})
    onboarding.init_app(app)

    @onboarding.user_loader
    def load_profile() -> UserProfile | None:
        name = session.get("user")
        if name not in DEMO_USERS:
            return None
        signed_up = datetime.now(UTC) - timedelta(days=DEMO_USERS[name])
        return UserProfile(id=name, signed_up_at=signed_up, plan="free", locale="en")

    @app.get("/")
    def home() -> str:
        profile = onboarding.current_profile()
        state = onboarding.state_of(profile.id) if profile else None
        return render_template_string(PAGE, user=session.get("user"), state=state, events=EVENTS, demo=DEMO_USERS)

    @app.get("/login/<name>")
    def login(name: str) -> Response:
        if name in DEMO_USERS:
            session["user"] = name
        return redirect(url_for("home"))

    @app.get("/logout")
    def logout() -> Response:
        session.clear()
        return redirect(url_for("home"))

    @app.post("/do")
    def do() -> Response:
        event = request.form.get("event", "")
        if event in EVENTS:
            onboarding.track(event)
        return redirect(url_for("home"))

    return app
