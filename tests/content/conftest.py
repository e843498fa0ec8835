"""Shared helpers for the content tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding_sdk.content import ContentError, GuideSpec, load_content_text

FILES = Path(__file__).parent / "files"
EVENTS = frozenset({"installed_code", "report_created", "funnel_created", "export_done"})


def load(text: str, name: str = "content/guides.yaml", default_locale: str = "en") -> tuple[GuideSpec, ...]:
    return load_content_text(text, name, events=EVENTS, default_locale=default_locale)


def errors_of(text: str, name: str = "content/guides.yaml") -> list[str]:
    with pytest.raises(ContentError) as info:
        load(text, name)
    assert str(info.value) == "\n".join(info.value.errors)
    return info.value.errors
