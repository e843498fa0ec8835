"""Real redis-server processes for the tests: one single server and one 3-master cluster.

Each is started once per test session (see conftest.py) in a temporary directory, with
persistence off, on free loopback ports, and stopped when the session ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

START_TIMEOUT = 15.0  # seconds for a server (or the cluster) to become ready


def require_binary(name: str = "redis-server") -> str:
    """The path of a Redis binary; fail under CI (CI=true), else skip, when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not on PATH: install Redis (Debian/Ubuntu: apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; the Redis tests must run in CI", pytrace=False)
        pytest.skip(message)
    return path


def free_port() -> int:
    # The kernel picks a free port; there is a small window before redis binds it,
    # which start_server covers by retrying with a new port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """One running redis-server process."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes]
    unix_socket: Path | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.directory / "redis.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _launch(binary: str, directory: Path, port: int, extra: Sequence[str], unix_socket: Path | None) -> Server:
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--dir", str(directory), "--logfile", "redis.log", "--daemonize", "no", *extra]
    if unix_socket is not None:
        args += ["--unixsocket", str(unix_socket), "--unixsocketperm", "700"]
    process = subprocess.Popen(args, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server(port, directory, process, unix_socket)


def _wait_ready(server: Server, deadline: float) -> bool:
    """True once the server answers PING; False if it exited (e.g. its port was taken)."""
    client = server.client()
    try:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                return False
            try:
                client.ping()
                return True
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server on port {server.port} did not start:\n{server.log_tail()}")
    finally:
        client.close()


def start_server(directory: Path, extra: Sequence[str] = (), unix_socket: bool = False) -> Server:
    """Start one redis-server in ``directory`` on a free port and wait until it answers."""
    binary = require_binary()
    directory.mkdir(parents=True, exist_ok=True)
    sock = directory / "redis.sock" if unix_socket else None
    for _ in range(5):
        server = _launch(binary, directory, free_port(), extra, sock)
        if _wait_ready(server, time.monotonic() + START_TIMEOUT):
            return server
        server.stop()  # most likely lost the race for the port: try another
    raise RuntimeError(f"could not start redis-server in {directory}:\n{server.log_tail()}")


def restart(server: Server, extra: Sequence[str] = ()) -> Server:
    """Start a stopped (or killed) server again on its own port, directory and socket: the end
    of a Redis outage, as the clients see it. ``extra``: the arguments it was started with."""
    again = _launch(require_binary(), server.directory, server.port, extra, server.unix_socket)
    if not _wait_ready(again, time.monotonic() + START_TIMEOUT):
        again.stop()
        raise RuntimeError(f"redis-server did not restart on port {server.port}:\n{again.log_tail()}")
    return again


def start_cluster(directory: Path, masters: int = 3) -> list[Server]:
    """Start ``masters`` cluster-enabled servers, assign all slots and wait for cluster_state:ok."""
    cli = require_binary("redis-cli")
    servers: list[Server] = []
    try:
        for index in range(masters):
            # cluster-port: the bus port would default to port + 10000, which may be taken.
            extra = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
            extra += ["--cluster-node-timeout", "5000", "--cluster-port", str(free_port())]
            servers.append(start_server(directory / f"node{index}", extra))
        create = [cli, "--cluster", "create", *(s.address for s in servers), "--cluster-replicas", "0"]
        result = subprocess.run([*create, "--cluster-yes"], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed:\n{result.stdout}\n{result.stderr}")
        _wait_cluster_ok(servers, time.monotonic() + START_TIMEOUT)
        return servers
    except BaseException:
        for server in servers:
            server.stop()
        raise


def _wait_cluster_ok(servers: Sequence[Server], deadline: float) -> None:
    clients = [server.client() for server in servers]
    try:
        while time.monotonic() < deadline:
            infos = [client.cluster("info") for client in clients]
            if all(_cluster_ready(info, len(servers)) for info in infos):
                return
            time.sleep(0.05)
        raise RuntimeError(f"the cluster did not reach cluster_state:ok: {infos}")
    finally:
        for client in clients:
            client.close()


def _cluster_ready(info: object, nodes: int) -> bool:
    text = info.decode() if isinstance(info, bytes) else str(info)
    if isinstance(info, dict):  # redis-py may already have parsed CLUSTER INFO
        text = "\n".join(f"{key}:{value}" for key, value in info.items())
    return "cluster_state:ok" in text and f"cluster_known_nodes:{nodes}" in text


@contextmanager
def running_server(directory: Path) -> Iterator[Server]:
    server = start_server(directory, unix_socket=True)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def running_cluster(directory: Path) -> Iterator[list[Server]]:
    servers = start_cluster(directory)
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def cluster_uri(servers: Sequence[Server]) -> str:
    return "redis+cluster://" + ",".join(server.address for server in servers)
