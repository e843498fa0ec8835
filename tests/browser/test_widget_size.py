"""The widget's size budget (issue 11): gzip -9 of each built file, as scripts/widget_size.py prints."""

import importlib.util
import random
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "widget_size.py"
spec = importlib.util.spec_from_file_location("widget_size", SCRIPT)
widget_size = importlib.util.module_from_spec(spec)
spec.loader.exec_module(widget_size)


def test_every_built_file_exists_and_fits_its_budget():
    sizes = widget_size.sizes()
    assert {"onboarding.js", "onboarding.css", "onboarding-tour.js"} <= sizes.keys()
    assert not any(name.endswith(".map") for name in sizes)  # source maps are not shipped to users' pages
    for name, (_, gz, budget) in sizes.items():
        assert gz <= budget, f"{name}: {gz} bytes gzipped, budget {budget}"


def test_budgets_are_the_issue_s():
    assert widget_size.BUDGETS == {"onboarding.js": 7168, "onboarding.css": 2048, "onboarding-tour.js": 4096}


def test_a_file_over_budget_fails(tmp_path):
    (tmp_path / "onboarding.js").write_bytes(random.Random(0).randbytes(16384))  # gzip cannot shrink it
    (tmp_path / "onboarding.css").write_text("a{}")
    sizes = widget_size.sizes(tmp_path)
    assert sizes["onboarding.js"][1] > sizes["onboarding.js"][2]
    assert sizes["onboarding.css"][1] <= sizes["onboarding.css"][2]
