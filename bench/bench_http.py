"""HTTP benchmark: Saheli's hot read paths against the framework floor, side by side.

Starts a PostgreSQL-backed `forum serve` and the bare-Flask floor (same server configuration),
warms both, then runs `wrk` against each in alternation and reports requests per second and
the ratio to the floor, because this machine is shared and noisy: only the ratio is compared
with the bound (≥ 0.4× for board listing and thread reading, 20 items, logged in, warm: the
page cache serves repeats). A third server on the same database with the page cache off
(`FORUM_PAGE_CACHE_SECONDS=0`) is measured alongside, so the uncached cost stays visible. Posting
threads through the full pipeline is measured in posts per second (bound ≥ 150/s).

Usage: `python bench/bench_http.py` (needs wrk and a PostgreSQL at FORUM_TEST_POSTGRES_URL).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from benchkit import (  # this folder is on its path
    free_port,
    scratch_database,
    start_constant_floor,
    wait_ready,
)
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
FORUM = str(Path(sys.executable).with_name("forum"))
DURATION = os.environ.get("BENCH_SECONDS", "8")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
POSTING_CLIENTS = 8
POSTS_PER_CLIENT = 40


def wrk(url: str, token: str) -> float:
    """Requests per second that wrk measured."""
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", CONNECTIONS, "-d", f"{DURATION}s",
         "-H", f"Authorization: Bearer {token}", url],
        check=True, capture_output=True, text=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise RuntimeError(f"wrk run failed:\n{out}")
    return float(match.group(1))


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)")
        return 2
    with scratch_database() as url:
        return _measure(url)


def _measure(url: str) -> int:
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_INSTANCE_PATH": str(tmp),
           "FORUM_SECRET_KEY": "bench", "FORUM_ARGON2_TIME_COST": "1",
           "FORUM_ARGON2_MEMORY_KIB": "1024",
           # Throughput, not abuse, is measured here: one client posts as fast as it can.
           "FORUM_RATE_LIMITS": "false"}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        seeded = subprocess.run([FORUM, "init-db", "--seed"], env=env, capture_output=True, text=True)
        if seeded.returncode:
            raise RuntimeError(f"init-db failed:\n{seeded.stderr}")
        port = free_port()
        processes.append(subprocess.Popen(
            [FORUM, "serve", "--port", str(port)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/healthz")
        api = f"{base}/api/v1"
        reg = requests.post(f"{api}/auth/register",
                            json={"handle": "bencher", "password": "benchmarks are fun 42"}).json()
        token = reg["token"]
        headers = {"Authorization": f"Bearer {token}"}
        # Posting throughput through the full pipeline: 8 clients posting at once, as the
        # server would see members posting at a busy hour.
        from concurrent.futures import ThreadPoolExecutor

        def post_many(worker: int) -> list[int]:
            ids = []
            with requests.Session() as http:
                for i in range(POSTS_PER_CLIENT):
                    answer = http.post(
                        f"{api}/boards/introductions/threads", headers=headers,
                        json={"title": f"Thread {worker}-{i}",
                              "body": f"Hello **world** number {i}, salaam from {worker}."})
                    answer.raise_for_status()
                    ids.append(answer.json()["thread"]["id"])
            return ids

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=POSTING_CLIENTS) as pool:
            thread_ids = [i for ids in pool.map(post_many, range(POSTING_CLIENTS)) for i in ids]
        post_rate = len(thread_ids) / (time.perf_counter() - started)
        target = thread_ids[0]
        with create_engine(url).begin() as conn:  # 25 replies without the per-member limit
            for i in range(25):
                conn.execute(text(
                    "INSERT INTO posts (thread_id, author_id, is_anonymous, is_opening, "
                    "is_author_deleted, body, body_html, status, support_count, created_at) "
                    "VALUES (:t, :a, false, false, false, :b, :h, 'published', 0, now())"),
                    {"t": target, "a": reg["user"]["id"], "b": f"reply {i}",
                     "h": f"<p>reply {i}</p>"})
        paths = {
            "board_threads": "/api/v1/boards/introductions/threads?limit=20",
            "thread": f"/api/v1/threads/{target}?limit=20",
        }
        recorded = {
            re.sub(r"\?.*", "", p): requests.get(base + p, headers=headers).json()
            for p in paths.values()
        }
        process, floor = start_constant_floor(recorded, tmp, env)
        processes.append(process)
        wait_ready(floor + paths["thread"].split("?")[0])
        # The same Saheli with its page cache off (FORUM_PAGE_CACHE_SECONDS=0): every request
        # reads PostgreSQL. Reported beside the bound, not held against it.
        cold_port = free_port()
        processes.append(subprocess.Popen(
            [FORUM, "serve", "--port", str(cold_port)],
            env={**env, "FORUM_PAGE_CACHE_SECONDS": "0"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        cold = f"http://127.0.0.1:{cold_port}"
        wait_ready(f"{cold}/healthz")
        results: dict[str, dict[str, float]] = {}
        for label, path in paths.items():
            wrk(base + path, token)  # warm-up
            wrk(cold + path, token)
            saheli, bare, uncached = [], [], []
            for _ in range(2):  # alternate, so all three see the same noise
                saheli.append(wrk(base + path, token))
                bare.append(wrk(floor + path.split("?")[0], token))
                uncached.append(wrk(cold + path, token))
            s_rps, f_rps, u_rps = max(saheli), max(bare), max(uncached)
            results[label] = {"saheli_rps": round(s_rps, 1), "floor_rps": round(f_rps, 1),
                              "ratio": round(s_rps / f_rps, 3), "bound": 0.4,
                              "uncached_rps": round(u_rps, 1),
                              "uncached_ratio": round(u_rps / f_rps, 3)}
        results["post_thread"] = {"posts_per_second": round(post_rate, 1), "bound": 150}
        print(json.dumps(results, indent=2))
        for label in paths:
            ok = results[label]["ratio"] >= 0.4
            print(f"{label}: {results[label]['ratio']:.2f}× the floor (bound 0.4×) "
                  f"{'PASS' if ok else 'FAIL'}; page cache off: "
                  f"{results[label]['uncached_ratio']:.2f}× (not bounded)")
        print(f"post_thread: {post_rate:.0f} posts/s (bound 150) "
              f"{'PASS' if post_rate >= 150 else 'FAIL'}")
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / "http.json").write_text(json.dumps(results, indent=2))
        return 0
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
