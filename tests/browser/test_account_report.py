"""The account usage report printed by Chromium (page.pdf, A4): its pages, its text (the PDF's
ToUnicode maps, read with zlib alone; for Chinese, the headings of the printed page and a CJK
font embedded, no tofu), and its print-media layout (no console chrome, no toolbar, nothing wider
than the paper)."""

from __future__ import annotations

import re
import threading
import uuid
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from onboarding_sdk import Onboarding, UserProfile, get_state
from tests import health_worker

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
USERS = 80  # enough rows for the users' table to run over a second A4 page
A4_POINTS = (595, 842)  # 210 x 297 mm


@pytest.fixture
def report_site() -> Iterator[str]:
    now = datetime(2026, 5, 16, 12, tzinfo=UTC)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="test",
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_EVENTS=health_worker.EVENTS,
        ONBOARDING_MILESTONES=health_worker.MILESTONES,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
    )
    ext = Onboarding(app, clock=lambda: now)
    ext.console_access(lambda: request.headers.get("X-Role"))
    engine = get_state(app).engine
    with app.app_context():
        for n in range(USERS):
            user = UserProfile(f"user-{n:03d}", START, account_id="acme")
            for d in range(0, 75, 7 + n % 5):
                engine.track(user.id, "report_created" if d % 3 == 0 else None, START + timedelta(days=d), user)
        ext.check_accounts()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/onboarding/console/accounts/acme/report"
    server.shutdown()
    server.server_close()


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}


def _stream(body: bytes) -> bytes:
    found = re.search(rb"/Length (\d+)>>\s*stream\r?\n", body)
    if found is None:
        return b""
    data = body[found.end() : found.end() + int(found.group(1))]
    return zlib.decompress(data) if b"/FlateDecode" in body[: found.start()] else data


def drawn_text(pdf: bytes) -> set[str]:
    """Every character some font of the PDF maps a drawn glyph to (its ToUnicode CMaps)."""
    chars: set[str] = set()
    for body in _objects(pdf).values():
        if b"begincmap" not in body and b"/FlateDecode" not in body:
            continue
        cmap = _stream(body)
        if b"begincmap" not in cmap:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for target in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", block):
                chars.add(bytes.fromhex(target.decode()).decode("utf-16-be"))
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            for low, high, first in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start = ord(bytes.fromhex(first.decode()).decode("utf-16-be")[0])
                chars.update(chr(start + i) for i in range(int(high, 16) - int(low, 16) + 1))
    return chars


def pages_of(pdf: bytes) -> list[tuple[float, float]]:
    sizes = []
    for body in _objects(pdf).values():
        if re.search(rb"/Type\s*/Page\b", body):
            box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", body)
            assert box is not None
            sizes.append((float(box.group(3)) - float(box.group(1)), float(box.group(4)) - float(box.group(2))))
    return sizes


def _print(browser: Any, url: str) -> tuple[bytes, dict[str, Any]]:
    context = browser.new_context(extra_http_headers={"X-Role": "viewer"})
    try:
        page = context.new_page()
        response = page.goto(url)
        assert response is not None and response.status == 200
        page.emulate_media(media="print")
        layout = page.evaluate(
            """() => ({
                toolbar: getComputedStyle(document.querySelector('.toolbar')).display,
                csv: [...document.querySelectorAll('.csv')].map(a => getComputedStyle(a).display),
                consoleHeader: document.querySelector('header .back') !== null,
                widest: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right)),
                viewport: document.documentElement.clientWidth,
                headings: [...document.querySelectorAll('h1, h2')].map(h => h.textContent.trim()),
                cjkFont: ['Noto Sans CJK SC', 'WenQuanYi Micro Hei']
                    .some(f => document.fonts.check(`16px "${f}"`, '客户')),
            })"""
        )
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    return pdf, layout


def test_the_report_prints_on_a4_pages_with_its_text(browser: Any, report_site: str) -> None:
    pdf, layout = _print(browser, report_site + "?months=3&lang=en")
    assert pdf.startswith(b"%PDF-")
    sizes = pages_of(pdf)
    assert len(sizes) >= 2, "80 users run over a second page"
    assert all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in sizes), sizes
    assert len(sizes) <= 8
    drawn = drawn_text(pdf)
    assert set("Account usage report Milestones Logins") - {" "} <= drawn
    assert set("0123456789-") <= drawn
    assert layout["toolbar"] == "none" and set(layout["csv"]) == {"none"}
    assert layout["consoleHeader"] is False
    assert layout["widest"] <= layout["viewport"] + 1, layout


def test_the_chinese_report_embeds_a_cjk_font(browser: Any, report_site: str) -> None:
    pdf, layout = _print(browser, report_site + "?months=3&lang=zh-CN")
    # Chromium embeds an OpenType CJK font as Type 3 glyphs and writes Unicode maps for some of
    # them only: the PDF must draw Chinese in a CJK font (no tofu), and the printed page hold
    # the whole headings.
    assert any("\u4e00" <= char <= "\u9fff" for char in drawn_text(pdf)), "no Chinese character drawn"
    assert re.search(rb"/(BaseFont|FontName)\s*/[A-Z]{6}\+(WenQuanYi|Noto\w*CJK|NotoSansSC|Droid)", pdf), "a CJK font"
    assert layout["headings"][:3] == ["客户使用报告", "概览", "每月使用情况"]
    assert layout["cjkFont"] is True
    assert len(pages_of(pdf)) >= 2
