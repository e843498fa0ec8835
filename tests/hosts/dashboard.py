"""A grid-layout dashboard, written from docs/guides.md ("Jinja helpers"), docs/widget-contract.md
("Markup the host writes") and docs/content.md: cards in a CSS grid, each marked with
``onboarding_anchor``, a filter form whose server-side validation goes through ``hints_for``,
glossary terms through ``onboarding_term``, panel controls (``data-onboarding-open``), a starter
slot and a footer slot.

What the dashboard shows comes from its config, so a test can fill it: ``DASHBOARD_CARDS`` (the
anchor keys of the cards), ``DASHBOARD_TERMS`` (jargon written through ``onboarding_term``) and
``DASHBOARD_FIELDS`` (the filter form's fields; ``?check=1`` fails each one's validation).
``DASHBOARD_CSP`` (default on) sends a strict Content-Security-Policy with a per-request nonce in
``g.csp_nonce``, as docs/guides.md describes. People sign in at ``/login/<name>``; the query
``?locale=&plan=&account=`` holds their own choices, kept in the session and given to onboarding
in their profile. Those named in ``DASHBOARD_ADMINS`` are console admins (docs/console.md).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, redirect, render_template_string, request, session
from werkzeug.wrappers import Response

from onboarding_sdk import Onboarding, UserProfile

CSP = "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:"
EVENTS: dict[str, dict[str, Any]] = {"widget_added": {}, "report_shared": {}}
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard</title>
<style nonce="{{ g.csp_nonce }}">
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem; }
  .card { border: 1px solid #ccc; padding: .5rem; min-height: 3rem; }
</style>
{{ onboarding_assets() }}</head>
<body>
<header>
  <button type="button" data-onboarding-open="tips">Tips</button>
  <button type="button" data-onboarding-open="changelog">What's new {{ onboarding_whats_new() }}</button>
  <button type="button" data-onboarding-open="checklist">Checklist</button>
</header>
<div data-onboarding-starter>{{ onboarding_starter_link() }}</div>
<main>
  <h1>{{ title }}</h1>
  <div class="grid">
  {% for card in cards %}
  <section class="card" tabindex="0" {{ onboarding_anchor(card) }}>{{ card }}</section>
  {% endfor %}
  </div>
  <form method="get"><input type="hidden" name="check" value="1">
  {% for field in fields %}<label>{{ field }} <input name="{{ field }}" {{ onboarding_anchor(field) }}></label>
  {% if hints.get(field) %}<small class="hint">{{ hints[field] }}</small>{% endif %}{% endfor %}
  <button>Filter</button></form>
  <p class="terms">{% for term in terms %}{{ onboarding_term(term) }} {% endfor %}</p>
</main>
<footer data-onboarding-footer>{{ onboarding_footer_help() }}</footer>
</body></html>"""

onboarding = Onboarding()


@onboarding.user_loader
def load_profile() -> UserProfile | None:
    name = session.get("user")
    if not isinstance(name, str):
        return None
    return UserProfile(
        id=f"dash-{name}",
        signed_up_at=datetime(2026, 1, 1, tzinfo=UTC),
        plan=session.get("plan", "paid"),
        locale=session.get("locale", "en"),
        account_id=session.get("account"),
    )


@onboarding.console_access
def console_role() -> str | None:
    return "admin" if session.get("user") in current_app.config["DASHBOARD_ADMINS"] else None


def dashboard(name: str = "") -> str:
    config = current_app.config
    fields: list[str] = config["DASHBOARD_FIELDS"]
    hints: dict[str, str] = {}
    if request.args.get("check"):
        # the host's own validation failed on every field: the product team's words instead
        hints = onboarding.hints_for({field: ["Not a valid value."] for field in fields}, form="filters")
    return render_template_string(
        PAGE,
        title=name or "Dashboard",
        cards=config["DASHBOARD_CARDS"],
        terms=config["DASHBOARD_TERMS"],
        fields=fields,
        hints=hints,
    )


def login(name: str) -> Response:
    """Sign in as ``name``; ``?locale=&plan=&account=`` are what the person chose at sign-up."""
    session["user"] = name
    for choice in ("locale", "plan", "account"):
        if choice in request.args:
            session[choice] = request.args[choice]
    return redirect("/")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="dashboard-test-secret",
        ONBOARDING_EVENTS=EVENTS,
        DASHBOARD_CARDS=["visits", "sources", "goals"],
        DASHBOARD_TERMS=["UV"],
        DASHBOARD_FIELDS=["year"],
        DASHBOARD_CSP=True,
        DASHBOARD_ADMINS=[],
    )
    app.config.update(config or {})
    onboarding.init_app(app)

    @app.before_request
    def nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def content_security_policy(response: Response) -> Response:
        if app.config["DASHBOARD_CSP"]:
            response.headers["Content-Security-Policy"] = CSP.format(nonce=g.get("csp_nonce", ""))
        return response

    app.add_url_rule("/", "dashboard", dashboard)
    app.add_url_rule("/boards/<path:name>", "board", dashboard)
    app.add_url_rule("/login/<name>", "login", login)
    return app
