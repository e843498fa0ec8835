"""The widget's size budget (issue 4): gzip -9 of each shipped file, as scripts/widget_size.py prints."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "widget_size.py"
spec = importlib.util.spec_from_file_location("widget_size", SCRIPT)
widget_size = importlib.util.module_from_spec(spec)
spec.loader.exec_module(widget_size)


def test_core_files_exist_and_fit_the_budget():
    sizes = widget_size.sizes()
    assert {"onboarding.js", "onboarding.css"} <= sizes.keys()
    for name, (_, gz, budget) in sizes.items():
        assert gz <= budget, f"{name}: {gz} bytes gzipped, budget {budget}"


def test_budgets_are_the_issue_s():
    assert widget_size.BUDGETS == {"onboarding.js": 6144, "onboarding.css": 1536}
