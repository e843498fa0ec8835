"""Locales: tag normalisation, the fallback chain, and the widget's built-in UI strings.

Tags are compared case-insensitively with ``_`` read as ``-``. For a wanted tag such as
``zh-Hant-TW`` the chain is: ``zh-Hant-TW``, ``zh-Hant``, ``zh``; then a text in the same
language and script (``zh-TW`` for ``zh-Hant-TW``, ``en-US`` for ``en-GB``, never ``zh-CN`` for
``zh-TW``: a reader of Traditional Chinese is better served by the default than by the
other script); then the default locale by the same rules; then the first text available.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .model import Localized

#: ``en``, ``zh-CN``, ``zh_Hant_TW``, ``es-419``: a language, then subtags.
LOCALE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")

# Chinese without an explicit script: these regions write Traditional, the rest Simplified.
_HANT_REGIONS = frozenset({"tw", "hk", "mo"})


@lru_cache(maxsize=1024)
def canonical_tag(tag: str) -> str:
    """``zh_hant_tw`` -> ``zh-Hant-TW``: language lower, script title, region upper."""
    parts = tag.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def is_locale_tag(tag: object) -> bool:
    return isinstance(tag, str) and LOCALE_TAG.match(tag) is not None


@lru_cache(maxsize=1024)
def _truncations(tag: str) -> tuple[str, ...]:
    """``zh-Hant-TW`` -> (``zh-hant-tw``, ``zh-hant``, ``zh``), lower-case for lookups."""
    parts = canonical_tag(tag).lower().split("-")
    return tuple("-".join(parts[:n]) for n in range(len(parts), 0, -1))


@lru_cache(maxsize=1024)
def _language_script(tag: str) -> tuple[str, str | None]:
    parts = canonical_tag(tag).lower().split("-")
    language, script, region = parts[0], None, None
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            script = part
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = region or part
    if script is None and language == "zh":
        script = "hant" if region in _HANT_REGIONS else "hans"
    return language, script


def best_tag(available: Iterable[str], wanted: str | None, default: str) -> str | None:
    """The tag of ``available`` to use for ``wanted``, by the fallback chain; None if empty."""
    tags = list(available)
    if not tags:
        return None
    by_lower = {canonical_tag(t).lower(): t for t in reversed(tags)}  # first wins on clashes
    for target in (wanted, default):
        if not target or not is_locale_tag(target):
            continue
        for candidate in _truncations(target):
            if candidate in by_lower:
                return by_lower[candidate]
        same = _language_script(target)
        for tag in tags:
            if is_locale_tag(tag) and _language_script(tag) == same:
                return tag
    return tags[0]


def pick_locale(texts: Localized, wanted: str | None, default: str) -> str:
    """The text for ``wanted`` by the fallback chain (see the module doc); ``""`` if none."""
    if wanted is not None:
        exact = texts.get(wanted)
        if exact is not None:  # the common case: content keys are canonical tags
            return exact
    tag = best_tag(texts, wanted, default)
    return "" if tag is None else texts[tag]


# --- built-in UI strings ---------------------------------------------------------------

_EN: dict[str, str] = {
    # the widget
    "close": "Close",
    "next": "Next",
    "back": "Back",
    "done": "Done",
    "confirm": "Confirm",
    "cancel": "Cancel",
    "helpful": "Was this helpful?",
    "yes": "Yes",
    "no": "No",
    "dismiss": "Don't show again",
    "whats_new": "What's new",
    "tips": "Tips",
    "step": "Step {n} of {total}",
    "checklist": "Get started",
    "starter": "Starter guide",
    "help": "Help",
    "new_items": "{n} new items",
    "more": "See all",  # the panels' "see all" links (docs/widget-contract.md)
    "search": "Search help",  # the resource centre (the tips panel)
    "no_results": "Nothing matches",
    "replay": "Replay",
    "later": "Remind me later",  # a tour step: hidden until tomorrow or the next session
    "tours": "Tours",
    "no_help": "No help here yet",
    # the pages
    "tips_title": "Tips and advanced settings",
    "faq_title": "Common questions",
    "changelog_title": "What's new",
    "starter_title": "Starter guide",
    "read_more": "Read more",
    "mark_read": "Mark all as read",
    "no_entries": "Nothing new yet",
    "not_found": "There is no such help page.",
    "sign_in": "Sign in to see your help pages.",
    "unavailable": "Help is unavailable for a moment. Please try again in a minute.",
}

_ZH_CN: dict[str, str] = {
    "close": "关闭",
    "next": "下一步",
    "back": "上一步",
    "done": "完成",
    "confirm": "确定",
    "cancel": "取消",
    "helpful": "这条内容对您有帮助吗？",
    "yes": "有帮助",
    "no": "没帮助",
    "dismiss": "不再显示",
    "whats_new": "新功能",
    "tips": "使用技巧",
    "step": "第 {n} 步，共 {total} 步",
    "checklist": "快速上手",
    "starter": "新手宝典",
    "help": "帮助",
    "new_items": "{n} 条新内容",
    "more": "查看全部",
    "search": "搜索帮助",
    "no_results": "没有匹配的内容",
    "replay": "重新播放",
    "later": "稍后提醒",
    "tours": "导览",
    "no_help": "暂无帮助内容",
    "tips_title": "技巧与高级设置",
    "faq_title": "常见问题",
    "changelog_title": "新功能",
    "starter_title": "新手宝典",
    "read_more": "阅读全文",
    "mark_read": "全部标为已读",
    "no_entries": "暂无新内容",
    "not_found": "没有这个帮助页面。",
    "sign_in": "登录后即可查看帮助页面。",
    "unavailable": "帮助内容暂时无法加载，请稍后再试。",
}

UI_STRINGS: Mapping[str, Mapping[str, str]] = {"en": _EN, "zh-CN": _ZH_CN}


def ui_strings(locale: str | None, default: str = "en") -> dict[str, str]:
    """The widget's and pages' built-in strings for ``locale`` (a fresh dict, safe to change).

    Falls back like ``pick_locale``; a key missing in a translation comes from English.
    """
    tag = best_tag(UI_STRINGS, locale, default) or "en"
    return {**_EN, **UI_STRINGS[tag]}
