"""Data rights: a complete export, real erasure, recovery codes and sessions."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.models import Post, Reaction, Thread, User

PASSWORD = "a long and quiet river 7"


def signed_up(client, handle="mehwish"):
    body = client.post("/api/v1/auth/register", json={"handle": handle, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {body['token']}"}, body


def post_some(client, headers, board="talk"):
    created = client.post(f"/api/v1/boards/{board}/threads", headers=headers,
                          json={"title": "My story", "body": "What happened to me"}).get_json()
    return created["thread"]["id"], created["post"]["id"]


def test_export_holds_everything_about_the_caller(client, make_board, make_user):
    make_board()
    headers, body = signed_up(client)
    other = make_user()
    thread_id, post_id = post_some(client, headers)
    client.post(f"/api/v1/posts/{post_id}/reactions", headers=headers, json={"kind": "support"})
    export = client.get("/api/v1/me/export", headers=headers)
    assert export.status_code == 200
    data = export.get_json()
    assert data["account"]["handle"] == "mehwish"
    assert [p["body"] for p in data["posts"]] == ["What happened to me"]
    assert data["threads"][0]["title"] == "My story"
    assert data["reactions"][0]["post_id"] == post_id
    assert data["sessions"] and data["sanctions"] == [] and data["blocks"] == []
    assert "password_hash" not in str(data) and other.handle not in str(data)


def test_erasure_with_posts_deletes_rows_and_frees_the_handle(client, app, make_board, make_user):
    make_board()
    headers, body = signed_up(client)
    friend = make_user()
    lonely_thread, _ = post_some(client, headers)
    busy_thread, _ = post_some(client, headers)
    client.post(f"/api/v1/threads/{busy_thread}/posts", headers=friend.headers, json={"body": "hugs"})
    wrong = client.delete("/api/v1/me", headers=headers, json={"password": "wrong", "erase_posts": True})
    assert wrong.status_code == 422
    assert client.delete("/api/v1/me", headers=headers,
                         json={"password": PASSWORD, "erase_posts": True}).status_code == 204
    session = app.extensions["forum.db"].new_session()
    assert session.get(User, body["user"]["id"]) is None
    assert session.get(Thread, lonely_thread) is None
    assert "What happened to me" not in str(session.scalars(select(Post.body)).all())
    page = client.get(f"/api/v1/threads/{busy_thread}").get_json()
    assert [p["body_html"] for p in page["posts"]] == ["<p>hugs</p>"]
    assert page["thread"]["title"] == "(removed by its author)"
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    again = client.post("/api/v1/auth/register", json={"handle": "mehwish", "password": PASSWORD})
    assert again.status_code == 201


def test_erasure_keeping_posts_shows_a_deleted_member(client, app, make_board):
    make_board()
    headers, body = signed_up(client)
    thread_id, post_id = post_some(client, headers)
    client.post(f"/api/v1/posts/{post_id}/reactions", headers=headers, json={"kind": "support"})
    assert client.delete("/api/v1/me", headers=headers,
                         json={"password": PASSWORD, "erase_posts": False}).status_code == 204
    page = client.get(f"/api/v1/threads/{thread_id}").get_json()
    assert page["posts"][0]["author"] is None
    assert page["posts"][0]["body_html"] == "<p>What happened to me</p>"
    session = app.extensions["forum.db"].new_session()
    assert session.scalar(select(func.count()).select_from(Reaction)) == 0
    assert session.scalar(select(Post.author_id).where(Post.id == post_id)) is None


def test_recovery_codes_can_be_replaced(client):
    headers, body = signed_up(client)
    fresh = client.post("/api/v1/me/recovery-codes", headers=headers,
                        json={"password": PASSWORD}).get_json()["recovery_codes"]
    assert len(fresh) == 10 and not set(fresh) & set(body["recovery_codes"])
    old = client.post("/api/v1/auth/recover", json={
        "handle": "mehwish", "recovery_code": body["recovery_codes"][0], "new_password": PASSWORD + "x"})
    assert old.status_code == 401
    new = client.post("/api/v1/auth/recover", json={
        "handle": "mehwish", "recovery_code": fresh[0], "new_password": PASSWORD + "x"})
    assert new.status_code == 200


def test_sessions_are_listed_and_can_be_revoked(client):
    first, _ = signed_up(client)
    login = client.post("/api/v1/auth/login", json={"handle": "mehwish", "password": PASSWORD})
    second = {"Authorization": f"Bearer {login.get_json()['token']}"}
    listed = client.get("/api/v1/me/sessions", headers=first).get_json()["sessions"]
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    other_id = next(s["id"] for s in listed if not s["current"])
    assert client.delete(f"/api/v1/me/sessions/{other_id}", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert client.delete(f"/api/v1/me/sessions/{other_id}", headers=first).status_code == 404
    login = client.post("/api/v1/auth/login", json={"handle": "mehwish", "password": PASSWORD})
    third = {"Authorization": f"Bearer {login.get_json()['token']}"}
    assert client.post("/api/v1/me/sessions/revoke-others", headers=first).status_code == 200
    assert client.get("/api/v1/me", headers=third).status_code == 401
    assert client.get("/api/v1/me", headers=first).status_code == 200
