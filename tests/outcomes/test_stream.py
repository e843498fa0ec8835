"""Events out, wired: ONBOARDING_OUTBOX at init_app (memory, Redis, Cluster), its config errors,
and `flask onboarding stream` delivering tracked events to a host callback in a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from onboarding_sdk import ConfigurationError, Onboarding, UserProfile, get_state
from onboarding_sdk.outbox import MemoryStream, RedisStream, decode
from tests.guides.app import START, Clock, create_app

ROOT = Path(__file__).resolve().parents[2]


def _app(store_uri: str = "memory://", **config: object) -> tuple[Flask, Onboarding]:
    return create_app(
        Clock(),
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        **config,
    )


def _entries(app: Flask) -> list[tuple[str, dict[str, object]]]:
    outbox = get_state(app).outbox
    assert outbox is not None
    stream = outbox.stream
    if isinstance(stream, MemoryStream):
        raw = stream.entries
    else:
        assert isinstance(stream, RedisStream)
        raw = [
            (i.decode(), {k.decode(): v.decode() for k, v in f.items()}) for i, f in stream.client.xrange(stream.key)
        ]
    events = [decode(i, f) for i, f in raw]
    return [(e.type, dict(e.data)) for e in events]


def test_off_by_default() -> None:
    app, _ = _app()
    assert get_state(app).outbox is None


def test_tracked_events_and_stage_changes_go_out(store_uri: str) -> None:
    app, ext = _app(store_uri, ONBOARDING_OUTBOX=True)
    with app.app_context():
        ext.track("installed_code", user_id="u1", at=START)
    entries = _entries(app)
    assert (
        "event_tracked",
        {"user_id": "u1", "event": "installed_code", "at": START.isoformat(), "count": 1},
    ) in entries
    assert any(kind == "stage_changed" and data["new"] == "use" for kind, data in entries)


def test_a_list_sends_only_those_types() -> None:
    app, ext = _app(ONBOARDING_OUTBOX=["stage_changed"])
    with app.app_context():
        ext.track("installed_code", user_id="u1", at=START)
    assert {kind for kind, _ in _entries(app)} == {"stage_changed"}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (["event_tracked", "nope"], "unknown event types ['nope']"),
        ("yes", "False, True or a non-empty list"),
        ([], "False, True or a non-empty list"),
    ],
)
def test_bad_outbox_config_names_the_key(value: object, words: str) -> None:
    with pytest.raises(ConfigurationError, match="ONBOARDING_OUTBOX") as caught:
        _app(ONBOARDING_OUTBOX=value)
    assert words in str(caught.value)


def test_the_maxlen_bounds_the_memory_stream() -> None:
    app, ext = _app(ONBOARDING_OUTBOX=["event_tracked"], ONBOARDING_OUTBOX_MAXLEN=100)
    with app.app_context():
        for n in range(130):
            ext.track("report_created", user_id=f"u{n}", at=START)
    assert len(_entries(app)) == 100


def test_cli_refuses_memory() -> None:
    app, _ = _app(ONBOARDING_OUTBOX=True)
    result = app.test_cli_runner().invoke(args=["onboarding", "stream", "--to", "tests.stream_callback:record"])
    assert result.exit_code != 0
    assert "memory://" in result.output and "Use Redis" in result.output


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("tests.stream_callback", "use module:function"),
        ("tests.no_such_module:record", "cannot import"),
        ("tests.stream_callback:not_a_function", "is not a function"),
    ],
)
def test_cli_refuses_a_bad_target(redis_uri: str, target: str, words: str) -> None:
    app, _ = _app(redis_uri, ONBOARDING_OUTBOX=True)
    result = app.test_cli_runner().invoke(args=["onboarding", "stream", "--to", target])
    assert result.exit_code != 0
    assert words in result.output


@pytest.fixture(params=["redis_uri", "cluster_uri"])
def worker_store(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(request.param))


@pytest.fixture
def record_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "events.jsonl"


def _start_worker(store_uri: str, prefix: str, record: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STREAM_STORE_URI": store_uri,
        "STREAM_PREFIX": prefix,
        "STREAM_RECORD": str(record),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "flask", "--app", "tests.stream_app:make", "onboarding", "stream"]
    command += ["--to", "tests.stream_callback:record", "--group", "test", "--batch", "5"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _recorded(record: Path, want: int, process: subprocess.Popen[bytes], wait: float = 30.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        lines = record.read_text().splitlines() if record.exists() else []
        if len(lines) >= want or process.poll() is not None:
            return [json.loads(line) for line in lines]
        time.sleep(0.1)
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_the_cli_worker_delivers_tracked_events(worker_store: str, record_file: Path) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    app, ext = create_app(
        Clock(), ONBOARDING_STORAGE_URI=worker_store, ONBOARDING_KEY_PREFIX=prefix, ONBOARDING_OUTBOX=["event_tracked"]
    )
    with app.app_context():  # some before the worker starts: its group reads from the stream's start
        for n in range(4):
            ext.track("report_created", user_id=f"early{n}", at=START)
    process = _start_worker(worker_store, prefix, record_file)
    try:
        with app.app_context():
            for n in range(8):
                ext.track("report_created", user_id=f"late{n}", at=START)
        events = _recorded(record_file, 12, process)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    users = sorted(str(e["data"]["user_id"]) for e in events)  # type: ignore[index]
    assert users == sorted([f"early{n}" for n in range(4)] + [f"late{n}" for n in range(8)])
    assert {e["type"] for e in events} == {"event_tracked"}
    assert len({e["id"] for e in events}) == 12
    assert b"forwarding" in err


def test_milestones_and_health_changes_go_out() -> None:
    app, ext = _app(
        ONBOARDING_OUTBOX=["milestone_reached", "account_health_changed", "goal_reached"],
        ONBOARDING_MILESTONES={"first_report": {"event": "report_created"}},
    )
    with app.app_context():
        ext.track("report_created", user_id="u1", at=START, profile=UserProfile("u1", START, account_id="acme"))
    assert _entries(app) == [
        ("milestone_reached", {"account_id": "acme", "milestone": "first_report", "day": START.date().isoformat()})
    ]
