"""`forum serve` as a real process: register, post, reply and read back over HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.live


def test_a_member_registers_posts_and_reads_back(live_server, http):
    base = f"{live_server.url}/api/v1"
    admin = http.post(f"{base}/auth/register",
                      json={"handle": "noor", "password": "sunlight over lahore 9"})
    assert admin.status_code == 201
    token = admin.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    boards = {b["slug"] for b in http.get(f"{base}/boards").json()["boards"]}
    assert {"introductions", "staying-safe"} <= boards  # seeded by `forum init-db --seed`
    created = http.post(f"{base}/boards/introductions/threads", headers=headers,
                        json={"title": "Salaam", "body": "Glad to find this place."})
    assert created.status_code == 201
    thread_id = created.json()["thread"]["id"]
    reply = http.post(f"{base}/threads/{thread_id}/posts", headers=headers,
                      json={"body": "Replying to myself, *gently*."})
    assert reply.status_code == 201
    page = http.get(f"{base}/threads/{thread_id}").json()
    assert [p["body_html"] for p in page["posts"]] == [
        "<p>Glad to find this place.</p>",
        "<p>Replying to myself, <em>gently</em>.</p>",
    ]
    health = http.get(f"{live_server.url}/healthz")
    assert health.json()["checks"]["database"] == "ok"
    missing = http.post(f"{base}/boards/none/threads", headers=headers,
                        json={"title": "t", "body": "b"})
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("application/problem+json")


def test_the_access_log_never_holds_the_client_address(live_server, http):
    for _ in range(3):
        http.get(f"{live_server.url}/api/v1/boards")
    http.get(f"{live_server.url}/api/v1/nowhere")
    live_server.stop()
    log = live_server.log()
    assert "/api/v1/boards" in log
    assert "127.0.0.1" not in log.replace("Saheli serving on http://[addr]", "")
