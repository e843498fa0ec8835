"""marshmallow 4 schemas for content files, and validated data -> ``GuideSpec``.

One schema per kind (common keys plus the kind's own), every one ``RAISE`` on unknown keys,
so a key that means nothing for a kind (``items`` on a tooltip) is an error rather than
silently ignored. Messages are short and lower-case (``is required``, ``unknown key``):
the loader prefixes them with ``file:line: path:``. ``when`` is checked by the loader with
``targeting.compile_when`` (the one condition language); here it must only be present.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..state import STAGES
from .i18n import canonical_tag, is_locale_tag
from .model import (
    FREQUENCIES,
    KINDS,
    LEVELS,
    PURPOSES,
    ChecklistItem,
    Frequency,
    Goal,
    GuideSpec,
    Localized,
    SourceRef,
    TourStep,
)
from .render import render_markdown

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
ANCHOR_PATTERN = r"^[^\s\"'<>`]{1,128}$"
MAX_TITLE = 300
MAX_TOPIC = 100  # characters per locale: a label that groups tips
MAX_BODY = 20_000  # characters of Markdown per locale: a guide is help, not a manual

#: Keys each kind takes on top of the common ones.
KIND_KEYS: Mapping[str, tuple[str, ...]] = {
    "starter_guide": ("anchor",),
    "tooltip": ("anchor", "purpose", "term", "form", "field"),
    "footer_help": (),
    "advanced_tip": ("topic",),
    "faq": ("topic",),
    "changelog": ("version", "date", "level", "features"),
    "checklist": ("items",),
    "tour": ("steps",),
    "banner": ("anchor",),
}
#: Kinds whose content lives in items or steps: their ``body`` is optional.
BODY_OPTIONAL = frozenset({"checklist", "tour"})

Messages = dict[str, str | list[Any] | dict[Any, Any]]


def _messages(**extra: str) -> Messages:
    return {"required": "is required", "null": "must not be null", **extra}


def default_auto_open(kind: str, level: str | None) -> bool:
    """Tours and changelog popups open by themselves unless told otherwise."""
    return kind == "tour" or (kind == "changelog" and level == "popup")


# --- fields ----------------------------------------------------------------------------


class Text(fields.String):
    """A non-empty string, surrounding whitespace removed."""

    def __init__(self, *, max_length: int = MAX_TITLE, **kwargs: Any) -> None:
        super().__init__(error_messages=_messages(invalid="must be a string"), **kwargs)
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()
        if not text:
            raise ValidationError("must not be empty")
        if len(text) > self.max_length:
            raise ValidationError(f"must be at most {self.max_length} characters")
        return text


class Version(Text):
    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # YAML reads 2.10 as the number 2.1: make the author quote it
            raise ValidationError(f'must be a string; quote it, such as "{value}"')
        return super()._deserialize(value, attr, data, **kwargs)


class StrictInteger(fields.Integer):
    """An integer, and only that: not ``true``, not ``1.0``, not ``"1"``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, error_messages=_messages(invalid="must be an integer"), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class StrictBoolean(fields.Field[bool]):
    """``true`` or ``false``; marshmallow's Boolean also takes 1, "yes", "on"..."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=_messages(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value


class LocalizedText(fields.Field[str | dict[str, str]]):
    """A plain string, or a map of locale tag -> string (tags made canonical: ``zh-CN``).

    The plain string stays a string here; ``build_spec`` files it under the default locale.
    """

    def __init__(self, *, max_length: int = MAX_TITLE, strip: bool = True, **kwargs: Any) -> None:
        super().__init__(error_messages=_messages(), **kwargs)
        self.max_length = max_length
        self.strip = strip

    def _text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError("must be a string")
        if not value.strip():
            raise ValidationError("must not be empty")
        if len(value) > self.max_length:
            raise ValidationError(f"must be at most {self.max_length} characters")
        return value.strip() if self.strip else value

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str | dict[str, str]:
        if isinstance(value, str):
            return self._text(value)
        if not isinstance(value, Mapping):
            raise ValidationError("must be a string or a map of locale to string, such as {en: ..., zh-CN: ...}")
        if not value:
            raise ValidationError("must name at least one locale")
        texts: dict[str, str] = {}
        errors: dict[str, list[str]] = {}
        for tag, text in value.items():
            key = str(tag)
            if not is_locale_tag(tag):
                errors[key] = [f"{tag!r} is not a locale tag such as en or zh-CN"]
                continue
            canonical = canonical_tag(key)
            if canonical in texts:
                errors[key] = [f"locale {canonical} is given twice"]
                continue
            try:
                texts[canonical] = self._text(text)
            except ValidationError as exc:
                errors[key] = exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]
        if errors:
            raise ValidationError(errors)
        return texts


def parse_moment(value: Any) -> datetime | None:
    """A content time as written (a datetime, a date, or ISO text), its zone kept; None when it
    is none of those. Shared by the loader and the console's form."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class Instant(fields.Field[datetime]):
    """``2026-12-01`` (midnight UTC) or ``2026-12-01T09:30:00+08:00``; naive times are UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=_messages(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> datetime:
        parsed = parse_moment(value)
        if parsed is None:
            raise ValidationError(f"{value!r} is not a date (2026-12-01) or a date and time (2026-12-01T09:30:00Z)")
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class FrequencyField(fields.Field[Frequency]):
    """``once`` | ``until_dismissed`` | ``always`` | ``{max_impressions: N}``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=_messages(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Frequency:
        if isinstance(value, str) and value in FREQUENCIES:
            return Frequency(value)  # type: ignore[arg-type]  # checked against FREQUENCIES
        if isinstance(value, Mapping):
            if set(value) != {"max_impressions"}:
                extra = sorted(str(k) for k in value if k != "max_impressions")
                if extra:
                    raise ValidationError({key: ["unknown key"] for key in extra})
                raise ValidationError({"max_impressions": ["is required"]})
            limit = value["max_impressions"]
            if isinstance(limit, bool) or not isinstance(limit, int):
                raise ValidationError({"max_impressions": ["must be an integer"]})
            if limit < 1:
                raise ValidationError({"max_impressions": ["must be at least 1"]})
            return Frequency("max_impressions", limit)
        raise ValidationError(f"must be one of {', '.join(FREQUENCIES)} or {{max_impressions: N}}")


def _id() -> Text:
    return Text(
        required=True,
        max_length=64,
        validate=validate.Regexp(
            ID_PATTERN,
            error="{input!r} is not a valid id: lower-case letters, digits, _ and -, "
            "starting with a letter or digit, at most 64 characters",
        ),
    )


def _anchor(**kwargs: Any) -> Text:
    return Text(
        validate=validate.Regexp(ANCHOR_PATTERN, error="{input!r} is not a valid anchor (no spaces or quotes)"),
        **kwargs,
    )


def _choice(options: tuple[str, ...], noun: str, plural: str, *, required: bool = False) -> Text:
    error = f"unknown {noun} {{input!r}}; {plural} are {', '.join(options)}"
    return Text(required=required, validate=validate.OneOf(options, error=error))


def _names() -> fields.List[Any]:
    return fields.List(Text(max_length=64), error_messages=_messages(invalid="must be a list of names"))


# --- schemas ---------------------------------------------------------------------------


class StrictSchema(Schema):
    error_messages = {  # noqa: RUF012 - marshmallow reads this class attribute
        "unknown": "unknown key",
        "type": "must be a mapping",
    }

    class Meta:
        unknown = RAISE


class ContentFileSchema(StrictSchema):
    """The top level of a file: ``version: 1`` (optional), ``segments: {name: condition}``
    (optional; checked by the loader, ``segments.py``) and ``guides: [...]``."""

    version = StrictInteger(validate=validate.Equal(1, error="unsupported version {input}; this release reads 1"))
    segments = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        error_messages=_messages(invalid="must map segment names to conditions"),
    )
    guides = fields.List(fields.Raw(), required=True, error_messages=_messages(invalid="must be a list of guides"))
    # checked by the loader against the guides (experiment_content.py)
    experiments = fields.List(fields.Raw(), error_messages=_messages(invalid="must be a list of experiments"))


class ItemSchema(StrictSchema):
    id = _id()
    title = LocalizedText(required=True)
    event = Text(required=True, max_length=64)


class AdvanceOnSchema(StrictSchema):
    """A step's ``advance_on``: ``{click: true}`` (a click on the anchor) or ``{event: NAME}``."""

    click = StrictBoolean()
    event = Text(max_length=64)

    @validates_schema(skip_on_field_errors=True)
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("needs exactly one of click or event")
        if data.get("click") is False:
            raise ValidationError("must be true", "click")


class StepSchema(StrictSchema):
    endpoint = Text(required=True, max_length=200)
    anchor = _anchor()
    title = LocalizedText(required=True)
    body = LocalizedText(max_length=MAX_BODY, strip=False)
    spotlight = StrictBoolean()
    advance_on = fields.Nested(AdvanceOnSchema())


class GoalSchema(StrictSchema):
    """A guide's ``goal``: ``{event: NAME, within_days: N}`` or ``{stage: NAME, within_days: N}``."""

    event = Text(max_length=64)
    stage = _choice(STAGES, "stage", "stages")
    within_days = StrictInteger(
        required=True, validate=validate.Range(1, 366, error="must be a whole number of days from 1 to 366")
    )

    @validates_schema(skip_on_field_errors=True)
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if ("event" in data) == ("stage" in data):
            raise ValidationError("needs exactly one of event or stage")


class GuideSchema(StrictSchema):
    """Base of the per-kind schemas: the rules that look at several keys at once."""

    def __init__(self, *, events: Collection[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.events = events

    def _unknown_events(self, names: list[str], path: str | int, errors: dict[Any, Any]) -> None:
        for name in names:
            if name not in self.events:
                errors.setdefault(path, []).append(f"unknown event {name!r} (not in ONBOARDING_EVENTS)")

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _rules(self, data: dict[str, Any], original_data: Any, **_: Any) -> None:
        if not isinstance(original_data, Mapping):
            return
        errors: dict[Any, Any] = {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start is not None and end is not None and end <= start:
            errors["ends_at"] = ["must be after starts_at"]
        kind = data.get("kind")
        if kind == "tooltip":
            errors.update(_tooltip_rules(data, original_data))
        for i, name in enumerate(data.get("features", [])):
            self._unknown_events([name], f"features[{i}]", errors)
        items: dict[int, Any] = {}
        seen: set[str] = set()
        for i, item in enumerate(data.get("items", [])):
            problems: dict[str, list[str]] = {}
            # an item whose id or event failed its own check lacks that key: skip, do not crash
            item_id, event = item.get("id"), item.get("event")
            if item_id is not None and item_id in seen:
                problems["id"] = [f"duplicate item id {item_id!r}"]
            if item_id is not None:
                seen.add(item_id)
            if event is not None:
                self._unknown_events([event], "event", problems)
            if problems:
                items[i] = problems
        if items:
            errors["items"] = items
        steps: dict[int, Any] = {}
        for i, step in enumerate(data.get("steps", [])):
            advance = step.get("advance_on") or {}
            problems = {}
            if "event" in advance:
                self._unknown_events([advance["event"]], "advance_on", problems)
            if advance.get("click") and not step.get("anchor"):
                problems["advance_on"] = ["click needs the step's anchor"]
            if problems:
                steps[i] = problems
        if steps:
            errors["steps"] = steps
        goal = data.get("goal") or {}
        if "event" in goal:
            self._unknown_events([goal["event"]], "goal", errors)
        if errors:
            raise ValidationError(errors)


def _tooltip_rules(data: Mapping[str, Any], original: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "purpose" in original and "purpose" not in data:
        return errors  # the purpose itself is wrong: the rules below would only add noise
    purpose = data.get("purpose", "field_help")
    if "term" in original and purpose != "glossary":
        errors["term"] = ["is only for purpose glossary"]
    for key in ("form", "field"):
        if key in original and purpose != "validation":
            errors[key] = ["is only for purpose validation"]
    if purpose == "validation" and ("form" in original) != ("field" in original):
        missing, given = ("field", "form") if "form" in original else ("form", "field")
        errors[missing] = [f"is required with {given}"]
    exempt = (purpose == "validation" and "form" in original and "field" in original) or (
        purpose == "glossary" and "term" in original
    )
    if "anchor" not in original and not exempt:
        errors["anchor"] = [
            "is required: a tooltip needs an anchor, unless it is a validation hint "
            "(purpose validation with form and field) or a glossary entry (purpose glossary with term)"
        ]
    return errors


def _common_fields(kind: str | None) -> dict[str, fields.Field[Any]]:
    body_required = kind is not None and kind not in BODY_OPTIONAL  # None: unknown kind, spare the noise
    return {
        "id": _id(),
        "kind": _choice(KINDS, "kind", "kinds", required=True),
        "title": LocalizedText(required=True),
        "body": LocalizedText(required=body_required, max_length=MAX_BODY, strip=False),
        "when": fields.Raw(allow_none=True),  # compiled by the loader with targeting.compile_when
        "priority": StrictInteger(),
        "frequency": FrequencyField(),
        "starts_at": Instant(allow_none=True),
        "ends_at": Instant(allow_none=True),
        "auto_open": StrictBoolean(),
        "goal": fields.Nested(GoalSchema()),
    }


def _kind_fields() -> dict[str, fields.Field[Any]]:
    return {
        "anchor": _anchor(),
        "purpose": _choice(PURPOSES, "purpose", "purposes"),
        "term": Text(max_length=100),
        "form": Text(max_length=100),
        "field": Text(max_length=100),
        "topic": LocalizedText(max_length=MAX_TOPIC),
        "version": Version(required=True, max_length=50),
        "date": Instant(required=True),
        "level": _choice(LEVELS, "level", "levels"),
        "features": _names(),
        "items": fields.List(
            fields.Nested(ItemSchema()),
            required=True,
            validate=validate.Length(min=1, error="must list at least one item"),
            error_messages=_messages(invalid="must be a list of items"),
        ),
        "steps": fields.List(
            fields.Nested(StepSchema()),
            required=True,
            validate=validate.Length(min=1, error="must list at least one step"),
            error_messages=_messages(invalid="must be a list of steps"),
        ),
    }


def guide_schema_classes() -> dict[str | None, type[GuideSchema]]:
    """One schema class per kind, and under None one for an unknown kind (every key allowed,
    none kind-specific required) so that a bad ``kind`` does not bury the guide in noise."""
    classes: dict[str | None, type[GuideSchema]] = {}
    for kind in KINDS:
        extra = _kind_fields()
        own = {key: extra[key] for key in KIND_KEYS[kind]}
        classes[kind] = GuideSchema.from_dict({**_common_fields(kind), **own}, name=f"{kind}_schema")  # type: ignore[assignment]
    relaxed = _kind_fields()
    for field in relaxed.values():
        field.required = False
    classes[None] = GuideSchema.from_dict({**_common_fields(None), **relaxed}, name="any_guide_schema")  # type: ignore[assignment]
    return classes


_CLASSES = guide_schema_classes()


def guide_schemas(events: Collection[str]) -> dict[str | None, GuideSchema]:
    """Schema instances for one load (they carry the declared events)."""
    return {kind: cls(events=events) for kind, cls in _CLASSES.items()}


# --- validated data -> GuideSpec -------------------------------------------------------


def localize(value: str | Mapping[str, str] | None, default_locale: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {canonical_tag(default_locale): value}
    return dict(value)


def render_all(markdown: Localized) -> dict[str, str]:
    return {tag: render_markdown(text) for tag, text in markdown.items()}


def build_spec(
    data: Mapping[str, Any], when: Mapping[str, Any], *, default_locale: str, source: SourceRef
) -> GuideSpec:
    """A validated guide as a ``GuideSpec``: locales filed, Markdown rendered (once, here)."""
    kind: str = data["kind"]
    markdown = localize(data.get("body"), default_locale)
    level = data.get("level", "badge") if kind == "changelog" else None
    return GuideSpec(
        id=data["id"],
        kind=kind,
        title=localize(data["title"], default_locale),
        body=render_all(markdown),
        body_markdown=markdown,
        when=when,
        priority=data.get("priority", 0),
        frequency=data.get("frequency", Frequency()),
        starts_at=data.get("starts_at"),
        ends_at=data.get("ends_at"),
        auto_open=data.get("auto_open", default_auto_open(kind, level)),
        anchor=data.get("anchor"),
        purpose=data.get("purpose", "field_help") if kind == "tooltip" else None,
        term=data.get("term"),
        form=data.get("form"),
        field=data.get("field"),
        topic=localize(data.get("topic"), default_locale),
        version=data.get("version"),
        date=data.get("date"),
        level=level,
        features=tuple(data.get("features", ())),
        items=tuple(
            ChecklistItem(item["id"], localize(item["title"], default_locale), item["event"])
            for item in data.get("items", ())
        ),
        steps=tuple(_step(step, default_locale) for step in data.get("steps", ())),
        source=source,
        goal=Goal(**data["goal"]) if "goal" in data else None,
    )


def _step(data: Mapping[str, Any], default_locale: str) -> TourStep:
    markdown = localize(data.get("body"), default_locale)
    return TourStep(
        endpoint=data["endpoint"],
        title=localize(data["title"], default_locale),
        body=render_all(markdown),
        anchor=data.get("anchor"),
        body_markdown=markdown,
        spotlight=bool(data.get("spotlight", False)),
        advance_click=bool(data.get("advance_on", {}).get("click")),
        advance_event=data.get("advance_on", {}).get("event"),
    )
