"""track() calls per second against a real Redis, through the extension (stage settling included).

Usage: python bench/track.py [--uri redis://127.0.0.1:6379/0] [--calls 20000] [--threads 1]
Without --uri it starts a throwaway redis-server on a free port.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/NAME.py`: import from the repo root, and keep bench/http.py from
# shadowing the standard library's http package.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import threading
import time
from pathlib import Path

from flask import Flask

from bench.redis_process import throwaway_redis
from onboarding_sdk import Onboarding, get_state

EVENTS = ["installed_code", "report_created", "export_done", "alert_set", "api_used",
          "team_invited", "dashboard_shared", "segment_saved", "goal_set", "funnel_built"]  # fmt: skip


def run(uri: str, calls: int, threads: int) -> None:
    app = Flask(__name__)
    app.config.update(ONBOARDING_STORAGE_URI=uri, ONBOARDING_EVENTS=EVENTS, ONBOARDING_KEY_PREFIX="bench-track")
    ext = Onboarding(app)
    per_thread = calls // threads

    def work(offset: int) -> None:
        with app.app_context():
            for i in range(per_thread):
                ext.track(EVENTS[i % len(EVENTS)], user_id=f"user-{(offset + i) % 1000}")

    with app.app_context():
        ext.track(EVENTS[0], user_id="warm-up")
    pool = [threading.Thread(target=work, args=(n * per_thread,)) for n in range(threads)]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    total = per_thread * threads
    print(f"track(): {total} calls in {elapsed:.2f} s with {threads} thread(s) = {total / elapsed:,.0f} calls/s "
          f"({elapsed / total * 1e6:.0f} us per call)")  # fmt: skip
    with app.app_context():
        get_state(app).engine.storage.reset()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uri")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.uri:
        run(args.uri, args.calls, args.threads)
        return
    with throwaway_redis() as uri:
        run(uri, args.calls, args.threads)


if __name__ == "__main__":
    main()
