"""Shared fixtures. Real Redis servers come from tests/servers.py, started once per session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from onboarding_sdk.storage import Storage, storage_from_uri
from tests import chromium, servers

# Host apps with test suites of their own: tests/test_testing_plugin.py runs each in its own
# pytest process (where the plugin comes in through its entry point), never this one.
collect_ignore = ["hosts/flaskr_onboarding", "hosts/flask_login_onboarding"]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """One redis-server (TCP on loopback and a unix socket) for the whole session."""
    with servers.running_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def redis_uri(redis_server: servers.Server) -> str:
    return f"redis://127.0.0.1:{redis_server.port}/0"


@pytest.fixture(scope="session")
def redis_unix_uri(redis_server: servers.Server) -> str:
    return f"redis+unix://{redis_server.unix_socket}?db=0"


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[servers.Server]]:
    """Three cluster-enabled masters sharing all 16384 slots, for the whole session."""
    with servers.running_cluster(tmp_path_factory.mktemp("cluster")) as nodes:
        yield nodes


@pytest.fixture(scope="session")
def cluster_uri(redis_cluster: list[servers.Server]) -> str:
    return servers.cluster_uri(redis_cluster)


STORE_URIS = {"memory": None, "redis": "redis_uri", "cluster": "cluster_uri"}


@pytest.fixture(params=list(STORE_URIS))
def store_uri(request: pytest.FixtureRequest) -> str:
    """A URI per backend; the Redis servers start only when a test needs them."""
    fixture = STORE_URIS[request.param]
    return "memory://" if fixture is None else str(request.getfixturevalue(fixture))


@pytest.fixture
def storage(store_uri: str) -> Iterator[Storage]:
    """A fresh backend of each kind, under a prefix no other test uses."""
    store = storage_from_uri(store_uri, prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    yield store
    store.reset()
    store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium, one for the whole session (see tests/chromium.py)."""
    yield from chromium.launch()
