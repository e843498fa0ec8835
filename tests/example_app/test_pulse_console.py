"""The example app's onboarding console, with Flask's test client: only Pulse's own team gets it,
its forms get past the app's own CSRF check, and the first publication keeps every guide of the
content files (the browser test, test_pulse_console_browser.py, walks the same path in Chromium)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from pulse_support import app, client, guide_ids, login, payload, signup

from example_app import onboarding
from example_app.demo import STAFF, USERS
from onboarding_sdk.content.loader import guide_data
from tests.console_forms import read_form, submit

__all__ = ["app", "client"]  # fixtures

CONSOLE = "/onboarding/console"
NEW_BODY = "五分钟看懂报表、提醒和导出：[打开新手宝典](/onboarding/guide/starter-guide)。"


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def test_only_pulse_team_members_get_the_console(app: Flask, client: FlaskClient) -> None:
    landing = client.get("/").text
    assert "<code>pia@pulse.demo</code> · Pia Novak · console role: admin" in landing
    assert "<code>sam@pulse.demo</code> · Sam Ortiz · console role: editor" in landing
    assert client.get(CONSOLE + "/guides").status_code == 404  # visitors
    for user in USERS:  # customers, decision makers included
        customer = signed_in(app, user.email)
        assert customer.get(CONSOLE + "/guides").status_code == 404, user.email
        assert f'href="{CONSOLE}/"' not in customer.get("/app/").text, user.email
    signup(client)  # a new organisation's decision maker: a customer too
    assert client.get(CONSOLE + "/guides").status_code == 404

    pia, sam = (signed_in(app, user.email) for user in STAFF)
    for staff, role in ((pia, "admin"), (sam, "editor")):
        page = staff.get(CONSOLE + "/guides")
        assert page.status_code == 200 and f"role: {role}" in page.text
        assert f'href="{CONSOLE}/"' in staff.get("/app/").text  # the menu links it
    assert pia.get(CONSOLE + "/audit").status_code == 200
    assert sam.get(CONSOLE + "/audit").status_code == 403


def test_console_forms_pass_the_apps_csrf_check_and_keep_their_own(app: Flask) -> None:
    sam = signed_in(app, "sam@pulse.demo")
    html = sam.get(CONSOLE + "/guides/starter-link").text
    response = submit(sam, html, button="Save draft", change={"body.zh-CN": NEW_BODY})
    assert response.status_code == 200, response.text
    assert "Draft saved (version 1)" in response.text
    form = read_form(html)
    refused = sam.post(CONSOLE + "/guides/starter-link/draft", data={**dict(form.fields), "csrf_token": "forged"})
    assert refused.status_code == 400
    assert "security token" in refused.text  # the console's own check, not the app's
    assert "Publish" not in [button.text for button in form.buttons]  # an editor saves drafts only
    assert sam.post(CONSOLE + "/guides/starter-link", data=dict(form.fields)).status_code == 403
    with app.test_request_context():
        assert onboarding.engine.content.revision == 0  # a draft publishes nothing


def test_the_first_publication_keeps_every_guide_of_the_content_files(app: Flask) -> None:
    with app.test_request_context():
        files = {gid: guide_data(g.spec) for gid, g in onboarding.engine.catalog.guides.items()}
    pia = signed_in(app, "pia@pulse.demo")
    html = pia.get(CONSOLE + "/guides/starter-link").text
    assert 'name="base_revision" value="0"' in html  # nothing published yet: the files are served
    response = submit(pia, html, button="Publish", change={"body.zh-CN": NEW_BODY})
    assert response.status_code == 200, response.text
    assert "Published as revision 1." in response.text

    with app.test_request_context():
        engine = onboarding.engine
        assert engine.content.revision == 1
        published = {gid: guide_data(g.spec) for gid, g in engine.catalog.guides.items()}
    assert published.keys() == files.keys()  # both content files, every guide
    changed = {gid for gid in files if published[gid] != files[gid]}
    assert changed == {"starter-link"}
    assert published["starter-link"]["body"] == {**files["starter-link"]["body"], "zh-CN": NEW_BODY}

    bo = signed_in(app, "bo@harbor.demo")  # stage use, reads Chinese
    page = bo.get("/app/").text
    guide = next(g for g in payload(page)["guides"] if g["id"] == "starter-link")
    assert "五分钟看懂报表、提醒和导出" in guide["body"]
    assert {"renewal-price-free", "tour-basics", "footer-dashboard"} <= guide_ids(page)  # the rest is still there


def test_the_demo_accounts_have_analytics(app: Flask) -> None:
    # The demo's histories are tracked with each user's profile, so Acme Shop's three users and
    # their events appear on its account page (docs/console.md, Analytics).
    pia = signed_in(app, "pia@pulse.demo")
    page = pia.get(CONSOLE + "/analytics?account=acme-shop&days=366")
    assert page.status_code == 200
    users = page.text.split("<dt>users</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert users == "3"
    csv = pia.get(CONSOLE + "/analytics?account=acme-shop&days=366&format=csv&table=account_daily").text
    rows = [line.split(",") for line in csv.strip().splitlines()[1:]]
    assert sum(int(row[2]) for row in rows) > 0  # events counted for the account
