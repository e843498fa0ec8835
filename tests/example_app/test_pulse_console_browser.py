"""The product team's side, end to end in real Chromium: Pulse's product lead edits the starter
link's Chinese body in the console's form, watches the live preview, checks with preview-as that
a user in stage `use` gets it on the dashboard (and why one in `awareness` does not), publishes,
and 王博 (a real demo user in stage `use`, reading Chinese) sees the new text on his dashboard;
a customer gets a 404 at the console. Skips locally without Chromium or Playwright; fails under
CI=true (tests/chromium.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulse_support import base_url

from example_app.demo import PASSWORD

__all__ = ["base_url"]  # fixtures
pytestmark = pytest.mark.browser

CONSOLE = "/onboarding/console"
OLD_BODY = "上面的新手宝典五分钟讲清楚其余功能"
NEW_BODY = "报表、提醒和导出的用法，都在**新手宝典**里：[现在打开](/onboarding/guide/starter-guide)。"
NEW_TEXT = "报表、提醒和导出的用法，都在新手宝典里"  # as the widget draws it (Markdown rendered)


def sign_in(browser: Any, base_url: str, email: str, errors: list[str]) -> tuple[Any, Any]:
    """A new browser context (its own cookies) signed in as ``email``; page errors and CSP
    violations are collected in ``errors``."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    watch(page, errors)
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".user-chip")).to_have_attribute("title", email)
    return context, page


def watch(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Security Policy" in m.text else None)


def test_edit_preview_as_use_publish_and_see_it_as_that_user(browser: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []

    # --- Pia, Pulse's product lead (console role admin), opens the guide from the app's menu --
    staff, page = sign_in(browser, base_url, "pia@pulse.demo", errors)
    page.get_by_role("link", name="Onboarding console").click()
    expect(page.get_by_role("heading", name="Guides")).to_be_visible()
    expect(page.get_by_text("the content files (nothing published yet)")).to_be_visible()
    page.get_by_role("link", name="starter-link", exact=True).click()
    expect(page.get_by_role("heading", name="Guide starter-link")).to_be_visible()

    # --- change the Chinese body in the per-kind form; the live preview follows -------------
    body = page.get_by_label("Body (zh-CN)")
    expect(body).to_have_value(f"数据已经开始流入。**报表**按月展示数据，{OLD_BODY}：[打开报表](/app/reports/)。")
    expect(page.get_by_label("Title (zh-CN)")).to_have_value("下一步：查看第一份报表")
    expect(page.locator(".live-status")).to_have_count(1)  # console.js runs (and listens to the form)
    body.fill(NEW_BODY)
    preview = page.locator("#live-preview article[lang=zh-CN] .pv-body")
    expect(preview).to_contain_text(NEW_TEXT)
    expect(preview.locator("strong")).to_have_text("新手宝典")
    expect(preview.get_by_role("link", name="现在打开")).to_have_attribute("href", "/onboarding/guide/starter-guide")
    expect(preview).not_to_contain_text(OLD_BODY)

    # --- preview-as, in a second tab: who gets it on the dashboard, and why (not) -----------
    why = staff.new_page()
    watch(why, errors)
    why.goto(base_url + CONSOLE + "/preview-as")
    why.get_by_label("page (endpoint)").select_option("dashboard.index")
    why.get_by_label("stage").select_option("use")
    why.get_by_label("days since sign-up").fill("3")
    why.get_by_label("installed_code").check()  # a user in `use` has installed the tracking code
    why.get_by_role("button", name="Preview").click()
    expect(why.get_by_role("heading", name="A made-up user on dashboard.index")).to_be_visible()
    row = why.locator("#why-starter-link")
    expect(row.locator("td").nth(2)).to_have_text(re.compile(r"^shown #\d+$"))
    expect(row).to_contain_text("every check passes")
    expect(why.locator("ol").get_by_text("starter-link", exact=True)).to_be_visible()  # in the shown list

    why.get_by_label("stage").select_option("awareness")
    why.get_by_label("installed_code").uncheck()  # awareness: the tracking code is not installed yet
    why.get_by_role("button", name="Preview").click()
    expect(why.get_by_label("stage")).to_have_value("awareness")
    expect(row.locator("td").nth(2)).to_have_text("not shown")
    expect(row).to_contain_text("condition not met: done: [installed_code]")
    row.locator("summary").click()
    expect(row.get_by_role("listitem").filter(has_text="done: [installed_code]").first).to_contain_text("✘ not met")
    tour = why.locator("#why-tour-basics")  # a guide that names its stages says so
    expect(tour.locator("td").nth(3)).to_contain_text("stages: use, depth (the user: awareness)")
    why.close()

    # --- publish from the form (still holding the edit): the first revision -----------------
    page.get_by_label("Note for the history").fill("Shorter starter link in Chinese")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Published as revision 1.")).to_be_visible()
    expect(page.get_by_label("Body (zh-CN)")).to_have_value(NEW_BODY)
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("cell", name="Shorter starter link in Chinese")).to_be_visible()
    staff.close()

    # --- 王博, in stage `use`, reads Chinese: the new text on his dashboard -------------------
    customer, page = sign_in(browser, base_url, "bo@harbor.demo", errors)
    expect(page.locator(".demo-bar .stage-name")).to_have_text("使用")
    expect(page.get_by_role("heading", name="下一步：查看第一份报表")).to_be_visible()
    expect(page.get_by_text(NEW_TEXT)).to_be_visible()
    expect(page.get_by_text(OLD_BODY)).to_have_count(0)
    expect(page.get_by_role("heading", name="关于仪表盘")).to_be_visible()  # the other guides are still served

    # --- and a customer has no console: no menu entry, a 404 --------------------------------
    expect(page.get_by_role("link", name="引导内容控制台")).to_have_count(0)
    response = page.goto(base_url + CONSOLE + "/")
    assert response is not None and response.status == 404
    customer.close()
    assert not errors, errors
