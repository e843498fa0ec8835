"""The console in English and Simplified Chinese: every console text goes through one catalog
(console/i18n.py), the language comes from the cookie the header's link sets or Accept-Language,
and every console page in zh-CN shows no English word but product names and ids."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk.console import i18n
from onboarding_sdk.console.i18n_zh import ZH
from onboarding_sdk.content import FREQUENCIES, KINDS, LEVELS, PURPOSES
from onboarding_sdk.state import STAGES
from tests.console_forms import submit
from tests.guides.app import START, Clock, create_app, grow

PREFIX = "/onboarding/console"
ROOT = Path(__file__).resolve().parent.parent / "onboarding_sdk"
CONTENT = """\
version: 1
guides:
  - id: start-here
    kind: starter_guide
    title: {en: Start here, zh-CN: 从这里开始}
    body: {en: Install the code, zh-CN: 先安装代码}
    when: {stages: [awareness, use], roles: [admin], days_since_signup: {max: 7}}
  - id: reports-tour
    kind: tour
    title: {en: Reports, zh-CN: 报表}
    steps:
      - endpoint: reports
        title: {en: Filter, zh-CN: 筛选}
        body: {en: Pick a year, zh-CN: 选择年份}
  - id: footer-reports
    kind: footer_help
    title: {en: About reports, zh-CN: 关于报表}
    body: {en: Reports are daily, zh-CN: 报表每天更新}
    when: {endpoints: [reports]}
"""
#: Names the console shows as they are in every language: products, formats, the languages' own names.
PRODUCT_NAMES = {"Markdown", "YAML", "UTC", "CSV", "URL", "Flask", "FAQ", "English", "JSON", "docs", "md"}


# --- the catalog ------------------------------------------------------------------------


def texts_passed_to_t() -> set[str]:
    """Every literal text the console's templates and modules pass to ``t``."""
    found: set[str] = set()
    sources = [*(ROOT / "templates/onboarding/console").glob("*.html"), *(ROOT / "console").glob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'\bt\(\s*"((?:[^"\\]|\\.)*)"', text):
            found.add(match.group(1).replace('\\"', '"'))
        for match in re.finditer(r"\bt\(\s*'((?:[^'\\]|\\.)*)'", text):
            found.add(match.group(1))
        for name in set(re.findall(r"\bt\(([A-Z_]+)\b", text)):  # a long key kept in a constant
            constant = re.search(rf'^{name} = \(?[^"\n]*\n?\s*"((?:[^"\\]|\\.)*)"', text, re.M)
            assert constant is not None, (path, name)
            found.add(constant.group(1))
    segments = (ROOT / "segments.py").read_text(encoding="utf-8")  # a row's errors, shown through t
    found |= set(re.findall(r'RowError\(\s*[^,]+,\s*"((?:[^"\\]|\\.)*)"', segments))
    return found


def test_every_text_passed_to_t_has_its_chinese() -> None:
    passed = texts_passed_to_t()
    assert len(passed) > 300
    assert sorted(passed - set(ZH)) == []
    for english, chinese in ZH.items():  # the same placeholders on both sides
        assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", chinese)), english


def test_the_script_texts_come_from_the_catalog() -> None:
    script = (ROOT / "console/console.js").read_text(encoding="utf-8")
    for english in i18n.SCRIPT_TEXTS:
        assert f'text("{english}")' in script and english in ZH
    assert not re.findall(r'textContent = "[A-Za-z]', script)  # nothing shown bypasses text()


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.5", "zh-CN"),
        (None, "zh-Hans", "zh-CN"),
        (None, "fr, en;q=0.5", "en"),
        ("zh-CN", "en", "zh-CN"),
        ("en", "zh-CN", "en"),
        ("klingon", "zh", "zh-CN"),
    ],
)
def test_the_language_is_the_cookie_then_accept_language(cookie: str | None, accept: str | None, expected: str) -> None:
    app = make_app()
    client = app.test_client()
    if cookie is not None:
        client.set_cookie(i18n.COOKIE, cookie)
    headers = {"X-Role": "viewer", **({"Accept-Language": accept} if accept else {})}
    html = client.get(f"{PREFIX}/guides", headers=headers).text
    assert f'<html lang="{expected}">' in html


def test_the_language_link_sets_the_cookie_and_goes_back_safely() -> None:
    app = make_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/history", headers={"X-Role": "viewer"}).text
    link = re.search(r'href="([^"]*/language/zh-CN[^"]*)"', html)
    assert link is not None and "简体中文" in html
    answer = client.get(link.group(1).replace("&amp;", "&"), headers={"X-Role": "viewer"})
    assert answer.status_code == 302 and answer.headers["Location"].rstrip("?").endswith(f"{PREFIX}/history")
    assert "版本历史" in client.get(f"{PREFIX}/history", headers={"X-Role": "viewer"}).text
    away = client.get(f"{PREFIX}/language/en?next=//evil.example/", headers={"X-Role": "viewer"})
    assert away.headers["Location"].endswith(f"{PREFIX}/guides")
    assert client.get(f"{PREFIX}/language/fr", headers={"X-Role": "viewer"}).status_code == 404
    assert client.get(f"{PREFIX}/language/zh-CN").status_code == 404  # no role: no console


# --- every page in zh-CN ------------------------------------------------------------------


def make_app() -> Flask:
    app, ext = create_app(
        Clock(START + timedelta(days=1)), ONBOARDING_STORAGE_URI="memory://", ONBOARDING_KEY_PREFIX=uuid.uuid4().hex[:8]
    )

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    grow(app, ext, "u", "use")
    with app.app_context():
        engine = app.extensions["onboarding"].engine
        engine.content.publish(CONTENT, None, "setup", "first")
        engine.storage.drafts.save("segment/admins", {"condition": {"roles": ["admin"]}, "author": "ed", "time": 0}, 0)
    return app


class VisibleText(HTMLParser):
    """The text a reader sees, without what is marked as not for translation (``translate="no"``,
    code, ids in ``<pre>``), content in another language (``lang``), scripts and styles."""

    SKIP: ClassVar[set[str]] = {"script", "style", "code", "pre", "textarea", "title"}
    VOID: ClassVar[set[str]] = {"input", "br", "meta", "link", "img", "hr", "option"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: skipped?
        self.words: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skipped = (
            (bool(self.stack) and self.stack[-1])
            or tag in self.SKIP
            or values.get("translate") == "no"
            or (values.get("lang") not in (None, "zh-CN"))
        )
        if values.get("translate") == "yes" and self.stack and self.stack[-1] and tag == "span":
            skipped = False
        if not skipped:
            for name in ("placeholder", "aria-label", "title", "label"):
                if values.get(name) and name != "label":
                    self.attributes.append(str(values[name]))
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.words.append(data)


def english_words(html: str, allowed: set[str]) -> list[str]:
    reader = VisibleText()
    reader.feed(html)
    text = " ".join(reader.words + reader.attributes)
    found = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9_\-./]*", text):
        bare = word.strip(".-/")
        if not bare or bare in allowed or "_" in bare or "/" in bare:  # ids, keys, paths
            continue
        if re.fullmatch(r"r\d+|v\d+|[a-z]{2}(-[A-Z]{2})?", bare):  # revisions, versions, locale tags
            continue
        if all(part in allowed or not part for part in re.split(r"[.-]", bare)):
            continue
        found.append(bare)
    return found


def ids_of(app: Flask) -> set[str]:
    engine = app.extensions["onboarding"].engine
    ids = {*STAGES, *KINDS, *FREQUENCIES, "max_impressions", *PURPOSES, *LEVELS, *engine.settings.events}
    ids |= set(engine.catalog.guides) | {"admins", "setup", "first", "ed", "when"}
    with app.test_request_context():
        ids |= {rule.endpoint.split(".")[-1] for rule in app.url_map.iter_rules()}
        ids |= {part for rule in app.url_map.iter_rules() for part in re.findall(r"[A-Za-z_]+", rule.rule)}
    kept = {word for chinese in ZH.values() for word in re.findall(r"[A-Za-z_]+", chinese)}  # code the Chinese keeps
    return ids | PRODUCT_NAMES | kept


def zh(client: FlaskClient, path: str, role: str = "admin") -> str:
    response = client.get(f"{PREFIX}{path}", headers={"X-Role": role, "Accept-Language": "zh-CN"})
    assert response.status_code == 200, (path, response.status_code)
    assert '<html lang="zh-CN">' in response.text
    return response.text


PAGES = [
    "/guides",
    "/guides?status=draft",
    "/guides?status=review",
    "/pages",
    "/guides/start-here",
    "/guides/reports-tour",
    "/guides/footer-reports/yaml",
    "/guides/footer-reports/history",
    "/new-guide",
    "/new-guide?kind=checklist",
    "/new-guide?kind=tooltip",
    "/history",
    "/history/1",
    "/preview-as",
    "/analytics",
    "/audit",
    "/segments",
    "/segments/new",
    "/segments/admins",
]


def test_every_console_page_in_chinese_shows_no_english_word() -> None:
    app = make_app()
    client = app.test_client()
    allowed = ids_of(app)
    # a draft submitted for review, so the badge and the draft's banner are drawn too
    html = zh(client, "/guides/footer-reports")
    assert (
        submit(
            client, html, button="保存并提交审核", headers={"X-Role": "editor", "Accept-Language": "zh-CN"}
        ).status_code
        == 200
    )
    leftovers: dict[str, list[str]] = {}
    for path in PAGES:
        words = english_words(zh(client, path), allowed)
        if words:
            leftovers[path] = sorted(set(words))
    # the confirmation pages (POST)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    for path in ("/history/1/rollback", "/guides/footer-reports/revert/1"):
        answer = client.post(
            f"{PREFIX}{path}",
            data={"csrf_token": token.group(1), "base_revision": "1"},
            headers={"X-Role": "admin", "Accept-Language": "zh-CN"},
        )
        assert answer.status_code == 200
        words = english_words(answer.text, allowed)
        if words:
            leftovers[path] = sorted(set(words))
    assert leftovers == {}
    assert 'data-review-count="1"' in zh(client, "/guides")


def test_english_stays_the_default() -> None:
    app = make_app()
    html = app.test_client().get(f"{PREFIX}/guides", headers={"X-Role": "admin"}).text
    assert '<html lang="en">' in html and ">Guides</h1>" in html and "简体中文" in html and "版本历史" not in html


def test_a_page_in_chinese_reads_as_chinese() -> None:
    app = make_app()
    client = app.test_client()
    html = zh(client, "/guides/start-here")
    for words in ("新手引导控制台", "返回应用", "对象与位置", "添加条件", "保存草稿", "预览（未发布）"):
        assert words in html
    assert "受众" in html and "索引中没有角色" in html  # the estimate, in Chinese


def visible(html: str) -> Any:
    return english_words(html, set())


def _debug_leftovers() -> dict[str, list[str]]:  # pragma: no cover - a helper for the person fixing a page
    app = make_app()
    client = app.test_client()
    allowed = ids_of(app)
    return {p: sorted(set(english_words(zh(client, p), allowed))) for p in PAGES}


def test_refusals_and_row_errors_speak_chinese() -> None:
    app = make_app()
    client = app.test_client()
    headers = {"X-Role": "editor", "Accept-Language": "zh-CN"}
    html = zh(client, "/guides/footer-reports", "editor")
    change = {"seg.0.field": "days", "seg.0.op": "at_least", "seg.0.value": "soon"}
    refused = submit(client, html, button="保存草稿", change=change, headers=headers)
    assert refused.status_code == 422 and "&#39;soon&#39; 不是整数天数（0 到 100000）" in refused.text
    saved = submit(client, html, button="保存草稿", headers=headers)
    assert saved.status_code == 200 and "草稿已保存" in saved.text
    stale = submit(client, html, button="保存草稿", headers=headers)  # from the version before the save
    assert stale.status_code == 409 and "未保存：" in stale.text


def test_the_hosts_preference_comes_after_the_cookie_and_before_accept_language() -> None:
    app = make_app()
    ext = app.extensions["onboarding"].extension
    preferred: dict[str, Any] = {"answer": "zh-CN"}

    @ext.console_locale
    def console_language() -> str | None:
        if preferred["answer"] == "boom":
            raise RuntimeError("the profile service is down")
        return preferred["answer"]  # type: ignore[no-any-return]

    client = app.test_client()
    english = {"X-Role": "viewer", "Accept-Language": "en"}
    assert '<html lang="zh-CN">' in client.get(f"{PREFIX}/guides", headers=english).text
    client.set_cookie(i18n.COOKIE, "en")
    assert '<html lang="en">' in client.get(f"{PREFIX}/guides", headers=english).text  # the link's choice wins
    client.delete_cookie(i18n.COOKIE)
    for answer in ("boom", None, "fr"):  # a failure or no usable answer: Accept-Language decides
        preferred["answer"] = answer
        chinese = {"X-Role": "viewer", "Accept-Language": "zh-CN"}
        assert '<html lang="zh-CN">' in client.get(f"{PREFIX}/guides", headers=chinese).text
        assert '<html lang="en">' in client.get(f"{PREFIX}/guides", headers=english).text
