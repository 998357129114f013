"""A bounded load generator for the fault suite: a writer that replies through every process in
turn, as fast as they answer, and records every answer (status, stable code, Retry-After, time
taken, the id of what was acknowledged), so a test can check after a fault that every
acknowledged write exists and every answer was either success or a clear error."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import requests

from tests.live.conftest import LiveServer


@dataclass
class Outcome:
    started: float
    elapsed: float
    status: int | None
    code: str | None
    retry_after: str | None
    post_id: int | None = None


@dataclass
class Writer:
    """Replies to one thread through `servers` in turn, as the `writers` in turn (their
    authorisation headers: several members keep each one under the posting limit), until
    stopped."""

    servers: list[LiveServer]
    writers: list[dict[str, str]]
    thread_id: int
    pause: float = 0.05
    outcomes: list[Outcome] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Writer:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def acknowledged(self) -> set[int | None]:
        return {o.post_id for o in self.outcomes if o.status == 201}

    def run(self) -> None:
        n = 0
        with requests.Session() as http:
            while not self.stopping.is_set():
                server = self.servers[n % len(self.servers)]
                n += 1
                began = time.monotonic()
                try:
                    answer = http.post(
                        f"{server.url}/api/v1/threads/{self.thread_id}/posts",
                        headers=self.writers[n % len(self.writers)], json={"body": f"Still here, note {n}."},
                        timeout=10)
                except requests.RequestException:
                    self.outcomes.append(Outcome(began, time.monotonic() - began, None, None, None))
                    continue
                elapsed = time.monotonic() - began
                body = answer.json() if answer.headers.get("Content-Type", "").endswith(
                    "json") else {}
                self.outcomes.append(Outcome(
                    began, elapsed, answer.status_code, body.get("code"),
                    answer.headers.get("Retry-After"),
                    (body.get("post") or {}).get("id") if answer.status_code == 201 else None))
                time.sleep(self.pause)
