"""Markdown -> sanitized HTML: nothing executable survives, whatever the author typed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from onboarding_sdk.content import render_markdown, sanitize

from .conftest import load

BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
BAD_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "base", "meta", "link"}

# What an author (or an attacker with console access) might type into a body.
MARKDOWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<java\nscript:alert(1)>)",
    "[x]( javascript:alert(1) )",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x][ref]\n\n[ref]: <vbscript:msgbox(1)> "t"',
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<details open ontoggle=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "<!-- --><script>alert(1)</script>",
]

# Raw HTML straight into the sanitizer: the second layer must hold on its own.
HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#09;script:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<a href="x" onclick="alert(1)" onmouseover=alert(1)>x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<object data="javascript:alert(1)"></object>',
    "<embed src=javascript:alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<p style="x:expression(alert(1))">x</p>',
    '<a href="https://ok.example" target="_top">x</a>',
]


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in BAD_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            squeezed = "".join(ch for ch in value if ch > " ").lower()  # browsers drop blanks and controls
            assert not squeezed.startswith(BAD_SCHEMES), html
        if tag == "a":
            assert attrs.get("rel") == "noopener noreferrer", html
            assert attrs.get("target", "_blank") == "_blank", html


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_payloads_render_harmless(payload: str) -> None:
    assert_safe(render_markdown(payload))


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_sanitizer_alone_removes_payloads(payload: str) -> None:
    assert_safe(sanitize(payload))


def test_corpus_is_large_enough() -> None:
    assert len(MARKDOWN_PAYLOADS) >= 15 and len(HTML_PAYLOADS) >= 15


def test_raw_html_in_markdown_is_shown_as_text() -> None:
    assert render_markdown("Press <kbd>Enter</kbd>") == "<p>Press &lt;kbd&gt;Enter&lt;/kbd&gt;</p>"


def test_links_get_rel_and_external_ones_a_new_tab() -> None:
    html = render_markdown("[in](/settings) [out](https://example.com) [mail](mailto:a@example.com)")
    assert html == (
        '<p><a href="/settings" rel="noopener noreferrer">in</a> '
        '<a href="https://example.com" target="_blank" rel="noopener noreferrer">out</a> '
        '<a href="mailto:a@example.com" rel="noopener noreferrer">mail</a></p>'
    )


def test_markdown_features() -> None:
    html = render_markdown("# Title\n\n- one\n- **two**\n\n3. three\n\n> quote\n\n`code`\n\n![logo](/logo.png)")
    assert html == (
        "<h2>Title</h2>\n<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>\n"
        '<ol start="3">\n<li>three</li>\n</ol>\n<blockquote>\n<p>quote</p>\n</blockquote>\n'
        '<p><code>code</code></p>\n<p><img src="/logo.png" alt="logo"></p>'
    )
    table = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert "<table>" in table and "style" not in table


def test_titles_are_plain_text_never_html() -> None:
    (spec,) = load('guides: [{id: a, kind: faq, title: "<b>Bold</b> & co", body: "<b>x</b>"}]')
    assert spec.title == {"en": "<b>Bold</b> & co"}  # kept as typed; templates escape it
    assert spec.body == {"en": "<p>&lt;b&gt;x&lt;/b&gt;</p>"}


def test_tour_step_bodies_are_rendered_too() -> None:
    step = '{endpoint: e, title: S, body: "[x](javascript:alert(1)) *ok*"}'
    text = f"guides: [{{id: t, kind: tour, title: T, steps: [{step}]}}]"
    (spec,) = load(text)
    assert spec.steps[0].body == {"en": "<p>[x](javascript:alert(1)) <em>ok</em></p>"}
    assert_safe(spec.steps[0].body["en"])
