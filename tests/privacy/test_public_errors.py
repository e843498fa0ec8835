"""The errors a host may catch are importable from the package, and all are OnboardingErrors."""

from __future__ import annotations

from pathlib import Path

import pytest

import onboarding_sdk
from onboarding_sdk import (
    ContentError,
    ContentProblem,
    DormantAccount,
    OnboardingError,
    StaleDraft,
    StaleRevision,
    StorageError,
)
from onboarding_sdk.content import read_content
from onboarding_sdk.storage import MemoryStorage


def test_every_public_error_is_an_onboarding_error() -> None:
    for name in onboarding_sdk.__all__:
        value = getattr(onboarding_sdk, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, OnboardingError), name
    assert {"ContentError", "ContentProblem", "DormantAccount", "StaleRevision", "StaleDraft"} <= set(
        onboarding_sdk.__all__
    )


def test_content_problems_are_records(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("guides:\n  - id: a\n    kind: nope\n    title: A\n    body: B\n")
    problems = read_content([str(bad)], events=[], default_locale="en").problems
    with pytest.raises(ContentError) as caught:
        raise ContentError(problems)
    problem = caught.value.problems[0]
    assert isinstance(problem, ContentProblem)
    assert (problem.file, problem.line, problem.path) == (str(bad), 3, "guides[0].kind")  # the line of `kind: nope`
    assert str(problem) in str(caught.value)


def test_stale_revision_and_dormant_account_carry_their_data() -> None:
    store = MemoryStorage()
    store.publish_content("guides: []", None, "me", "")
    with pytest.raises(StaleRevision) as caught:
        store.publish_content("guides: []", 0, "me", "")
    assert (caught.value.expected, caught.value.current) == (0, 1)
    with pytest.raises(StaleDraft):
        store.save_draft("g", {"text": ""}, 5)
    store.note_activity("u", "acme", 10, 1, 0)
    assert store.claim_dormant_accounts(20, 10) == [DormantAccount("acme", 10, 1)]
    assert not issubclass(DormantAccount, BaseException) and issubclass(StorageError, OnboardingError)
