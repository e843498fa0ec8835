"""The domain layer: the engine and its helpers (content runtime, dormancy, field codes) run
without Flask, and each helper keeps its one job's promises.

The Flask-free check runs in a fresh interpreter where any import of ``flask`` raises. The
package's ``__init__`` exports the Flask extension, so that interpreter loads the package's
modules directly (the package itself stands in as an empty namespace): what is checked is
that no domain module needs Flask, not how the package is imported by hosts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onboarding_sdk.config import load_settings
from onboarding_sdk.content.model import GuideSpec
from onboarding_sdk.engine import Engine
from onboarding_sdk.errors import StorageError
from onboarding_sdk.field_codes import FieldCodes
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.storage import storage_from_uri

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

FLASK_FREE = """
    import importlib.abc, json, sys, types
    from pathlib import Path

    class NoFlask(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "flask" or name.startswith("flask."):
                raise ImportError(f"the domain layer imported {name}")
            return None

    sys.meta_path.insert(0, NoFlask())
    package = types.ModuleType("onboarding_sdk")
    package.__path__ = [str(Path("onboarding_sdk").resolve())]
    sys.modules["onboarding_sdk"] = package

    from datetime import UTC, datetime, timedelta
    from onboarding_sdk.config import load_settings
    from onboarding_sdk.content_runtime import ContentRuntime
    from onboarding_sdk.dormancy import Dormancy
    from onboarding_sdk.engine import Engine
    from onboarding_sdk.field_codes import FieldCodes
    from onboarding_sdk.identity import UserProfile
    from onboarding_sdk.storage import storage_from_uri
    import onboarding_sdk.delivery, onboarding_sdk.state, onboarding_sdk.guide_state, onboarding_sdk.stages

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    now = [start]
    settings = load_settings({"ONBOARDING_EVENTS": {"installed_code": {"key": True}, "report_created": {}}})
    engine = Engine(object(), settings, storage_from_uri("memory://", prefix="layers"), lambda: now[0])
    profile = UserProfile(id="u1", signed_up_at=start, account_id="acme")
    engine.track("u1", "installed_code", start, profile)
    now[0] = start + timedelta(days=1)
    stage = engine.track("u1", "report_created", now[0], profile).stage
    text = "guides:\\n  - {id: tip, kind: advanced_tip, title: Tip, body: Try it}\\n"
    revision = engine.content.publish(text, None, "ana")
    guides = sorted(engine.catalog.guides)
    shown = engine.guide_action(profile, "tip", "shown")[1]
    print(json.dumps({
        "stage": stage,
        "revision": revision,
        "served": engine.content.revision,
        "guides": guides,
        "shown": shown,
        "cutoff": (now[0] - datetime(1970, 1, 1, tzinfo=UTC)).days - engine.dormancy.cutoff(),
        "after": settings.dormant_after_days,
        "flask": sorted(m for m in sys.modules if m == "flask" or m.startswith("flask.")),
    }))
"""


def test_the_engine_and_its_helpers_run_without_flask() -> None:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FLASK_FREE)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["flask"] == []
    assert found["stage"] != "awareness"  # tracked and settled by the default rules
    assert found["revision"] == found["served"] == 1
    assert found["guides"] == ["tip"] and found["shown"] is True
    assert found["cutoff"] == found["after"] > 0  # typed settings reach the helpers


def test_the_finder_really_blocks_flask() -> None:
    """The check above would pass vacuously if the finder let flask through."""
    code = textwrap.dedent(FLASK_FREE.split("from datetime import")[0]) + "import flask\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode != 0 and "the domain layer imported flask" in result.stderr


def make_engine(**config: object) -> Engine:
    settings = load_settings({"ONBOARDING_EVENTS": ["report_created"], **config})
    return Engine(object(), settings, storage_from_uri("memory://", prefix="layers"), lambda: START)


class Registry:
    """A store's code registry that counts what it is asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[str, ...]]] = []
        self.codes: dict[str, int] = {}

    def __call__(self, kind: str, names: list[str]) -> Mapping[str, int]:
        self.asked.append((kind, tuple(names)))
        return {name: self.codes.setdefault(f"{kind}:{name}", len(self.codes) + 1) for name in names}


def test_event_codes_are_asked_for_once_and_both_ways_agree() -> None:
    registry = Registry()
    codes = FieldCodes(registry, ["a", "b"])
    first, again = codes.events(), codes.events()
    assert first is again and registry.asked == [("e", ("a", "b"))]
    assert {name: first.names[field] for name, field in first.fields.items()} == {"a": "a", "b": "b"}


def test_guide_codes_are_asked_for_once_per_catalog() -> None:
    registry = Registry()
    codes = FieldCodes(registry, [])
    one = {"x": object(), "y": object()}
    assert codes.guides(one) is codes.guides(one)
    two = {"x": object(), "z": object()}  # a publication's new catalog
    assert set(codes.guides(two).fields) == {"x", "z"}
    assert codes.guides(two).fields["x"] == codes.guides(one).fields["x"]  # a name keeps its code
    assert registry.asked == [("g", ("x", "y")), ("g", ("x", "z")), ("g", ("x", "y"))]


def test_no_names_ask_the_store_nothing_and_fresh_codes_ask_again() -> None:
    registry = Registry()
    codes = FieldCodes(registry, [])
    assert codes.events().fields == {} and codes.guides({}).fields == {} and registry.asked == []
    named = FieldCodes(registry, ["a"])
    named.events()
    named.fresh().events()
    assert registry.asked == [("e", ("a",)), ("e", ("a",))]


def test_a_failed_code_request_is_asked_again_next_time() -> None:
    calls = []

    def flaky(kind: str, names: list[str]) -> Mapping[str, int]:
        calls.append(kind)
        if len(calls) == 1:
            raise StorageError("down")
        return dict.fromkeys(names, 1)

    codes = FieldCodes(flaky, ["a"])
    with pytest.raises(StorageError):
        codes.events()
    assert set(codes.events().fields) == {"a"} and calls == ["e", "e"]  # then kept


def test_the_dormancy_check_is_due_once_per_interval_and_never_at_zero() -> None:
    engine = make_engine(ONBOARDING_DORMANT_CHECK_INTERVAL=60)
    ticks = [1000.0]
    engine.dormancy.monotonic = lambda: ticks[0]
    assert engine.dormancy.due() and not engine.dormancy.due()
    ticks[0] += 59.9
    assert not engine.dormancy.due()
    ticks[0] += 0.2
    assert engine.dormancy.due()
    never = make_engine(ONBOARDING_DORMANT_CHECK_INTERVAL=0)
    assert not never.dormancy.due()


def test_the_catalog_is_the_content_runtimes_and_a_swap_asks_for_new_guide_codes() -> None:
    engine = make_engine()
    profile = UserProfile(id="u1", signed_up_at=START)
    engine.track("u1", None, START, profile)
    tip = GuideSpec(id="tip", kind="advanced_tip", title={"en": "Tip"}, body={"en": "<p>Tip</p>"})
    engine.content.use([tip], "compiled")
    assert engine.catalog is engine.content.catalog and list(engine.catalog.guides) == ["tip"]
    state, allowed = engine.guide_action(profile, "tip", "dismiss")
    assert allowed and state.dismissed
    assert engine.situation(profile).guides["tip"].dismissed  # decoded with the new catalog's codes


def test_the_deprecated_publish_alias_warns_and_publishes() -> None:
    engine = make_engine()
    text = "guides:\n  - {id: tip, kind: advanced_tip, title: Tip, body: Try it}\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert engine.publish(text, None, "ana") == 1
    assert [str(w.message) for w in caught] == ["Engine.publish is deprecated: use engine.content.publish"]
    assert caught[0].filename == __file__  # points at the caller
    assert engine.content.revision == 1 and list(engine.catalog.guides) == ["tip"]


def test_an_older_revision_never_replaces_a_newer_one() -> None:
    engine = make_engine()
    text = "guides:\n  - {id: tip, kind: advanced_tip, title: Tip, body: Try it}\n"
    engine.content.publish(text, None, "ana")
    engine.content.publish(text.replace("Try it", "Try it now"), 1, "ana")
    catalog = engine.catalog
    engine.content.observe(1)  # a racing thread's older view
    assert engine.content.revision == 2 and engine.catalog is catalog


def test_an_emptied_store_brings_the_files_back(tmp_path: Path) -> None:
    """Revision 0 (a store emptied by a demo reset or a test) serves the content files again."""
    engine = make_engine()
    files = tmp_path / "guides.yaml"
    files.write_text("guides:\n  - {id: from-files, kind: advanced_tip, title: Files, body: From a file}\n")
    assert engine.content.load_files([str(files)]) == []
    text = "guides:\n  - {id: published, kind: advanced_tip, title: Tip, body: Try it}\n"
    engine.content.publish(text, None, "ana")
    assert list(engine.catalog.guides) == ["published"]
    engine.storage = storage_from_uri("memory://", prefix="emptied")
    engine.state_of("u1")  # the user load brings revision 0 along
    assert engine.content.revision == 0 and list(engine.catalog.guides) == ["from-files"]
