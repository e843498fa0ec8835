"""``flask onboarding check --render``: render the host's pages and look for every guide's targets.

The static check (``guide_checks``) reads templates; this one renders each GET page of the app
through its own test client, once as a sample user of every stage (made by the test plugin's
planner, ``onboarding_sdk.testing``, on a throwaway ``memory://`` store: the host's real store is
never read or written), and looks at the HTML that came back. A guide fails, with the file and
line it was written at, when:

- a targeted anchor (a tooltip's ``anchor``, a glossary entry's ``term-<id>``, a validation
  hint's ``field``, a tour step's ``anchor``) is not on the rendered page of its endpoints (not on
  any rendered page, for a guide of every page);
- an endpoint it names has no view function, answers no GET, or is an alias whose URL another
  endpoint answers (flaskr's ``add_url_rule("/", endpoint="index")``: a page view has the other
  endpoint, so the guide never matches).

Pages whose rule needs URL arguments are rendered with ``ONBOARDING_CHECK_SAMPLE_ARGS``; pages
that cannot be built, or that answer other than 200 (a login redirect: ``ONBOARDING_CHECK_LOGIN``
signs the test client in to the host), are reported and their guides' anchors are not judged.
``when.paths`` globs that match none of the app's GET URLs are warnings.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from html.parser import HTMLParser
from typing import Any

from flask import Flask, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError, Rule

from .app_state import get_state
from .content import GuideSpec
from .engine import Engine
from .identity import UserProfile
from .payload import tooltip_anchor
from .state import STAGES
from .storage import MemoryStorage
from .testing.plan import StageUnreachable  # the test plugin's planner (its package needs pytest)
from .testing.users import make_user

_OWN_ENDPOINTS = ("onboarding.", "onboarding_console.")
NO_VIEW = "no view function"
_CONVERTER = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
_SAMPLE_FOR_CONVERTER = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000000"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding about a guide: ``path`` under it (``steps[1].anchor``), an error or a warning."""

    path: str
    message: str
    error: bool

    def line(self, guide_id: str, where: str = "") -> str:
        """``where: guides.<id>.<path>: message``, as ``flask onboarding check`` prints it."""
        place = f"{where}: " if where else ""
        return f"{place}guides.{guide_id}.{self.path}: {'' if self.error else 'warning: '}{self.message}"


class _Anchors(HTMLParser):
    """Every ``data-onboarding`` value of a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.keys: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "data-onboarding" and value:
                self.keys.add(value)


def anchors_in_html(html: str) -> set[str]:
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    return parser.keys


@dataclass
class Rendering:
    """One page rendered as one stage's sample user."""

    url: str
    status: int
    anchors: frozenset[str] = frozenset()
    error: str = ""


@dataclass
class RenderedApp:
    """What the check saw: per endpoint, per stage, its rendering; and the pages not rendered."""

    pages: dict[str, dict[str, Rendering]] = field(default_factory=dict)
    not_rendered: dict[str, str] = field(default_factory=dict)  # endpoint -> why
    aliases: dict[str, str] = field(default_factory=dict)  # endpoint without a view -> the one answering its URL
    stages: list[str] = field(default_factory=list)  # the stages a sample user could be made for
    skipped_stages: dict[str, str] = field(default_factory=dict)  # stage -> why no sample user

    def anchors(self, endpoint: str, stages: Sequence[str] | None = None) -> frozenset[str] | None:
        """The anchors on ``endpoint``'s page as rendered for ``stages`` (all rendered stages when
        none of those was rendered); None when it was not rendered with a 200."""
        rendered = {stage: r for stage, r in self.pages.get(endpoint, {}).items() if r.status == 200}
        if not rendered:
            return None
        wanted = [rendered[s] for s in stages or () if s in rendered] or list(rendered.values())
        keys: frozenset[str] = frozenset()
        for rendering in wanted:
            keys |= rendering.anchors
        return keys

    def anywhere(self, key: str) -> bool:
        return any(key in r.anchors for stages in self.pages.values() for r in stages.values())

    def where(self, endpoint: str) -> str:
        renders = list(self.pages.get(endpoint, {}).values())
        return f"{endpoint} (GET {renders[0].url})" if renders else endpoint


# --------------------------------------------------------------------------- rendering


def host_pages(app: Flask) -> dict[str, list[Rule]]:
    """The host's own GET endpoints and their rules (no static files, not the extension's)."""
    pages: dict[str, list[Rule]] = {}
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint == "static" or endpoint.endswith(".static") or endpoint.startswith(_OWN_ENDPOINTS):
            continue
        if "GET" in (rule.methods or ()):
            pages.setdefault(endpoint, []).append(rule)
    return pages


def _url(app: Flask, endpoint: str, rules: Sequence[Rule], samples: Mapping[str, Mapping[str, Any]]) -> str:
    """A URL of the page: without arguments when a rule needs none, else from the samples.
    Raises LookupError saying what is missing."""
    given = dict(samples.get(endpoint, {}))
    with app.test_request_context():
        for rule in rules:
            if set(rule.arguments) - set(rule.defaults or {}) <= set(given):
                try:
                    return url_for(endpoint, **{k: v for k, v in given.items() if k in rule.arguments})
                except BuildError as exc:
                    raise LookupError(f"cannot build its URL from ONBOARDING_CHECK_SAMPLE_ARGS: {exc}") from None
    needs = sorted(set(rules[0].arguments) - set(rules[0].defaults or {}))
    raise LookupError(f"needs URL arguments {', '.join(needs)}: add them to ONBOARDING_CHECK_SAMPLE_ARGS[{endpoint!r}]")


@contextmanager
def throwaway_store(engine: Engine) -> Iterator[None]:
    """Swap a fresh ``memory://`` store into ``engine`` (and back): the sample users and their
    page views never reach the host's real store. The content served is the files'."""
    saved = engine.__dict__.copy()
    engine.storage = MemoryStorage(prefix="check-render")
    engine.codes = engine.codes.fresh()  # codes come from the new store
    engine.content = copy.copy(engine.content)  # its switch to the files' content stays in here
    try:
        yield
    finally:
        engine.__dict__.update(saved)


@contextmanager
def signed_in_as(app: Flask, holder: list[UserProfile | None]) -> Iterator[None]:
    """The app's user loader answers ``holder[0]`` while the pages render."""
    state = get_state(app)
    saved = state.user_loader_override
    state.user_loader_override = lambda: holder[0]
    try:
        yield
    finally:
        state.user_loader_override = saved


def render(
    app: Flask, engine: Engine, samples: Mapping[str, Mapping[str, Any]], login: Callable[[Any], Any] | None = None
) -> RenderedApp:
    """Render every host page as a sample user of each stage (inside an app context).
    ``login(client)`` (ONBOARDING_CHECK_LOGIN) signs each stage's test client in to the host."""
    seen = RenderedApp()
    pages = host_pages(app)
    urls: dict[str, str] = {}
    for endpoint, rules in sorted(pages.items()):
        try:
            url = _url(app, endpoint, rules, samples)
        except LookupError as exc:
            seen.not_rendered[endpoint] = str(exc)
            continue
        if app.view_functions.get(endpoint) is not None:
            urls[endpoint] = url
            continue
        served_by = _endpoint_answering(app, url)
        if served_by is not None and served_by != endpoint:
            seen.aliases[endpoint] = served_by  # flaskr's add_url_rule("/", endpoint="index")
        else:
            seen.not_rendered[endpoint] = NO_VIEW
    holder: list[UserProfile | None] = [None]
    with throwaway_store(engine), signed_in_as(app, holder):
        for stage in STAGES:
            try:
                holder[0] = make_user(app, f"onboarding-check-{stage}", stage=stage).profile
            except StageUnreachable as exc:
                seen.skipped_stages[stage] = str(exc).splitlines()[0]
                continue
            seen.stages.append(stage)
            for endpoint, url in urls.items():
                # A fresh client per page: a page that signs out (flaskr's GET /auth/logout)
                # must not sign the next one out.
                client = app.test_client()
                if login is not None:
                    with app.app_context():  # a fresh ``g``, as for the page itself
                        login(client)
                seen.pages.setdefault(endpoint, {})[stage] = _get(app, client, url)
    for endpoint, renders in seen.pages.items():
        failed = [r for r in renders.values() if r.status != 200]
        if len(failed) == len(renders):
            first = failed[0]
            seen.not_rendered[endpoint] = first.error or f"GET {first.url} answered {first.status}"
    return seen


def _endpoint_answering(app: Flask, url: str) -> str | None:
    """The endpoint a GET of ``url`` is routed to (the first matching rule wins)."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match(url.split("?", 1)[0], method="GET")
    except HTTPException:
        return None
    return str(endpoint)


def _get(app: Flask, client: Any, url: str) -> Rendering:
    try:
        # A request reuses the app context it finds (the CLI's), and with it ``g``, where the
        # profile is cached per request: a fresh context per request, as a server has.
        with app.app_context():
            response = client.get(url)
    except Exception as exc:  # the host's page raised: reported, the check goes on
        return Rendering(url, 500, error=f"GET {url} raised {type(exc).__name__}: {exc}")
    try:
        if response.status_code != 200:
            location = response.headers.get("Location")
            to = f" to {location}" if location else ""
            return Rendering(url, response.status_code, error=f"GET {url} answered {response.status_code}{to}")
        return Rendering(url, 200, frozenset(anchors_in_html(response.get_data(as_text=True))))
    finally:
        response.close()


# --------------------------------------------------------------------------- judging


def _targets(spec: GuideSpec) -> list[tuple[str, str, list[str] | None]]:
    """(path, anchor key, endpoints or None for every page) of each thing the guide points at."""
    targets: list[tuple[str, str, list[str] | None]] = []
    endpoints = list(spec.when.get("endpoints") or []) or None
    if spec.kind == "tooltip":
        key = tooltip_anchor(spec)
        if key:
            path = "anchor" if spec.anchor else ("term" if spec.term else "field")
            targets.append((path, key, endpoints))
    for index, step in enumerate(spec.steps):
        if step.anchor:
            targets.append((f"steps[{index}].anchor", step.anchor, [step.endpoint]))
    return targets


def _named_endpoints(spec: GuideSpec) -> list[tuple[str, str]]:
    named = [("when.endpoints", name) for name in spec.when.get("endpoints") or []]
    named += [(f"steps[{i}].endpoint", step.endpoint) for i, step in enumerate(spec.steps)]
    return named


def _sample_path(rule: Rule, samples: Mapping[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "default", match.group(2)
        if name in samples:
            return str(samples[name])
        return _SAMPLE_FOR_CONVERTER.get(converter, "x")

    return _CONVERTER.sub(value, rule.rule)


def judge(
    app: Flask, specs: Sequence[GuideSpec], seen: RenderedApp, samples: Mapping[str, Mapping[str, Any]]
) -> list[tuple[GuideSpec, Finding]]:
    """Every finding of the rendered check, each with its guide (errors fail the check)."""
    pages = host_pages(app)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    found: list[tuple[GuideSpec, Finding]] = []
    for spec in specs:
        stages = list(spec.when.get("stages") or []) or None
        for path, name in _named_endpoints(spec):
            if name not in endpoints:
                continue  # the static check reports a name that is no endpoint at all
            if name in seen.aliases:
                message = (
                    f"endpoint {name!r} never matches: its URL is answered by {seen.aliases[name]!r} "
                    f"(a page view has that endpoint); use {seen.aliases[name]!r}"
                )
                found.append((spec, Finding(path, message, True)))
            elif app.view_functions.get(name) is None:
                found.append((spec, Finding(path, f"endpoint {name!r} has no view function", True)))
            elif name not in pages and not name.startswith(_OWN_ENDPOINTS):
                message = f"endpoint {name!r} answers no GET: it is never a page, so this never matches"
                found.append((spec, Finding(path, message, True)))
        for path, key, where in _targets(spec):
            found.extend((spec, finding) for finding in _judge_target(path, key, where, stages, seen, pages))
        for glob in spec.when.get("paths") or []:
            candidates = [_sample_path(r, samples.get(e, {})) for e, rules in pages.items() for r in rules]
            rendered = [r.url for stages_ in seen.pages.values() for r in stages_.values()]
            if not any(fnmatchcase(url.split("?", 1)[0], glob) for url in candidates + rendered):
                message = f"{glob!r} matches none of this app's pages: the guide never shows"
                found.append((spec, Finding("when.paths", message, False)))
    return found


def _judge_target(
    path: str,
    key: str,
    where: list[str] | None,
    stages: list[str] | None,
    seen: RenderedApp,
    pages: Mapping[str, Any],
) -> list[Finding]:
    findings: list[Finding] = []
    if where is None:  # a guide of every page: its anchor must be on some page
        if seen.anywhere(key):
            return []
        if seen.not_rendered:
            message = f"{key!r} is on no rendered page ({len(seen.not_rendered)} page(s) not rendered)"
            return [Finding(path, message, False)]
        if path == "field":  # a validation hint is drawn at the field the host marks
            message = f"the field {key!r} carries no anchor on any page: mark the form's field with"
            return [Finding(path, f'{message} {{{{ onboarding_anchor("{key}") }}}}', True)]
        return [Finding(path, f"{key!r} is on no page of this app, as rendered", True)]
    for endpoint in where:
        if endpoint not in pages or endpoint in seen.aliases:
            continue  # judged as an endpoint above
        anchors = seen.anchors(endpoint, stages)
        if anchors is None:
            why = seen.not_rendered.get(endpoint, "not rendered")
            findings.append(Finding(path, f"cannot check {key!r} on page {endpoint}: {why}", False))
        elif key not in anchors:
            as_whom = ", ".join(s for s in (stages or seen.stages) if s in seen.pages.get(endpoint, {}))
            message = (
                f"{key!r} is not on page {seen.where(endpoint)} as rendered for {as_whom or 'any stage'}: "
                f'the guide cannot be drawn (mark the element with {{{{ onboarding_anchor("{key}") }}}})'
            )
            findings.append(Finding(path, message, True))
    return findings


def notes(seen: RenderedApp) -> list[str]:
    """What was not rendered, and why (printed as warnings)."""
    lines = [f"warning: page {e} not rendered: {why}" for e, why in sorted(seen.not_rendered.items())]
    lines += [f"warning: no sample user in stage {s}: {why}" for s, why in seen.skipped_stages.items()]
    return lines
