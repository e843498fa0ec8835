"""Throughput of GET /onboarding/api/guides at 1,000 guides and of POST /onboarding/api/events,
next to a baseline endpoint (one GET, one Redis round trip).

Serves bench/http_app.py with gunicorn (2 sync workers) against a throwaway redis-server and
loads the URLs with wrk (Debian's package) for the same time, alternating them for a few
rounds (each round starts with the next of the three, so none always runs first) so that a
noisy neighbour hits them alike; prints the load average before and after, every round, the
median ratios and the p99 latency ratios. Every request carries the session cookie the API set on a first GET
(as a browser would): the event POST needs it for its CSRF token, and the GETs then skip
issuing a new session each time.
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
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench.redis_process import free_port, throwaway_redis


def wrk(url: str, seconds: int, connections: int, cookie: str, script: str | None = None) -> tuple[float, float]:
    """Requests per second and the p99 latency in ms."""
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-H", f"Cookie: {cookie}"]
    if script is not None:
        command += ["-s", script]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    if not match or not p99 or "Non-2xx" in out:
        raise SystemExit(f"wrk failed or got errors for {url}:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(match.group(1)), float(p99.group(1)) * scale


def first_visit(url: str) -> tuple[str, str]:
    """GET ``url`` once as a browser would: the session cookie it sets and the CSRF token."""
    with urllib.request.urlopen(url, timeout=5) as reply:
        cookie = "; ".join(header.split(";", 1)[0] for header in reply.headers.get_all("Set-Cookie") or [])
        token = json.loads(reply.read())["csrf"]["token"]
    if not cookie:
        raise SystemExit("the API set no session cookie on the first GET")
    return cookie, token


def post_script(directory: str, token: str, origin: str) -> str:
    """A wrk script: POST a declared client event with the CSRF header and the Origin a
    browser's fetch sends with every POST (the API checks it)."""
    path = os.path.join(directory, "event.lua")
    with open(path, "w") as out:
        out.write(
            'wrk.method = "POST"\n'
            'wrk.body = \'{"name": "event_1"}\'\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["X-Onboarding-CSRF"] = "{token}"\n'
            f'wrk.headers["Origin"] = "{origin}"\n'
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds: list[tuple[tuple[float, float], ...]] = []
    with throwaway_redis() as uri, tempfile.TemporaryDirectory() as work:
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
            cookie, token = first_visit(guides_url)
            body = urllib.request.urlopen(guides_url, timeout=5).read()
            print(f"guides payload: {len(body)} bytes")
            script = post_script(work, token, base)
            loads: dict[str, Callable[[], tuple[float, float]]] = {
                "baseline": lambda: wrk(f"{base}/baseline", args.seconds, args.connections, cookie),
                "guides": lambda: wrk(guides_url, args.seconds, args.connections, cookie),
                "event": lambda: wrk(f"{base}/onboarding/api/events", args.seconds, args.connections, cookie, script),
            }
            print(f"load average at the start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            for number in range(1, args.rounds + 1):
                names = list(loads)
                shift = (number - 1) % len(names)
                measured = {name: loads[name]() for name in names[shift:] + names[:shift]}
                baseline, guides, event = measured["baseline"], measured["guides"], measured["event"]
                rounds.append((baseline, guides, event))
                print(f"round {number}: baseline {baseline[0]:6.0f} req/s p99 {baseline[1]:6.1f} ms, "
                      f"guides {guides[0]:6.0f} ({guides[0] / baseline[0]:.2f}) p99 {guides[1]:6.1f} ms, "
                      f"event POST {event[0]:6.0f} ({event[0] / baseline[0]:.2f}) p99 {event[1]:6.1f} ms")  # fmt: skip
        finally:
            server.terminate()
            server.wait(10)

    def median(values: list[float]) -> float:
        return statistics.median(values)

    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"baseline (one Redis round trip + small JSON): {median([b[0] for b, _, _ in rounds]):8.0f} req/s (median)")
    print(f"GET /onboarding/api/guides (1,000 guides):      {median([g[0] for _, g, _ in rounds]):8.0f} req/s (median)")
    print(f"POST /onboarding/api/events:                    {median([e[0] for _, _, e in rounds]):8.0f} req/s (median)")
    print(f"guides/baseline: {median([g[0] / b[0] for b, g, _ in rounds]):.2f} (median of {len(rounds)} rounds; "
          f"goal >= 0.95), p99 ratio {median([g[1] / b[1] for b, g, _ in rounds]):.2f}")  # fmt: skip
    print(f"event POST/baseline: {median([e[0] / b[0] for b, _, e in rounds]):.2f} (goal >= 0.85), "
          f"p99 ratio {median([e[1] / b[1] for b, _, e in rounds]):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
