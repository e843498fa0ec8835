"""marshmallow schemas of the end users' JSON API: requests validated with them, and the
OpenAPI document generated from them. No Flask here."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

_NAME = validate.Regexp(r"^[a-z0-9][a-z0-9_.:-]{0,63}$", error="must be a declared event name")
_ID = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,63}$", error="must be a guide id")


class StrictBoolean(fields.Boolean):
    """Only JSON ``true`` and ``false``, as the OpenAPI document says: marshmallow's Boolean
    also takes ``"yes"``, ``1`` and ``"on"``, which a typed client never sends."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class GuidesQuery(StrictSchema):
    page = fields.String(validate=validate.Length(max=200), metadata={"description": "Flask endpoint of the page"})
    path = fields.String(validate=validate.Length(max=2000), metadata={"description": "URL path of the page"})


class EventIn(StrictSchema):
    name = fields.String(required=True, validate=_NAME, metadata={"description": "a declared event"})


class ShownIn(StrictSchema):
    auto = StrictBoolean(
        load_default=False, metadata={"description": "the guide opened by itself (spends the attention budget)"}
    )


class EmptyIn(StrictSchema):
    pass


class ProgressIn(StrictSchema):
    step = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))


class FeedbackIn(StrictSchema):
    helpful = StrictBoolean(required=True)


class FollowupIn(StrictSchema):
    done = StrictBoolean(required=True, metadata={"description": "did the user get it done after the error hint?"})


class SupportContextOut(Schema):
    guide = fields.String(required=True)
    page = fields.String(required=True, metadata={"description": "the path of the page that showed the hint"})
    at = fields.String(required=True, metadata={"description": "when, ISO 8601 UTC"})


class SupportOut(Schema):
    url = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    response_time = fields.String(required=True, metadata={"description": "how fast support answers, concretely"})
    context = fields.Nested(SupportContextOut, required=True)


class FollowupOut(Schema):
    guide = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["resolved", "unresolved"]))
    support = fields.Nested(
        SupportOut, allow_none=True, required=True, metadata={"description": "on unresolved, with ONBOARDING_SUPPORT"}
    )


class ReadIn(StrictSchema):
    ids = fields.List(fields.String(validate=_ID), validate=validate.Length(max=500), load_default=None)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", metadata={"description": "field -> messages"})


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)


class GuideOut(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "sanitized HTML"})
    priority = fields.Integer(required=True)
    auto_open = fields.Boolean(required=True)
    url = fields.String()
    anchor = fields.String()
    purpose = fields.String()
    term = fields.String()
    topic = fields.String(allow_none=True, metadata={"description": "advanced_tip, faq: in the user's locale"})
    version = fields.String(allow_none=True)
    date = fields.String(allow_none=True)
    level = fields.String()
    read = fields.Boolean()
    step = fields.Integer()
    steps = fields.List(fields.Dict())
    items = fields.List(fields.Dict())


class PayloadOut(Schema):
    version = fields.Integer(required=True)
    page = fields.String(allow_none=True)
    path = fields.String(allow_none=True)
    api = fields.String(required=True)
    csrf = fields.Dict(required=True, allow_none=True, metadata={"description": "null without SECRET_KEY: read-only"})
    user = fields.String(
        required=True, allow_none=True, metadata={"description": "16 hex: an HMAC of the user id (queue key)"}
    )
    debug = fields.Boolean(metadata={"description": "present (true) when the app runs in debug mode"})
    locale = fields.String(required=True)
    dir = fields.String(required=True)
    theme = fields.Dict(required=True)
    strings = fields.Dict(required=True)
    changelog = fields.Dict(required=True)
    tips_url = fields.String(required=True)
    hints = fields.List(fields.Dict(), required=True)
    guides = fields.List(fields.Nested(GuideOut), required=True)


class GuideStateOut(Schema):
    id = fields.String(required=True)
    seen = fields.Boolean(required=True)
    dismissed = fields.Boolean(required=True)
    completed = fields.Boolean(required=True)
    impressions = fields.Integer(required=True)
    step = fields.Integer(required=True)
    auto_open = fields.Boolean(metadata={"description": "for shown with auto: the guide may open by itself"})


class EventOut(Schema):
    name = fields.String(required=True)
    stage = fields.String(required=True)
    count = fields.Integer(required=True)


class ChangelogOut(Schema):
    entries = fields.List(fields.Nested(GuideOut), required=True)
    unread = fields.Integer(required=True)
    level = fields.String(required=True)


class CentreOut(Schema):
    entries = fields.List(
        fields.Nested(GuideOut),
        required=True,
        metadata={"description": "faq, advanced_tip, starter_guide, tour (to replay, from step 0), changelog"},
    )


class DocumentOut(Schema):
    """GET /openapi.json's answer, described loosely: the OpenAPI 3.1 document itself."""

    openapi = fields.String(required=True)
    paths = fields.Dict(required=True)


class ReadOut(Schema):
    unread = fields.Integer(required=True)
    marked = fields.List(fields.String(), required=True)


class AnchorMissingIn(StrictSchema):
    anchor = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{1,100}$", error="must be an anchor key"),
        metadata={"description": "the data-onboarding key the widget waited for"},
    )
    path = fields.String(
        required=True,
        validate=[validate.Length(max=2000), validate.Regexp(r"^/", error="must be a path starting with /")],
        metadata={"description": "the page's URL path"},
    )


class AnchorMissingOut(Schema):
    anchor = fields.String(required=True)
    path = fields.String(required=True)


def schema_fields(schema: type[Schema]) -> dict[str, Any]:
    return dict(schema().fields)
