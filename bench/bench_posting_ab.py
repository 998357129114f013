"""Posting throughput of two builds of Saheli, side by side (issue #17: shield mode must keep
posting within 10 % of what it was before).

Each build is a ``forum`` executable (from its own checkout's virtualenv) with its own fresh
PostgreSQL database, seeded by that build's own migrations. Both servers run at once and are
measured in alternation, several rounds each, so both see the same noise on a shared machine;
the medians and their ratio are reported. Each round posts new threads (8 clients × 25) and
replies to another member's thread (8 clients × 25): the reply path is where shield mode looks
at the thread author's shield.

Usage::

    python bench/bench_posting_ab.py BEFORE_FORUM AFTER_FORUM [ROUNDS]

for example, with the build before shield mode checked out in ``/tmp/before``::

    python bench/bench_posting_ab.py /tmp/before/.venv/bin/forum .venv/bin/forum 5

Needs a PostgreSQL at FORUM_TEST_POSTGRES_URL. Not part of ``make bench`` (it needs a second
checkout); its figures are in the README.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from benchkit import free_port, scratch_database, wait_ready  # this folder is on its path

CLIENTS = 8
PER_CLIENT = 25


@contextmanager
def served(forum: str) -> Iterator[str]:
    """A fresh database and a `forum serve` of this build on it; yields the API's base URL."""
    tmp = Path(tempfile.mkdtemp())
    process = None
    try:
        with scratch_database("saheli_ab") as url:
            env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_INSTANCE_PATH": str(tmp),
                   "FORUM_SECRET_KEY": "bench", "FORUM_ARGON2_TIME_COST": "1",
                   "FORUM_ARGON2_MEMORY_KIB": "1024", "FORUM_RATE_LIMITS": "false"}
            try:
                seeded = subprocess.run([forum, "init-db", "--seed"], env=env,
                                        capture_output=True, text=True, check=False)
                if seeded.returncode:
                    raise RuntimeError(f"init-db failed:\n{seeded.stderr}")
                port = free_port()
                process = subprocess.Popen([forum, "serve", "--port", str(port)], env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                base = f"http://127.0.0.1:{port}"
                wait_ready(f"{base}/healthz", 60)
                yield f"{base}/api/v1"
            finally:
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def register(api: str, handle: str) -> dict[str, str]:
    answer = requests.post(f"{api}/auth/register",
                           json={"handle": handle, "password": "benchmarks are fun 42"})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def rate(api: str, poster: dict[str, str], thread_id: int, round_no: int) -> tuple[float, float]:
    """Posts per second for new threads, then for replies to `thread_id`."""

    def threads(worker: int) -> None:
        with requests.Session() as http:
            for i in range(PER_CLIENT):
                http.post(f"{api}/boards/introductions/threads", headers=poster,
                          json={"title": f"Thread {round_no}-{worker}-{i}",
                                "body": f"Hello **world** number {i}, salaam from {worker}."},
                          ).raise_for_status()

    def replies(worker: int) -> None:
        with requests.Session() as http:
            for i in range(PER_CLIENT):
                http.post(f"{api}/threads/{thread_id}/posts", headers=poster,
                          json={"body": f"Reply {round_no}-{worker}-{i}: you are not alone."},
                          ).raise_for_status()

    figures = []
    for job in (threads, replies):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(job, range(CLIENTS)))
        figures.append(CLIENTS * PER_CLIENT / (time.perf_counter() - started))
    return figures[0], figures[1]


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    rounds = int(argv[2]) if len(argv) > 2 else 5
    builds = {"before": argv[0], "after": argv[1]}
    with served(builds["before"]) as api_before, served(builds["after"]) as api_after:
        apis = {"before": api_before, "after": api_after}
        setup = {}
        for label, api in apis.items():
            author = register(api, "threadauthor")
            poster = register(api, "replier")
            opened = requests.post(f"{api}/boards/introductions/threads", headers=author,
                                   json={"title": "Her thread", "body": "Replies welcome."})
            opened.raise_for_status()
            setup[label] = (poster, opened.json()["thread"]["id"])
            rate(api, poster, setup[label][1], -1)  # warm-up
        measured: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for round_no in range(rounds):
            order = ("before", "after") if round_no % 2 == 0 else ("after", "before")
            for label in order:
                measured[label].append(rate(apis[label], *setup[label], round_no))
    result = {}
    for kind, index in (("threads", 0), ("replies", 1)):
        before = statistics.median(r[index] for r in measured["before"])
        after = statistics.median(r[index] for r in measured["after"])
        result[kind] = {"before_per_s": round(before, 1), "after_per_s": round(after, 1),
                        "ratio": round(after / before, 3)}
    print(json.dumps(result, indent=2))
    ok = all(r["ratio"] >= 0.9 for r in result.values())
    print(f"posting after / before: threads {result['threads']['ratio']:.2f}, replies "
          f"{result['replies']['ratio']:.2f} (bound ≥ 0.90) {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
