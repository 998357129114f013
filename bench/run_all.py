"""`make bench`: every benchmark, every bound, and what got worse since the last run.

Runs, each in its own process and bounded in time: the moderation pipeline benchmark
(`bench_pipeline.py`), the worst crafted texts through rendering and screening
(`bench_text_cost.py`, at most 50 ms of CPU each), page weights on the wire
(`bench_page_weight.py`: every page with its assets gzipped at most 60 KB, a 25-post thread at
most 8 KB), the live forum's realistic mix against a DB-backed floor (`bench_live.py`, issue
#20: many members, many threads, random pages, read-only and with a steady writer; its bounds
come first), the single-URL HTTP benchmark against the bare-Flask
floor (`bench_http.py`) and the Socket.IO fan-out benchmark against the bare Flask-SocketIO
floor (`bench_rooms.py`), and what notifying 1,000 followers adds to a reply
(`bench_notifications.py`, issue #16).
Prints every bound with its measured figure and PASS/FAIL, writes `bench/results.json` (the
figures of this run and the machine they ran on) and compares with the previous
`bench/results.json`, printing every figure more than 20 % worse.

Why ratios: the machines this runs on are shared (other people's processes, noisy neighbours);
a ratio to a floor measured in the same run moves far less than an absolute figure. Absolute
figures are kept too, for the regression comparison, which is only meaningful on the same
machine (the comparison says so when `nproc` or the CPU model differ).

Exit status: 0 when every bound holds, 1 otherwise (a benchmark that crashed or ran out of
time counts as a failed bound).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results.json"
OUT = BENCH / "out"
REGRESSION = 0.20

#: Each benchmark: its script and its time limit in seconds.
RUNS: dict[str, tuple[str, int]] = {
    "pipeline": ("bench_pipeline.py", 180),
    "text_cost": ("bench_text_cost.py", 180),
    "live": ("bench_live.py", 420),
    "http": ("bench_http.py", 300),
    "rooms": ("bench_rooms.py", 600),
    "notifications": ("bench_notifications.py", 300),
    "page_weight": ("bench_page_weight.py", 120),
}

#: Figures compared with the previous run: (path in the results, True when higher is better).
FIGURES: dict[str, tuple[tuple[str, ...], bool]] = {
    "pipeline.median_us": (("pipeline", "pipeline_median_us"), False),
    "pipeline.p95_us": (("pipeline", "pipeline_p95_us"), False),
    "pipeline.naive_over_pipeline": (("pipeline", "ratio_naive_over_pipeline"), True),
    "pipeline.detector_median_us": (("pipeline", "detector_median_us"), False),
    "text_cost.max_ms": (("text_cost", "max_ms"), False),
    "live.read_only_ratio": (("live", "ratios", "read_only_vs_db_floor"), True),
    "live.with_writer_ratio": (("live", "ratios", "with_writer_vs_db_floor"), True),
    "http.board_threads_ratio": (("http", "board_threads", "ratio"), True),
    "http.thread_ratio": (("http", "thread", "ratio"), True),
    "http.board_threads_rps": (("http", "board_threads", "saheli_rps"), True),
    "http.thread_rps": (("http", "thread", "saheli_rps"), True),
    "http.board_threads_uncached_ratio": (("http", "board_threads", "uncached_ratio"), True),
    "http.thread_uncached_ratio": (("http", "thread", "uncached_ratio"), True),
    "http.posts_per_second": (("http", "post_thread", "posts_per_second"), True),
    "rooms.p99_ms": (("rooms", "saheli", "p99_ms"), False),
    "notifications.postgresql_added_ms": (("notifications", "postgresql", "added_ms"), False),
    "notifications.sqlite_added_ms": (("notifications", "sqlite", "added_ms"), False),
    "page_weight.heaviest_bytes": (("page_weight", "heaviest_page_bytes"), False),
    "page_weight.thread_25_posts_bytes": (("page_weight", "thread_25_posts_html_bytes"), False),
    "rooms.p99_ratio": (("rooms", "ratios", "p99"), False),
    "rooms.cpu_us_per_delivery": (("rooms", "saheli", "cpu_us_per_delivery"), False),
    "rooms.cpu_ratio": (("rooms", "ratios", "cpu_per_delivery"), False),
    "rooms.redis_p99_ms": (("rooms", "saheli_redis", "p99_ms"), False),
    "rooms.rss_mb_sockets": (("rooms", "memory", "rss_mb"), False),
    "rooms.connect_s_sockets": (("rooms", "memory", "connect_s"), False),
}


def machine() -> dict[str, Any]:
    """What the figures were measured on (and how busy it was when the run began)."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        load = []
    return {"nproc": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform(), "load_average_at_start": load,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def run(name: str) -> tuple[dict[str, Any] | None, str | None, float]:
    """Run one benchmark; its figures (from stdout or bench/out/NAME.json), or an error."""
    script, limit = RUNS[name]
    out_file = OUT / f"{name}.json"
    out_file.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(BENCH / script)], capture_output=True,
                              text=True, timeout=limit, cwd=BENCH.parent)
    except subprocess.TimeoutExpired:
        return None, f"ran out of time ({limit} s)", time.monotonic() - started
    took = time.monotonic() - started
    if done.returncode != 0:
        return None, f"exit {done.returncode}: {done.stderr.strip()[-1500:]}", took
    if out_file.exists():
        return json.loads(out_file.read_text()), None, took
    try:
        return json.loads(done.stdout), None, took
    except json.JSONDecodeError:
        return None, f"no JSON in its output: {done.stdout[-500:]}", took


def checks_of(name: str, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The bounds of one benchmark: name, measured value, bound, ok."""
    if name == "pipeline":
        # Ratios to references measured in the same run (issue #20); the absolute medians
        # (pipeline.median_us, pipeline.detector_median_us) are recorded as context.
        return [
            {"name": "pipeline.naive_over_pipeline", "value": figures["ratio_naive_over_pipeline"],
             "bound": ">= 20", "ok": figures["bound_ratio_at_least_20x"] == "pass"},
            {"name": "pipeline.detector_over_pipeline",
             "value": figures["ratio_detector_over_pipeline"],
             "bound": "<= 1", "ok": figures["bound_detector_ratio_at_most_1x"] == "pass"},
        ]
    if name == "http":
        found = [
            {"name": f"http.{label}_ratio", "value": figures[label]["ratio"],
             "bound": f">= {figures[label]['bound']}",
             "ok": figures[label]["ratio"] >= figures[label]["bound"]}
            for label in ("board_threads", "thread") if label in figures
        ]
        post = figures.get("post_thread")
        if post:
            found.append({"name": "http.posts_per_second", "value": post["posts_per_second"],
                          "bound": f">= {post['bound']}",
                          "ok": post["posts_per_second"] >= post["bound"]})
        return found
    return list(figures.get("checks", []))


def dig(results: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = results
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) else None


def regressions(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Every figure more than 20 % worse than in the previous run."""
    worse = []
    for label, (path, higher_better) in FIGURES.items():
        old, new = dig(previous, path), dig(current, path)
        if old is None or new is None or old <= 0:
            continue
        change = (old - new) / old if higher_better else (new - old) / old
        if change > REGRESSION:
            worse.append(f"{label}: {old:g} → {new:g} ({change:+.0%} worse)")
    return worse


def main() -> int:
    previous: dict[str, Any] | None = None
    if RESULTS.exists():
        try:
            previous = json.loads(RESULTS.read_text())
        except json.JSONDecodeError:
            print(f"{RESULTS} is not JSON; not comparing")
    results: dict[str, Any] = {"machine": machine()}
    checks: list[dict[str, Any]] = []
    for name in RUNS:
        print(f"running {name} ...", flush=True)
        figures, error, took = run(name)
        results.setdefault("seconds", {})[name] = round(took, 1)
        if figures is None:
            results[name] = {"error": error}
            checks.append({"name": f"{name}.ran", "value": error, "bound": "runs", "ok": False})
            continue
        if name == "rooms" and figures.get("saheli") and figures.get("floor"):
            saheli, floor = figures["saheli"], figures["floor"]
            figures["ratios"] = {
                "p99": round(saheli["p99_ms"] / floor["p99_ms"], 2),
                "cpu_per_delivery": round(saheli["cpu_us_per_delivery"]
                                          / floor["cpu_us_per_delivery"], 2),
            }
        results[name] = figures
        checks.extend(checks_of(name, figures))
    results["checks"] = checks
    print()
    for check in checks:
        print(f"{'PASS' if check['ok'] else 'FAIL'}  {check['name']}: {check['value']} "
              f"(bound {check['bound']})")
    if previous is not None:
        same = all(previous.get("machine", {}).get(k) == results["machine"][k]
                   for k in ("nproc", "cpu_model"))
        worse = regressions(previous, results)
        print(f"\ncompared with the run of {previous.get('machine', {}).get('date', '?')}"
              + ("" if same else " (on another machine: take with salt)") + ":")
        print("\n".join(f"  REGRESSION {line}" for line in worse) if worse
              else "  nothing more than 20 % worse")
        results["regressions"] = worse
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {RESULTS}")
    return 0 if all(check["ok"] for check in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
