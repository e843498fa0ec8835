"""What ``import onboarding_sdk`` costs next to ``import flask, redis``, with ``-X importtime``.

Usage: python bench/imports.py [--rounds 21]

Each round runs fresh interpreters importing ``flask`` and ``redis`` (the baseline: a host
serving from Redis needs both), ``onboarding_sdk`` (which imports Flask, and redis-py only
when init_app meets a ``redis://`` URI), ``flask, redis, onboarding_sdk`` (such a host) and
nothing; the order alternates from round to round so that a busy machine slows both alike. A run's time is the sum
of the cumulative times ``-X importtime`` reports for the statement's top-level imports (what
the interpreter imports at start-up, before the statement, is left out of both). Wall time
swings with a busy machine's scheduling, so each run's CPU time (user + system, from
``getrusage``) is reported too, less that of an interpreter importing nothing (timed in the
same rounds). A third figure pairs the two within one interpreter: in
``import flask, redis, onboarding_sdk``, the package's cumulative time against flask's and
redis's. Prints medians and ranges, the per-round ratios, and the modules ``onboarding_sdk``
adds, by self time. Bytecode is cached (in a temporary
``-X pycache_prefix``, even under ``PYTHONDONTWRITEBYTECODE``) and warmed before timing, as in
an installed package: compiling sources would be timed otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import os
import re
import resource
import statistics
import subprocess
import tempfile

EMPTY = "pass"
BASELINE = "import flask, redis"
PACKAGE = "import onboarding_sdk"
#: What a host serving from Redis imports: the package's own cost on top of the baseline.
HOST = "import flask, redis, onboarding_sdk"
_MARK = "@@import-bench-start"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")
_CACHE = tempfile.mkdtemp(prefix="onboarding-import-bench-")
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def importtime(statement: str) -> tuple[float, float, dict[str, int], dict[str, int]]:
    """(the statement's import time in ms, the process's CPU time in ms, self time in us per
    module it imported, cumulative time in us per top-level import)."""
    code = f"import sys; sys.stderr.write({_MARK!r} + '\\n'); {statement}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, "-X", f"pycache_prefix={_CACHE}", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=_ENV,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    lines = result.stderr.split(_MARK, 1)[1].splitlines()
    total = 0
    selves: dict[str, int] = {}
    tops: dict[str, int] = {}
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            continue
        own, cumulative, indent, name = int(match[1]), int(match[2]), match[3], match[4]
        selves[name] = own
        if not indent:
            total += cumulative
            tops[name] = cumulative
    return total / 1000, cpu, selves, tops


def spread(values: list[float], unit: str = "") -> str:
    return f"{statistics.median(values):.1f}{unit} ({min(values):.1f} to {max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    for statement in (EMPTY, BASELINE, PACKAGE, HOST):
        importtime(statement)  # compile and cache bytecode before timing anything
    wall: dict[str, list[float]] = {BASELINE: [], PACKAGE: [], HOST: []}
    cpu: dict[str, list[float]] = {EMPTY: [], BASELINE: [], PACKAGE: [], HOST: []}
    selves: dict[str, dict[str, int]] = {}
    same_process: list[float] = []
    added: dict[str, list[int]] = {}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    for round_ in range(args.rounds):
        order = [EMPTY, BASELINE, PACKAGE, HOST] if round_ % 2 == 0 else [HOST, PACKAGE, BASELINE, EMPTY]
        for statement in order:
            total, used, selves[statement], tops = importtime(statement)
            if statement == HOST:  # flask and redis, then the package, in one interpreter
                base = tops["flask"] + tops["redis"]
                same_process.append((base + tops["onboarding_sdk"]) / base)
            cpu[statement].append(used)
            if statement != EMPTY:
                wall[statement].append(total)
        for name, own in selves[HOST].items():
            if name not in selves[BASELINE]:
                added.setdefault(name, []).append(own)
    net = {k: [c - e for c, e in zip(cpu[k], cpu[EMPTY], strict=True)] for k in (BASELINE, PACKAGE, HOST)}
    print(f"{args.rounds} alternating rounds, medians (ranges); ratios are per round, against {BASELINE!r}")
    for title, figures in (
        ("-X importtime, the statement's imports (wall time):", wall),
        (f"CPU time of the process, less an interpreter running {EMPTY!r} ({spread(cpu[EMPTY], ' ms')}):", net),
    ):
        print(title)
        for statement in (BASELINE, PACKAGE, HOST):
            ratios = [o / b for o, b in zip(figures[statement], figures[BASELINE], strict=True)]
            ratio = "" if statement == BASELINE else f"   ratio {spread3(ratios)}"
            print(f"  {statement:<36} {spread(figures[statement], ' ms')}{ratio}")
    print(f"In one interpreter running {HOST!r}: (flask + redis + the package) / (flask + redis)")
    print(f"  ratio {spread3(same_process)}")
    print("modules the package adds, median self time:")
    medians = sorted(((statistics.median(v), k) for k, v in added.items()), reverse=True)
    for us, name in medians[:15]:
        print(f"  {us / 1000:6.2f} ms  {name}")
    print(f"  {sum(us for us, _ in medians) / 1000:6.2f} ms  in all ({len(medians)} modules)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def spread3(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f} to {max(values):.3f})"


if __name__ == "__main__":
    main()
