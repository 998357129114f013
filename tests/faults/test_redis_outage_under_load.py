"""A 20 s Redis outage under two live processes, a steady writer and a reader (issue #15's
bounds): posting and reading keep 100 % success through it; room messages acknowledged during
it are delivered within the process at once, and across processes every one of them reaches
every connected member within 3 s of Redis's return (the `resync` and its `?after=` catch-up);
afterwards every acknowledged reply is stored and no counter is off.

Redis is the test's own (`redis_server`, tests/faults/conftest.py), never the shared one.
The outage lasts FORUM_TEST_REDIS_OUTAGE_SECONDS (20 s unless set).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.faults.load import Writer
from tests.faults.test_live_redis_and_crashes import Resyncing, _ids
from tests.live.conftest import FORUM
from tests.live.test_rooms_live import WAIT, make_accounts, open_room, wait_for

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.postgres]

OUTAGE = float(os.environ.get("FORUM_TEST_REDIS_OUTAGE_SECONDS", "20"))


def _read_steadily(bases: list[str], path: str, headers: dict[str, str],
                   stopping: threading.Event, statuses: list[int]) -> None:
    with requests.Session() as http:
        n = 0
        while not stopping.is_set():
            try:
                statuses.append(http.get(f"{bases[n % len(bases)]}{path}", headers=headers,
                                         timeout=10).status_code)
            except requests.RequestException:
                statuses.append(0)
            n += 1
            time.sleep(0.05)


def test_a_redis_outage_under_load_keeps_every_write_and_read_and_delivers_after(
        pair, tmp_path, redis_server, http) -> None:
    a, b, url = pair
    host, member, reader, *writers = make_accounts(
        url, tmp_path, ["counsellor", "member", "member"] + ["member"] * 15)
    made = http.post(f"{a.url}/api/v1/boards/introductions/threads", headers=member.headers,
                     json={"title": "Writing through the storm", "body": "Still here."},
                     timeout=WAIT)
    assert made.status_code == 201, made.text
    thread_id = made.json()["thread"]["id"]
    slug = open_room(a.url, host, http)
    listener = Resyncing(host).connect(a.url)   # process A
    speaker = Resyncing(member).connect(b.url)  # process B
    beside = Resyncing(reader).connect(b.url)   # process B, beside the speaker
    for client in (listener, speaker, beside):
        assert client.call("join", {"room": slug})["ok"]
    # Two replies a second from fifteen members: each stays under the posting limit (10 a
    # minute), which keeps counting through the outage (in each process's memory).
    writer = Writer([a, b], [w.headers for w in writers], thread_id, pause=0.5).start()
    reads: list[int] = []
    stopping = threading.Event()
    reading = threading.Thread(target=_read_steadily, daemon=True, args=(
        [a.url, b.url], f"/api/v1/threads/{thread_id}", reader.headers, stopping, reads))
    reading.start()
    try:
        time.sleep(1)
        redis_server.stop()
        down_at = time.monotonic()
        acked = []
        while time.monotonic() - down_at < OUTAGE:
            ack = speaker.call("message", {"room": slug, "body": f"in the outage {len(acked)}"})
            assert ack["ok"] is True, ack
            acked.append(ack["message"]["id"])
            time.sleep(1)
        # Within the speaker's own process, delivery never stopped.
        wait_for(lambda: set(acked) <= set(_ids(beside)), timeout=3,
                 what="delivery within one process during the outage")

        redis_server.start()
        back = time.monotonic()
        wait_for(lambda: listener.events("resync"), timeout=3, what="resync after Redis")
        assert set(acked) <= set(listener.catch_up(a.url, slug, http))
        assert time.monotonic() - back <= 3, "every acknowledged message on A within 3 s"
        time.sleep(1)
    finally:
        stopping.set()
        writer.stop()
        reading.join(timeout=15)
        for client in (listener, speaker, beside):
            client.close()

    assert len(writer.outcomes) >= OUTAGE and len(reads) >= OUTAGE
    assert {o.status for o in writer.outcomes} == {201}, "posting kept 100 % success"
    assert set(reads) == {200}, "reading kept 100 % success"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = set(connection.scalars(text("SELECT id FROM posts WHERE thread_id = :t"),
                                            {"t": thread_id}))
    finally:
        engine.dispose()
    assert writer.acknowledged() <= stored, "every acknowledged reply is in the database"
    repaired = subprocess.run([FORUM, "repair-counters"], env=a.env, capture_output=True,
                              text=True, timeout=60)
    assert "nothing fixed" in repaired.stdout, repaired.stdout + repaired.stderr
    assert not any("Traceback" in s.log() for s in (a, b)), (a.log() + b.log())[-3000:]
