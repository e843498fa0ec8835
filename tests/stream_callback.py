"""The host callback of the stream worker test: each event it is handed, one JSON line in the
file ``STREAM_RECORD`` names; an event whose data names ``fail_once`` fails its first delivery."""

from __future__ import annotations

import json
import os

from onboarding_sdk.outbox import OutboxEvent


def record(event: OutboxEvent) -> None:
    with open(os.environ["STREAM_RECORD"], "a") as out:
        out.write(json.dumps({**event.as_dict(), "deliveries": event.deliveries}) + "\n")


not_a_function = 3
