"""Experiments in content files: variants and account units read, written back unchanged by an
export or a console edit, the same arms in another process, colleagues in one arm."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from onboarding_sdk import UserProfile, get_state
from onboarding_sdk.console.editing import with_guide
from onboarding_sdk.content import dump_content, load_content_text
from onboarding_sdk.content.loader import guide_data
from onboarding_sdk.experiment_runtime import experiments_of
from onboarding_sdk.experiments import arms_of, assign, unit_of
from tests.guides.app import EVENTS, START, Clock, create_app

CONTENT = """\
guides:
  - {id: tour-long, kind: footer_help, title: Long, body: long}
  - {id: tour-short, kind: footer_help, title: Short, body: short, goal: {event: report_created, within_days: 3}}
  - {id: tip, kind: footer_help, title: Tip, body: tip}
experiments:
  - id: tour-copy
    unit: account
    variants:
      - {name: long, weight: 1, guide: tour-long}
      - {name: short, weight: 3, guide: tour-short}
  - id: tip-holdout
    guides: [tip]
    holdout: 0.5
    status: stopped
"""


def experiments_in(text: str) -> dict[str, object]:
    specs = load_content_text(text, "x.yaml", events=EVENTS)
    return {s.id: s.experiment for s in specs}


def test_variants_and_account_units_are_read_and_written_back_unchanged() -> None:
    specs = load_content_text(CONTENT, "x.yaml", events=EVENTS)
    by_id = {s.id: s for s in specs}
    copy = by_id["tour-long"].experiment
    assert copy is not None and copy.unit == "account" and copy.control.name == "long"
    assert [(a.name, a.weight, a.guides) for a in copy.arms] == [
        ("long", 1, ("tour-long",)),
        ("short", 3, ("tour-short",)),
    ]
    assert by_id["tour-short"].experiment is copy and by_id["tip"].experiment is not None
    assert not by_id["tip"].experiment.running and by_id["tip"].experiment.after_stop == "treatment"
    # an export and a console edit of another guide keep every experiment and goal
    exported = dump_content(specs)
    assert experiments_in(exported) == experiments_in(CONTENT)
    assert load_content_text(exported, "x.yaml", events=EVENTS)[1].goal == by_id["tour-short"].goal
    edited = with_guide(specs, "tip", {**guide_data(by_id["tip"]), "title": "Tip!"})
    assert experiments_in(edited) == experiments_in(CONTENT)
    # a guide unpublished leaves its experiment (a holdout left without guides goes)
    rest = [s for s in specs if s.id != "tip"]
    assert set(filter(None, (e and e.id for e in experiments_in(dump_content(rest)).values()))) == {"tour-copy"}


def test_the_same_arms_in_another_process() -> None:
    specs = load_content_text(CONTENT, "x.yaml", events=EVENTS)
    copy = next(s.experiment for s in specs if s.experiment is not None and s.experiment.id == "tour-copy")
    users = [(f"u{n}", f"acct-{n % 7}") for n in range(60)]
    here = [assign(copy, unit_of(copy, user, account)) for user, account in users]
    code = (
        "import sys\n"
        "from onboarding_sdk.content import load_content_text\n"
        "from onboarding_sdk.experiments import assign, unit_of\n"
        "specs = load_content_text(sys.stdin.read(), 'x.yaml', events=['report_created'])\n"
        "e = next(s.experiment for s in specs if s.id == 'tour-long')\n"
        f"print(','.join(assign(e, unit_of(e, u, a)) for u, a in {users!r}))\n"
    )
    there = subprocess.run(
        [sys.executable, "-c", code], input=CONTENT, capture_output=True, text=True, check=True, timeout=60
    )
    assert there.stdout.strip().split(",") == here
    assert 0 < here.count("long") < len(here)


def test_colleagues_get_the_same_variant(store_uri: str, tmp_path: Path) -> None:
    content = tmp_path / "x.yaml"
    content.write_text(CONTENT, encoding="utf-8")
    app, ext = create_app(
        Clock(START),
        [str(content)],
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
    )
    try:
        with app.app_context():
            engine = get_state(app).engine
            experiment = next(e for e in experiments_of(engine.catalog) if e.id == "tour-copy")
            shown: dict[str, set[str]] = {}
            for n in range(24):
                account = f"acct-{n % 4}"
                profile = UserProfile(f"user-{n}", START, account_id=account)
                ids = {g["id"] for g in ext.guides_for(profile, page="home")} & {"tour-long", "tour-short"}
                assert len(ids) == 1  # one variant, never both
                shown.setdefault(account, set()).update(ids)
                arm = arms_of([experiment], {}, profile.id, account)["tour-copy"]
                assert ids == {f"tour-{arm}"}
            assert all(len(ids) == 1 for ids in shown.values())  # colleagues see the same version
            # the stopped holdout shows its guide to everyone
            assert all(
                "tip" in {g["id"] for g in ext.guides_for(UserProfile(f"v{n}", START), page="home")} for n in range(10)
            )
    finally:
        with app.app_context():
            get_state(app).engine.storage.reset()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("      - {name: short, weight: 3, guide: tour-short}\n", ""), "must list at least two variants"),
        (("unit: account", "unit: team"), "unit: must be one of user, account"),
        (("    status: stopped\n", "    status: paused\n"), "status: must be one of running, stopped"),
        (("weight: 3", "weight: 0"), "weight: must be a number above 0"),
        (("  - id: tip-holdout\n", "  - id: tip-holdout\n    colour: red\n"), "colour: unknown key"),
    ],
)
def test_bad_experiments_are_refused(change: tuple[str, str], message: str) -> None:
    text = CONTENT.replace(*change)
    assert text != CONTENT
    with pytest.raises(Exception, match=message):
        load_content_text(text, "x.yaml", events=EVENTS)


def test_a_colleague_arriving_after_a_change_of_shares_gets_the_accounts_variant(
    store_uri: str, tmp_path: Path
) -> None:
    content = tmp_path / "x.yaml"
    content.write_text(CONTENT, encoding="utf-8")
    app, ext = create_app(
        Clock(START),
        [str(content)],
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
    )
    moved = CONTENT.replace("weight: 3", "weight: 1000")
    before = next(s.experiment for s in load_content_text(CONTENT, "x.yaml", events=EVENTS) if s.id == "tour-long")
    after = next(s.experiment for s in load_content_text(moved, "x.yaml", events=EVENTS) if s.id == "tour-long")
    assert before is not None and after is not None
    # an account the new shares would place elsewhere
    account = next(f"acct-{n}" for n in range(500) if assign(before, f"a:acct-{n}") != assign(after, f"a:acct-{n}"))
    first_arm = assign(before, f"a:{account}")

    def variant(user: str) -> set[str]:
        profile = UserProfile(user, START, account_id=account)
        return {g["id"] for g in ext.guides_for(profile, page="home")} & {"tour-long", "tour-short"}

    try:
        with app.app_context():
            assert variant("first") == {f"tour-{first_arm}"}
            get_state(app).engine.content.publish(moved, None, "ed")
            assert variant("colleague") == {f"tour-{first_arm}"}  # the account's, not the new shares'
            assert variant("first") == {f"tour-{first_arm}"}
    finally:
        with app.app_context():
            get_state(app).engine.storage.reset()
