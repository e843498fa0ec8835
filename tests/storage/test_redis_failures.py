"""The Redis backend when things go wrong, against real servers: down, misconfigured, raced."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
import redis

from onboarding_sdk.errors import ConfigurationError, StorageError
from onboarding_sdk.storage import Storage, layout, storage_from_uri
from onboarding_sdk.storage.redis import RedisStorage, mask_uri
from tests import servers

NOW = 1_760_000_000
# Loose on purpose: this checks that short timeouts are configured (0.5 s, one retry),
# not how fast anything is. redis-py's own defaults would take many seconds here.
UNREACHABLE_BOUND = 3.0

CALLS: dict[str, Callable[[Storage], object]] = {
    "ping": lambda s: s.ping(),
    "load": lambda s: s.users.load("u"),
    "track": lambda s: s.users.track("u", "e1", NOW, None),
    "advance_stage": lambda s: s.users.advance_stage("u", 0, 1, {1: NOW}),
    "assign_codes": lambda s: s.users.assign_codes("e", ["a"]),
    "guide_action": lambda s: s.users.guide_action("u", "g1", "shown", 1, 0, 0),
    "counters": lambda s: s.index.counters([1]),
    "reset": lambda s: s.reset(),
}


def _prefix() -> str:
    return f"f{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=["redis", "cluster"])
def real_uri(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_uri"))


@pytest.fixture
def real_storage(real_uri: str) -> Iterator[Storage]:
    store = storage_from_uri(real_uri, prefix=_prefix(), timeout=5.0)
    yield store
    store.reset()
    store.close()


# ---------------------------------------------------------------- unreachable stores


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("kind", ["redis", "cluster"])
def test_unreachable_store_raises_storage_error_quickly(kind: str, call: str) -> None:
    dead = [servers.free_port() for _ in range(2)]  # nothing listens there
    uri = (
        f"redis://:s3cret-pw@127.0.0.1:{dead[0]}/0"
        if kind == "redis"
        else f"redis+cluster://:s3cret-pw@127.0.0.1:{dead[0]},127.0.0.1:{dead[1]}"
    )
    started = time.monotonic()
    store = storage_from_uri(uri)  # builds nothing that connects: an app can start while Redis is down
    with pytest.raises(StorageError) as info:
        CALLS[call](store)
    assert time.monotonic() - started < UNREACHABLE_BOUND
    assert "s3cret" not in str(info.value) and "s3cret" not in store.uri
    assert store.uri.startswith(("redis://:***@", "redis+cluster://:***@"))
    store.close()


@pytest.fixture
def silent_ports() -> Iterator[list[int]]:
    """Ports that accept TCP connections (the kernel's backlog) but never answer: a hung server."""
    sockets = [socket.create_server(("127.0.0.1", 0), backlog=64) for _ in range(2)]
    yield [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()


@pytest.mark.parametrize("kind", ["redis", "cluster"])
def test_hung_store_times_out_into_storage_error(kind: str, silent_ports: list[int]) -> None:
    nodes = ",".join(f"127.0.0.1:{port}" for port in silent_ports)
    uri = f"redis://127.0.0.1:{silent_ports[0]}/0" if kind == "redis" else f"redis+cluster://{nodes}"
    store = storage_from_uri(uri, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(StorageError, match=r"Timeout|cannot be connected"):
        store.users.track("u", "e1", NOW, None)
    # The timed-out command is not retried: it may have run, and a retry could count twice.
    assert time.monotonic() - started < UNREACHABLE_BOUND
    store.close()


def test_cluster_with_one_startup_node_down_still_works(cluster_uri: str) -> None:
    uri = cluster_uri.replace("redis+cluster://", f"redis+cluster://127.0.0.1:{servers.free_port()},")
    store = storage_from_uri(uri, prefix=_prefix(), timeout=5.0)
    try:
        assert store.users.track("u", "e1", NOW, None)["e1"] == layout.encode_event(1, NOW, NOW)
    finally:
        store.reset()
        store.close()


def test_store_that_comes_back_is_used_again(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The client's pooled connections died with the server: the first call after a restart
    reconnects by itself (the health gate above it only decides when to try)."""
    directory = tmp_path_factory.mktemp("flaky")
    server = servers.start_server(directory)
    store = storage_from_uri(f"redis://127.0.0.1:{server.port}/0", prefix=_prefix(), timeout=0.5, retries=0)
    restarted: servers.Server | None = None
    try:
        store.users.track("u", "e1", NOW, None)
        server.stop()
        with pytest.raises(StorageError):
            store.users.load("u")
        with pytest.raises(StorageError):
            store.users.track("u", "e1", NOW, None)
        restarted = servers._launch(servers.require_binary(), directory, server.port, (), None)
        assert servers._wait_ready(restarted, time.monotonic() + 10)
        assert store.users.load("u") == {}  # persistence is off: the restarted server is empty
        assert layout.decode_event(store.users.track("u", "e1", NOW, None)["e1"])[0] == 1
    finally:
        server.stop()
        if restarted is not None:
            restarted.stop()
        store.close()


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("redis://127.0.0.1:notaport/0", "invalid port: 'notaport'"),
        ("redis://:pw@127.0.0.1:99999/0", "invalid port"),
        ("redis://127.0.0.1:6379/zero", "database must be"),
        ("redis://127.0.0.1:6379/0?db=1", "both in the path"),
        ("redis://127.0.0.1:6379/0?socket_timeout=9", "unsupported option (supported: db): 'socket_timeout'"),
        ("redis://127.0.0.1:6379/0#x", "fragment"),
        ("redis://pw@127.0.0.1:6379/0", "user info without ':'"),
        ("redis://:6379/0", "missing host"),
        ("rediss://127.0.0.1:6379/0?ssl_cert_reqs=maybe", "ssl_cert_reqs must be"),
        ("redis+unix://", "missing socket path"),
        ("redis+unix://localhost/tmp/redis.sock", "has no host"),
        ("redis+unix:///tmp/redis.sock?db=x", "database must be"),
        ("redis+cluster://", "missing startup nodes"),
        ("redis+cluster://127.0.0.1:7000,127.0.0.1", "missing port"),
        ("redis+cluster://127.0.0.1:7000/2", "only database 0"),
        ("redis+cluster://[::1]7000", "IPv6"),
    ],
)
def test_malformed_uri_is_a_configuration_error(uri: str, problem: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        storage_from_uri(uri)
    assert "ONBOARDING_STORAGE_URI" in str(info.value)
    assert problem in str(info.value)


def test_unbalanced_brackets_are_a_configuration_error() -> None:
    # Through RedisStorage: storage_from_uri's own urlsplit raises ValueError first.
    with pytest.raises(ConfigurationError, match="ONBOARDING_STORAGE_URI: unparsable URI"):
        RedisStorage("redis+cluster://[::1:7000")


def test_configuration_errors_never_show_the_password() -> None:
    with pytest.raises(ConfigurationError) as info:
        storage_from_uri("redis://admin:top/secret@127.0.0.1:6379/0")
    assert "top" not in str(info.value) and "secret" not in str(info.value)
    assert mask_uri("redis+cluster://:pw@a:1,b:2") == "redis+cluster://:***@a:1,b:2"
    assert mask_uri("redis+unix:///tmp/a@b.sock") == "redis+unix:///tmp/a@b.sock"


def test_every_uri_form_reaches_the_server(redis_uri: str, redis_unix_uri: str, cluster_uri: str) -> None:
    for uri in (redis_uri, redis_unix_uri, cluster_uri, redis_uri.replace("/0", "/3"), redis_uri + "?"):
        store = storage_from_uri(uri, prefix=_prefix(), timeout=5.0)
        store.ping()
        store.close()


def test_client_is_built_with_short_timeouts_and_bounded_retries(redis_uri: str) -> None:
    store = storage_from_uri(redis_uri, timeout=0.25, retries=2)
    assert isinstance(store, RedisStorage)
    client = store._connect()
    assert isinstance(client, redis.Redis)
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (0.25, 0.25)
    retry = client.get_retry()
    assert retry is not None and retry.get_retries() == 2
    store.close()


# ---------------------------------------------------------------- scripts and races


def test_scripts_survive_a_script_cache_flush(real_storage: Storage, real_uri: str) -> None:
    real_storage.users.track("u", "e1", NOW, None)
    real_storage.users.assign_codes("e", ["a"])
    _flush_scripts(real_storage)
    assert layout.decode_event(real_storage.users.track("u", "e1", NOW + 1, None)["e1"])[0] == 2
    assert real_storage.users.advance_stage("u", 0, 1, {1: NOW})
    assert real_storage.users.assign_codes("e", ["a", "b"]) == {"a": 1, "b": 2}
    assert real_storage.users.guide_action("u", "g1", "dismiss", 1, 0, 0) == (b"2,0,0,0", True)


def _flush_scripts(store: Storage) -> None:
    assert isinstance(store, RedisStorage)
    client = store._connect()
    if isinstance(client, redis.Redis):
        client.script_flush()
    else:
        for node in client.get_primaries():  # type: ignore[no-untyped-call]
            client.get_redis_connection(node).script_flush()


def _track_from_threads(uri: str, prefix: str, threads: int, rounds: int) -> dict[str, int]:
    """Child process: ``threads`` threads each track ``rounds`` events; returns the codes it saw."""
    store = storage_from_uri(uri, prefix=prefix, timeout=5.0)
    barrier = threading.Barrier(threads)
    codes: list[dict[str, int]] = []

    def work() -> None:
        barrier.wait()
        codes.append(store.users.assign_codes("e", ["a", "b", "c", "d"]))
        for index in range(rounds):
            store.users.track("racer", "e1", NOW + index, None)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    store.close()
    assert all(found == codes[0] for found in codes) and len(codes) == threads
    return codes[0]


def test_two_processes_of_eight_threads_lose_no_counts(redis_uri: str) -> None:
    prefix, rounds = _prefix(), 50
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_track_from_threads, redis_uri, prefix, 8, rounds) for _ in range(2)]
        codes = [future.result(timeout=120) for future in futures]
    store = storage_from_uri(redis_uri, prefix=prefix, timeout=5.0)
    try:
        assert codes[0] == codes[1] and sorted(codes[0].values()) == [1, 2, 3, 4]
        count, first, last = layout.decode_event(store.users.load("racer")["e1"])
        assert (count, first, last) == (2 * 8 * rounds, NOW, NOW + rounds - 1)
    finally:
        store.reset()
        store.close()
