"""The example app's home page shows the seed's idea (issue 11, item 10): a starter-guide link
card with the one-page guide behind it, one install call to action, no dead-end "Starter guide"
links; and a dormant account in the demo data, so the console's churn warning shows."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from pulse_support import app, client, login, payload

from example_app.demo import USERS

__all__ = ["app", "client"]  # fixtures
CONSOLE = "/onboarding/console"
HREF = re.compile(r'href="([^"]+)"')


def starter_cards(html: str) -> dict[str, dict[str, object]]:
    return {g["id"]: g for g in payload(html)["guides"] if g["kind"] == "starter_guide"}


def test_the_starter_guide_is_a_link_card_with_the_guide_behind_it(client: FlaskClient) -> None:
    login(client, "ana@lantern.demo")  # awareness, day 0: the code is not installed
    home = client.get("/app/").text
    cards = starter_cards(home)
    guide = cards["starter-guide"]
    lead = "Every feature of Pulse Analytics on one page. Read it once; come back when you need it."
    assert guide["body"] == f"<p>{lead}</p>"  # the lead only
    assert guide["url"] == "/onboarding/guide/starter-guide"
    full = client.get(str(guide["url"]))
    assert full.status_code == 200 and "Read your dashboard" in full.text  # the whole guide, on its page
    assert "Read your dashboard" not in home  # not inlined, not even in the no-JavaScript copy
    assert "url" not in cards["how-to-start"]  # all lead: no link to a page that would only repeat it


def test_one_install_call_to_action(client: FlaskClient) -> None:
    login(client, "ana@lantern.demo")
    home = client.get("/app/").text
    bodies = " ".join(str(card["body"]) for card in starter_cards(home).values())
    assert "/app/install" not in bodies  # the cards explain; the dashboard's button acts
    main = home.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert HREF.findall(main).count("/app/install") == 1


def test_no_dead_end_starter_guide_links(app: Flask) -> None:
    for user in USERS:  # every stage, before and after the first week
        client = app.test_client()
        login(client, user.email)
        home = client.get("/app/").text
        links = [*HREF.findall(home), *(str(c["url"]) for c in starter_cards(home).values() if "url" in c)]
        for body in (str(c["body"]) for c in starter_cards(home).values()):
            links += HREF.findall(body)
        for url in {link for link in links if link.startswith("/onboarding/guide/")}:
            assert client.get(url).status_code == 200, f"{user.email}: {url} is a dead end"


def test_a_dormant_account_shows_in_the_consoles_churn_warning(app: Flask) -> None:
    dormant = [user for user in USERS if user.dormant]
    assert dormant, "the demo data has a dormant account"
    pia = app.test_client()
    login(pia, "pia@pulse.demo")
    page = pia.get(CONSOLE + "/analytics").text
    listed = page.split("Dormant accounts, most recently active first", 1)[1].split("</table>", 1)[0]
    assert {user.org for user in dormant} <= set(re.findall(r"account=([\w-]+)", listed))
    assert {user.org for user in USERS if not user.dormant}.isdisjoint(re.findall(r"account=([\w-]+)", listed))
    fay = app.test_client()
    login(fay, dormant[0].email)
    assert "dormant" in fay.get("/app/").text.split('class="demo-bar"', 1)[1].split("</section>", 1)[0]
