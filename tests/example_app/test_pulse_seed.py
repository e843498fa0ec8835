"""Two gunicorn workers start the example app at once on a fresh store: both seed the demo.
Run the seed in two processes released together, on every storage backend."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from example_app.demo import STAFF, USERS

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
