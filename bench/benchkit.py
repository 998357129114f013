"""What the benchmarks share: a free port, waiting for a server to answer, and a scratch
PostgreSQL database that is dropped afterwards (its connections cut first)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# requests and SQLAlchemy are imported where they are used, so a benchmark's load-generator
# processes that only need `free_port` do not load them.

ADMIN_URL = os.environ.get(
    "FORUM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, seconds: float = 30) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def scratch_database(prefix: str = "saheli_bench") -> Iterator[str]:
    """A new, empty PostgreSQL database beside FORUM_TEST_POSTGRES_URL; yields its URL."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def start_constant_floor(recorded: dict[str, Any], folder: Path,
                         env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """`bench/floor_app.py` answering the `recorded` JSON per path (the constant-JSON floor):
    the process, and its base URL once it is started (wait for it with `wait_ready`)."""
    payload = folder / "constant.json"
    payload.write_text(json.dumps(recorded))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("floor_app.py")), str(port), str(payload)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"

