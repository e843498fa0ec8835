"""``flask onboarding stream --to module:function``: a worker of the events-out stream.

It reads the outbox stream (``ONBOARDING_OUTBOX``) as one consumer of a consumer group and hands
each event (an ``outbox.OutboxEvent``) to the host's function; the event is acknowledged only
after the function returned, so delivery is at least once (docs/events-out.md). Run as many as
you like with the same ``--group``: they share the events. SIGTERM or Ctrl-C stops it after the
batch in hand.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask.cli import with_appcontext
from werkzeug.utils import import_string

from .app_state import get_state
from .errors import OnboardingError
from .outbox import DEFAULT_GROUP, RedisStream, StreamWorker
from .storage import keys

#: Seconds a worker's read waits for new events before it looks for stale ones again.
BLOCK_SECONDS = 5.0


def _handler(target: str) -> Any:
    module, sep, name = target.partition(":")
    if not sep or not module or not name:
        raise click.BadParameter("use module:function, e.g. myapp.hooks:forward", param_hint="--to")
    try:
        handler = import_string(f"{module}.{name}")
    except ImportError as exc:
        raise click.BadParameter(f"cannot import {target!r}: {exc}", param_hint="--to") from None
    if not callable(handler):
        raise click.BadParameter(f"{target!r} is not a function", param_hint="--to")
    return handler


@click.command("stream")
@click.option("--to", "target", required=True, help="The function each event is handed to, as module:function.")
@click.option(
    "--group", default=DEFAULT_GROUP, show_default=True, help="The consumer group: workers in one share events."
)
@click.option("--consumer", default=None, help="This worker's name in the group (default: host-pid).")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10_000), help="Events read at a time.")
@click.option(
    "--max-deliveries",
    default=10,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Deliveries of an event before it moves to the dead-letter stream.",
)
@with_appcontext
def stream_command(target: str, group: str, consumer: str | None, batch: int, max_deliveries: int) -> None:
    """Forward the events-out stream to a function of yours (at least once; docs/events-out.md)."""
    try:
        settings = get_state().settings
    except OnboardingError:
        raise click.ClickException("this app does not use onboarding_sdk (Onboarding(app) was not called)") from None
    if settings.storage_uri.startswith("memory:"):
        raise click.ClickException(
            "ONBOARDING_STORAGE_URI is memory://: its outbox lives inside each web process, so no worker can "
            "read it. Use Redis (redis://..., redis+cluster://...) for events out."
        )
    handler = _handler(target)
    if not settings.outbox:
        click.echo("warning: ONBOARDING_OUTBOX is off in this app's config, so nothing new is appended", err=True)
    from .storage.redis import RedisStorage

    # Its own connection: a blocking read outlasts the store's request-sized socket timeout.
    store = RedisStorage(
        settings.storage_uri,
        prefix=settings.key_prefix,
        timeout=settings.storage_timeout + BLOCK_SECONDS + 5,
        retries=settings.storage_retries,
    )
    stream = RedisStream(store.conn.connect(), keys.outbox_key(settings.key_prefix), settings.outbox_maxlen)
    worker = StreamWorker(
        stream,
        handler,
        group=group,
        consumer=consumer,
        batch=batch,
        block_ms=int(BLOCK_SECONDS * 1000),
        max_deliveries=max_deliveries,
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"forwarding {stream.key} (group {group}, consumer {worker.consumer}) to {target}", err=True)
    try:
        worker.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        store.close()
