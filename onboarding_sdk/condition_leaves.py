"""The marshmallow checks of the condition language's leaves (``{min, max}``, lists of names,
booleans). Apart from ``conditions`` so that marshmallow loads when a condition is compiled
(start-up, a publication), not when the package is imported or a page is served."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

_INT_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {"invalid": "must be an integer", "required": "is required"}


def _int(minimum: int = 0) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=minimum, error=f"must be at least {minimum}"),
        error_messages=_INT_ERRORS,
    )


class RangeSchema(Schema):
    error_messages = {  # noqa: RUF012 - marshmallow reads this class attribute
        "unknown": "unknown key",
        "type": "must be a mapping",
    }

    min = _int()
    max = _int()

    @validates_schema
    def _ordered(self, data: dict[str, int], **_: Any) -> None:
        if not data:
            raise ValidationError("give min, max or both")
        if "min" in data and "max" in data and data["min"] > data["max"]:
            raise ValidationError("min must not be greater than max", "max")


class ActiveDaysSchema(RangeSchema):
    within = _int(1)


_LIST_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {"invalid": "must be a list of names"}

#: The leaves by the names ``conditions`` gives them.
LEAVES: dict[str, Schema | fields.Field[Any]] = {
    "range": RangeSchema(),
    "active_days": ActiveDaysSchema(),
    "names": fields.List(fields.String(error_messages={"invalid": "must be a string"}), error_messages=_LIST_ERRORS),
    "bool": fields.Boolean(truthy={True}, falsy={False}, error_messages={"invalid": "must be true or false"}),
}


def check_leaf(leaf: str, value: Any) -> tuple[Any, Any]:
    """(the validated value, None), or (None, marshmallow's messages, which carry sub-paths)."""
    checker = LEAVES[leaf]
    try:
        if isinstance(checker, Schema):
            if not isinstance(value, Mapping):
                raise ValidationError("must be a mapping such as {min: 1}")
            return checker.load(value), None
        return checker.deserialize(value), None
    except ValidationError as exc:
        return None, exc.messages
