"""Which anchors each page of the host app marks: the scan behind ``flask onboarding check`` and
the console's "Pages and anchors" page and guide form.

A page is an endpoint of ``app.url_map``. Its templates are the ones its view function names
in ``render_template("...")`` (a string literal, read from the view's source), with every
template they extend, include or import (read by Jinja's own parser). Its anchors are the
``data-onboarding="key"`` / ``onboarding_anchor("key")`` marks in those templates, each with
the element's accessible name as a label, plus the anchors this process saw rendered there
(``onboarding_anchor`` records them). A view whose templates cannot be read statically (a
computed name, a helper that renders for it) has an unknown set of anchors until it is
rendered: checks then fall back to "some template marks it".
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from jinja2 import meta
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from .app_state import KEY, OnboardingState

ANCHOR_CALL = re.compile(r"""onboarding_anchor\(\s*["']([^"']+)["']\s*\)""")
ANCHOR_ATTR = re.compile(r"""data-onboarding=["']([^"'{}]+)["']""")
_RENDER_CALL = re.compile(r"""render_template\(\s*["']([^"']+)["']""")
_CALLED = re.compile(r"\b([A-Za-z_]\w*)\(")
_HELPERS_LIMIT = 12  # functions read per view: the view and the helpers it calls
_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_STATEMENT = re.compile(r"\{%.*?%\}", re.S)
_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
# {{ _("Save report") }}, {{ t("save_report", n=2) }}: a call whose first argument is a literal
_LITERAL_CALL = re.compile(r"""^\s*([A-Za-z_][\w.]*)\(\s*(["'])(.*?)\2\s*(?:,.*)?\)\s*$""", re.S)
_GETTEXT = frozenset(("_", "gettext", "lazy_gettext", "ngettext", "pgettext"))
_OWN_ENDPOINTS = ("onboarding.", "onboarding_console.")
_PACKAGE = Path(__file__).resolve().parent
_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr")
)
_LABELLABLE = frozenset(("input", "select", "textarea", "meter", "progress", "output"))
_LABEL_LIMIT = 80
_CONTAINERS = frozenset(("section", "div", "form", "fieldset", "article", "aside", "nav", "main", "table", "dialog"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "legend", "caption"))


@dataclass(frozen=True, slots=True)
class Anchor:
    key: str
    label: str  # the element's accessible name ("" when it has none we can read)
    template: str  # the template that marks it


@dataclass(frozen=True, slots=True)
class PageAnchors:
    """One endpoint of the host app and the anchors on its page."""

    endpoint: str
    rules: tuple[str, ...]  # its URL rules, as written (``/reports/<int:year>``)
    methods: tuple[str, ...]
    templates: tuple[str, ...]  # what its view renders, with what those extend or include
    anchors: tuple[Anchor, ...]  # marked in those templates
    seen: tuple[str, ...]  # keys this process saw rendered on the page

    @property
    def known(self) -> bool:
        """Whether we know the page's anchors at all (its templates, or a rendering)."""
        return bool(self.templates or self.seen)

    @property
    def is_page(self) -> bool:
        return "GET" in self.methods

    def anchor_keys(self) -> frozenset[str]:
        return frozenset(a.key for a in self.anchors) | frozenset(self.seen)

    def label(self, key: str) -> str:
        return next((a.label for a in self.anchors if a.key == key and a.label), "")


@dataclass(frozen=True)
class Inventory:
    endpoints: frozenset[str]  # every endpoint of app.url_map (a guide may name any of them)
    pages: Mapping[str, PageAnchors]  # the host's own endpoints (no static, not the extension's)
    marked: Mapping[str, Anchor] = field(default_factory=dict)  # key -> first mark in any template

    def anywhere(self, key: str) -> bool:
        return key in self.marked or any(key in page.seen for page in self.pages.values())

    def on_pages(self, endpoints: Iterable[str]) -> frozenset[str] | None:
        """Every anchor on these pages; None when one of them is unknown (or not a page)."""
        keys: frozenset[str] = frozenset()
        for endpoint in endpoints:
            page = self.pages.get(endpoint)
            if page is None or not page.known:
                return None
            keys |= page.anchor_keys()
        return keys

    def pages_with(self, key: str) -> list[str]:
        return [name for name, page in self.pages.items() if key in page.anchor_keys()]

    def label(self, key: str) -> str:
        found = self.marked.get(key)
        return found.label if found is not None else ""

    def page_choices(self) -> list[PageAnchors]:
        """The pages a guide can be placed on (GET endpoints), by endpoint name."""
        return [page for page in self.pages.values() if page.is_page]


# --- the scan ---------------------------------------------------------------------------


def scan(app: Flask, seen: Mapping[str, Iterable[str]] | None = None) -> Inventory:
    """The inventory of ``app``: call inside an app context. ``seen``: endpoint -> anchor keys
    rendered by this process (``OnboardingState.anchors``).

    Reading the templates is the slow part (a few hundred milliseconds for a real app): it is
    kept on the app until a route or a template is added, or on every call while Jinja reloads
    templates (``TEMPLATES_AUTO_RELOAD``, debug mode)."""
    static = _cached(app)
    rendered = {k: tuple(sorted(v)) for k, v in (seen or {}).items()}
    pages = {
        name: PageAnchors(page.endpoint, page.rules, page.methods, page.templates, page.anchors, rendered.get(name, ()))
        for name, page in static.pages.items()
    }
    return Inventory(static.endpoints, pages, static.marked)


def _cached(app: Flask) -> Inventory:
    """The templates' reading, kept on the app's onboarding state (an app without one: read
    every time)."""
    key = (tuple((r.rule, r.endpoint) for r in app.url_map.iter_rules()), tuple(app.jinja_env.list_templates()))
    state = app.extensions.get(KEY)
    found = state.inventory_cache if isinstance(state, OnboardingState) else None
    if found is not None and found[0] == key and not app.jinja_env.auto_reload:
        return found[1]  # type: ignore[no-any-return]
    inventory = _scan_static(app)
    if isinstance(state, OnboardingState):
        state.inventory_cache = (key, inventory)
    return inventory


def _scan_static(app: Flask) -> Inventory:
    env = app.jinja_env
    sources = _host_templates(app)
    marks = {name: tuple(anchors_in(name, source)) for name, source in sources.items()}
    marked: dict[str, Anchor] = {}
    for found in marks.values():
        for anchor in found:
            marked.setdefault(anchor.key, anchor)
    references: dict[str, list[str]] = {}

    def referenced(name: str) -> list[str]:
        if name not in references:
            references[name] = []
            source = sources.get(name)
            if source is not None:
                try:
                    names = meta.find_referenced_templates(env.parse(source))
                except Exception:  # a template Jinja cannot parse: its page shows no anchors from it
                    names = iter(())
                references[name] = [n for n in names if n]
        return references[name]

    rules: dict[str, list[Any]] = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(rule)
    pages: dict[str, PageAnchors] = {}
    for endpoint in sorted(rules):
        if endpoint == "static" or endpoint.endswith(".static") or endpoint.startswith(_OWN_ENDPOINTS):
            continue
        templates = _closure(view_templates(app.view_functions.get(endpoint)), referenced)
        anchors: dict[str, Anchor] = {}
        for name in templates:
            for anchor in marks.get(name, ()):
                anchors.setdefault(anchor.key, anchor)
        methods = sorted({m for r in rules[endpoint] for m in (r.methods or ())} - {"HEAD", "OPTIONS"})
        rule_texts = tuple(r.rule for r in rules[endpoint])
        pages[endpoint] = PageAnchors(
            endpoint, rule_texts, tuple(methods), tuple(templates), tuple(anchors.values()), ()
        )
    return Inventory(frozenset(rules), pages, marked)


def _host_templates(app: Flask) -> dict[str, str]:
    """Name -> source of every template the app can load, except the extension's own."""
    env = app.jinja_env
    loader = env.loader
    if loader is None:
        return {}
    found: dict[str, str] = {}
    for name in env.list_templates():
        try:
            source, filename, _ = loader.get_source(env, name)
        except Exception:  # an unreadable template is not ours to judge here
            continue
        if filename and Path(filename).resolve().is_relative_to(_PACKAGE):
            continue
        found[name] = source
    return found


def view_templates(view: Callable[..., Any] | None) -> list[str]:
    """The template names a view function (or class-based view) passes to ``render_template``,
    itself or through helper functions of its own module (``return _render(...)``)."""
    if view is None:
        return []
    start: Any = getattr(view, "view_class", None) or inspect.unwrap(view)
    module = inspect.getmodule(start)
    names: list[str] = []
    todo: list[Any] = [start]
    done: set[int] = set()
    while todo and len(done) < _HELPERS_LIMIT:
        target = todo.pop(0)
        if id(target) in done:
            continue
        done.add(id(target))
        try:
            source = inspect.getsource(target)
        except (OSError, TypeError):  # built in, or defined where no source is kept
            continue
        names.extend(_RENDER_CALL.findall(source))
        for called in _CALLED.findall(source):
            helper = getattr(module, called, None)
            if inspect.isfunction(helper) and module is not None and helper.__module__ == module.__name__:
                todo.append(helper)
    return list(dict.fromkeys(names))


def _closure(names: list[str], referenced: Callable[[str], list[str]]) -> list[str]:
    out: list[str] = []
    todo = list(names)
    while todo:
        name = todo.pop(0)
        if name in out:
            continue
        out.append(name)
        todo.extend(referenced(name))
    return out


def template_anchors(app: Flask) -> dict[str, str]:
    """Anchor key -> the first template marking it (what ``check`` looked for before pages)."""
    return {key: anchor.template for key, anchor in scan(app).marked.items()}


# --- labels -----------------------------------------------------------------------------


def as_html(source: str) -> str:
    """A template as plain HTML: anchors as attributes, translated literals as their text,
    every other Jinja expression and statement dropped."""

    def expression(match: re.Match[str]) -> str:
        inner = match.group(1)
        call = ANCHOR_CALL.search(inner)
        if call:
            return f' data-onboarding="{call.group(1)}" '
        call = _LITERAL_CALL.match(inner)
        if call is None:
            return ""
        text = call.group(3)
        if call.group(1) not in _GETTEXT and " " not in text:
            text = text.replace("_", " ").replace("-", " ")  # a message key (t("save_report")): said as words
        return text

    source = _COMMENT.sub("", source)
    source = _STATEMENT.sub("", source)
    return _EXPRESSION.sub(expression, source)


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    parent: _Node | None
    children: list[_Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "img":
                parts.append(child.attrs.get("alt", ""))
            elif child.tag not in ("script", "style", "template"):
                parts.append(child.text())
        return " ".join("".join(parts).split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.current = self.root
        self.marked: list[_Node] = []
        self.by_id: dict[str, _Node] = {}
        self.labels: dict[str, _Node] = {}  # label[for] -> the label

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if node.attrs.get("data-onboarding"):
            self.marked.append(node)
        if node.attrs.get("id"):
            self.by_id.setdefault(node.attrs["id"], node)
        if tag == "label" and node.attrs.get("for"):
            self.labels.setdefault(node.attrs["for"], node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        node: _Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # close it (and anything left open inside)
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def _name(node: _Node, tree: _Tree) -> str:
    """The accessible name, simplified: aria-label, aria-labelledby, the label of a form
    control, alt, the text inside, then title or placeholder."""
    attrs = node.attrs
    if attrs.get("aria-label", "").strip():
        return attrs["aria-label"]
    ids = attrs.get("aria-labelledby", "").split()
    if ids:
        named = " ".join(tree.by_id[i].text() for i in ids if i in tree.by_id)
        if named.strip():
            return named
    if node.tag in _LABELLABLE:
        button = node.tag == "input" and attrs.get("type", "").lower() in ("submit", "button", "reset")
        if button and attrs.get("value"):
            return attrs["value"]
        label = tree.labels.get(attrs.get("id", ""))
        parent = node.parent
        while label is None and parent is not None:
            label = parent if parent.tag == "label" else None
            parent = parent.parent
        if label is not None and label.text():
            return label.text()
    image = node.tag in ("img", "area") or attrs.get("type", "").lower() == "image"
    if image and attrs.get("alt", "").strip():
        return attrs["alt"]
    if node.tag in _CONTAINERS:
        heading = _first(node, _HEADINGS)
        if heading is not None and heading.text():
            return heading.text()  # a section is known by its heading, not by all it holds
    if node.text():
        return node.text()
    return attrs.get("title", "") or attrs.get("placeholder", "")


def _first(node: _Node, tags: frozenset[str]) -> _Node | None:
    for child in node.children:
        if isinstance(child, _Node):
            found = child if child.tag in tags else _first(child, tags)
            if found is not None:
                return found
    return None


def anchors_in(template: str, source: str) -> list[Anchor]:
    """Every anchor a template marks, each with its element's accessible name."""
    keys = [k for pattern in (ANCHOR_CALL, ANCHOR_ATTR) for k in pattern.findall(source)]
    if not keys:
        return []
    tree = _Tree()
    try:
        tree.feed(as_html(source))
        tree.close()
    except Exception:  # markup too broken to read: the keys without labels
        tree.marked = []
    labels: dict[str, str] = {}
    for node in tree.marked:
        name = " ".join(_name(node, tree).split())
        if not any(ch.isalnum() for ch in name):
            name = ""  # only what was left of dropped expressions ("·% ·%"): no name we can read
        if len(name) > _LABEL_LIMIT:
            name = name[: _LABEL_LIMIT - 1].rstrip() + "…"
        labels.setdefault(node.attrs["data-onboarding"], name)
    return [Anchor(key, labels.get(key, ""), template) for key in dict.fromkeys(keys)]


# --- URLs where an endpoint is expected -------------------------------------------------


def looks_like_url(value: str) -> bool:
    return value.startswith("/") or "://" in value


def endpoint_for_url(app: Flask, url: str) -> str | None:
    """The endpoint that answers GET ``url`` (a path or a full URL) in this app, if any."""
    parts = urlsplit(url)
    path, host = parts.path or "/", parts.netloc or app.config.get("SERVER_NAME") or "localhost"
    adapter = app.url_map.bind(host, script_name=app.config.get("APPLICATION_ROOT") or "/")
    for _ in range(2):  # a second try follows a redirect (a missing trailing slash)
        try:
            endpoint, _args = adapter.match(path, method="GET")
            return str(endpoint)
        except RequestRedirect as redirect:
            path = urlsplit(redirect.new_url).path
        except HTTPException:
            return None
    return None
