"""Browser fixtures: Debian's Chromium driven by Playwright, and a host app on the real extension.

Without /usr/bin/chromium or the playwright package these tests skip, except under CI=true,
where they fail with a clear message (a green CI must not hide a missing browser).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chromium import missing

from .widget_app import LiveServer

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.fspath).startswith(str(HERE)) and "test_widget_size" not in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def site():
    srv = LiveServer().start()
    yield srv
    srv.stop()


class Pages:
    """Opens pages as a given user (cookie uid), each in its own context = its own device."""

    def __init__(self, browser, site):
        self.browser, self.site, self.contexts, self.errors = browser, site, [], []

    def context(self, uid="alice", cookies=None, **opts):
        """A new context signed in as ``uid``; ``cookies`` adds plan, acct (theme) or lang."""
        opts.setdefault("viewport", {"width": 1280, "height": 800})
        ctx = self.browser.new_context(**opts)
        jar = {"uid": uid, **(cookies or {})}
        ctx.add_cookies([{"name": k, "value": v, "url": self.site.base} for k, v in jar.items()])
        self.contexts.append(ctx)
        return ctx

    def open(self, path="/reports", uid="alice", ctx=None, cookies=None, **opts):
        ctx = ctx or self.context(uid, cookies, **opts)
        page = ctx.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None,
        )
        page.goto(self.site.url(path))
        return page

    def close(self):
        for c in self.contexts:
            c.close()


@pytest.fixture
def pages(browser, site):
    p = Pages(browser, site)
    yield p
    p.close()
    assert not p.errors, f"page errors or CSP violations: {p.errors}"


@pytest.fixture
def axe():
    if not AXE.exists():
        missing("axe-core (cd tests/browser && npm install)")
    return AXE
