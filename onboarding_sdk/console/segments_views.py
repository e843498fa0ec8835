"""The console's saved segments: list them, create one, edit it as rows, see which guides use it.

A segment is edited with the same rows as the guide form's targeting (``segments.py``) and kept
in the store (``saved_segments``); a guide gets a segment's rows from its form ("Add its
conditions"). Saving is a compare-and-set on the segment's version, like a draft.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..errors import StaleDraft
from ..segments import NAME, condition_of, read_rows, uses
from . import audit, forms, saved_segments
from .access import requires
from .audience import audience
from .base import actor, bp, fresh_engine, page, t
from .saved_segments import SavedSegment

Page = tuple[str, int]


def _users_of(engine: Any, segment: SavedSegment) -> list[str]:
    """The published guides whose targeting holds every one of the segment's conditions."""
    return sorted(g.spec.id for g in engine.catalog.guides.values() if uses(g.spec.when, segment.condition))


def _form(name: str, segment: SavedSegment | None) -> forms.GuideForm:
    form = forms.GuideForm(kind="", guide_id=name, default_locale="en", locales=[])
    form.values["name"] = name
    form.add_rows(segment.rows if segment is not None else [])
    return form


def _posted() -> forms.GuideForm:
    values = {k: v.replace("\r\n", "\n") for k, v in request.form.items()}
    form = forms.GuideForm(
        kind="", guide_id=values.get("name", "").strip(), default_locale="en", locales=[], values=values
    )
    form.seg_rows = sorted({int(k.split(".")[1]) for k in values if k.startswith("seg.") and k.split(".")[1].isdigit()})
    return form


def _editor(engine: Any, form: forms.GuideForm, segment: SavedSegment | None, status: int = 200, **extra: Any) -> Page:
    rows = form.segment_rows()
    return page(
        "segment.html",
        status,
        form=form,
        segment=segment,
        version=request.form.get("version", "0") if request.method == "POST" else (segment.version if segment else 0),
        estimate=audience(engine, rows),
        used_by=_users_of(engine, segment) if segment is not None else [],
        **forms.segment_choices(),
        saved_segments=[],
        grow_url=request.path,
        **extra,
    )


@bp.get("/segments", endpoint="segments")
@requires("viewer")
def segments() -> Page:
    engine = fresh_engine()
    found = saved_segments.every(engine)
    listed = [(s, audience(engine, s.rows), _users_of(engine, s)) for s in found]
    return page("segments.html", listed=listed)


@bp.route("/segments/new", methods=["GET", "POST"], endpoint="new_segment")
@requires("editor")
def new_segment() -> Page | BaseResponse:
    engine = fresh_engine()
    if request.method == "GET":
        form = _form("", None)
        return _editor(engine, form, None)
    return _save(engine, None)


@bp.route("/segments/<name>", methods=["GET", "POST"], endpoint="segment")
@requires("viewer", post="editor")
def segment(name: str) -> Page | BaseResponse:
    engine = fresh_engine()
    found = saved_segments.load(engine, name)
    if found is None:
        abort(404)
    if request.method == "GET":
        return _editor(engine, _form(name, found), found)
    return _save(engine, found)


def _save(engine: Any, segment: SavedSegment | None) -> Page | BaseResponse:
    """The segment form's buttons: add a row (redraws), delete, or save (compare-and-set)."""
    form = _posted()
    if segment is not None:
        form.values["name"] = form.guide_id = segment.name
    action = request.form.get("grow") or request.form.get("action", "save")
    if action == "seg":
        form.grow("seg")
        return _editor(engine, form, segment)
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400, description=t("The form lost its version: reload the page."))
    if action == "delete" and segment is not None:
        if not saved_segments.delete(engine, segment.name, int(version)):
            return _editor(engine, form, segment, 409, problem=t("The segment changed since you opened it: reload it."))
        audit.record(engine, actor(), "delete_segment", segment=segment.name, version=int(version))
        return redirect(url_for(".segments"))
    rows, errors, _ = read_rows(dict(form.values), say=t)
    for field_name, message in errors.items():
        form.add_error(field_name, message)
    name = form.guide_id
    if not NAME.match(name):
        form.add_error("name", t("a name is lower-case letters, digits, - and _ (such as new-admins)"))
    if not rows and not errors:
        form.add_error("seg", t("add at least one condition"))
    if form.errors:
        return _editor(engine, form, segment, 422)
    try:
        saved = saved_segments.save(engine, name, condition_of(rows), int(version), actor())
    except StaleDraft:
        message = t("Not saved: the segment changed since you opened it (or the name is taken). Reload it.")
        return _editor(engine, form, segment, 409, problem=message)
    audit.record(engine, actor(), "save_segment", segment=name, version=saved)
    return redirect(url_for(".segment", name=name, saved=saved))
