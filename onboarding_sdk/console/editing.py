"""Turning one guide's edited YAML into a whole new content set. Pure: no Flask."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ..content import GuideSpec
from ..content.loader import guide_data, parse_text
from ..experiment_content import experiments_data


def guide_yaml(data: Mapping[str, Any]) -> str:
    """One guide's content-file data as the YAML mapping the YAML editor (and a draft) holds."""
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)


def read_guide(edited: str) -> dict[str, Any]:
    """The one YAML mapping an author typed; ValueError (with its line) when it is not one.

    Read with the content files' YAML rules (YAML 1.2: ``no`` stays a string), not PyYAML's.
    """
    doc = parse_text(edited, "guide.yaml")
    if doc.problems:
        raise ValueError(
            "; ".join(
                f"line {p.line or doc.lines.line(p.path)}: {p.path + ': ' if p.path else ''}{p.message}"
                for p in doc.problems
            )
        )
    if not isinstance(doc.data, dict):
        raise ValueError("the guide must be one YAML mapping (id: ..., kind: ..., title: ...)")
    return doc.data


def with_guide(specs: Sequence[GuideSpec], guide_id: str | None, data: Mapping[str, Any]) -> str:
    """The whole content file with ``guide_id`` replaced by ``data`` (appended when new)."""
    guides = [dict(data) if spec.id == guide_id else guide_data(spec) for spec in specs]
    if guide_id not in {spec.id for spec in specs}:
        guides.append(dict(data))
    document: dict[str, Any] = {"version": 1, "guides": guides}
    experiments = experiments_data(specs)  # the content's experiments stay (docs/content.md)
    if experiments:
        document["experiments"] = experiments
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def text_diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    """A unified diff of two content texts, line by line, for the version history."""
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""))
