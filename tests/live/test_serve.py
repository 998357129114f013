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


def _dump_database(url: str) -> str:
    """Every byte the database holds, as text: the SQLite file, or `pg_dump` of PostgreSQL."""
    import pathlib
    import subprocess

    if url.startswith("sqlite"):
        path = pathlib.Path(url.split("///", 1)[1])
        return b"".join(
            p.read_bytes() for p in path.parent.glob(path.name + "*")
        ).decode("latin-1")
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run(["pg_dump", plain], check=True, capture_output=True,
                          text=True, timeout=60).stdout


def test_no_raw_client_address_is_written_anywhere(tmp_path, request):
    """A full session of use behind a trusted proxy; then neither the database nor the
    server's output holds the member's address (API.md, privacy guarantees)."""
    from tests.conftest import new_database
    from tests.live.conftest import start_server

    address = "203.0.113.77"
    for kind in ("sqlite", "postgresql"):
        (tmp_path / kind).mkdir()
        url = new_database(kind, str(tmp_path / kind))
        server = start_server(url, tmp_path, FORUM_PROXY_COUNT="1")
        try:
            import requests

            http = requests.Session()
            http.headers["X-Forwarded-For"] = address
            base = f"{server.url}/api/v1"
            reg = http.post(f"{base}/auth/register",
                            json={"handle": "rabia", "password": "sunlight over lahore 9"}).json()
            headers = {"Authorization": f"Bearer {reg['token']}"}
            http.post(f"{base}/auth/login", json={"handle": "rabia", "password": "wrong one here"})
            login = http.post(f"{base}/auth/login",
                              json={"handle": "rabia", "password": "sunlight over lahore 9"})
            assert login.status_code == 200
            thread = http.post(f"{base}/boards/introductions/threads", headers=headers,
                               json={"title": "Hello", "body": "my first post"}).json()
            http.post(f"{base}/threads/{thread['thread']['id']}/posts", headers=headers,
                      json={"body": "and a reply"})
            http.get(f"{base}/me/export", headers=headers)
            http.get(f"{base}/nowhere")
            http.get(f"{server.url}/login")
            http.close()
        finally:
            server.stop()
        assert address not in server.log()
        assert "203.0.113" not in _dump_database(url)
