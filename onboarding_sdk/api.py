"""The end users' JSON API (docs/widget-contract.md). The acting user is always the host's
current user; every POST needs the CSRF header and a same-origin request."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Response, jsonify, request, url_for
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import MethodNotAllowed, NotFound

from . import api_schemas as s
from . import csrf, web
from .app_state import get_state
from .blueprint import NAME, bp
from .engine import Engine
from .errors import GuideNotTargeted, StorageError, UnknownEvent
from .guide_state import GuideState
from .identity import UserProfile
from .nesting import json_too_deep
from .openapi import build_document
from .trouble_notes import answer_followup, note_trouble, support_offer

logger = logging.getLogger("onboarding_sdk")
# Schema instances are built once: marshmallow's load() is reentrant, and building one per
# request costs more than the rest of a guides request.
GUIDE_ACTIONS: dict[str, Schema] = {
    "dismiss": s.EmptyIn(),
    "complete": s.EmptyIn(),
    "progress": s.ProgressIn(),
    "feedback": s.FeedbackIn(),
}
_QUERY = s.GuidesQuery()
_EVENT = s.EventIn()
_SHOWN = s.ShownIn()
_READ = s.ReadIn()
_FOLLOWUP = s.FollowupIn()
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ApiError(Exception):
    """A refusal: its JSON answer, and ``reason`` for the server's log line only."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, Any] | None = None, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.reason = reason


_QUERY_CACHE: dict[bytes, dict[str, str]] = {}


def _guides_query(raw: bytes) -> dict[str, str]:
    """GET /api/guides's validated query. The schema is pure and a page's query string is the
    same on every view, so each distinct string is validated once (bounded cache)."""
    cached = _QUERY_CACHE.get(raw)
    if cached is None:
        try:
            cached = _QUERY.load(request.args.to_dict())
        except ValidationError as exc:
            raise ApiError(422, "invalid", "Some query parameters are not valid.", _messages(exc.messages)) from None
        if len(_QUERY_CACHE) >= 4096:
            _QUERY_CACHE.clear()
        _QUERY_CACHE[raw] = cached
    return cached


def error_response(status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


def _is_api() -> bool:
    """Whether this request is for one of the API's routes (the blueprint also has the pages)."""
    return (request.endpoint or "").startswith(_API_ENDPOINTS)


_API_ENDPOINTS = f"{NAME}.api_"


@bp.before_request
def check_post() -> None:
    """Every API POST, before its view: a body within ONBOARDING_MAX_REQUEST_BYTES (by its
    Content-Length), a signed-in user, SECRET_KEY set, the same origin and the CSRF token."""
    if request.method != "POST" or not _is_api():
        return
    state = get_state()
    limit = state.settings.max_request_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"The request body is larger than {limit} bytes.")
    profile = user()
    if not csrf.has_secret(state.app):
        raise ApiError(403, "no_secret_key", "Saving is switched off on this site (no SECRET_KEY).",
                       reason="SECRET_KEY is not set: set it and every POST is accepted")  # fmt: skip
    if not csrf.origin_is_allowed():
        hint = csrf.proxy_hint()
        origin = request.headers.get("Origin")
        raise ApiError(403, "bad_origin", "Requests must come from this site.",
                       reason=hint or f"Origin {origin!r} is not {request.host_url.rstrip('/')!r}")  # fmt: skip
    if not csrf.token_is_valid(profile.id, request.headers.get(csrf.HEADER), state):
        raise ApiError(403, "csrf", f"Missing or stale {csrf.HEADER} header; reload the page.")


@bp.errorhandler(ApiError)
def refused(exc: ApiError) -> Response:
    """The refusal's JSON; a refused POST is also one log line saying why (the widget never
    retries a 4xx, so this line is the trace an operator has)."""
    if request.method == "POST":
        logger.warning(
            "onboarding API refused POST %s for user %s: %d %s: %s%s",
            request.path,
            _user_id_for_log(),
            exc.status,
            exc.code,
            exc.reason or exc.message,
            f" {exc.fields}" if exc.fields else "",
        )
    return error_response(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(UnknownEvent)
def unknown_event(exc: UnknownEvent) -> Response:
    if not _is_api():
        raise exc
    return refused(ApiError(422, "unknown_event", str(exc), {"name": ["not a declared event"]}))


@bp.errorhandler(GuideNotTargeted)
def not_targeted(exc: GuideNotTargeted) -> Response:
    if not _is_api():
        raise exc
    return refused(ApiError(404, "not_targeted", "This guide is not shown to you.", reason=f"reason: {exc.reason}"))


@bp.errorhandler(StorageError)
def storage_unavailable(exc: StorageError) -> Response:
    if not _is_api():
        raise exc  # the pages answer their own 503s; anything else stays the host's error
    logger.error("onboarding API: storage unavailable: %s", exc)
    return error_response(503, "storage_unavailable", "Saving is not possible right now; try again.")


def _user_id_for_log() -> str:
    try:
        profile = get_state().current_profile()
    except Exception:  # a broken loader is logged where it is called; the id is unknown
        return "?"
    return "-" if profile is None else profile.id


def user() -> UserProfile:
    profile = get_state().current_profile()
    if profile is None:
        raise ApiError(401, "not_signed_in", "Sign in to use this.")
    return profile


def idempotency_key() -> str | None:
    """The request's Idempotency-Key (contract: 16 to 64 of [A-Za-z0-9_-]); None without one."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(422, "invalid", f"The {IDEMPOTENCY_HEADER} header is not valid.",
                       {IDEMPOTENCY_HEADER: ["must be 16 to 64 characters of A-Z, a-z, 0-9, _ and -"]})  # fmt: skip
    return key


def answer(data: dict[str, Any], replayed: bool) -> Response:
    response = jsonify(data)
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response


def body(schema: Schema, engine: Engine) -> dict[str, Any]:
    limit = engine.settings.max_request_bytes
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise ApiError(413, "too_large", f"The request body is larger than {limit} bytes.")
    data = _request_json() if raw.strip() else {}
    if data is None:
        raise ApiError(400, "bad_json", "The body must be JSON (Content-Type: application/json).")
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "The body must be a JSON object.", {"_schema": ["must be an object"]})
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid", "Some fields are not valid.", _messages(exc.messages)) from None
    return loaded


def _declared_event(engine: Engine) -> dict[str, Any] | None:
    """The one-field body ``{"name": <a declared client event>}`` read without marshmallow
    (the common case); None for anything else, which the schema then reads and explains."""
    data = _request_json()
    if not isinstance(data, dict) or len(data) != 1 or not isinstance(data.get("name"), str):
        return None
    spec = engine.settings.events.get(data["name"])
    if spec is None or not spec.client:
        return None
    if len(request.get_data(cache=True)) > engine.settings.max_request_bytes:
        return None
    return data


def guide_or_404(engine: Engine, guide_id: str) -> str:
    if engine.catalog.get(guide_id) is None:
        # published since this process last loaded a user? (one small read, on a miss only)
        engine.content.refresh()
        if engine.catalog.get(guide_id) is None:
            raise ApiError(404, "no_such_guide", f"There is no guide {guide_id!r}.")
    return guide_id


def state_json(guide_id: str, state: GuideState, allowed: bool | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": guide_id,
        "seen": state.seen,
        "dismissed": state.dismissed,
        "completed": state.completed,
        "impressions": state.impressions,
        "step": state.step,
    }
    if allowed is not None:
        data["auto_open"] = allowed
    return data


@bp.get("/api/", endpoint="api_root")
def api_root() -> Response:
    return jsonify({"openapi": url_for("onboarding.api_openapi")})


@bp.get("/api/guides", endpoint="api_guides")
def guides() -> Response:
    query = _guides_query(request.query_string)
    page, path = query.get("page"), query.get("path")
    if page is None and path is not None:
        page = web.endpoint_for_path(path)
        if page is None:
            raise ApiError(404, "no_such_page", f"No page of this app has the path {path!r}.")
    return Response(web.page_payload_json(user(), page, path), mimetype="application/json")


@bp.post("/api/events", endpoint="api_events")
def events() -> Response:
    engine = get_state().engine
    data = _declared_event(engine) or body(_EVENT, engine)
    spec = engine.settings.events.get(data["name"])
    if spec is None or not spec.client:
        raise ApiError(422, "unknown_event", "This event cannot be sent from the browser.",
                       {"name": ["not a declared client event"]})  # fmt: skip
    profile = user()
    key = idempotency_key()
    replayed = False
    if key is None:
        state = engine.track(profile.id, data["name"], None, profile)
    else:
        state, replayed = engine.track_once(profile, data["name"], key)
    web.forget_situation()
    return answer({"name": data["name"], "stage": state.stage, "count": state.count(data["name"])}, replayed)


@bp.post("/api/guides/<guide_id>/shown", endpoint="api_shown")
def shown(guide_id: str) -> Response:
    engine = get_state().engine
    data = body(_SHOWN, engine)
    key = idempotency_key()
    profile = user()
    result = engine.act_on_guide(
        profile, guide_or_404(engine, guide_id), "shown", auto=data["auto"], key=key, targeted_only=True
    )
    if not result.replayed:
        note_trouble(engine, profile.id, guide_id, request.referrer)  # an error hint: follow it up later
    web.forget_situation()
    return answer(state_json(guide_id, result.state, result.allowed if data["auto"] else None), result.replayed)


@bp.post("/api/guides/<guide_id>/<action>", endpoint="api_guide_action")
def guide_action(guide_id: str, action: str) -> Response:
    schema = GUIDE_ACTIONS.get(action)
    if schema is None:
        raise ApiError(404, "no_such_action", f"Unknown action {action!r}.")
    engine = get_state().engine
    guide_or_404(engine, guide_id)
    data = body(schema, engine)
    if action == "progress":
        check_tour_step(engine, guide_id, data["step"])
    stored = ("helpful" if data["helpful"] else "not_helpful") if action == "feedback" else action
    key = idempotency_key()
    result = engine.act_on_guide(user(), guide_id, stored, value=data.get("step", 0), key=key, targeted_only=True)
    web.forget_situation()
    return answer(state_json(guide_id, result.state), result.replayed)


@bp.post("/api/guides/<guide_id>/followup", endpoint="api_followup")
def followup(guide_id: str) -> Response:
    """The answer to "Did you get it done?" after an error hint (docs/follow-ups.md)."""
    engine = get_state().engine
    data = body(_FOLLOWUP, engine)
    key = idempotency_key()
    profile = user()
    reply = answer_followup(engine, profile.id, guide_id, data["done"])
    if reply is None:
        raise ApiError(404, "no_such_followup", f"There is no follow-up of {guide_id!r} for this user.")
    trouble = reply.trouble
    offer = support_offer(engine, trouble, web.locale_for(profile, engine)) if trouble.state == "unresolved" else None
    # An answer already kept (a retry, or another tab) answers the state as stored.
    return answer({"guide": guide_id, "state": trouble.state, "support": offer}, not reply.kept and key is not None)


def check_tour_step(engine: Engine, guide_id: str, step: int) -> None:
    """Progress belongs to tours, and a step must exist: a stored step past the end would
    leave the user's tour pointing nowhere."""
    guide = engine.catalog.get(guide_id)
    spec = guide.spec if guide is not None else None
    if spec is None or spec.kind != "tour":
        raise ApiError(422, "invalid", "Only a tour has steps.", {"step": ["this guide is not a tour"]})
    if step >= len(spec.steps):
        raise ApiError(422, "invalid", f"This tour has {len(spec.steps)} steps.",
                       {"step": [f"must be less than {len(spec.steps)} (steps count from 0)"]})  # fmt: skip


@bp.get("/api/changelog", endpoint="api_changelog")
def changelog() -> Response:
    profile = user()
    engine = get_state().engine
    sit = web.situation(profile, engine)  # first: loading the user swaps in a newly published revision
    entries, unread, level = engine.catalog.changelog_for(sit)
    from .payload import guides_json

    items = guides_json(entries, web.locale_for(profile, engine), engine.settings.default_locale)
    return jsonify({"entries": items, "unread": unread, "level": level})


@bp.get("/api/centre", endpoint="api_centre")
def centre() -> Response:
    """The resource centre's entries: fetched when the user opens it, never on a page view."""
    return jsonify({"entries": web.centre_entries(user())})


@bp.post("/api/changelog/read", endpoint="api_changelog_read")
def changelog_read() -> Response:
    engine = get_state().engine
    data = body(_READ, engine)
    idempotency_key()  # validated; marking read twice changes nothing and counts once a day
    profile = user()
    sit = web.situation(profile, engine)  # first: loading the user swaps in a newly published revision
    entries, _, _ = engine.catalog.changelog_for(sit)
    visible = {d.guide.id for d in entries if d.unread}
    wanted = visible if data["ids"] is None else visible & set(data["ids"])
    for guide_id in sorted(wanted):
        engine.guide_action(profile, guide_id, "read")
    web.forget_situation()
    _, unread, _ = engine.catalog.changelog_for(web.situation(profile, engine))
    return jsonify({"unread": unread, "marked": sorted(wanted)})


@bp.get("/api/openapi.json", endpoint="api_openapi")
def openapi() -> Response:
    return jsonify(build_document(url_for("onboarding.api_root").rstrip("/")))


@bp.errorhandler(404)
def not_found(_: Exception) -> Response | tuple[str, int]:
    if request.path.startswith(url_for("onboarding.api_root")):
        return error_response(404, "not_found", "No such API route.")
    return "Not found", 404


@bp.before_app_request
def api_routing_errors() -> Response | None:
    """Routing's own 404 and 405 under the API's prefix answer JSON, like the API's other
    errors. A routing error is raised after the before-request hooks, so this sees it first;
    the host's error handlers keep every other URL."""
    error = request.routing_exception
    if not isinstance(error, NotFound | MethodNotAllowed):
        return None  # no error, or a redirect (a missing trailing slash)
    if not request.path.startswith(url_for("onboarding.api_root")):
        return None
    if isinstance(error, MethodNotAllowed):
        allowed = sorted(error.valid_methods or ())
        response = refused(ApiError(405, "method_not_allowed", f"Use {', '.join(allowed)} here."))
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return refused(ApiError(404, "not_found", "No such API route."))


#: The API's bodies are flat objects; anything deeper is refused before ``json`` recurses.
MAX_BODY_DEPTH = 8


def _request_json() -> Any:
    """The request's JSON, or None when it is not JSON; a 422 when it nests deeper than any
    body of this API (a few kilobytes of brackets would otherwise overflow the parser's stack)."""
    raw = request.get_data(cache=True)
    if json_too_deep(raw.decode("utf-8", "replace"), MAX_BODY_DEPTH) is not None:
        raise ApiError(422, "invalid", f"The body nests more than {MAX_BODY_DEPTH} levels deep.",
                       {"_schema": [f"nested more than {MAX_BODY_DEPTH} levels deep"]})  # fmt: skip
    return request.get_json(silent=True)


def _messages(messages: Any) -> dict[str, Any]:
    return messages if isinstance(messages, dict) else {"_schema": messages}
