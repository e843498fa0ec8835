"""The guide editor's pages: the per-kind form, the YAML editor, preview, drafts and publish.

Both editors post the same way: ``mode`` says which one (``form``: the per-kind fields of
``forms``; ``yaml``: the whole guide as text in ``text``). An editor saves a draft (kept in the
store, ``drafts``), a publisher publishes. Every form carries the revision and the draft version
it was based on, and every refusal (stale, invalid) re-renders the page with everything the
person typed and every problem listed (docs/console.md, "Editing").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..content import KINDS, ContentError, ContentProblem, GuideSpec
from ..content.loader import guide_data
from ..engine import Engine
from ..errors import StaleDraft, StaleRevision, StorageError
from ..guide_checks import Finding
from ..segments import Estimate
from ..signals import draft_submitted
from . import audit, checking, drafts, forms, saved_segments
from .access import requires
from .audience import audience
from .base import actor, bp, display_name, fresh_engine, page, t
from .drafts import Draft
from .editing import guide_yaml, read_guide, text_diff, with_guide
from .preview import page_endpoints
from .rendered import render_guide

Page = tuple[str, int]
# The refusals' texts (the console's catalog keys, console/i18n_zh.py).
STALE_DRAFT = "the published guide changed since you opened it (revision {base}, now {now}). Your text is kept below; open the guide in another tab to see the new version, then merge."  # noqa: E501
NOT_SAVED = "Not saved: {error}. Your text is kept below; open the guide in another tab to merge."
NOT_PUBLISHED = "Not published: {error}. Your text is kept below; open the guide in another tab."


@dataclass
class Submission:
    """A guide as the person left it (posted, or as stored), checked on its own; the whole
    content set is checked when it is published."""

    mode: str  # "form" or "yaml"
    form: forms.GuideForm | None = None
    text: str = ""
    data: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)  # YAML mode (the form files its own)
    notes: list[str] = field(default_factory=list)  # YAML mode's warnings (the form files its own)

    @property
    def ok(self) -> bool:
        if self.form is not None:
            return self.data is not None and not self.form.errors and not self.form.problems
        return self.data is not None and not self.problems

    def refuse(self, *messages: str, field_name: str | None = None) -> None:
        if self.form is not None and field_name is not None:
            for message in messages:
                self.form.add_error(field_name, message)
        elif self.form is not None:
            self.form.problems.extend(messages)
        else:
            self.problems.extend(f"{field_name}: {m}" if field_name else m for m in messages)

    def errors(self) -> list[str]:
        return self.form.all_errors() if self.form is not None else list(self.problems)

    def warnings(self) -> list[str]:
        return self.form.all_warnings() if self.form is not None else list(self.notes)

    def file(self, found: list[Finding]) -> None:
        """The checks before publishing: errors refuse the guide, warnings are shown beside it."""
        for finding in found:
            name = forms.field_of(finding.path, self.form) if self.form is not None else None
            if self.form is not None and name is not None:
                (self.form.add_error if finding.error else self.form.add_warning)(name, finding.message)
            elif finding.error:
                self.refuse(f"{finding.path}: {finding.message}")
            elif self.form is not None:
                self.form.add_warning("", finding.message)
            else:
                self.notes.append(f"{finding.path}: {finding.message}")


@dataclass(frozen=True)
class Target:
    """The guide a page edits: published, drafted, both, or new (``guide_id`` None)."""

    guide_id: str | None
    kind: str
    spec: GuideSpec | None = None  # the published guide
    draft: Draft | None = None

    def urls(self) -> dict[str, str]:
        if self.guide_id is None:
            return {
                "publish": url_for(".new"),
                "preview": url_for(".new_preview"),
                "draft": url_for(".new_draft"),
            }
        gid = self.guide_id
        return {
            "publish": url_for(".edit", guide_id=gid),
            "preview": url_for(".preview", guide_id=gid),
            "draft": url_for(".draft", guide_id=gid),
            "discard": url_for(".discard", guide_id=gid),
            "form": url_for(".edit", guide_id=gid),
            "yaml": url_for(".yaml", guide_id=gid),
        }

    @property
    def draft_version(self) -> int:
        return self.draft.version if self.draft is not None else 0


def catalog_locales(engine: Engine) -> list[str]:
    """Every locale the published guides use: each form offers them all, for translating."""
    return sorted({tag for guide in engine.catalog.guides.values() for tag in guide.spec.title})


def default_locale(engine: Engine) -> str:
    return engine.settings.default_locale


def check_alone(engine: Engine, data: dict[str, Any]) -> list[ContentProblem]:
    """The loader's verdict on this guide alone (paths under ``guides[0]``)."""
    try:
        engine.content.parse(forms.one_guide_document(data), "guide.yaml")
    except ContentError as exc:
        return exc.problems
    return []


def _without_place(problem: ContentProblem) -> str:
    """``guide.yaml:4: guides[0].title.en: must not be empty`` -> ``title.en: must not be empty``."""
    path = problem.path.removeprefix("guides[0]").removeprefix(".")
    return f"{path}: {problem.message}" if path else problem.message


def read_submission(engine: Engine, target: Target) -> Submission:
    """Read the posted guide (form or YAML) and check it on its own."""
    mode = request.form.get("mode") or ("yaml" if "text" in request.form else "form")
    if mode == "yaml":
        sub = Submission("yaml", text=request.form.get("text", "").replace("\r\n", "\n"))
        try:
            sub.data = read_guide(sub.text)
        except ValueError as exc:
            sub.problems.append(str(exc))
            return sub
        sub.problems.extend(_without_place(e) for e in check_alone(engine, sub.data))
        if not sub.problems:
            sub.file(checking.findings(engine, sub.data, target.spec))
        return sub
    form = forms.from_post(
        dict(request.form.lists()), kind=target.kind, guide_id=target.guide_id, default_locale=default_locale(engine)
    )
    form.say = t
    data = forms.to_data(form)
    forms.place_errors(form, check_alone(engine, data))
    sub = Submission("form", form=form, data=data)
    sub.file(checking.findings(engine, data, target.spec))
    return sub


def stored(engine: Engine, target: Target, mode: str) -> Submission:
    """The guide as stored: its draft when it has one, else the published guide."""
    if target.draft is not None:
        data = target.draft.data()
    elif target.spec is not None:
        data = guide_data(target.spec)
    else:
        data = {"kind": target.kind, **_placed_by_link()}
    if mode == "yaml":
        sub = Submission("yaml", text=target.draft.text if target.draft else guide_yaml(data), data=data)
        sub.file([f for f in checking.findings(engine, data, target.spec) if not f.error])
        return sub
    form = forms.from_data(data, default_locale=default_locale(engine), locales=catalog_locales(engine))
    sub = Submission("form", form=form, data=data)
    forms.to_data(form)  # numbers the rows, so that findings about steps[i] find their fields
    form.errors.clear()
    sub.file(checking.findings(engine, data, target.spec))
    return sub


def _placed_by_link() -> dict[str, Any]:
    """A new guide's place from the link that opened it (``?anchor=...&endpoints=...``, the
    "Pages and anchors" page): filled in, checked like anything typed."""
    if request.method != "GET":
        return {}
    data: dict[str, Any] = {}
    if request.args.get("anchor", "").strip():
        data["anchor"] = request.args["anchor"].strip()
    pages = [e for e in re.split(r"[\s,]+", request.args.get("endpoints", "")) if e]
    if pages:
        data["when"] = {"endpoints": pages}
    return data


def _locales_of(engine: Engine, sub: Submission) -> list[str]:
    if sub.form is not None:
        return sub.form.locales
    found = forms.from_data(sub.data or {}, default_locale=default_locale(engine)).locales
    return list(dict.fromkeys([*found, *catalog_locales(engine)]))


def draft_notes(engine: Engine, target: Target) -> dict[str, Any]:
    """What a page says about the guide's draft: its diff against the published guide, and
    whether the published guide changed since the draft was started."""
    draft = target.draft
    if draft is None:
        return {}
    published = guide_yaml(guide_data(target.spec)) if target.spec is not None else ""
    lines = text_diff(published, guide_yaml(draft.data()), "published", f"draft v{draft.version}")
    outdated = target.spec is not None and drafts.changed_since(engine, draft.guide_id, draft.base_revision)
    return {"draft_diff": lines, "draft_outdated": outdated}


def render_editor(
    engine: Engine, sub: Submission, target: Target, *, status: int = 200, posted: bool = False, **extra: Any
) -> Page:
    """The editor page (form or YAML) showing ``sub`` as the person left it, with its preview.

    ``posted``: keep the revision and draft version the person's form was based on, so a
    stale form stays stale until they reload (nothing is silently rebased).
    """
    views = render_guide(sub.data or {}, _locales_of(engine, sub), default_locale(engine))
    if sub.form is not None:
        extra.setdefault("estimate", estimate_of(engine, sub.form))
    context: dict[str, Any] = {
        "guide_id": target.guide_id,
        "kind": target.kind,
        "spec": target.spec,
        "draft": target.draft,
        "urls": target.urls(),
        "base": request.form.get("base_revision", "") if posted else engine.content.revision,
        "draft_version": request.form.get("draft_version", "0") if posted else target.draft_version,
        "errors": sub.errors() if status >= 400 else [],
        "warnings": sub.warnings(),
        "views": views,
        **draft_notes(engine, target),
        **extra,
    }
    if sub.form is None:
        return page("edit_yaml.html", status, text=sub.text, **context)
    return page(
        "edit.html",
        status,
        form=sub.form,
        choices=forms.choices(),
        events=list(engine.settings.events),
        endpoints=list(page_endpoints()),
        saved_segments=_saved(engine),
        grow_url=target.urls()["preview"],
        **forms.segment_choices(),
        **_placing(engine, sub.form),
        **context,
    )


def estimate_of(engine: Engine, form: forms.GuideForm) -> Estimate | None:
    """The audience of the form's targeting; None when the store does not answer (a preview
    never fails over it)."""
    try:
        return audience(engine, form.segment_rows(), form.lists.get("stages", []))
    except StorageError:
        return None


def _saved(engine: Engine) -> list[saved_segments.SavedSegment]:
    try:
        return saved_segments.every(engine)
    except StorageError:
        return []


def _placing(engine: Engine, form: forms.GuideForm) -> dict[str, Any]:
    """What the form offers for placing a guide: the app's pages and each page's anchors."""
    pages = checking.inventory(engine)
    catalog = checking.anchor_catalog(pages)
    chosen = [e for e in re.split(r"[\s,]+", form.value("endpoints")) if e]
    steps = {n: checking.offered(catalog, pages, [form.value(f"steps.{n}.endpoint").strip()]) for n in form.step_rows}
    return {
        "page_choices": pages.page_choices(),
        "anchor_catalog": catalog,
        "anchors_offered": checking.offered(catalog, pages, chosen),
        "step_anchors": steps,
    }


def _number(name: str) -> int | None:
    value = request.form.get(name, "0" if name == "draft_version" else "")
    return int(value) if value.isdigit() else None


# The editor's routes on the console blueprint (roles: docs/console.md).


def existing(engine: Engine, guide_id: str) -> Target:
    guide = engine.catalog.get(guide_id)
    draft = drafts.load(engine, guide_id)
    if guide is None and draft is None:
        abort(404)
    spec = guide.spec if guide is not None else None
    kind = str(draft.data().get("kind", "")) if draft is not None else spec.kind if spec is not None else ""
    return Target(guide_id, kind, spec, draft)


def new_target() -> Target:
    kind = request.values.get("kind", "")
    if kind not in KINDS:
        abort(400, description=f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
    return Target(None, kind)


# --- pages ----------------------------------------------------------------------------


@bp.route("/guides/<guide_id>", methods=["GET", "POST"], endpoint="edit")
@requires("viewer", post="publisher")
def edit(guide_id: str) -> Page:
    engine = fresh_engine()
    target = existing(engine, guide_id)
    if request.method == "GET":
        return render_editor(engine, stored(engine, target, "form"), target)
    return publish(engine, target, read_submission(engine, target))


@bp.get("/guides/<guide_id>/yaml", endpoint="yaml")
@requires("viewer")
def yaml_editor(guide_id: str) -> Page:
    engine = fresh_engine()
    target = existing(engine, guide_id)
    return render_editor(engine, stored(engine, target, "yaml"), target)


@bp.route("/new-guide", methods=["GET", "POST"], endpoint="new")
@requires("editor", post="publisher")
def new() -> Page:
    """Pick a kind, then get its form; posting it publishes the new guide at once."""
    engine = fresh_engine()
    if request.method == "GET" and "kind" not in request.args:
        return page("new.html", kinds=KINDS)
    target = new_target()
    if request.method == "GET":
        return render_editor(engine, stored(engine, target, "form"), target)
    return publish(engine, target, read_submission(engine, target))


# --- preview ----------------------------------------------------------------------------


@bp.post("/guides/<guide_id>/preview", endpoint="preview")
@requires("editor")
def preview(guide_id: str) -> Page:
    engine = fresh_engine()
    return show_preview(engine, existing(engine, guide_id))


@bp.post("/new-guide/preview", endpoint="new_preview")
@requires("editor")
def new_preview() -> Page:
    return show_preview(fresh_engine(), new_target())


def use_segment(engine: Engine, sub: Submission) -> None:
    """ "Add its conditions": a saved segment's rows join the form's (a copy: the guide keeps
    them if the segment changes later), and the guide is read again with them."""
    assert sub.form is not None
    name = request.form.get("use_segment", "")
    found = saved_segments.load(engine, name) if name else None
    if found is None:
        sub.form.add_error("seg", t("unknown segment {name}", name=repr(name)))
        return
    sub.form.add_rows(found.rows)
    sub.data = forms.to_data(sub.form)


def show_preview(engine: Engine, target: Target) -> Page:
    """Check the edited guide and show it in every locale; save nothing. The form's "add a
    locale / row" buttons post here too: they only redraw the form."""
    sub = read_submission(engine, target)
    if sub.form is not None:
        grow = request.form.get("grow", "")
        if grow == "locale":
            sub.form.add_locale(request.form.get("add_locale", ""))
        elif grow in ("items", "steps", "seg"):
            sub.form.grow(grow)
        elif grow == "segment":
            use_segment(engine, sub)
    status = 200 if sub.ok else 422
    if request.form.get("fragment"):  # the live preview (console.js): just the preview section
        views = render_guide(sub.data or {}, _locales_of(engine, sub), default_locale(engine))
        estimate = estimate_of(engine, sub.form) if sub.form is not None else None
        return page(
            "_preview.html",
            status,
            views=views,
            live_errors=sub.errors(),
            live_warnings=sub.warnings(),
            estimate=estimate,
        )
    return render_editor(engine, sub, target, status=status, posted=True, previewed=True)


# --- drafts -----------------------------------------------------------------------------


@bp.post("/guides/<guide_id>/draft", endpoint="draft")
@requires("editor")
def draft(guide_id: str) -> Page:
    engine = fresh_engine()
    return save_draft(engine, existing(engine, guide_id))


@bp.post("/new-guide/draft", endpoint="new_draft")
@requires("editor")
def new_draft() -> Page:
    return save_draft(fresh_engine(), new_target())


def save_draft(engine: Engine, target: Target) -> Page:
    sub = read_submission(engine, target)
    base, expected = _number("base_revision"), _number("draft_version")

    def refused(status: int, *messages: str, field_name: str | None = None) -> Page:
        sub.refuse(*messages, field_name=field_name)
        return render_editor(engine, sub, target, status=status, posted=True)

    if base is None or expected is None:
        return refused(400, t("the form lost its base revision: reload the page (copy your text first)"))
    if not sub.ok or sub.data is None:
        return render_editor(engine, sub, target, status=422, posted=True)
    guide_id = str(sub.data.get("id", ""))
    if target.guide_id is not None and guide_id != target.guide_id:
        return refused(422, t("a draft keeps its guide's id; rename a guide by publishing from the YAML editor"))
    if target.guide_id is None and engine.catalog.get(guide_id) is not None:
        message = t("{id} is already a published guide: open it to edit it", id=repr(guide_id))
        return refused(422, message, field_name="id")
    if target.spec is not None and drafts.changed_since(engine, guide_id, base):
        return refused(409, t(STALE_DRAFT, base=base, now=engine.content.revision))
    review = request.form.get("review") == "yes"
    try:
        version = drafts.save(engine, guide_id, sub.data, expected, engine.content.revision, actor(), submitted=review)
    except StaleDraft as exc:
        if target.guide_id is None:
            return refused(409, t("{id} already has a draft: open it to edit it", id=repr(guide_id)), field_name="id")
        return refused(409, t(NOT_SAVED, error=exc))
    audit.record(engine, actor(), "save_draft", guide=guide_id, version=version, base=engine.content.revision)
    message = t("Draft saved (version {version}). A publisher can publish it from this page.", version=version)
    if review:
        audit.record(engine, actor(), "submit_draft", guide=guide_id, version=version)
        draft_submitted.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            guide_id=guide_id,
            version=version,
            author=actor(),
            author_name=display_name(actor()),
            url=url_for(".edit", guide_id=guide_id, _external=True),
        )
        message = t("Draft saved (version {version}) and submitted for review.", version=version)
    saved = existing(engine, guide_id)
    return render_editor(engine, stored(engine, saved, sub.mode), saved, saved=message)


@bp.post("/guides/<guide_id>/discard", endpoint="discard")
@requires("editor")
def discard(guide_id: str) -> Page | BaseResponse:
    engine = fresh_engine()
    target = existing(engine, guide_id)
    version = _number("draft_version")
    if not version or not drafts.discard(engine, guide_id, version):
        message = t("The draft changed since you opened it (or was already published or discarded): look again.")
        return page("message.html", 409, title=t("Draft not discarded"), message=message)
    audit.record(engine, actor(), "discard_draft", guide=guide_id, version=version)
    return redirect(url_for(".edit", guide_id=guide_id) if target.spec is not None else url_for(".guides"))


# --- publish ----------------------------------------------------------------------------


def publish(engine: Engine, target: Target, sub: Submission) -> Page:
    base, expected = _number("base_revision"), _number("draft_version")

    def refused(status: int, *messages: str, field_name: str | None = None) -> Page:
        sub.refuse(*messages, field_name=field_name)
        return render_editor(engine, sub, target, status=status, posted=True)

    if base is None or expected is None:
        return refused(400, t("the form lost its base revision: reload the page (copy your text first)"))
    if not sub.ok or sub.data is None:
        return render_editor(engine, sub, target, status=422, posted=True)
    guide_id = str(sub.data.get("id", ""))
    if target.guide_id is None and engine.catalog.get(guide_id) is not None:
        message = t("{id} is already a published guide: open it to edit it", id=repr(guide_id))
        return refused(422, message, field_name="id")
    draft_id = target.guide_id or guide_id
    current = drafts.load(engine, draft_id)
    if (current.version if current else 0) != expected:
        # Publishing would skip (or overwrite) a draft this person has not seen.
        exc = StaleDraft(draft_id, expected, current.version if current else 0)
        return refused(409, t(NOT_PUBLISHED, error=exc))
    specs = [g_.spec for g_ in engine.catalog.guides.values()]
    note = request.form.get("note", "") or f"{'edit' if target.spec else 'new'} {guide_id}"
    try:
        revision = engine.content.publish(with_guide(specs, target.guide_id, sub.data), base, actor(), note)
    except ContentError as exc:  # fine alone, not with the others (a renamed guide's clashing id)
        return refused(422, *(_without_place(e) for e in exc.problems))
    except StaleRevision as exc:
        return refused(409, t(NOT_PUBLISHED, error=exc))
    if expected:
        drafts.discard(engine, draft_id, expected)  # False: a newer draft arrived meanwhile; it stays
    audit.record(engine, actor(), "publish", revision=revision, guide=guide_id, base=base, draft=expected)
    fresh = existing(engine, guide_id)
    saved = t("Published as revision {n}.", n=revision)
    return render_editor(engine, stored(engine, fresh, sub.mode), fresh, saved=saved)
