"""A starter guide on a page is a link card (issue 11, item 10): its lead, and a link to the
one-page guide only when more is behind the lead (docs/widget-contract.md, GUIDE)."""

from __future__ import annotations

import pytest

from onboarding_sdk.payload import starter_lead


@pytest.mark.parametrize(
    ("html", "lead", "more"),
    [
        ("<p>Lead <b>one</b>.</p>\n<h2>Install</h2>\n<p>Paste it.</p>\n", "<p>Lead <b>one</b>.</p>", True),
        ("<p>Only a lead.</p>\n", "<p>Only a lead.</p>", False),
        ("<h2>Start</h2><p>Then this.</p>", "<h2>Start</h2>", True),
        ("<p>a</p>\n<p>b</p>", "<p>a</p>", True),
        ("<ul><li>a<ul><li>b</li></ul></li></ul><p>c</p>", "<ul><li>a<ul><li>b</li></ul></li></ul><p>c</p>", False),
        ("", "", False),
        ("plain text", "plain text", False),
    ],
)
def test_the_lead_and_whether_more_is_behind_it(html: str, lead: str, more: bool) -> None:
    assert starter_lead(html) == (lead, more)
