"""Survey answers and follow-up timing: valid input accepted as stored, bad input refused by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from onboarding_sdk.followups import Trouble, context_for_support, due, expired, parse_support
from onboarding_sdk.surveys import (
    TEXT_LIMIT,
    Answer,
    AnswerError,
    clean_text,
    is_detractor,
    is_promoter,
    parse_answer,
    survey_due,
)


def test_scores_are_whole_numbers_in_their_range() -> None:
    assert parse_answer("nps", {"value": 10, "text": " great "}) == Answer("nps", 10, "great")
    assert parse_answer("csat", {"value": 1}) == Answer("csat", 1, "")
    for question, bad in (
        ("nps", 11),
        ("nps", -1),
        ("nps", 7.5),
        ("nps", True),
        ("nps", "9"),
        ("csat", 0),
        ("csat", 6),
    ):
        with pytest.raises(AnswerError) as caught:
            parse_answer(question, {"value": bad})
        assert list(caught.value.fields) == ["value"]


def test_a_choice_is_one_of_the_option_ids() -> None:
    assert parse_answer("choice", {"value": "reports"}, ["reports", "alerts"]).value == "reports"
    with pytest.raises(AnswerError, match="One of: reports, alerts"):
        parse_answer("choice", {"value": "Reports"}, ["reports", "alerts"])


def test_a_text_answer_needs_text_and_takes_no_value() -> None:
    assert parse_answer("text", {"text": "Exports to Excel"}).text == "Exports to Excel"
    with pytest.raises(AnswerError, match="Write an answer"):
        parse_answer("text", {"text": "   "})
    with pytest.raises(AnswerError, match="only text"):
        parse_answer("text", {"value": 3, "text": "x"})


def test_unknown_fields_and_questions_are_refused() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer("nps", {"value": 9, "user_id": "someone-else"})
    assert caught.value.fields == {"user_id": ["Unknown field."]}
    with pytest.raises(ValueError, match="unknown survey question"):
        parse_answer("stars", {"value": 3})


def test_free_text_is_cut_and_stripped_of_control_characters_but_keeps_markup_as_text() -> None:
    assert clean_text("a\x00b\x1b[31mc\u202e\nd") == "ab[31mc\nd"
    assert clean_text("x" * (TEXT_LIMIT + 50)) == "x" * TEXT_LIMIT
    assert clean_text("<script>alert(1)</script>") == "<script>alert(1)</script>"  # escaped where shown
    with pytest.raises(AnswerError):
        clean_text(["not", "text"])


def test_promoters_detractors_and_the_survey_interval() -> None:
    assert is_promoter(Answer("nps", 9)) and not is_promoter(Answer("nps", 8)) and not is_promoter(Answer("csat", 5))
    assert is_detractor(Answer("nps", 6)) and not is_detractor(Answer("nps", 7))
    assert survey_due(None, 100) and not survey_due(90, 100) and survey_due(70, 100)
    assert survey_due(95, 100, interval_days=5)


AT = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
TROUBLE = Trouble("import-failed", "imports.index", AT)


def test_by_default_a_trouble_is_followed_up_on_a_later_day_not_the_same_evening() -> None:
    assert not due(TROUBLE, AT + timedelta(hours=1))
    assert due(TROUBLE, AT + timedelta(hours=2))  # past midnight: the next day
    assert due(TROUBLE, AT + timedelta(days=9))
    assert not due(TROUBLE, AT + timedelta(days=15)) and expired(TROUBLE, AT + timedelta(days=15))


def test_a_fixed_delay_counts_hours() -> None:
    assert not due(TROUBLE, AT + timedelta(hours=3), delay_hours=4)
    assert due(TROUBLE, AT + timedelta(hours=4), delay_hours=4)


def test_the_support_context_says_where_and_when_and_nothing_typed() -> None:
    assert context_for_support(TROUBLE) == {
        "guide": "import-failed",
        "page": "imports.index",
        "at": "2026-12-01T22:30+00:00",
    }


def test_support_config_needs_a_concrete_time_and_a_way_to_reach_support() -> None:
    support = parse_support(
        {"response_time": {"en": "within 4 working hours", "zh-CN": "4 个工作小时内"}, "email": "help@pulse.demo"}
    )
    assert support is not None
    assert support.response_time_in("zh-CN") == "4 个工作小时内"
    assert support.response_time_in("fr") == "within 4 working hours"
    assert parse_support(None) is None
    assert parse_support({"response_time": "within a day", "url": "/support"}) is not None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"email": "a@b.c"}, "response_time"),
        ({"response_time": {"en": " "}, "email": "a@b.c"}, "response_time"),
        ({"response_time": "within a day"}, "url or email"),
        ({"response_time": "within a day", "url": "javascript:alert(1)"}, r"\.url"),
        ({"response_time": "within a day", "email": "nobody"}, r"\.email"),
        ({"response_time": "within a day", "email": "a@b.c", "phone": "1"}, "unknown key 'phone'"),
        ("help@pulse.demo", "must be a mapping"),
    ],
)
def test_bad_support_config_names_the_field(raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_support(raw)
