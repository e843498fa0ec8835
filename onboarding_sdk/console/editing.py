"""Turning one guide's edited YAML into a whole new content set. Pure: no Flask."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import yaml

from ..content import GuideSpec
from ..content.loader import guide_data


def guide_text(spec: GuideSpec) -> str:
    """One guide as the YAML mapping the edit form shows."""
    return yaml.safe_dump(guide_data(spec), sort_keys=False, allow_unicode=True, width=100)


def replace_guide(specs: Sequence[GuideSpec], guide_id: str, edited: str) -> str:
    """The whole content file with ``guide_id`` replaced by the edited mapping.

    Raises ValueError when the text is not one YAML mapping; the loader checks the rest.
    """
    try:
        data: Any = yaml.safe_load(edited)
    except yaml.YAMLError as exc:
        raise ValueError(f"YAML syntax error: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("the guide must be one YAML mapping (id: ..., kind: ..., title: ...)")
    guides = [data if spec.id == guide_id else guide_data(spec) for spec in specs]
    if guide_id not in {spec.id for spec in specs}:
        guides.append(data)
    return yaml.safe_dump({"version": 1, "guides": guides}, sort_keys=False, allow_unicode=True, width=100)


def edited_id(edited: str, fallback: str) -> str:
    """The id the edited text gives its guide (it may rename it)."""
    try:
        data: Any = yaml.safe_load(edited)
    except yaml.YAMLError:
        return fallback
    return str(data.get("id", fallback)) if isinstance(data, dict) else fallback


def text_diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    """A unified diff of two content texts, line by line, for the version history."""
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""))
