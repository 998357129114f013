"""Counters stay true under races (issue #15, item 6): many members supporting one post at
once, replies and deletes racing, the same post deleted twice at once — against a real
`forum serve` on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import _drop_postgres_database, new_database
from tests.live.conftest import FORUM, start_server

PEOPLE = 16


def _register(base: str, name: str) -> dict[str, str]:
    answer = requests.post(f"{base}/auth/register", timeout=30,
                           json={"handle": name, "password": "a long and quiet river 7"})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _as_a_client_would(call: Any) -> requests.Response:
    """One request, tried again on 503 `unavailable` ("nothing was written, try again": on
    SQLite, one process, many writers at once may meet the file's single write lock)."""
    for _ in range(5):
        answer = call()
        if answer.status_code != 503:
            return answer
        assert answer.json()["code"] == "unavailable"
        time.sleep(float(answer.headers.get("Retry-After", "1")) / 10)
    return answer


def _at_once(calls: list[Any]) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(_as_a_client_would, calls))


@pytest.mark.live
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_counters_stay_true_when_members_race(kind: str, tmp_path: Path) -> None:
    url = new_database(kind, str(tmp_path))
    server = start_server(url, tmp_path, FORUM_RATE_LIMITS="false", FORUM_PAGE_CACHE_SECONDS="0")
    try:
        base = f"{server.url}/api/v1"
        author = _register(base, "author_r")
        people = [_register(base, f"member_r{n}") for n in range(PEOPLE)]
        opened = requests.post(f"{base}/boards/introductions/threads", headers=author, timeout=30,
                               json={"title": "Counting", "body": "Support me if you can"}).json()
        tid, pid = opened["thread"]["id"], opened["post"]["id"]
        boards_before = {b["slug"]: b["thread_count"] for b in
                         requests.get(f"{base}/boards", timeout=30).json()["boards"]}

        supported = _at_once([
            lambda h=h: requests.post(f"{base}/posts/{pid}/reactions", headers=h, timeout=30,
                                      json={"kind": "support"}) for h in people])
        assert all(r.status_code == 201 for r in supported), [r.text for r in supported]
        replies = _at_once([
            lambda h=h, n=n: requests.post(f"{base}/threads/{tid}/posts", headers=h, timeout=30,
                                           json={"body": f"I am here with you, friend {n}"})
            for n, h in enumerate(people)])
        assert all(r.status_code == 201 for r in replies), [r.text for r in replies]
        reply_ids = [r.json()["post"]["id"] for r in replies]
        # Each reply deleted twice at once by its author, half of the supports taken back.
        deletes = [lambda h=h, rid=rid: requests.delete(f"{base}/posts/{rid}", headers=h, timeout=30)
                   for h, rid in zip(people, reply_ids, strict=True)] * 2
        unsupports = [lambda h=h: requests.delete(f"{base}/posts/{pid}/reactions", headers=h,
                                                  timeout=30, json={"kind": "support"})
                      for h in people[: PEOPLE // 2]]
        answers = _at_once(deletes + unsupports)
        assert all(r.status_code in {204, 404} for r in answers), [r.text for r in answers]

        thread = requests.get(f"{base}/threads/{tid}", timeout=30).json()
        assert thread["thread"]["post_count"] == 1
        assert [p["id"] for p in thread["posts"]] == [pid]
        assert thread["posts"][0]["reaction_counts"] == {"support": PEOPLE - PEOPLE // 2}
        boards_after = {b["slug"]: b["thread_count"] for b in
                        requests.get(f"{base}/boards", timeout=30).json()["boards"]}
        assert boards_after == boards_before
        # And the repair finds nothing to repair: no counter anywhere is off.
        repair = subprocess.run([FORUM, "repair-counters"], env=server.env, capture_output=True,
                                text=True, timeout=120, check=False)
        assert repair.returncode == 0, repair.stderr
        assert "all true, nothing fixed" in repair.stdout, repair.stdout
    finally:
        server.stop()
        if kind == "postgresql":
            _drop_postgres_database(url)


@pytest.mark.live
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_members_reporting_one_post_at_once_are_all_heard(kind: str, tmp_path: Path) -> None:
    """Issue #15, item 1: six members reporting one post at once each get 201 (none a 500),
    and the review item counts every report."""
    url = new_database(kind, str(tmp_path))
    server = start_server(url, tmp_path, FORUM_RATE_LIMITS="false", FORUM_PAGE_CACHE_SECONDS="0")
    try:
        base = f"{server.url}/api/v1"
        author = _register(base, "author_q")
        reporters = [_register(base, f"reporter_q{n}") for n in range(6)]
        opened = requests.post(f"{base}/boards/introductions/threads", headers=author, timeout=30,
                               json={"title": "Hello", "body": "Something they will report"})
        pid = opened.json()["post"]["id"]
        answers = _at_once([
            lambda h=h: requests.post(f"{base}/reports", headers=h, timeout=30, json={
                "target_type": "post", "target_id": pid, "reason": "harassment"})
            for h in reporters])
        assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    finally:
        server.stop()
        if kind == "postgresql":
            _drop_postgres_database(url)
