"""Real `forum serve` processes for tests that talk HTTP (and Socket.IO) over the network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import new_database

FORUM = str(Path(sys.executable).with_name("forum"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """One `forum serve` process; its combined output is kept for the privacy checks."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    log_file: Any = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log_file is not None and not self.log_file.closed:
            self.log_file.close()


def start_server(database_url: str, tmp: Path, *, seed: bool = True,
                 args: tuple[str, ...] = (), wait: float = 30, **env: str) -> LiveServer:
    """Start `forum serve` (with `args`) on a free port and wait until /healthz answers."""
    port = free_port()
    instance = tmp / f"instance-{port}"
    log_path = tmp / f"server-{port}.log"
    full_env = {
        **os.environ,
        "FORUM_DATABASE_URL": database_url,
        "FORUM_INSTANCE_PATH": str(instance),
        "FORUM_SECRET_KEY": "live-test-secret",
        "FORUM_ARGON2_TIME_COST": "1",
        "FORUM_ARGON2_MEMORY_KIB": "1024",
        **env,
    }
    if seed:
        subprocess.run([FORUM, "init-db", "--seed"], env=full_env, check=True,
                       capture_output=True, timeout=120)
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [FORUM, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env=full_env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path, full_env, log_file)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"forum serve exited early:\n{server.log()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"forum serve did not answer in time:\n{server.log()}")


@pytest.fixture(params=["sqlite", "postgresql"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    url = new_database(request.param, str(tmp_path))
    server = start_server(url, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def clients() -> Iterator[list[Any]]:
    """Socket.IO clients a test opens (append them): all closed at its end."""
    opened: list[Any] = []
    yield opened
    for client in opened:
        client.close()
