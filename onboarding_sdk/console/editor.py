"""The guide editor's pages: the per-kind form, the YAML editor, preview and publish.

Both editors post the same way: ``mode`` says which one (``form``: the per-kind fields of
``forms``; ``yaml``: the whole guide as text in ``text``). Every refusal re-renders the page
with everything the person typed, and every problem listed (docs/console.md, "Editing").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response as BaseResponse

from ..content import ContentError, GuideSpec
from ..content.loader import guide_data
from ..engine import Engine
from ..errors import StaleRevision
from . import audit, forms
from .access import requires
from .base import fresh_engine, page
from .editing import guide_yaml, read_guide, with_guide
from .preview import page_endpoints
from .rendered import render_guide

Actor = Callable[[], str]


@dataclass
class Submission:
    """A posted guide, read and checked on its own (the whole content set is checked on publish)."""

    mode: str  # "form" or "yaml"
    form: forms.GuideForm | None = None
    text: str = ""
    data: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)  # YAML mode (the form files its own)

    @property
    def ok(self) -> bool:
        if self.form is not None:
            return self.data is not None and not self.form.errors and not self.form.problems
        return self.data is not None and not self.problems

    def refuse(self, *messages: str) -> None:
        if self.form is not None:
            self.form.problems.extend(messages)
        else:
            self.problems.extend(messages)

    def errors(self) -> list[str]:
        return self.form.all_errors() if self.form is not None else list(self.problems)


def catalog_locales(engine: Engine) -> list[str]:
    """Every locale the published guides use: each form offers them all, for translating."""
    return sorted({tag for guide in engine.catalog.guides.values() for tag in guide.spec.title})


def default_locale(engine: Engine) -> str:
    return str(engine.settings["ONBOARDING_DEFAULT_LOCALE"])


def check_alone(engine: Engine, data: dict[str, Any]) -> list[str]:
    """The loader's verdict on this guide alone: ``file:line: guides[0].path: message`` lines."""
    try:
        engine.parse_content(forms.one_guide_document(data), "guide.yaml")
    except ContentError as exc:
        return list(exc.errors)
    return []


def _without_place(error: str) -> str:
    """``guide.yaml:4: guides[0].title.en: must not be empty`` -> ``title.en: must not be empty``."""
    rest = error.split(": ", 1)[1] if error.count(":") >= 2 else error
    return rest.removeprefix("guides[0].").removeprefix("guides[0]: ")


def read_submission(engine: Engine, kind: str, guide_id: str | None) -> Submission:
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
        return sub
    form = forms.from_post(
        dict(request.form.lists()), kind=kind, guide_id=guide_id, default_locale=default_locale(engine)
    )
    data = forms.to_data(form)
    forms.place_errors(form, check_alone(engine, data))
    return Submission("form", form=form, data=data)


def base_revision() -> int | None:
    base = request.form.get("base_revision", "")
    return int(base) if base.isdigit() else None


def render_editor(
    engine: Engine,
    sub: Submission,
    *,
    guide_id: str,
    spec: GuideSpec | None,
    base: int | str,
    status: int = 200,
    **extra: Any,
) -> tuple[str, int]:
    """The editor page (form or YAML) showing ``sub`` as the person left it, with its preview."""
    locales = sub.form.locales if sub.form is not None else _locales_of(engine, sub.data)
    views = render_guide(sub.data or {}, locales, default_locale(engine))
    context: dict[str, Any] = {
        "guide_id": guide_id,
        "spec": spec,
        "base": base,
        "errors": sub.errors() if status >= 400 else [],
        "views": views,
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
        **context,
    )


def _locales_of(engine: Engine, data: dict[str, Any] | None) -> list[str]:
    found = list(forms.from_data(data or {}, default_locale=default_locale(engine)).locales)
    return list(dict.fromkeys([*found, *catalog_locales(engine)]))


def shown(engine: Engine, spec: GuideSpec, mode: str) -> Submission:
    """A Submission showing the published ``spec`` (what a GET displays)."""
    data = guide_data(spec)
    if mode == "yaml":
        return Submission("yaml", text=guide_yaml(data), data=data)
    form = forms.from_data(data, default_locale=default_locale(engine), locales=catalog_locales(engine))
    return Submission("form", form=form, data=data)


def register_editor(bp: Blueprint, actor: Actor) -> None:
    """The editor's routes on the console blueprint (roles: docs/console.md)."""

    def published(engine: Engine, guide_id: str) -> GuideSpec:
        guide = engine.catalog.get(guide_id)
        if guide is None:
            abort(404)
        return guide.spec

    @bp.route("/guides/<guide_id>", methods=["GET", "POST"], endpoint="edit")
    @requires("viewer", post="publisher")
    def edit(guide_id: str) -> tuple[str, int] | BaseResponse:
        engine = fresh_engine()
        spec = published(engine, guide_id)
        if request.method == "GET":
            return render_editor(
                engine, shown(engine, spec, "form"), guide_id=guide_id, spec=spec, base=engine.content_revision
            )
        return publish(engine, spec, guide_id)

    @bp.get("/guides/<guide_id>/yaml", endpoint="yaml")
    @requires("viewer")
    def yaml_editor(guide_id: str) -> tuple[str, int]:
        engine = fresh_engine()
        spec = published(engine, guide_id)
        return render_editor(
            engine, shown(engine, spec, "yaml"), guide_id=guide_id, spec=spec, base=engine.content_revision
        )

    @bp.post("/guides/<guide_id>/preview", endpoint="preview")
    @requires("editor")
    def preview(guide_id: str) -> tuple[str, int]:
        """Check the edited guide and show it in every locale; publish nothing. The form's
        "add a locale / row" buttons post here too: they only redraw the form."""
        engine = fresh_engine()
        spec = published(engine, guide_id)
        sub = read_submission(engine, spec.kind, guide_id)
        if sub.form is not None:
            grow = request.form.get("grow", "")
            if grow == "locale":
                sub.form.add_locale(request.form.get("add_locale", ""))
            elif grow in ("items", "steps"):
                sub.form.grow(grow)
        status = 200 if sub.ok else 422
        if request.form.get("fragment"):  # the live preview (console.js): just the preview section
            locales = sub.form.locales if sub.form is not None else _locales_of(engine, sub.data)
            views = render_guide(sub.data or {}, locales, default_locale(engine))
            return page("_preview.html", status, views=views, live_errors=sub.errors())
        base = request.form.get("base_revision", "")
        return render_editor(engine, sub, guide_id=guide_id, spec=spec, base=base, status=status, previewed=True)

    def publish(engine: Engine, spec: GuideSpec, guide_id: str) -> tuple[str, int]:
        sub = read_submission(engine, spec.kind, guide_id)
        base = base_revision()
        context: dict[str, Any] = {"guide_id": guide_id, "spec": spec, "base": request.form.get("base_revision", "")}
        if base is None:
            sub.refuse("the form lost its base revision: reload the page (copy your text first)")
            return render_editor(engine, sub, status=400, **context)
        if not sub.ok or sub.data is None:
            return render_editor(engine, sub, status=422, **context)
        specs = [g_.spec for g_ in engine.catalog.guides.values()]
        note = request.form.get("note", "") or f"edit {guide_id}"
        try:
            revision = engine.publish(with_guide(specs, guide_id, sub.data), base, actor(), note)
        except ContentError as exc:  # the guide is fine alone but not with the others (a clashing id)
            sub.refuse(*(_without_place(e) for e in exc.errors))
            return render_editor(engine, sub, status=422, **context)
        except StaleRevision as exc:
            # Keep the person's text: they copy their change onto the new version.
            sub.refuse(f"{exc}. Your text is kept below; open the guide in another tab to see the new version.")
            return render_editor(engine, sub, status=409, **context)
        new_id = str(sub.data.get("id", guide_id))
        audit.record(engine, actor(), "publish", revision=revision, guide=new_id, base=base)
        fresh = engine.catalog.get(new_id)
        if fresh is None:  # cannot happen: it was just published; show what was sent
            return render_editor(
                engine, sub, saved=f"Published as revision {revision}.", **{**context, "base": revision}
            )
        return render_editor(
            engine,
            shown(engine, fresh.spec, sub.mode),
            guide_id=new_id,
            spec=fresh.spec,
            base=revision,
            saved=f"Published as revision {revision}.",
        )
