"""Against a real `forum serve` on PostgreSQL: a chunked body (no `Content-Length`) past the
limit is 413 `payload_too_large` (it was read cut short and answered 422), a small chunked
body still works, and eight retries of one POST racing with one `Idempotency-Key` create one
thread and all answer it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import _drop_postgres_database, new_database
from tests.live.conftest import start_server

pytestmark = [pytest.mark.live, pytest.mark.postgres]


def _chunks(body: bytes, size: int = 16 * 1024):
    for start in range(0, len(body), size):
        yield body[start:start + size]


def test_chunked_bodies_and_racing_retries(tmp_path: Path) -> None:
    url = new_database("postgresql", str(tmp_path))
    server = start_server(url, tmp_path, FORUM_RATE_LIMITS="false")
    try:
        base = f"{server.url}/api/v1"
        made = requests.post(f"{base}/auth/register", timeout=30,
                             json={"handle": "chunky_a", "password": "a long and quiet river 7"})
        headers = {"Authorization": f"Bearer {made.json()['token']}",
                   "Content-Type": "application/json"}
        huge = b'{"title": "big", "body": "' + b"a" * (1024 * 1024) + b'"}'
        answer = requests.post(f"{base}/boards/introductions/threads", data=_chunks(huge),
                               headers=headers, timeout=30)
        assert answer.status_code == 413, answer.text
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert answer.json()["code"] == "payload_too_large"
        small = b'{"title": "Chunked", "body": "sent in pieces over a slow link"}'
        fine = requests.post(f"{base}/boards/introductions/threads", data=_chunks(small, 8),
                             headers=headers, timeout=30)
        assert fine.status_code == 201, fine.text

        keyed = {**headers, "Idempotency-Key": "flaky-link-42"}

        def retry(_n: int) -> requests.Response:
            return requests.post(f"{base}/boards/introductions/threads", headers=keyed, timeout=30,
                                 json={"title": "Once only", "body": "Sent again and again"})

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(retry, range(8)))
        assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
        assert len({a.json()["thread"]["id"] for a in answers}) == 1
        listed = requests.get(f"{base}/boards/introductions/threads", timeout=30).json()["threads"]
        assert [t["title"] for t in listed].count("Once only") == 1
        assert "Traceback" not in server.log()
    finally:
        server.stop()
        _drop_postgres_database(url)
