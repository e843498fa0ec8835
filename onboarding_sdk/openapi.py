"""An OpenAPI 3.1 document generated from the API's marshmallow schemas. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate

from . import api_schemas as s


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI style, e.g. /guides/{guide_id}/dismiss
    summary: str
    response: type[Schema]
    body: type[Schema] | None = None
    query: type[Schema] | None = None


OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/guides", "The widget payload for a page: guides, strings, theme, CSRF token", s.PayloadOut,
              query=s.GuidesQuery),
    Operation("post", "/events", "Record a declared event for the current user", s.EventOut, s.EventIn),
    Operation("post", "/guides/{guide_id}/shown", "The guide was really drawn", s.GuideStateOut, s.ShownIn),
    Operation("post", "/guides/{guide_id}/dismiss", "Never show this guide again, on any device",
              s.GuideStateOut, s.EmptyIn),
    Operation("post", "/guides/{guide_id}/complete", "The guide was finished", s.GuideStateOut, s.EmptyIn),
    Operation("post", "/guides/{guide_id}/progress", "A tour moved to a step", s.GuideStateOut, s.ProgressIn),
    Operation("post", "/guides/{guide_id}/feedback", "Was this helpful?", s.GuideStateOut, s.FeedbackIn),
    Operation("get", "/changelog", "What's new for the current user", s.ChangelogOut),
    Operation("get", "/centre", "The resource centre: questions, tips, starter guides, tours to replay, what's new",
              s.CentreOut),
    Operation("post", "/changelog/read", "Mark changelog entries (all, without ids) read", s.ReadOut, s.ReadIn),
    Operation("post", "/guides/{guide_id}/followup", "Did the user get it done after an error hint? The first answer "
              "is kept; on No, the host's support contact with the context", s.FollowupOut, s.FollowupIn),
    Operation("post", "/anchors/missing", "The widget waited for an anchor that never appeared on a page "
              "(shown to preview-as)", s.AnchorMissingOut, s.AnchorMissingIn),
    Operation("get", "/openapi.json", "This document", s.DocumentOut),
)  # fmt: skip


def field_schema(field: fields.Field[Any]) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(field, fields.Nested):
        nested = field.nested
        out = {"$ref": f"#/components/schemas/{_name(nested if isinstance(nested, type) else type(nested))}"}
    elif isinstance(field, fields.List):
        out = {"type": "array", "items": field_schema(field.inner)}
    elif isinstance(field, fields.Boolean):
        out = {"type": "boolean"}
    elif isinstance(field, fields.Integer):
        out = {"type": "integer"}
    elif isinstance(field, fields.String):
        out = {"type": "string"}
    elif isinstance(field, fields.Dict):
        out = {"type": "object"}
    else:
        out = {}
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            key = "Items" if isinstance(field, fields.List) else "Length"
            if validator.max is not None:
                out[f"max{key}"] = validator.max
        elif isinstance(validator, validate.Range):
            if validator.min is not None:
                out["minimum"] = validator.min
            if validator.max is not None:
                out["maximum"] = validator.max
        elif isinstance(validator, validate.Regexp):
            out["pattern"] = validator.regex.pattern
    if field.allow_none and "type" in out:
        out["type"] = [out["type"], "null"]
    if description := field.metadata.get("description"):
        out["description"] = description
    return out


def _name(schema: type[Schema]) -> str:
    return schema.__name__


def object_schema(schema: type[Schema]) -> dict[str, Any]:
    instance = schema()
    properties = {f.data_key or name: field_schema(f) for name, f in instance.fields.items()}
    required = [f.data_key or name for name, f in instance.fields.items() if f.required]
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    if getattr(instance.Meta, "unknown", None) == "raise":
        out["additionalProperties"] = False
    return out


def _collect(schema: type[Schema], into: dict[str, Any]) -> None:
    if _name(schema) in into:
        return
    into[_name(schema)] = object_schema(schema)
    for field in schema().fields.values():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            nested = inner.nested
            _collect(nested if isinstance(nested, type) else type(nested), into)


def build_document(server_url: str, operations: Sequence[Operation] = OPERATIONS) -> dict[str, Any]:
    components: dict[str, Any] = {}
    _collect(s.ErrorOut, components)
    paths: dict[str, Any] = {}
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    for op in operations:
        _collect(op.response, components)
        operation: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{op.method}_{op.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{_name(op.response)}"}}},
                },
                "default": {"description": "An error", "content": {"application/json": {"schema": error_ref}}},
            },
        }
        parameters = []
        if "{guide_id}" in op.path:
            parameters.append({"name": "guide_id", "in": "path", "required": True, "schema": {"type": "string"}})
        if op.query is not None:
            for name, field in op.query().fields.items():
                parameters.append({"name": name, "in": "query", "required": field.required,
                                   "schema": field_schema(field)})  # fmt: skip
        if parameters:
            operation["parameters"] = parameters
        if op.body is not None:
            _collect(op.body, components)
            # The server reads a missing body as {}: the body is required only when a field is.
            operation["requestBody"] = {
                "required": any(f.required for f in op.body().fields.values()),
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{_name(op.body)}"}}},
            }
        if op.method == "post":
            operation["responses"]["200"]["headers"] = {
                "Idempotency-Replayed": {
                    "description": "true when the Idempotency-Key was already applied: nothing was done again",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
            operation["parameters"] = [
                *operation.get("parameters", []),
                {
                    "name": "X-Onboarding-CSRF",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "the token from the page payload's csrf.token",
                },
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"},
                    "description": "one per action, the same on every retry: applied once per user within 48 hours; "
                    "a replay answers the state now with the header Idempotency-Replayed: true",
                },
            ]
        paths.setdefault(op.path, {})[op.method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "onboarding_sdk end-user API", "version": "1"},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": components},
    }
