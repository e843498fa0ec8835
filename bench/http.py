"""Throughput of GET /onboarding/api/guides at 1,000 guides next to a baseline endpoint.

Serves bench/http_app.py with gunicorn (2 sync workers) against a throwaway redis-server and
loads both URLs with wrk (Debian's package) for the same time, alternating them for a few
rounds so that a noisy neighbour hits both alike; prints every round and the median ratio.
Usage: python bench/http.py [--seconds 10] [--connections 8] [--rounds 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/NAME.py`: import from the repo root, and keep bench/http.py from
# shadowing the standard library's http package.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import os
import re
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.redis_process import free_port, throwaway_redis


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise SystemExit(f"wrk failed or got errors for {url}:\n{out}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with throwaway_redis() as uri:
        port = free_port()
        env = {**os.environ, "BENCH_REDIS_URI": uri, "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
             "bench.http_app:app"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/baseline", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.2)
            guides_url = f"{base}/onboarding/api/guides?page=page_7&path=/p"
            body = urllib.request.urlopen(guides_url, timeout=5).read()
            print(f"guides payload: {len(body)} bytes")
            rounds = []
            for number in range(1, args.rounds + 1):
                baseline = wrk(f"{base}/baseline", args.seconds, args.connections)
                guides = wrk(guides_url, args.seconds, args.connections)
                rounds.append((baseline, guides))
                print(f"round {number}: baseline {baseline:8.0f} req/s, guides {guides:8.0f} req/s, "
                      f"ratio {guides / baseline:.2f}")  # fmt: skip
        finally:
            server.terminate()
            server.wait(10)
    baseline = statistics.median(b for b, _ in rounds)
    guides = statistics.median(g for _, g in rounds)
    ratio = statistics.median(g / b for b, g in rounds)
    print(f"baseline (one Redis round trip + small JSON): {baseline:8.0f} req/s (median)")
    print(f"GET /onboarding/api/guides (1,000 guides):      {guides:8.0f} req/s (median)")
    print(f"ratio: {ratio:.2f} (median of {len(rounds)} rounds; goal >= 0.90)")


if __name__ == "__main__":
    main()
