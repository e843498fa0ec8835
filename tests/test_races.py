"""Concurrency against a real redis-server: no lost counts, exactly one signal per transition."""

from __future__ import annotations

import multiprocessing
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from flask import Flask

from onboarding_sdk import Onboarding
from tests import race_worker

PROCESSES, THREADS, ROUNDS = 2, 8, 3
USERS = ["alice", "bob", "carol"]


def test_two_processes_of_eight_threads(redis_uri: str) -> None:
    prefix = f"race-{uuid.uuid4().hex[:8]}"
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
            futures = [
                pool.submit(race_worker.run, redis_uri, prefix, USERS, THREADS, ROUNDS, start) for _ in range(PROCESSES)
            ]
            start.set()
            transitions = [t for future in futures for t in future.result(timeout=120)]

    # exactly one stage_changed per user per stage entered, across all processes and threads
    assert Counter(transitions) == Counter(
        {(user, old, new): 1 for user in USERS for old, new in (("awareness", "use"), ("use", "depth"))}
    )
    app = Flask(__name__)
    app.config.update(
        ONBOARDING_STORAGE_URI=redis_uri,
        ONBOARDING_KEY_PREFIX=prefix,
        ONBOARDING_EVENTS=race_worker.EVENTS,
        ONBOARDING_STAGE_RULES=race_worker.RULES,
    )
    ext = Onboarding(app)
    with app.app_context():
        for user in USERS:
            state = ext.state_of(user)
            assert state.stage == "depth"
            # no lost counts: every thread of every process tracked each event ROUNDS times
            assert {name: s.count for name, s in state.events.items()} == {
                name: PROCESSES * THREADS * ROUNDS for name in race_worker.EVENTS
            }
        # the funnel counted each stage move once (by the compare-and-set winner) and each user once
        engine = app.extensions["onboarding"]
        population = engine.storage.population(0, 0, 0)
        assert population.users == len(USERS)
        assert population.reached == {"use": len(USERS), "depth": len(USERS)}
        today = int(engine.now().timestamp()) // 86400  # (and yesterday: a run across midnight)
        days = engine.counters([today - 1, today])
        assert sum(day.get("users|active", 0) for day in days.values()) == len(USERS)
        app.extensions["onboarding"].storage.reset()
