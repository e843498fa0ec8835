"""The pages-and-anchors scan (onboarding_sdk/inventory.py): which templates each endpoint
renders, the anchors they mark, and each anchor's accessible name."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, render_template_string
from flask.views import View
from jinja2 import DictLoader

from onboarding_sdk import Onboarding
from onboarding_sdk.inventory import anchors_in, endpoint_for_url, scan

TEMPLATES = {
    "base.html": (
        "<nav><a href='/' {{ onboarding_anchor('home-link') }}>Home</a></nav>"
        "{% block content %}{% endblock %}{% include 'footer.html' %}"
    ),
    "footer.html": "<footer><a data-onboarding='help' aria-label='Help centre' href='/help'>?</a></footer>",
    "reports.html": (
        "{% extends 'base.html' %}{% block content %}"
        "<label for='year'>Report year</label><input id='year' {{ onboarding_anchor(\"filter-year\") }}>"
        "<button {{ onboarding_anchor('save-report') }}>{{ _('Save report') }}</button>"
        "<span id='exp'>Export as CSV</span><a aria-labelledby='exp' data-onboarding=\"export\">⇩</a>"
        "<button data-onboarding='print'><img src='p.svg' alt='Print'></button>"
        "<select data-onboarding='period' title='Period'></select>"
        "{% endblock %}"
    ),
    "settings.html": (
        "{% extends 'base.html' %}{% block content %}<label>Name <input data-onboarding='name'></label>{% endblock %}"
    ),
    "orphan.html": "<p {{ onboarding_anchor('lonely') }}>Nobody renders me</p>",
    "alerts.html": (
        "<section {{ onboarding_anchor('new-alert') }}><h2>{{ t('new_alert') }}</h2>"
        "<p>Metric {{ metric }}</p></section>"
        "<section data-onboarding='kpis' aria-label=\"{{ t('today') }}\">{{ pv }}·{{ uv }}%</section>"
        "<p data-onboarding='numbers'>{{ a }} · {{ b }}%</p>"
    ),
    "dynamic.html": "<p data-onboarding='dyn'>Picked at run time</p>",
}


def _render_alerts() -> str:
    """A helper of the views' module, as many apps have."""
    return render_template("alerts.html")


def host() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="s", ONBOARDING_STORAGE_URI="memory://")
    app.jinja_loader = DictLoader(TEMPLATES)  # type: ignore[assignment]
    app.jinja_env.globals["_"] = str  # what a host with Flask-Babel has
    Onboarding(app)

    @app.get("/reports/<int:year>", endpoint="reports")
    def reports(year: int) -> str:
        return render_template("reports.html", year=year)

    admin = Blueprint("admin", __name__)

    @admin.route("/settings", methods=["GET", "POST"], endpoint="settings")
    def settings() -> str:
        return render_template("settings.html")

    app.register_blueprint(admin, url_prefix="/admin")

    @app.get("/alerts", endpoint="alerts")
    def alerts() -> str:
        return _render_alerts()

    @app.get("/dynamic")
    def dynamic() -> str:
        name = "dynamic" + ".html"
        return render_template(name)

    class Inline(View):
        def dispatch_request(self) -> str:
            return render_template_string("<p>inline</p>")

    app.add_url_rule("/inline", view_func=Inline.as_view("inline"))

    @app.post("/api/save")
    def api_save() -> str:
        return ""

    return app


def test_each_endpoint_gets_the_anchors_of_the_templates_it_renders_extends_and_includes() -> None:
    app = host()
    with app.app_context():
        inventory = scan(app)
    assert set(inventory.pages) == {"reports", "admin.settings", "alerts", "dynamic", "inline", "api_save"}
    reports = inventory.pages["reports"]
    assert reports.rules == ("/reports/<int:year>",) and reports.methods == ("GET",)
    assert reports.templates == ("reports.html", "base.html", "footer.html")
    assert {a.key: a.label for a in reports.anchors} == {
        "filter-year": "Report year",  # label[for]
        "save-report": "Save report",  # its text, a translated literal
        "export": "Export as CSV",  # aria-labelledby
        "print": "Print",  # an image's alt
        "period": "Period",  # title, when nothing else names it
        "home-link": "Home",  # from the base template
        "help": "Help centre",  # aria-label, from an included template
    }
    settings = inventory.pages["admin.settings"]
    assert settings.methods == ("GET", "POST") and settings.label("name") == "Name"  # the enclosing label
    # a computed template name or none at all: unknown until rendered; a POST-only endpoint is no page
    assert not inventory.pages["dynamic"].known and not inventory.pages["inline"].known
    assert [p.endpoint for p in inventory.page_choices()] == [
        "admin.settings",
        "alerts",
        "dynamic",
        "inline",
        "reports",
    ]
    assert inventory.on_pages(["reports"]) is not None and inventory.on_pages(["reports", "dynamic"]) is None
    assert inventory.anywhere("lonely") and inventory.pages_with("lonely") == []
    assert inventory.pages_with("help") == ["admin.settings", "reports"]


def test_rendered_anchors_make_a_page_known() -> None:
    app = host()
    with app.app_context():
        inventory = scan(app, {"dynamic": {"dyn"}})
    assert inventory.pages["dynamic"].known and inventory.on_pages(["dynamic"]) == frozenset({"dyn"})


def test_a_rendered_page_records_its_anchors_for_the_scan() -> None:
    app = host()
    assert app.test_client().get("/reports/2026").status_code == 200
    engine = app.extensions["onboarding"]
    assert engine.anchors["reports"] == {"filter-year", "save-report", "home-link"}


def test_urls_map_to_the_endpoint_that_answers_them() -> None:
    app = host()
    assert endpoint_for_url(app, "/reports/2026") == "reports"
    assert endpoint_for_url(app, "https://app.example/admin/settings?tab=1") == "admin.settings"
    assert endpoint_for_url(app, "/reports/not-a-year") is None
    assert endpoint_for_url(app, "/api/save") is None  # not a GET page


def test_broken_markup_still_yields_its_keys() -> None:
    found = anchors_in("x.html", "<div><p data-onboarding='a'>Unclosed <b>bold</div></span><i data-onboarding=\"b\">B")
    assert [(a.key, a.label) for a in found] == [("a", "Unclosed bold"), ("b", "B")]


def test_a_view_rendering_through_a_helper_and_message_keys_as_labels() -> None:
    app = host()
    with app.app_context():
        alerts = scan(app).pages["alerts"]
    assert alerts.templates == ("alerts.html",)  # found through _render_alerts()
    assert {a.key: a.label for a in alerts.anchors} == {
        "new-alert": "new alert",  # a section is named by its heading; t("new_alert") said as words
        "kpis": "today",  # aria-label="{{ t('today') }}"
        "numbers": "",  # only punctuation left once the expressions are dropped: no readable name
    }


def test_the_scan_is_kept_until_a_route_or_template_is_added() -> None:
    app = host()
    with app.app_context():
        first = scan(app)
        assert scan(app).pages["reports"] is not first.pages["reports"]  # each call merges what was rendered
        assert scan(app).marked is first.marked  # but the templates were read once

        @app.get("/late", endpoint="late")
        def late() -> str:
            return render_template("orphan.html")

        assert scan(app).pages["late"].anchor_keys() == {"lonely"}
