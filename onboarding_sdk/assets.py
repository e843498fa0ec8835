"""Where the widget's files are: inside the installed package, or static/ in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def static_dir() -> Path:
    """The folder holding onboarding.js and onboarding.css.

    A wheel ships the repo's top-level ``static/`` as ``onboarding_sdk/static``; a source
    checkout or an editable install reads ``static/`` beside the package.
    """
    for candidate in (_PACKAGE_DIR / "static", _PACKAGE_DIR.parent / "static"):
        if (candidate / "onboarding.js").is_file():
            return candidate
    raise FileNotFoundError("onboarding_sdk's static files are missing (static/onboarding.js)")


def templates_dir() -> Path:
    return _PACKAGE_DIR / "templates"
