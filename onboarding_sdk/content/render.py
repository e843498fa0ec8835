"""Markdown -> sanitized HTML, once, when content loads.

Two layers, so one mistake is not enough for script to reach a page:

1. markdown-it-py, CommonMark plus tables, with raw HTML *off*: ``<b>`` in a body shows as
   text, and its link validator already refuses ``javascript:``, ``vbscript:``, ``file:``
   and most ``data:`` URLs (after decoding entities such as ``jav&#x61;script:``).
2. nh3 (the Ammonia sanitizer) on the output, with an allow-list of tags, attributes and
   URL schemes (http, https, mailto, tel; relative URLs pass). It parses HTML like a
   browser does, so whatever layer 1 emits is judged as the browser will read it.

Links get ``rel="noopener noreferrer"``; absolute ``http(s)`` links also open in a new tab
(``target="_blank"``) so that following a help link never loses a half-filled form.
Headings are shifted down one level (``#`` is ``<h2>``): the page owns ``<h1>``.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
})  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_EXTERNAL = ("http://", "https://", "//")


def sanitize(html: str) -> str:
    """Keep only safe tags, attributes and URLs; add ``rel="noopener noreferrer"`` to links."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        # target only as we set it; no style (a strict CSP would block it anyway)
        tag_attribute_values={"a": {"target": {"_blank"}}},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _adjust(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 1)}"
        elif token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if href.lower().startswith(_EXTERNAL):
                token.attrSet("target", "_blank")
        if token.children:
            _adjust(token.children)


def render_markdown(text: str) -> str:
    """Render one Markdown body to sanitized HTML."""
    tokens = _MD.parse(text)
    _adjust(tokens)
    return sanitize(_MD.renderer.render(tokens, _MD.options, {})).strip()
