"""The resource centre (issue 11, item 5): the Tips panel lists everything this user may see
(questions first, tips, the starter guide, tours to replay, what's new), fetched from
GET /api/centre when it opens; a search box filters it; an empty state; replay of a tour the
user dismissed; after closing, one activation of the opener opens it again."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .queue_js import wait_sent
from .widget_app import LiveServer, make_app


def open_centre(page):
    page.click("[data-onboarding-open=tips]")
    panel = page.get_by_role("dialog", name="Tips")
    expect(panel).to_be_visible()
    return panel


def test_a_user_with_tips_sees_them_beginners_questions_first(pages, site):
    page = pages.open("/")  # the tips are filed under /reports: the centre lists them anywhere
    assert not site.gets("/onboarding/api/centre")  # a page view fetches nothing for the centre
    panel = open_centre(page)
    expect(panel.locator("h3")).to_have_text(
        ["Common questions", "Tips and advanced settings", "Starter guide", "Tours", "What's new"]
    )
    expect(panel.locator("summary")).to_have_text(
        ["How do I export?", "Keyboard shortcuts", "Scheduled reports", "Dark mode", "Faster exports"]
    )
    for name, url in (("How to start", "guide/welcome"), ("See all", "tips"), ("What's new", "changelog")):
        expect(panel.get_by_role("link", name=name)).to_have_attribute("href", re.compile(f"/onboarding/{url}$"))
    panel.get_by_text("How do I export?").click()
    expect(panel.get_by_text("Use the Export button above the table.")).to_be_visible()
    assert site.gets("/onboarding/api/centre") == ["/onboarding/api/centre"]


def test_search_filters_and_says_when_nothing_matches(pages):
    panel = open_centre(pages.open("/"))
    search = panel.get_by_role("searchbox", name="Search help")
    search.fill("shortcuts")
    expect(panel.locator("summary:visible")).to_have_text(["Keyboard shortcuts"])
    expect(panel.locator("h3:visible")).to_have_text(["Tips and advanced settings"])
    search.fill("EXPORT")  # any case; bodies and tour steps count too
    expect(panel.locator("summary:visible")).to_have_text(["How do I export?", "Faster exports"])
    expect(panel.get_by_role("button", name="Replay: Basics")).to_be_visible()  # its step "Export"
    search.fill("no such words")
    expect(panel.locator("h3:visible")).to_have_count(0)
    expect(panel.get_by_role("status")).to_have_text("Nothing matches")
    search.fill("")
    expect(panel.locator("summary:visible")).to_have_count(5)
    expect(panel.get_by_role("status")).to_be_hidden()


def test_an_empty_centre_says_so(pages):
    site = LiveServer(make_app(ONBOARDING_CONTENT=["content_quiet.yaml"])).start()
    pages.site = site
    try:
        panel = open_centre(pages.open("/reports"))
        expect(panel.get_by_role("status")).to_have_text("No help here yet")
        expect(panel.get_by_role("searchbox")).to_have_count(0)
    finally:
        site.stop()


def test_after_closing_one_activation_opens_it_again(pages):
    page = pages.open("/")
    opener = page.locator("[data-onboarding-open=tips]")
    panel = open_centre(page)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    opener.click()
    expect(page.get_by_role("dialog", name="Tips")).to_be_visible()
    page.mouse.click(5, 400)  # a click outside closes it
    expect(page.get_by_role("dialog", name="Tips")).to_be_hidden()
    opener.click()
    expect(page.get_by_role("dialog", name="Tips")).to_be_visible()
    opener.click()  # while open, its opener closes it
    expect(page.get_by_role("dialog", name="Tips")).to_be_hidden()


def test_replay_a_dismissed_tour_across_pages(pages, site):
    page = pages.open("/tour/start")
    page.get_by_role("dialog", name="Your data").get_by_role("button", name="Close").click()
    wait_sent(page)
    assert site.guide("alice", "tour-basics").dismissed
    page.goto(site.url("/"))
    open_centre(page).get_by_role("button", name="Replay: Basics").click()
    page.wait_for_url("**/tour/start")  # the replay goes to its first step's page
    step = page.get_by_role("dialog", name="Your data")
    expect(step).to_contain_text("Step 1 of 3")
    step.get_by_role("button", name="Next").click()
    page.get_by_role("dialog", name="Filters").get_by_role("button", name="Next").click()
    page.wait_for_url("**/tour/next")
    step3 = page.get_by_role("dialog", name="Export")
    expect(step3).to_contain_text("Step 3 of 3")
    step3.get_by_role("button", name="Done").click()
    expect(step3).to_have_count(0)
    page.reload()  # the replay is over; the tour stays dismissed
    expect(page.locator("h1")).to_have_text("Tour next")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("dialog")).to_have_count(0)
    state = site.guide("alice", "tour-basics")
    assert state.dismissed and state.step == 0  # a replay is this tab's, not the server's


def test_a_replay_never_pulls_the_user_back(pages, site):
    page = pages.open("/tour/start")
    page.get_by_role("dialog", name="Your data").get_by_role("button", name="Close").click()
    wait_sent(page)
    open_centre(page).get_by_role("button", name="Replay: Basics").click()  # its first step is here
    step = page.get_by_role("dialog", name="Your data")
    expect(step).to_contain_text("Step 1 of 3")
    page.goto(site.url("/reports"))  # the user wanders off: the replay waits in the corner
    waiting = page.get_by_role("dialog", name="Your data")
    expect(waiting).to_contain_text("Step 1 of 3")
    assert page.url.endswith("/reports")
    waiting.get_by_role("link", name="Next").click()  # back to the step's page when they choose
    page.wait_for_url("**/tour/start")
    expect(page.get_by_role("dialog", name="Your data")).to_be_visible()
    page.keyboard.press("Escape")  # ends the replay
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.goto(site.url("/reports"))
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("dialog", name="Your data")).to_have_count(0)
