"""Anchors the widget looked for and did not find (issue 11 item 3: "a missing one is skipped and
reported ... to preview-as").

The widget waits 5 s for a guide's ``[data-onboarding="KEY"]`` anchor; when it never appears the
guide is skipped and the widget POSTs ``/api/anchors/missing`` with ``{"anchor": KEY, "path":
PATH}`` through its queue (CSRF token and Idempotency-Key, like every POST). The answer is the
same for a repeat, so the key needs no bookkeeping here.

What is kept: per app, in this process, the last time each (path, anchor) was reported, bounded
(``MAX_PATHS`` paths of ``MAX_PER_PATH`` anchors, the oldest dropped), so a page the host changed
is visible in the console without a store. ``missing_on(path)`` is what preview-as reads.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Response, current_app, jsonify, request

from .api import ApiError, user
from .blueprint import bp

MAX_PATHS = 500
MAX_PER_PATH = 50
_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")  # an anchor key as onboarding_anchor() writes it
_EXTENSION = "onboarding_anchor_reports"


class MissingAnchors:
    """(path -> anchor -> last reported, epoch seconds), bounded, safe across request threads."""

    def __init__(self) -> None:
        self._paths: OrderedDict[str, OrderedDict[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, path: str, anchor: str, at: float) -> None:
        with self._lock:
            anchors = self._paths.pop(path, None) or OrderedDict()
            anchors.pop(anchor, None)
            anchors[anchor] = at
            while len(anchors) > MAX_PER_PATH:
                anchors.popitem(last=False)
            self._paths[path] = anchors  # the newest path last
            while len(self._paths) > MAX_PATHS:
                self._paths.popitem(last=False)

    def on(self, path: str) -> dict[str, float]:
        with self._lock:
            return dict(self._paths.get(path, {}))


def reports(app: Flask) -> MissingAnchors:
    """This app's reports (made on first use)."""
    found = app.extensions.get(_EXTENSION)
    if not isinstance(found, MissingAnchors):
        found = app.extensions[_EXTENSION] = MissingAnchors()
    return found


def missing_on(app: Flask, path: str) -> dict[str, float]:
    """{anchor: last reported} for the page at ``path``: what preview-as shows as "not drawn:
    anchor `KEY` was not found on PATH"."""
    return reports(app).on(path)


def _field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    ok = isinstance(value, str) and (
        _KEY.fullmatch(value) if name == "anchor" else value.startswith("/") and len(value) <= 2000
    )
    if not ok:
        hint = "an anchor key (1 to 100 of A-Z a-z 0-9 _ . : -)" if name == "anchor" else "a path starting with /"
        raise ApiError(422, "invalid", "Some fields are not valid.", {name: [f"must be {hint}"]})
    return str(value)


@bp.post("/api/anchors/missing", endpoint="api_anchor_missing")
def anchor_missing() -> Response:
    """The widget did not find an anchor on a page (the API's checks ran before: user, CSRF)."""
    user()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "The body must be a JSON object.", {"_schema": ["must be an object"]})
    anchor, path = _field(data, "anchor"), _field(data, "path")
    reports(current_app).note(path, anchor, time.time())
    return jsonify({"anchor": anchor, "path": path})
