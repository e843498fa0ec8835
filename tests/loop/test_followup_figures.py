"""The follow-ups' figures per error hint: counted when a trouble is noted and when an answer is
kept (never for a retry), and summed into resolved, unresolved and unanswered shares."""

from __future__ import annotations

from datetime import timedelta

import pytest

from onboarding_sdk.app_state import get_state
from onboarding_sdk.followup_figures import COLUMNS, counter, followups_table
from onboarding_sdk.timeutil import epoch_day, to_epoch
from tests.guides.app import START, Clock, create_app, grow
from tests.test_api import post

AT = START + timedelta(days=31)


def test_the_table_sums_days_and_clamps_unanswered() -> None:
    counters = {
        10: {counter("import", "noted"): 3, counter("import", "resolved"): 1, "import|shown": 9},
        11: {counter("import", "noted"): 1, counter("import", "unresolved"): 1, counter("export", "resolved"): 2},
        12: {counter("import", "resolved"): 5},  # outside the period asked
    }
    table = followups_table(counters, [10, 11])
    assert table.columns == COLUMNS
    assert table.rows == (
        ("export", 0, 2, 0, 0, None, None),  # answers of troubles noted before the period
        ("import", 4, 1, 1, 2, 0.25, 0.25),
    )
    assert followups_table(counters, [12]).rows == (("import", 0, 5, 0, 0, None, None),)
    with pytest.raises(ValueError, match="unknown follow-up outcome"):
        counter("import", "maybe")


def test_noting_and_answering_count_once_through_the_api() -> None:
    clock = Clock(AT)
    app, ext = create_app(clock)
    client = app.test_client()
    for user in ("a", "b", "c"):
        grow(app, ext, user, "adaptation")
        post(client, "/guides/hint-import-failed/shown", user, {})
    post(client, "/guides/hint-import-failed/shown", "a", {})  # still pending: not a new trouble
    key = {"Idempotency-Key": "followup-answer-0001"}
    post(client, "/guides/hint-import-failed/followup", "a", {"done": False}, **key)
    post(client, "/guides/hint-import-failed/followup", "a", {"done": False}, **key)  # a retry
    post(client, "/guides/hint-import-failed/followup", "b", {"done": True})
    with app.app_context():
        day = epoch_day(to_epoch(AT))
        counters = get_state().engine.storage.index.counters([day])
    assert followups_table(counters, [day]).rows == (("hint-import-failed", 3, 1, 1, 1, 0.3333, 0.3333),)
