"""What importing the package and serving a page load, each in a fresh interpreter.

``import onboarding_sdk`` loads no content loader (marshmallow, YAML, Markdown, nh3), no
console, no CLI and no Flask-Login. ``init_app`` mounts the console and the ``flask
onboarding`` commands without importing them; they load on first use. A page view (the host
page with the inline data, ``GET /api/guides``, the guide and tips pages) imports none of them
either. Content from files is read at start-up (``init_app``), so the loader is in a process
that has content files; the page-view check therefore runs on an app whose catalog was compiled
from ``GuideSpec`` values (``engine.content.use``), where nothing needs the loader at all.
Times are measured by bench/imports.py, never here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from flask import Flask

from onboarding_sdk import Onboarding
from onboarding_sdk.console import console_blueprint
from onboarding_sdk.console_mount import ROUTES, routes_of

ROOT = Path(__file__).resolve().parent.parent

#: Modules (and their submodules) that neither the import nor a page view loads.
HEAVY = (
    "marshmallow",
    "markdown_it",
    "mdurl",
    "yaml",
    "nh3",
    "flask_login",
    "onboarding_sdk.content.loader",
    "onboarding_sdk.content.schema",
    "onboarding_sdk.content.render",
    "onboarding_sdk.content.diff",
    "onboarding_sdk.cli",
    "onboarding_sdk.guide_checks",
    "onboarding_sdk.why",
    "onboarding_sdk.console",
    "onboarding_sdk.api_schemas",
    "onboarding_sdk.openapi",
)


def run(code: str) -> dict[str, list[str]]:
    """Run ``code`` in a fresh interpreter; it prints a JSON object, returned here."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


#: What start-up (init_app) may load of them: marshmallow checks the settings' stage rules and
#: the API's request bodies; Flask-Login's signals are connected when it is installed; the
#: console's package and its roles are read to mount its routes.
START_UP = ("marshmallow", "flask_login", "onboarding_sdk.api_schemas", "onboarding_sdk.openapi")
START_UP_MODULES = ("onboarding_sdk.console", "onboarding_sdk.console.access")


def heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in HEAVY))


def heavy_start_up(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in START_UP)


def test_importing_the_package_loads_no_loader_console_cli_or_markdown() -> None:
    found = run(
        """
        import json, sys
        import onboarding_sdk
        from onboarding_sdk import Onboarding, UserProfile, ContentError, DormantAccount
        print(json.dumps({"modules": sorted(sys.modules)}))
        """
    )
    modules = found["modules"]
    assert "onboarding_sdk.extension" in modules  # the check would pass on an empty import otherwise
    assert heavy(modules) == []
    assert "onboarding_sdk.console" not in modules


PAGE_VIEWS = """
    import json, sys
    from flask import Flask, render_template_string
    from onboarding_sdk import Onboarding, UserProfile
    from onboarding_sdk.content.model import GuideSpec

    app = Flask("host")
    app.config.update(SECRET_KEY="s", ONBOARDING_EVENTS=["report_created"])
    onboarding = Onboarding(app)
    onboarding.user_loader(lambda: UserProfile(id="u1", signed_up_at=None, role="admin"))
    onboarding.console_access(lambda: "admin")

    @app.get("/")
    def home():
        return render_template_string(
            "<head>{{ onboarding_assets() }}</head><main id=x>Home</main>{{ onboarding_footer_help() }}"
        )

    specs = [
        GuideSpec(id="hello", kind="tooltip", title={"en": "Hi"}, body={"en": "<p>Hi</p>"}, anchor="#x",
                  auto_open=True, when={"endpoints": ["home"]}),
        GuideSpec(id="footer", kind="footer_help", title={"en": "Help"}, body={"en": "<p>Help</p>"}),
        GuideSpec(id="tip", kind="advanced_tip", title={"en": "Tip"}, body={"en": "<p>Tip</p>"},
                  when={"not_done": ["report_created"]}),
    ]
    client = app.test_client()
    with app.app_context():
        app.extensions["onboarding"].content.use(specs, "compiled")
    after_start = set(sys.modules)
    home, api = client.get("/"), client.get("/onboarding/api/guides?page=home")
    answers = [
        home.status_code,
        api.status_code,
        client.get("/onboarding/api/guides").status_code,
        client.get("/onboarding/tips").status_code,
    ]
    page_views = sorted(set(sys.modules) - after_start)
    served = set(sys.modules)
    answers.append(client.get("/onboarding/console/guides").status_code)
    console = sorted(set(sys.modules) - served)
    print(json.dumps({
        "answers": [str(a) for a in answers],
        "guides": [g["id"] for g in api.get_json()["guides"]] + ["footer"] * (b"Help" in home.data),
        "after_start": sorted(after_start),
        "page_views": page_views,
        "console": console,
    }))
"""


def test_a_page_view_on_a_compiled_catalog_loads_no_loader_console_or_markdown() -> None:
    found = run(PAGE_VIEWS)
    assert found["answers"] == ["200", "200", "200", "200", "200"]
    assert found["guides"] == ["footer", "hello", "footer"]  # resolution ran, on both paths
    # start-up (init_app, the compiled catalog) mounted the console and the CLI without loading them
    at_start = [m for m in heavy(found["after_start"]) if m not in START_UP_MODULES and not heavy_start_up(m)]
    assert at_start == []
    assert heavy(found["page_views"]) == []
    # and the console loads with its first request, through the mounted routes
    assert "onboarding_sdk.console.views" in found["console"]


def test_the_mounted_console_routes_are_the_consoles_own() -> None:
    """console_mount.ROUTES (rule, endpoint, methods, roles) equals what the console declares."""
    app = Flask(__name__)
    app.register_blueprint(console_blueprint(Onboarding()))
    assert sorted(routes_of(app)) == sorted(ROUTES)
    mounted = Flask(__name__)
    Onboarding(mounted)
    assert sorted(routes_of(mounted, "/onboarding/console")) == sorted(ROUTES)
