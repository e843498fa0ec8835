"""The console's pages. Every view declares its lowest role with ``@requires``; the
blueprint's ``before_request`` refuses everything else before a view runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..app_state import get_state
from ..content import KINDS, ContentError, GuideSpec, diff_content, dump_content
from ..engine import Engine
from ..errors import StaleRevision, StorageError
from ..state import STAGES
from . import audit, checking, csrf, drafts, i18n
from .access import checked_role, required_role, requires, role_allows
from .base import actor, bp, t
from .base import fresh_engine as _fresh_engine
from .base import page as _page
from .editing import guide_yaml, text_diff, with_guide
from .listing import STATUSES, filter_guides
from .listing import rows as listing_rows

_CSS = (Path(__file__).resolve().parent / "console.css").read_text(encoding="utf-8")
_JS = (Path(__file__).resolve().parent / "console.js").read_text(encoding="utf-8")


def _draft_spec(engine: Engine, draft: drafts.Draft) -> GuideSpec:
    """A draft as a list row's guide; one that no longer validates still shows its id and kind."""
    spec = drafts.spec_of(engine, draft)
    if spec is not None:
        return spec
    data = draft.data()
    title = data.get("title")
    titles = {str(k): str(v) for k, v in title.items()} if isinstance(title, dict) else {}
    return GuideSpec(id=draft.guide_id, kind=str(data.get("kind", "")), title=titles, body={})


@bp.before_request
def gate() -> None:
    # Deny by default: no callback, no role, or a route without a declared role: 404.
    callback = get_state().console_access
    needed = required_role(current_app.view_functions.get(request.endpoint or ""), request.method)
    role = checked_role(callback()) if callback is not None else None
    if role is None or needed is None:
        abort(404)
    if not role_allows(role, needed):
        abort(403)
    if request.method not in ("GET", "HEAD", "OPTIONS") and not csrf.request_is_valid():
        abort(400, description="The form's security token is missing or expired: reload the page and try again.")
    g.onboarding_console_role = role


@bp.get("/console.css", endpoint="css")
@requires("viewer")
def css() -> Response:
    return Response(_CSS, mimetype="text/css")


@bp.get("/console.js", endpoint="js")
@requires("viewer")
def js() -> Response:
    # a file, never inline: the console runs under a strict CSP (script-src 'self')
    return Response(_JS, mimetype="text/javascript")


@bp.get("/", endpoint="index")
@requires("viewer")
def index() -> BaseResponse:
    return redirect(url_for(".guides"))


@bp.get("/guides", endpoint="guides")
@requires("viewer")
def guides() -> tuple[str, int]:
    engine = _fresh_engine()
    criteria = {k: request.args.get(k, "") for k in ("kind", "stage", "status", "locale", "q")}
    specs = [guide.spec for guide in engine.catalog.guides.values()]
    drafted = {gid: (draft, _draft_spec(engine, draft)) for gid, draft in drafts.every(engine).items()}
    rows = filter_guides(listing_rows(specs, drafted, engine.now()), criteria)
    locales = sorted({loc for spec in specs for loc in spec.title})
    pages = checking.inventory(engine) if drafted else None
    draft_checks = {  # the checks before publishing, for each draft against the published guide
        row.spec.id: checking.findings(engine, row.draft.data(), row.spec if row.status != "new" else None, pages)
        for row in rows
        if row.draft is not None
    }
    return _page(
        "guides.html",
        rows=rows,
        criteria=criteria,
        kinds=KINDS,
        stages=STAGES,
        statuses=STATUSES,
        locales=locales,
        revision=engine.content.revision,
        draft_checks=draft_checks,
    )


@bp.get("/pages", endpoint="inventory")
@requires("viewer")
def inventory() -> tuple[str, int]:
    """Every page of the host app with its URL rules and the anchors its templates mark."""
    engine = _fresh_engine()
    pages = checking.inventory(engine)
    placed: dict[str, list[str]] = {}  # anchor -> the guides pointing at it
    for guide in engine.catalog.guides.values():
        for key in {guide.spec.anchor, *(step.anchor for step in guide.spec.steps)} - {None, ""}:
            placed.setdefault(str(key), []).append(guide.spec.id)
    on_pages = {key for page in pages.pages.values() for key in page.anchor_keys()}
    loose = [anchor for key, anchor in sorted(pages.marked.items()) if key not in on_pages]
    return _page("inventory.html", pages=list(pages.pages.values()), loose=loose, placed=placed)


@bp.post("/guides/<guide_id>/unpublish", endpoint="unpublish")
@requires("publisher")
def unpublish(guide_id: str) -> tuple[str, int] | BaseResponse:
    """Take one guide out of the published set (it stays in the history for a rollback)."""
    engine = _fresh_engine()
    if engine.catalog.get(guide_id) is None:
        abort(404)
    base = request.form.get("base_revision", "")
    if not base.isdigit():
        abort(400)
    rest = [g_.spec for g_ in engine.catalog.guides.values() if g_.spec.id != guide_id]
    try:
        revision = engine.content.publish(dump_content(rest), int(base), actor(), f"unpublish {guide_id}")
    except StaleRevision as exc:
        return _page(
            "message.html", 409, title=t("Not unpublished"), message=t("{error}. Look at the guide again.", error=exc)
        )
    audit.record(engine, actor(), "unpublish", revision=revision, guide=guide_id)
    return redirect(url_for(".guides"))


@bp.get("/history", endpoint="history")
@requires("viewer")
def history() -> tuple[str, int]:
    engine = _fresh_engine()
    entries = engine.call_store(lambda: engine.storage.content.history(100))
    return _page("history.html", entries=entries, revision=engine.content.revision)


@bp.get("/history/<int:revision>", endpoint="revision")
@requires("viewer")
def revision(revision: int) -> tuple[str, int]:
    engine = _fresh_engine()
    found = engine.call_store(lambda: engine.storage.content.load(revision))
    if found is None:
        abort(404)
    before = engine.call_store(lambda: engine.storage.content.load(revision - 1)) if revision > 1 else None
    old_text = before[1] if before else ""
    lines = text_diff(old_text, found[1], f"r{revision - 1}", f"r{revision}")
    try:
        old_specs = engine.content.parse(old_text) if old_text else ()
        summary = diff_content(old_specs, engine.content.parse(found[1])).lines()
    except ContentError:
        summary = ["(this revision no longer validates against the app's settings)"]
    return _page("revision.html", number=revision, lines=lines, summary=summary, current=engine.content.revision)


@bp.post("/history/<int:revision>/rollback", endpoint="rollback")
@requires("publisher")
def rollback(revision: int) -> tuple[str, int] | BaseResponse:
    engine = _fresh_engine()
    found = engine.call_store(lambda: engine.storage.content.load(revision))
    base = request.form.get("base_revision", "")
    if found is None or not base.isdigit():
        abort(404 if found is None else 400)
    if request.form.get("confirmed") != "yes":
        # A rollback replaces every guide at once: say what it changes, and ask first.
        try:
            current = [g_.spec for g_ in engine.catalog.guides.values()]
            summary = diff_content(current, engine.content.parse(found[1])).lines()
        except ContentError:
            summary = ["(this revision no longer validates against the app's settings)"]
        return _page("rollback.html", number=revision, base=base, summary=summary, current=engine.content.revision)
    try:
        new = engine.content.publish(found[1], int(base), actor(), f"rollback to r{revision}")
    except StaleRevision as exc:
        return _page(
            "message.html", 409, title=t("Not rolled back"), message=t("{error}. Look at the history again.", error=exc)
        )
    except ContentError as exc:
        return _page("message.html", 422, title=t("Not rolled back"), message="; ".join(exc.errors))
    audit.record(engine, actor(), "rollback", revision=new, to=revision)
    return redirect(url_for(".history"))


#: Revisions a guide's history looks through (each is read and parsed once per page view).
GUIDE_HISTORY = 50


@bp.get("/guides/<guide_id>/history", endpoint="guide_history")
@requires("viewer")
def guide_history(guide_id: str) -> tuple[str, int]:
    """One guide's versions: the publications that changed it, each revertible on its own."""
    engine = _fresh_engine()
    entries = engine.call_store(lambda: engine.storage.content.history(GUIDE_HISTORY))
    versions = []
    newer: object = None
    for entry in sorted(entries, key=lambda e: int(e["revision"])):
        data = drafts.published_at(engine, guide_id, int(entry["revision"]))
        if data != newer:
            versions.append((entry, data))
        newer = data
    if not versions and engine.catalog.get(guide_id) is None:
        abort(404)
    current = drafts.published_at(engine, guide_id, engine.content.revision)
    return _page(
        "guide_history.html",
        guide_id=guide_id,
        versions=list(reversed(versions)),
        current=current,
        revision=engine.content.revision,
    )


@bp.post("/guides/<guide_id>/revert/<int:revision>", endpoint="revert")
@requires("publisher")
def revert(guide_id: str, revision: int) -> tuple[str, int] | BaseResponse:
    """Publish ``guide_id`` as it was in ``revision``, every other guide as it is now: asks first."""
    engine = _fresh_engine()
    base = request.form.get("base_revision", "")
    if not base.isdigit():
        abort(400)
    if engine.call_store(lambda: engine.storage.content.load(revision)) is None:
        return _page("message.html", 404, title=t("Not reverted"), message=t("There is no revision {n}.", n=revision))
    old = drafts.published_at(engine, guide_id, revision)
    if old is None:
        message = t(
            "The guide {guide} did not exist in revision {n}: nothing to revert to.", guide=guide_id, n=revision
        )
        return _page("message.html", 422, title=t("Not reverted"), message=message)
    now = drafts.published_at(engine, guide_id, engine.content.revision)
    if request.form.get("confirmed") != "yes":
        lines = text_diff(guide_yaml(now) if now else "", guide_yaml(old), t("live"), f"r{revision}")
        return _page("revert.html", guide_id=guide_id, number=revision, base=base, lines=lines, live=now is not None)
    specs = [g_.spec for g_ in engine.catalog.guides.values()]
    note = f"revert {guide_id} to r{revision}"
    try:
        new = engine.content.publish(with_guide(specs, guide_id, old), int(base), actor(), note)
    except StaleRevision as exc:
        return _page(
            "message.html", 409, title=t("Not reverted"), message=t("{error}. Look at the history again.", error=exc)
        )
    except ContentError as exc:
        return _page("message.html", 422, title=t("Not reverted"), message="; ".join(exc.errors))
    audit.record(engine, actor(), "revert_guide", revision=new, guide=guide_id, to=revision)
    return redirect(url_for(".guide_history", guide_id=guide_id))


@bp.get("/language/<code>", endpoint="language")
@requires("viewer")
def language(code: str) -> BaseResponse:
    """The header's language link: remember the choice in a cookie, back to the page."""
    if code not in i18n.LOCALES:
        abort(404)
    back = request.args.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for(".guides")  # only a path of this site: never an open redirect
    answer = redirect(back)
    answer.set_cookie(i18n.COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return answer


@bp.get("/audit", endpoint="audit")
@requires("admin")
def audit_page() -> tuple[str, int]:
    engine = get_state().engine
    return _page("audit.html", entries=engine.call_store(lambda: engine.storage.audit.entries(500)))


@bp.errorhandler(StorageError)
def storage_down(exc: StorageError) -> tuple[str, int]:
    return _page("message.html", 503, title=t("Store unavailable"), message=str(exc))


@bp.app_template_filter("onboarding_console_time")
def console_time(epoch: int) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d %H:%M")
