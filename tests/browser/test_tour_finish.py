"""Tours people finish (issue 11, item 4), in Chromium on the real extension: "2 of 3", Back and
Next, × and Escape dismiss on every device, "Remind me later", resume across reloads, and steps
that advance when the user does the thing (``advance_on``: a click on the anchor, an event)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .queue_js import wait_sent
from .widget_app import LiveServer, make_app

TOUR = "tour-finish"


@pytest.fixture
def tours(pages) -> Iterator[LiveServer]:
    site = LiveServer(make_app(ONBOARDING_CONTENT=["content_tours.yaml"])).start()
    pages.site = site
    yield site
    site.stop()


def nothing_drawn(page) -> None:
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the tour chunk would have drawn by now
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_progress_back_next_and_resume_after_a_reload(pages, tours):
    page = pages.open("/tour/start")
    step = page.get_by_role("dialog", name="Your data")
    expect(step).to_contain_text("Step 1 of 3")
    expect(step.get_by_role("button", name="Back")).to_have_count(0)
    step.get_by_role("button", name="Next").click()
    step2 = page.get_by_role("dialog", name="Filters")
    expect(step2).to_contain_text("Step 2 of 3")
    expect(step2).to_be_focused()
    wait_sent(page)
    assert tours.guide("alice", TOUR).step == 1
    page.reload()  # resumes where the server has it
    step2 = page.get_by_role("dialog", name="Filters")
    expect(step2).to_contain_text("Step 2 of 3")
    step2.get_by_role("button", name="Back").click()
    expect(page.get_by_role("dialog", name="Your data")).to_contain_text("Step 1 of 3")
    wait_sent(page)
    assert tours.guide("alice", TOUR).step == 0


@pytest.mark.parametrize("how", ["escape", "close"])
def test_escape_and_the_close_button_dismiss_for_good(pages, tours, how):
    page = pages.open("/tour/start")
    step = page.get_by_role("dialog", name="Your data")
    expect(step).to_be_focused()
    if how == "escape":
        page.keyboard.press("Escape")
    else:
        step.get_by_role("button", name="Close").click()
    expect(step).to_have_count(0)
    wait_sent(page)
    assert tours.guide("alice", TOUR).dismissed
    page.reload()
    nothing_drawn(page)
    nothing_drawn(pages.open("/tour/start"))  # another device: gone there too


def test_remind_me_later_hides_the_tour_in_this_browser_until_tomorrow(pages, tours):
    ctx = pages.context()
    page = pages.open("/tour/start", ctx=ctx)
    page.get_by_role("dialog", name="Your data").get_by_role("button", name="Remind me later").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.reload()
    nothing_drawn(page)
    state = tours.guide("alice", TOUR)
    assert not state.dismissed and not state.completed  # the server was not told: not a dismissal
    # another browser still has it; here it comes back the next day
    expect(pages.open("/tour/start").get_by_role("dialog", name="Your data")).to_be_visible()
    page.evaluate("""() => { for (const k of Object.keys(localStorage))
        if (k.startsWith('obl:')) localStorage.setItem(k, '2000-1-1') }""")
    page.reload()
    expect(page.get_by_role("dialog", name="Your data")).to_contain_text("Step 1 of 3")


def test_a_click_on_the_anchor_advances_the_step(pages, tours):
    page = pages.open("/tour/start")
    expect(page.get_by_role("dialog", name="Your data")).to_be_visible()
    page.locator("[data-onboarding=t-one]").click()
    expect(page.get_by_role("dialog", name="Filters")).to_contain_text("Step 2 of 3")
    wait_sent(page)
    assert tours.guide("alice", TOUR).step == 1


def test_a_tracked_event_advances_the_step_on_the_next_page_view(pages, tours):
    page = pages.open("/tour/start")
    page.get_by_role("dialog", name="Your data").get_by_role("button", name="Next").click()
    expect(page.get_by_role("dialog", name="Filters")).to_be_visible()
    wait_sent(page)
    tours.track("alice", "invited")  # the user did what step 2 asks for
    page.reload()
    nothing_drawn(page)  # step 3 is on the next page
    step3 = pages.open("/tour/next").get_by_role("dialog", name="Export")
    expect(step3).to_contain_text("Step 3 of 3")
    step3.get_by_role("button", name="Done").click()
    expect(step3).to_have_count(0)
