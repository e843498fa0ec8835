"""Two gunicorn workers start the example app at once on a fresh store: both seed the demo.
Run the seed in two processes released together, on every storage backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import redis

from example_app.demo import STAFF, USERS
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import json, sys
sys.stdin.readline()  # both processes start seeding when the test says go
from example_app import create_app, onboarding
from example_app import db
app = create_app({"TESTING": True, "DATABASE": sys.argv[1], "ONBOARDING_STORAGE_URI": sys.argv[2],
                  "ONBOARDING_KEY_PREFIX": sys.argv[3]})
with app.app_context():
    rows = db.query("select id, email from users")
    print(json.dumps({r["email"]: onboarding.stage_of(str(r["id"])) for r in rows}))
"""


def test_two_processes_seed_a_fresh_store_once(tmp_path: Path, store_uri: str) -> None:
    database, prefix = str(tmp_path / "pulse.sqlite3"), f"t{uuid.uuid4().hex[:12]}"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, database, store_uri, prefix],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = [worker.communicate(timeout=300) for worker in workers]
    for worker, (_, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
        assert "IntegrityError" not in err and "Traceback" not in err
    expected = {user.email: user.stage for user in USERS}
    for out, _ in results:
        stages = json.loads(out.strip().splitlines()[-1])
        assert {email: stages[email] for email in expected} == expected  # each worker sees the demo
        assert set(stages) == set(expected) | {user.email for user in STAFF}  # and nobody twice


GUNICORN_HOOKS = """
def post_worker_init(worker):
    with open({ready!r}, "a") as marks:
        marks.write(f"{{worker.pid}}\\n")
"""


def test_two_gunicorn_workers_start_on_a_fresh_store(tmp_path: Path, redis_uri: str) -> None:
    ready = tmp_path / "ready"
    hooks = tmp_path / "hooks.py"
    hooks.write_text(GUNICORN_HOOKS.format(ready=str(ready)), encoding="utf-8")
    port = free_port()
    factory = f"example_app:create_app({{'DATABASE': {str(tmp_path / 'pulse.sqlite3')!r}}})"
    env = {
        **os.environ,
        "SECRET_KEY": "a-real-secret-for-this-test",
        "ONBOARDING_STORAGE_URI": redis_uri.replace("/0", "/3"),  # a database of its own, emptied below
        "FLASK_DEBUG": "0",
    }
    redis.Redis.from_url(env["ONBOARDING_STORAGE_URI"]).flushdb()  # a fresh store
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-c", str(hooks), "-b", f"127.0.0.1:{port}", factory],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120  # a wait for start-up, not a measurement
        while time.monotonic() < deadline and server.poll() is None:
            if ready.exists() and len(ready.read_text().split()) == 2:
                break
            time.sleep(0.2)
        assert server.poll() is None, "gunicorn exited: a worker failed to boot"
        assert len(ready.read_text().split()) == 2
        for _ in range(4):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
                assert page.status == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "IntegrityError" not in err and "Traceback" not in err, err
