"""The console's words in English and Simplified Chinese: one catalog, one lookup.

Every visible string of the console (templates, form messages, flash messages, table headers,
console.js) goes through ``t``: the English text is the key, ``ZH`` holds its Chinese. The
locale comes from the console user's choice (the ``onboarding_console_lang`` cookie, set by the
header's language link), else the host's ``@onboarding.console_locale`` callback, else the
``Accept-Language`` header; English otherwise. A text missing from the catalog shows in
English (and ``tests/test_console_i18n.py`` fails on it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .i18n_zh import ZH

LOCALES = ("en", "zh-CN")
COOKIE = "onboarding_console_lang"
LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}


def pick(cookie: str | None, preferred: str | None, accept: Any) -> str:
    """The console's locale: the cookie, the host's preference, then Accept-Language."""
    for choice in (cookie, preferred):
        found = _match(choice)
        if found is not None:
            return found
    if accept is not None:
        best = accept.best_match(["en", "zh-CN", "zh"], default="en")
        return "zh-CN" if best in ("zh-CN", "zh") else "en"
    return "en"


def _match(tag: str | None) -> str | None:
    if not tag:
        return None
    low = tag.strip().lower()
    if low in ("zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh_cn"):
        return "zh-CN"
    if low == "en" or low.startswith("en-"):
        return "en"
    return None


def translate(locale: str, text: str, values: Mapping[str, Any] | None = None) -> str:
    """``text`` in ``locale``, with ``{name}`` filled from ``values``."""
    found = ZH.get(text, text) if locale == "zh-CN" else text
    return found.format(**values) if values else found


def catalog(locale: str) -> dict[str, str]:
    """The texts console.js shows, for its page (a JSON island)."""
    return {key: translate(locale, key) for key in SCRIPT_TEXTS}


#: The texts console.js needs (it reads them from the page, never from inline script).
SCRIPT_TEXTS = (
    "The live preview is unavailable (reload the page?); the Preview button still works.",
    "your time zone",
)
