"""A live forum, not one URL: Saheli against a DB-backed floor and the constant-JSON floor under
the realistic mix of issue #20, read-only and with a steady writer, alternating in one run.

The forum: 200 members with bearer tokens, 300 threads of 9 posts (one post in ten anonymous)
spread over the seeded public and members' boards. Each request of the mix is a random member
reading a random thread (80 %) or a random board's first page (20 %): `wrk` with a Lua script,
16 connections. Three servers answer the same paths from the same database, each one process
under the same gevent server with TCP_NODELAY (`forum.ops.server.serve`):

- Saheli (`forum serve`, page cache on, its default 60 s);
- the DB-backed floor (`bench/floor_db_app.py`: plain Flask and psycopg, one auth query and one
  page query, `json.dumps`);
- the constant-JSON floor (`bench/floor_app.py`: a recorded thread page and board page).

Phases alternate (Saheli, DB floor, constant floor, then Saheli and DB floor with the writer)
for `BENCH_LIVE_ROUNDS` rounds (2) of `BENCH_LIVE_SECONDS` (8) each; the best round of each
server is kept, as in `bench_http.py`. The writer posts replies through Saheli's whole
pipeline (screening, Markdown, PostgreSQL) as random members in random threads, paced at
`BENCH_LIVE_WRITES` per second (20) from 4 threads, during both "with writer" phases (so the
database does the same work under both readers); its achieved rate and latency are measured
during Saheli's.

`BENCH_LIVE_WORKERS=N` (1): Saheli as `forum serve --workers N` (page-cache purges shared
through Redis, `BENCH_REDIS_URL`, keys under a fresh prefix, deleted afterwards) and the DB
floor as N processes on one port (`SO_REUSEPORT`), so both use the same number of cores.

Bounds (issue #20): read-only ≥ 0.7× the DB floor; with the writer ≥ 0.6× and the writer
achieving ≥ 19 replies/s with p99 ≤ 200 ms.

Usage: `python bench/bench_live.py` (needs wrk and a PostgreSQL at FORUM_TEST_POSTGRES_URL);
writes `bench/out/live.json`.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_http import FORUM, ROOT  # noqa: E402
from benchkit import free_port, scratch_database, start_constant_floor, wait_ready  # noqa: E402

SECONDS = int(os.environ.get("BENCH_LIVE_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_LIVE_ROUNDS", "2"))
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
WRITES = float(os.environ.get("BENCH_LIVE_WRITES", "20"))
# Processes per server: Saheli runs `forum serve --workers N` (sharing purges through Redis) and
# the DB floor N processes on one port; the constant floor stays one process (context only).
WORKERS = int(os.environ.get("BENCH_LIVE_WORKERS", "1"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
MEMBERS, THREADS, POSTS = 200, 300, 9

WORDS = ("salaam thank you for sharing this it helps to read that others feel the same way "
         "I blocked them and reported the account my sister told me to change my password "
         "sleep has been hard this week but talking here helps a little every day").split()


def seed(env: dict[str, str]) -> tuple[list[str], list[int], list[str]]:
    """Members (their tokens), threads and the boards they are on, written in-process."""
    os.environ.update(env)
    import datetime as dt

    from forum import create_app
    from forum.db import utcnow
    from forum.models.board import Board, Post, Thread
    from forum.models.user import Role
    from forum.services import accounts

    app = create_app()
    tokens, members = [], []
    rng = random.Random(20)
    with app.app_context():
        database = app.extensions["forum.db"]
        with database.unit_of_work() as session:
            for i in range(MEMBERS):
                user = accounts.create_account(session, handle=f"reader_{i:03d}",
                                               password="correct horse battery staple 42",
                                               role=Role.MEMBER)
                token, _row = accounts.issue_token(session, user, kind="bearer",
                                                   lifetime=dt.timedelta(days=1))
                tokens.append(token)
                members.append(user)
            boards = [b for b in session.query(Board).all() if b.visibility in ("public", "members")]
            threads = []
            now = utcnow()
            for i in range(THREADS):
                board = boards[i % len(boards)]
                author = rng.choice(members)
                anonymous = rng.random() < 0.1
                at = now - dt.timedelta(minutes=THREADS - i)
                thread = Thread(board_id=board.id, author_id=author.id, is_anonymous=anonymous,
                                title=f"Thread {i}: " + " ".join(rng.sample(WORDS, 5)),
                                post_count=POSTS, created_at=at, last_post_at=at)
                session.add(thread)
                threads.append(thread)
            session.flush()
            for thread in threads:
                for j in range(POSTS):
                    words = " ".join(rng.sample(WORDS, 12))
                    opening = j == 0
                    author_id = thread.author_id if opening else rng.choice(members).id
                    session.add(Post(
                        thread_id=thread.id, author_id=author_id,
                        is_anonymous=thread.is_anonymous if opening else rng.random() < 0.1,
                        is_opening=opening, body=words, body_html=f"<p>{words}</p>",
                        created_at=thread.created_at))
            board_slugs = [b.slug for b in boards]
            thread_ids = [t.id for t in threads]
    return tokens, thread_ids, board_slugs


LUA = """
local tokens = {%(tokens)s}
local threads = {%(threads)s}
local boards = {%(boards)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end
function init(args)
  math.randomseed(os.time() * 1000 + (seed or 1))
end
request = function()
  local path
  if math.random() < 0.8 then
    path = "/api/v1/threads/" .. threads[math.random(#threads)]
  else
    path = "/api/v1/boards/" .. boards[math.random(#boards)] .. "/threads"
  end
  return wrk.format("GET", path,
    {["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]})
end
"""


def wrk(base: str, script: Path) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", CONNECTIONS, "-d", f"{SECONDS}s", "--latency", "-s",
         str(script), base],
        check=True, capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps or "Non-2xx" in out:
        raise RuntimeError(f"wrk run failed against {base}:\n{out}")
    found = {"rps": float(rps.group(1))}
    for pct, value, unit in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", out):
        found[f"p{pct}_ms"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return found


class Writer:
    """Replies at a steady pace through Saheli's whole posting path."""

    def __init__(self, api: str, tokens: list[str], threads: list[int], rate: float) -> None:
        self.api, self.tokens, self.threads, self.rate = api, tokens, threads, rate
        self.latencies: list[float] = []
        self.failures = 0
        self.held = 0  # replies screening held (pending): pages of their authors there differ
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self.started = self.stopped = 0.0

    def _run(self, index: int, lanes: int) -> None:
        rng = random.Random(index * 7919 + int(time.time()))
        period = lanes / self.rate
        due = self.started + index / self.rate
        with requests.Session() as http:
            while not self._stop.is_set():
                pause = due - time.monotonic()
                if pause > 0 and self._stop.wait(pause):
                    break
                due += period
                body = " ".join(rng.sample(WORDS, 10)) + f" ({uuid.uuid4().hex[:6]})"
                begun = time.monotonic()
                try:
                    answer = http.post(
                        f"{self.api}/threads/{rng.choice(self.threads)}/posts",
                        headers={"Authorization": f"Bearer {rng.choice(self.tokens)}"},
                        json={"body": body}, timeout=10)
                    ok = answer.status_code == 201
                    if ok and answer.json()["post"]["status"] != "published":
                        self.held += 1
                except requests.RequestException:
                    ok = False
                if ok:
                    self.latencies.append((time.monotonic() - begun) * 1000)
                else:
                    self.failures += 1

    def __enter__(self) -> Writer:
        self.started = time.monotonic()
        lanes = 4
        self._workers = [threading.Thread(target=self._run, args=(i, lanes), daemon=True)
                         for i in range(lanes)]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._stop.set()
        self.stopped = time.monotonic()
        for worker in self._workers:
            worker.join(timeout=15)

    def figures(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        if not lat:
            return {"achieved_per_s": 0.0, "failures": self.failures}
        return {"achieved_per_s": round(len(lat) / (self.stopped - self.started), 1),
                "p50_ms": round(statistics.median(lat), 1),
                "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
                "max_ms": round(lat[-1], 1), "replies": len(lat), "held": self.held,
                "failures": self.failures}


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)")
        return 2
    with scratch_database("saheli_live") as url:
        return _measure(url)


def _measure(url: str) -> int:
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_INSTANCE_PATH": str(tmp),
           "FORUM_SECRET_KEY": "bench", "FORUM_ARGON2_TIME_COST": "1",
           "FORUM_ARGON2_MEMORY_KIB": "1024", "FORUM_RATE_LIMITS": "false"}
    processes: list[subprocess.Popen[bytes]] = []
    prefix = f"bench-live-{uuid.uuid4().hex[:8]}:"
    if WORKERS > 1:
        env.update({"FORUM_REDIS_URL": REDIS_URL, "FORUM_ROOM_STATE_PREFIX": prefix,
                    "FORUM_SOCKETIO_CHANNEL": prefix + "sio", "FORUM_RATE_LIMIT_PREFIX": prefix})

    def start(args: list[str], ready: str) -> str:
        port = free_port()
        processes.append(subprocess.Popen([*args, str(port)] if args[0] != FORUM else
                                          [*args, "--port", str(port)], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + ready)
        return base

    try:
        seeded = subprocess.run([FORUM, "init-db", "--seed"], env=env, capture_output=True,
                                text=True)
        if seeded.returncode:
            raise RuntimeError(f"init-db failed:\n{seeded.stderr}")
        tokens, thread_ids, boards = seed(env)
        saheli = start([FORUM, "serve", "--workers", str(WORKERS)], "/healthz")
        floor_port = free_port()
        shared = ["shared"] if WORKERS > 1 else []
        for _ in range(WORKERS):
            processes.append(subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "floor_db_app.py"), str(floor_port), url,
                 *shared], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        floor = f"http://127.0.0.1:{floor_port}"
        wait_ready(f"{floor}/api/v1/threads/{thread_ids[0]}")
        auth = {"Authorization": f"Bearer {tokens[0]}"}
        for base in (saheli, floor):  # both answer the page the mix reads, in full
            page = requests.get(f"{base}/api/v1/threads/{thread_ids[-1]}", headers=auth).json()
            if len(page["posts"]) != POSTS:
                raise RuntimeError(f"{base}: {len(page['posts'])} posts, not {POSTS}: {page}")
        recorded = {
            "/api/v1/threads/<int:thread_id>":
                requests.get(f"{saheli}/api/v1/threads/{thread_ids[0]}", headers=auth).json(),
            "/api/v1/boards/<slug>/threads":
                requests.get(f"{saheli}/api/v1/boards/{boards[0]}/threads", headers=auth).json(),
        }
        process, constant = start_constant_floor(recorded, tmp, env)
        processes.append(process)
        wait_ready(f"{constant}/api/v1/threads/1")
        script = tmp / "mix.lua"
        script.write_text(LUA % {
            "tokens": ",".join(f'"{t}"' for t in tokens),
            "threads": ",".join(str(t) for t in thread_ids),
            "boards": ",".join(f'"{b}"' for b in boards)})
        servers = {"saheli": saheli, "db_floor": floor, "constant_floor": constant}
        for base in servers.values():  # warm-up
            wrk(base, script)
        runs: dict[str, list[dict[str, float]]] = {}
        writer_runs: list[dict[str, float]] = []
        api = f"{saheli}/api/v1"
        for _ in range(ROUNDS):
            for label, base in servers.items():
                runs.setdefault(f"{label}_read_only", []).append(wrk(base, script))
            for label in ("saheli", "db_floor"):
                with Writer(api, tokens, thread_ids, WRITES) as writer:
                    figures = wrk(servers[label], script)
                runs.setdefault(f"{label}_with_writer", []).append(figures)
                if label == "saheli":
                    writer_runs.append(writer.figures())
        best = {label: max(found, key=lambda f: f["rps"]) for label, found in runs.items()}
        worst_writer = min(writer_runs, key=lambda w: (w["achieved_per_s"], -w.get("p99_ms", 0)))
        read_ratio = best["saheli_read_only"]["rps"] / best["db_floor_read_only"]["rps"]
        write_ratio = best["saheli_with_writer"]["rps"] / best["db_floor_with_writer"]["rps"]
        load = Path("/proc/loadavg").read_text().split()[:3]
        results: dict[str, Any] = {
            "runs": runs, "best": best, "writer": writer_runs, "load_average_at_end": load,
            "workers": WORKERS,
            "ratios": {
                "read_only_vs_db_floor": round(read_ratio, 3),
                "with_writer_vs_db_floor": round(write_ratio, 3),
                "read_only_vs_constant_floor": round(
                    best["saheli_read_only"]["rps"] / best["constant_floor_read_only"]["rps"], 3),
                "db_floor_vs_constant_floor": round(
                    best["db_floor_read_only"]["rps"] / best["constant_floor_read_only"]["rps"],
                    3),
            },
        }
        results["checks"] = [
            {"name": "live.read_only_vs_db_floor", "value": round(read_ratio, 3),
             "bound": ">= 0.7", "ok": read_ratio >= 0.7},
            {"name": "live.with_writer_vs_db_floor", "value": round(write_ratio, 3),
             "bound": ">= 0.6", "ok": write_ratio >= 0.6},
            {"name": "live.writer_achieved_per_s", "value": worst_writer["achieved_per_s"],
             "bound": ">= 19", "ok": worst_writer["achieved_per_s"] >= 19},
            {"name": "live.writer_p99_ms", "value": worst_writer.get("p99_ms"),
             "bound": "<= 200", "ok": worst_writer.get("p99_ms", 1e9) <= 200},
        ]
        print(json.dumps(results, indent=2))
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / "live.json").write_text(json.dumps(results, indent=2))
        return 0
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(tmp, ignore_errors=True)
        if WORKERS > 1:  # the keys of this run only (a fresh prefix)
            import redis

            client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
            for key in client.scan_iter(match=prefix + "*"):
                client.delete(key)


if __name__ == "__main__":
    raise SystemExit(main())
