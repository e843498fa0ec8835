"""Locale fallback and the built-in UI strings."""

from __future__ import annotations

import pytest

from onboarding_sdk.content import canonical_tag, pick_locale, ui_strings

TEXTS = {"en": "Hello", "zh-CN": "你好", "zh-Hant": "妳好", "zh": "中文", "fr-CA": "Bonjour"}


@pytest.mark.parametrize(
    ("texts", "wanted", "default", "expected"),
    [
        ({"zh-Hant-TW": "A", "zh-Hant": "B", "zh": "C", "en": "D"}, "zh-Hant-TW", "en", "A"),
        ({"zh-Hant": "B", "zh": "C", "en": "D"}, "zh-Hant-TW", "en", "B"),
        ({"zh": "C", "en": "D"}, "zh-Hant-TW", "en", "C"),
        ({"en": "D", "fr": "F"}, "zh-Hant-TW", "en", "D"),
        ({"fr": "F", "de": "G"}, "zh-Hant-TW", "en", "F"),  # first available
        ({"zh-CN": "简", "en": "D"}, "zh-Hant-TW", "en", "D"),  # never the other script
        ({"zh-TW": "繁", "en": "D"}, "zh-Hant-TW", "en", "繁"),  # same language and script
        ({"zh-Hant": "繁", "en": "D"}, "zh-TW", "en", "繁"),
        ({"zh-CN": "简", "en": "D"}, "zh", "en", "简"),
        ({"zh-CN": "简", "en": "D"}, "zh-Hans", "en", "简"),
        ({"en-US": "US", "fr": "F"}, "en-GB", "fr", "US"),
        ({"en": "D", "zh-CN": "简"}, "ZH_cn", "en", "简"),  # case and underscores
        ({"EN": "D", "zh_cn": "简"}, "zh-CN", "en", "简"),  # keys written loosely too
        ({"en": "D", "zh-CN": "简"}, None, "zh-CN", "简"),
        ({"en": "D", "zh-CN": "简"}, "not a tag!", "en", "D"),
        ({"en-GB": "GB", "zh-CN": "简"}, "de", "en", "GB"),  # the default by the same rules
        ({}, "en", "en", ""),
    ],
)
def test_pick_locale(texts: dict[str, str], wanted: str | None, default: str, expected: str) -> None:
    assert pick_locale(texts, wanted, default) == expected


def test_canonical_tag() -> None:
    assert canonical_tag("zh_hant_tw") == "zh-Hant-TW"
    assert canonical_tag("EN-us") == "en-US"
    assert canonical_tag("es-419") == "es-419"


UI_KEYS = {
    "close", "next", "back", "done", "confirm", "cancel", "helpful", "yes", "no", "dismiss", "whats_new",
    "tips", "step", "checklist", "starter", "help", "new_items", "more", "tips_title", "faq_title",
    "changelog_title", "starter_title", "read_more", "mark_read", "no_entries",
    "search", "no_results", "no_help", "replay", "later", "tours",  # the resource centre, tours
    "not_found", "sign_in", "unavailable",  # the help pages' messages
}  # fmt: skip


def test_ui_strings_in_english_and_chinese() -> None:
    en, zh = ui_strings("en"), ui_strings("zh-CN")
    assert set(en) == set(zh) == UI_KEYS
    assert en["helpful"] == "Was this helpful?" and en["dismiss"] == "Don't show again"
    assert en["step"] == "Step {n} of {total}" and en["new_items"] == "{n} new items"
    assert zh["step"] == "第 {n} 步，共 {total} 步" and "{n}" in zh["new_items"]
    assert zh["starter"] == "新手宝典" and zh["faq_title"] == "常见问题"
    assert all(zh[key] != en[key] for key in UI_KEYS)  # every string translated


def test_ui_strings_fallback() -> None:
    assert ui_strings("zh")["close"] == "关闭"
    assert ui_strings("zh_cn")["close"] == "关闭"
    assert ui_strings("zh-Hant-TW")["close"] == "Close"  # no Traditional built in: the default
    assert ui_strings("fr")["close"] == "Close"
    assert ui_strings(None)["close"] == "Close"
    assert ui_strings("fr", default="zh-CN")["close"] == "关闭"


def test_ui_strings_are_fresh_dicts() -> None:
    ui_strings("en")["close"] = "X"
    assert ui_strings("en")["close"] == "Close"
