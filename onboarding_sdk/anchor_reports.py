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

import threading
import time
from collections import OrderedDict

from flask import Flask, Response, current_app, jsonify

from .api import body, idempotency_key, user
from .api_schemas import AnchorMissingIn
from .app_state import get_state
from .blueprint import bp

MAX_PATHS = 500
MAX_PER_PATH = 50
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


@bp.post("/api/anchors/missing", endpoint="api_anchor_missing")
def anchor_missing() -> Response:
    """The widget did not find an anchor on a page (the API's checks ran before: user, CSRF)."""
    user()
    idempotency_key()  # checked like every POST's (a repeat needs no bookkeeping: same answer)
    data = body(AnchorMissingIn(), get_state().engine)  # the OpenAPI document's schema
    anchor, path = str(data["anchor"]), str(data["path"])
    reports(current_app).note(path, anchor, time.time())
    return jsonify({"anchor": anchor, "path": path})
