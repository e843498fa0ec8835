"""The app's own UI strings in English and Simplified Chinese, chosen from the user's profile.

Guides have their own texts (content/*.yaml); these are the product's buttons and labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, g, request, session

from .strings_en import EN
from .strings_zh import ZH

LOCALES = ("en", "zh-CN")
STRINGS: dict[str, dict[str, str]] = {"en": EN, "zh-CN": ZH}


def current_locale() -> str:
    """The signed-in user's language; for visitors, their choice, else the browser's."""
    user = g.get("user")
    if user is not None and user.locale in STRINGS:
        return str(user.locale)
    chosen = session.get("lang")
    if chosen in STRINGS:
        return str(chosen)
    best = request.accept_languages.best_match(["en", "zh-CN", "zh"], default="en")
    return "zh-CN" if best and best.startswith("zh") else "en"


def translate(locale: str, key: str, **values: Any) -> str:
    text = STRINGS.get(locale, EN).get(key) or EN.get(key) or key
    return text.format(**values) if values else text


def translator() -> Callable[..., str]:
    locale = current_locale()
    return lambda key, **values: translate(locale, key, **values)


def init_i18n(app: Flask) -> None:
    app.context_processor(lambda: {"t": translator()})
