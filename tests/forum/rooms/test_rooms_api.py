"""The rooms and private-support API (`/api/v1/rooms`, `/api/v1/support-requests`) and the
retention of room messages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from forum.db import utcnow
from forum.models.room import Room, RoomMessage
from forum.services.rooms import purge_expired_messages
from tests.forum.rooms.conftest import ask


@pytest.fixture(autouse=True)
def _scripted(screener):
    return screener


def test_counsellors_and_admins_create_rooms(client, make_user):
    body = {"title": "Coping with blackmail", "description": "Thursday circle",
            "starts_at": "2026-03-08T15:00:00Z", "capacity": 12}
    member = make_user("member")
    assert client.post("/api/v1/rooms", json=body).status_code == 401
    assert client.post("/api/v1/rooms", json=body, headers=member.headers).get_json()["code"] == "forbidden"
    unenrolled = make_user("counsellor", totp=False)
    refused = client.post("/api/v1/rooms", json=body, headers=unenrolled.headers)
    assert refused.status_code == 403 and refused.get_json()["code"] == "totp_required"
    counsellor = make_user("counsellor")
    created = client.post("/api/v1/rooms", json=body, headers=counsellor.headers)
    assert created.status_code == 201
    room = created.get_json()["room"]
    assert room["slug"].startswith("coping-with-blackmail-")
    assert room["status"] == "scheduled" and room["capacity"] == 12
    assert room["starts_at"] == "2026-03-08T15:00:00Z"
    assert room["host"]["id"] == counsellor.id and room["participant_count"] == 0
    admin = make_user("admin")
    assert client.post("/api/v1/rooms", json={"title": "x"}, headers=admin.headers).status_code == 201


@pytest.mark.parametrize("body", [
    {"title": ""}, {"title": "ok", "capacity": 1}, {"title": "ok", "capacity": "50"},
    {"title": "ok", "starts_at": "2026-03-08T15:00:00"}, {"title": "ok", "starts_at": "soon"},
])
def test_room_validation(client, make_user, body):
    answer = client.post("/api/v1/rooms", json=body, headers=make_user("counsellor").headers)
    assert answer.status_code == 422 and answer.get_json()["code"] == "validation_failed"


def test_open_and_close(client, make_user, make_room):
    host, other, member, admin = (make_user("counsellor"), make_user("counsellor"),
                                  make_user("member"), make_user("admin"))
    slug = make_room(host, open_it=False)
    assert client.post(f"/api/v1/rooms/{slug}/open", headers=other.headers).status_code == 403
    assert client.post(f"/api/v1/rooms/{slug}/open", headers=member.headers).status_code == 403
    opened = client.post(f"/api/v1/rooms/{slug}/open", headers=host.headers)
    assert opened.status_code == 200 and opened.get_json()["room"]["status"] == "open"
    assert client.post(f"/api/v1/rooms/{slug}/close", headers=member.headers).status_code == 403
    closed = client.post(f"/api/v1/rooms/{slug}/close", headers=admin.headers)
    assert closed.status_code == 200 and closed.get_json()["room"]["status"] == "closed"
    assert client.post(f"/api/v1/rooms/{slug}/open", headers=host.headers).get_json()["code"] == "room_closed"
    assert client.post("/api/v1/rooms/none/open", headers=host.headers).status_code == 404


def test_listing_shows_live_participant_counts(client, make_user, make_room, sockets):
    host = make_user("counsellor")
    open_slug = make_room(host, title="Open now")
    later = make_room(host, title="Later", open_it=False)
    closed = make_room(host, title="Done")
    client.post(f"/api/v1/rooms/{closed}/close", headers=host.headers)
    for member in (make_user("member"), make_user("member")):
        ask(sockets.connect(member), "join", {"room": open_slug})
    rooms = client.get("/api/v1/rooms").get_json()["rooms"]
    assert [r["slug"] for r in rooms] == [open_slug, later]
    assert rooms[0]["participant_count"] == 2
    assert set(rooms[0]) >= {"slug", "title", "description", "host", "status", "starts_at",
                             "capacity", "participant_count", "locked", "slow_mode_seconds"}
    every = client.get("/api/v1/rooms?status=all").get_json()["rooms"]
    assert closed in [r["slug"] for r in every]


def test_history_pages_and_access(client, make_user, make_room, sockets):
    host, member, stranger, mod = (make_user("counsellor"), make_user("member"),
                                   make_user("member"), make_user("moderator"))
    slug = make_room(host)
    h = sockets.connect(host)
    ask(h, "join", {"room": slug})
    ids = [ask(h, "message", {"room": slug, "body": f"n{i}"})["message"]["id"] for i in range(6)]
    url = f"/api/v1/rooms/{slug}/messages"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=stranger.headers).status_code == 403
    assert [m["id"] for m in client.get(url, headers=mod.headers).get_json()["messages"]] == ids
    ask(sockets.connect(member), "join", {"room": slug})
    got = lambda q: [m["id"] for m in client.get(url + q, headers=member.headers).get_json()["messages"]]  # noqa: E731
    assert got("") == ids
    assert got(f"?after={ids[2]}") == ids[3:]
    assert got(f"?before={ids[2]}") == ids[:2]
    assert got(f"?after={ids[0]}&limit=2") == ids[1:3]
    assert got(f"?before={ids[5]}&limit=2") == ids[3:5]
    assert client.get(url + "?after=x", headers=member.headers).status_code == 422
    assert client.get(url + "?after=1&before=3", headers=member.headers).status_code == 422


def test_support_requests(client, make_user):
    member, other, counsellor = make_user("member"), make_user("member"), make_user("counsellor")
    assert client.post("/api/v1/support-requests", json={}).status_code == 401
    first = client.post("/api/v1/support-requests", json={"topic": "my photos"}, headers=member.headers)
    assert first.status_code == 201
    request = first.get_json()["request"]
    assert request["status"] == "waiting"
    again = client.post("/api/v1/support-requests", json={}, headers=member.headers)
    assert again.get_json()["request"]["id"] == request["id"]  # not queued twice
    second = client.post("/api/v1/support-requests", json={}, headers=other.headers).get_json()["request"]
    assert client.get("/api/v1/support-requests", headers=member.headers).status_code == 403
    waiting = client.get("/api/v1/support-requests", headers=counsellor.headers).get_json()["requests"]
    assert [r["id"] for r in waiting] == [request["id"], second["id"]]  # oldest first
    assert waiting[0]["member"]["id"] == member.id and waiting[0]["waiting_seconds"] >= 0
    assert waiting[0]["topic"] == "my photos"

    accepted = client.post(f"/api/v1/support-requests/{request['id']}/accept", headers=counsellor.headers)
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert body["request"]["status"] == "accepted"
    assert body["room"]["private"] is True and body["room"]["host"]["id"] == counsellor.id
    late = client.post(f"/api/v1/support-requests/{request['id']}/accept",
                       headers=make_user("counsellor").headers)
    assert late.status_code == 409
    assert [r["id"] for r in client.get("/api/v1/support-requests",
                                        headers=counsellor.headers).get_json()["requests"]] == [second["id"]]
    assert client.post(f"/api/v1/support-requests/{request['id']}/cancel",
                       headers=member.headers).status_code == 409
    assert client.post(f"/api/v1/support-requests/{second['id']}/cancel",
                       headers=member.headers).status_code == 404  # not hers
    cancelled = client.post(f"/api/v1/support-requests/{second['id']}/cancel", headers=other.headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["request"]["status"] == "cancelled"
    assert client.post("/api/v1/support-requests/99999/accept", headers=counsellor.headers).status_code == 404
    assert client.post(f"/api/v1/support-requests/{second['id']}/accept",
                       headers=member.headers).status_code == 403


def test_the_private_room_history_is_for_the_two(client, make_user, sockets):
    member, counsellor, stranger = make_user("member"), make_user("counsellor"), make_user("member")
    request_id = client.post("/api/v1/support-requests", json={},
                             headers=member.headers).get_json()["request"]["id"]
    slug = client.post(f"/api/v1/support-requests/{request_id}/accept",
                       headers=counsellor.headers).get_json()["room"]["slug"]
    url = f"/api/v1/rooms/{slug}/messages"
    assert client.get(url, headers=member.headers).status_code == 200  # even before joining
    assert client.get(url, headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/rooms/{slug}/close", headers=stranger.headers).status_code == 404


def test_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/rooms", "/api/v1/rooms/{slug}/open", "/api/v1/rooms/{slug}/close",
                 "/api/v1/rooms/{slug}/messages", "/api/v1/support-requests",
                 "/api/v1/support-requests/{request_id}/accept",
                 "/api/v1/support-requests/{request_id}/cancel"):
        assert path in paths


def test_purge_deletes_old_closed_rooms_messages_but_keeps_protected_ones(app, in_db, make_user):
    host = make_user("counsellor")
    now = utcnow()

    def setup(session):
        rooms = {
            "old": Room(slug="old", title="Old", host_id=host.id, status="closed",
                        closed_at=now - dt.timedelta(days=31)),
            "recent": Room(slug="recent", title="Recent", host_id=host.id, status="closed",
                           closed_at=now - dt.timedelta(days=5)),
            "live": Room(slug="live", title="Live", host_id=host.id, status="open"),
        }
        session.add_all(rooms.values())
        session.flush()
        ids = {}
        for name, room in rooms.items():
            messages = [RoomMessage(room_id=room.id, author_id=host.id, body="x", body_html="x")
                        for _ in range(2)]
            session.add_all(messages)
            session.flush()
            ids[name] = [m.id for m in messages]
        return ids

    ids = in_db(setup)
    kept = ids["old"][0]
    assert in_db(lambda s: purge_expired_messages(s, now, 30, protected={kept})) == 1
    left = in_db(lambda s: set(s.scalars(select(RoomMessage.id))))
    assert left == {kept, *ids["recent"], *ids["live"]}
    assert in_db(lambda s: purge_expired_messages(s, now, 30, protected=lambda _s: set())) == 1
    assert in_db(lambda s: purge_expired_messages(s, now, 3)) == 2  # the default reads reports
    assert in_db(lambda s: s.scalar(select(func.count()).select_from(RoomMessage))) == 2
    with pytest.raises(ValueError):
        in_db(lambda s: purge_expired_messages(s, now.replace(tzinfo=None), 30))
