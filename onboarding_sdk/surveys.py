"""Micro-survey questions and answers (issue 16): what a valid answer is, before anything is stored.

Pure: no Flask, no store. Four kinds of question:

- ``nps``: "How likely are you to recommend ...", 0 to 10, with an optional "why";
- ``csat``: "How satisfied ...", 1 to 5, with an optional comment;
- ``choice``: one of the survey's options (by option id, never by its text, so translations and
  re-wordings do not split the results);
- ``text``: a short free text.

Free text is trimmed, stripped of control characters and limited to ``TEXT_LIMIT`` characters;
it is stored as plain text and escaped wherever it is shown.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

QUESTIONS = ("nps", "csat", "choice", "text")
#: Characters kept of a free-text answer ("why", comment, text question).
TEXT_LIMIT = 1000
#: At most one survey per user in this many days unless the host sets ONBOARDING_SURVEY_INTERVAL_DAYS.
DEFAULT_INTERVAL_DAYS = 30
_RANGES = {"nps": (0, 10), "csat": (1, 5)}


@dataclass(frozen=True)
class Answer:
    question: str
    #: The score (nps, csat), the option id (choice), or None (text).
    value: int | str | None
    #: The free text: the "why" of a score, or the answer to a text question; "" when left empty.
    text: str = ""


class AnswerError(ValueError):
    """An answer that does not fit its question; ``fields`` maps field names to messages."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items()))
        self.fields = dict(fields)


def clean_text(raw: Any, limit: int = TEXT_LIMIT) -> str:
    """Plain text as stored: control characters dropped (newlines kept), trimmed, cut to ``limit``."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise AnswerError({"text": ["Must be text."]})
    kept = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.strip()[:limit]


def parse_answer(question: str, body: Mapping[str, Any], options: Sequence[str] = ()) -> Answer:
    """The answer in ``body`` (``{"value": ..., "text": ...}``) to a ``question`` of that kind."""
    if question not in QUESTIONS:
        raise ValueError(f"unknown survey question {question!r}; known: {', '.join(QUESTIONS)}")
    unknown = sorted(set(body) - {"value", "text"})
    if unknown:
        raise AnswerError({name: ["Unknown field."] for name in unknown})
    value = body.get("value")
    text = clean_text(body.get("text"))
    if question in _RANGES:
        low, high = _RANGES[question]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise AnswerError({"value": [f"A whole number from {low} to {high}."]})
        return Answer(question, value, text)
    if question == "choice":
        if not isinstance(value, str) or value not in options:
            raise AnswerError({"value": [f"One of: {', '.join(options)}."]})
        return Answer(question, value, text)
    if value is not None:
        raise AnswerError({"value": ["A text question takes only text."]})
    if not text:
        raise AnswerError({"text": ["Write an answer, or close the survey."]})
    return Answer(question, None, text)


def is_promoter(answer: Answer) -> bool:
    return answer.question == "nps" and isinstance(answer.value, int) and answer.value >= 9


def is_detractor(answer: Answer) -> bool:
    return answer.question == "nps" and isinstance(answer.value, int) and answer.value <= 6


def survey_due(last_survey_day: int | None, today: int, interval_days: int = DEFAULT_INTERVAL_DAYS) -> bool:
    """Whether a user may be asked a survey today, given the day they were last asked one."""
    return last_survey_day is None or today - last_survey_day >= interval_days
