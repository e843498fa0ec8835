"""Product constants: declared onboarding events, roles, plans, brand themes, demo accounts."""

from __future__ import annotations

from typing import Any

# Every event is tracked on the server, where the action really succeeded (client: False).
EVENTS: dict[str, dict[str, Any]] = {
    "installed_code": {"key": True, "client": False, "label": "Installed the tracking code"},
    "report_viewed": {"client": False, "label": "Viewed a traffic report"},
    "report_created": {"client": False, "label": "Saved a report"},
    "alert_set": {"client": False, "label": "Set an alert"},
    "export_done": {"client": False, "label": "Exported data"},
    "member_invited": {"client": False, "label": "Invited a teammate"},
}

ROLES = ("decision_maker", "manager", "employee")
MANAGERS = ("decision_maker", "manager")

# The onboarding console (/onboarding/console) is for Pulse's own product team: the members of
# this organisation, which sign-up never creates (its slugs end in a random suffix). Their team
# role there decides their console role; every customer gets None (the console answers 404).
STAFF_ORG = "pulse-team"
CONSOLE_ROLES = {"decision_maker": "admin", "manager": "publisher", "employee": "editor"}
PLANS = ("free", "paid")
LOCALES = ("en", "zh-CN")
METRICS = ("pv", "uv", "bounce")

DEFAULT_ACCENT = "#4f46e5"
PAID_ACCENT = "#0f766e"
# A paid organisation gets its brand: by account id first, then by plan (ONBOARDING_THEMES).
BRANDS = {"acme-shop": "#c2410c"}
THEMES: dict[str, dict[str, Any]] = {
    "paid": {"mode": "light", "vars": {"--ob-accent": PAID_ACCENT, "--ob-radius": "12px"}},
    **{
        slug: {"mode": "light", "vars": {"--ob-accent": colour, "--ob-radius": "12px"}}
        for slug, colour in BRANDS.items()
    },
}
