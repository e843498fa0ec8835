"""Debian's Chromium driven by Playwright, shared by every browser test in the session.

One Playwright instance per process: its sync API cannot run two at once. Without
/usr/bin/chromium or the playwright package the tests skip, except under CI=true, where they
fail with a clear message (a green CI must not hide a missing browser).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ONBOARDING_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(what: str) -> None:
    message = f"browser tests need {what}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: install it, see scripts/setup)", pytrace=False)
    pytest.skip(message)


def launch() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package (pip install playwright; no `playwright install` needed)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
