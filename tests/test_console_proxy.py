"""The console behind a TLS-terminating proxy without ProxyFix: its origin check refuses, and
the log says what to configure, in the same words as the API's (docs/integrate.md)."""

from __future__ import annotations

import logging

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from tests.test_console import PREFIX, console_app, publish_seed, token


def test_the_console_refusal_behind_a_proxy_names_proxyfix(caplog: pytest.LogCaptureFixture) -> None:
    app = console_app()
    publish_seed(app)
    client = app.test_client()
    good = token(client, "admin")
    url = f"{PREFIX}/guides/footer-reports/unpublish"
    headers = {"X-Role": "admin", "Origin": "https://localhost"}
    caplog.set_level(logging.WARNING, logger="onboarding_sdk")
    refused = client.post(url, data={"csrf_token": good, "base_revision": "1"}, headers=headers)
    assert refused.status_code == 400
    [line] = [r.getMessage() for r in caplog.records]
    assert "werkzeug.middleware.proxy_fix.ProxyFix" in line and "x_proto=1" in line and url in line
    caplog.clear()
    evil = client.post(url, data={"csrf_token": good}, headers={**headers, "Origin": "https://evil.example"})
    assert evil.status_code == 400 and not caplog.records  # another site: nothing to advise
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)  # type: ignore[method-assign]
    fixed = client.post(
        url, data={"csrf_token": good, "base_revision": "1"}, headers={**headers, "X-Forwarded-Proto": "https"}
    )
    assert fixed.status_code != 400
