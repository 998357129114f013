"""Boards, threads, posts and reactions through the JSON API."""

from __future__ import annotations

import re


def start_thread(client, member, board="talk", **extra):
    body = {"title": "First time here", "body": "Hello **everyone**", **extra}
    return client.post(f"/api/v1/boards/{board}/threads", json=body, headers=member.headers)


def test_boards_list_respects_visibility(client, make_board, make_user):
    make_board("open", "public")
    make_board("inside", "members")
    make_board("staffroom", "counsellors")
    anonymous = {b["slug"] for b in client.get("/api/v1/boards").get_json()["boards"]}
    assert anonymous == {"open"}
    member = make_user()
    seen = client.get("/api/v1/boards", headers=member.headers).get_json()["boards"]
    assert {b["slug"] for b in seen} == {"open", "inside"}
    assert set(seen[0]) == {"slug", "name", "description", "visibility", "thread_count"}
    counsellor = make_user("counsellor")
    seen = client.get("/api/v1/boards", headers=counsellor.headers).get_json()["boards"]
    assert {b["slug"] for b in seen} == {"open", "inside", "staffroom"}
    assert client.get("/api/v1/boards/staffroom/threads", headers=member.headers).status_code == 404
    assert client.get("/api/v1/boards/inside/threads").status_code == 401


def test_admin_creates_board_and_validation_is_per_field(client, make_user):
    admin = make_user("admin")
    created = client.post("/api/v1/boards", headers=admin.headers, json={
        "slug": "poetry", "name": "Poetry", "description": "Verses", "visibility": "members"})
    assert created.status_code == 201
    assert created.get_json()["board"]["slug"] == "poetry"
    again = client.post("/api/v1/boards", headers=admin.headers,
                        json={"slug": "poetry", "name": "Poetry"})
    assert again.status_code == 409
    bad = client.post("/api/v1/boards", headers=admin.headers,
                      json={"slug": "Bad Slug!", "name": "", "visibility": "secret"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) >= {"visibility"}
    member = make_user()
    assert client.post("/api/v1/boards", headers=member.headers,
                       json={"slug": "x", "name": "X"}).status_code == 403


def test_post_thread_reply_and_read_back(client, make_board, make_user):
    make_board()
    author, friend = make_user(), make_user()
    created = start_thread(client, author, content_warning="harassment")
    assert created.status_code == 201
    body = created.get_json()
    assert body["moderation"] == {"status": "published", "reasons": []}
    thread_id = body["thread"]["id"]
    assert body["post"]["body_html"] == "<p>Hello <strong>everyone</strong></p>"
    assert body["post"]["content_warning"] == "harassment"
    assert body["thread"]["author"]["handle"] == author.handle
    first = body["post"]["id"]
    reply = client.post(f"/api/v1/threads/{thread_id}/posts", headers=friend.headers,
                        json={"body": "Welcome!", "reply_to": first})
    assert reply.status_code == 201
    assert reply.get_json()["post"]["reply_to"] == first
    page = client.get(f"/api/v1/threads/{thread_id}").get_json()
    assert [p["id"] for p in page["posts"]] == [first, reply.get_json()["post"]["id"]]
    assert page["thread"]["post_count"] == 2
    assert page["next_cursor"] is None
    post = page["posts"][1]
    assert set(post) >= {"id", "thread_id", "author", "body_html", "content_warning", "status",
                         "created_at", "edited_at", "reply_to", "reaction_counts"}
    assert post["created_at"].endswith("Z")
    listing = client.get("/api/v1/boards/talk/threads").get_json()
    assert listing["threads"][0]["id"] == thread_id
    assert listing["threads"][0]["post_count"] == 2


def test_threads_sort_by_last_activity_with_cursor_pages(client, make_board, make_user):
    make_board()
    member = make_user()
    # Five different bodies: the same body again and again is held as a flood.
    ids = [start_thread(client, member, title=f"t{i}", body=f"Thread number {i} says hello")
           .get_json()["thread"]["id"] for i in range(5)]
    client.post(f"/api/v1/threads/{ids[0]}/posts", headers=member.headers, json={"body": "bump"})
    seen = []
    cursor = None
    while True:
        url = "/api/v1/boards/talk/threads?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).get_json()
        seen += [t["id"] for t in page["threads"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[0], ids[4], ids[3], ids[2], ids[1]]
    assert client.get("/api/v1/boards/talk/threads?cursor=garbage").status_code == 422
    assert client.get("/api/v1/boards/talk/threads?limit=0").status_code == 422


def test_markdown_is_sanitised_and_titles_are_plain(client, make_board, make_user):
    make_board()
    member = make_user()
    body = start_thread(
        client, member,
        title="<b>hi</b>",
        body='<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)',
    ).get_json()
    html = body["post"]["body_html"]
    assert "<script" not in html
    assert 'href="javascript' not in html and "&lt;script&gt;" in html
    assert 'rel="nofollow noopener ugc"' in html
    assert body["thread"]["title"] == "<b>hi</b>"


def test_edit_and_delete_by_author_or_moderator_only(client, make_board, make_user):
    make_board()
    author, other, moderator = make_user(), make_user(), make_user("moderator")
    post_id = start_thread(client, author).get_json()["post"]["id"]
    assert client.patch(f"/api/v1/posts/{post_id}", headers=other.headers,
                        json={"body": "mine now"}).status_code == 403
    edited = client.patch(f"/api/v1/posts/{post_id}", headers=author.headers,
                          json={"body": "Edited *text*"})
    assert edited.status_code == 200
    assert edited.get_json()["post"]["edited_at"] is not None
    assert edited.get_json()["post"]["body_html"] == "<p>Edited <em>text</em></p>"
    thread_id = edited.get_json()["post"]["thread_id"]
    reply_id = client.post(f"/api/v1/threads/{thread_id}/posts", headers=other.headers,
                           json={"body": "a reply"}).get_json()["post"]["id"]
    assert client.delete(f"/api/v1/posts/{reply_id}", headers=author.headers).status_code == 403
    assert client.delete(f"/api/v1/posts/{reply_id}", headers=moderator.headers).status_code == 204
    posts = client.get(f"/api/v1/threads/{thread_id}", headers=other.headers).get_json()["posts"]
    assert [p["id"] for p in posts] == [post_id]


def test_support_reactions_count_once_and_can_be_taken_back(client, make_board, make_user):
    make_board()
    author, a, b = make_user(), make_user(), make_user()
    post_id = start_thread(client, author).get_json()["post"]["id"]
    url = f"/api/v1/posts/{post_id}/reactions"
    assert client.post(url, headers=a.headers, json={"kind": "support"}).status_code == 201
    client.post(url, headers=a.headers, json={"kind": "support"})
    answer = client.post(url, headers=b.headers, json={"kind": "support"})
    assert answer.get_json()["reaction_counts"] == {"support": 2}
    assert client.post(url, headers=b.headers, json={"kind": "like"}).status_code == 422
    assert client.delete(url, headers=a.headers).status_code == 204
    thread_id = client.get("/api/v1/boards/talk/threads").get_json()["threads"][0]["id"]
    first = client.get(f"/api/v1/threads/{thread_id}").get_json()["posts"][0]
    assert first["reaction_counts"] == {"support": 1}


def test_anonymous_posts_hide_the_author_except_from_moderators(client, make_board, make_user, app):
    make_board()
    author, reader, moderator = make_user(), make_user(), make_user("moderator")
    created = start_thread(client, author, anonymous=True).get_json()
    assert created["thread"]["author"] is None
    thread_id = created["thread"]["id"]
    for viewer in (None, reader):
        headers = viewer.headers if viewer else {}
        page = client.get(f"/api/v1/threads/{thread_id}", headers=headers).get_json()
        assert page["posts"][0]["author"] is None
        assert page["thread"]["author"] is None
        listing = client.get("/api/v1/boards/talk/threads", headers=headers).get_json()
        assert listing["threads"][0]["author"] is None
    page = client.get(f"/api/v1/threads/{thread_id}", headers=moderator.headers).get_json()
    assert page["posts"][0]["author"]["handle"] == author.handle
    from sqlalchemy import select

    from forum.models import AuditEntry

    session = app.extensions["forum.db"].new_session()
    reveals = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "author.reveal")
    ).all()
    assert reveals and all(r.actor_id == moderator.id for r in reveals)


def test_locked_thread_refuses_replies(client, make_board, make_user, app):
    make_board()
    member = make_user()
    thread_id = start_thread(client, member).get_json()["thread"]["id"]
    from forum.models import Thread

    session = app.extensions["forum.db"].new_session()
    session.get(Thread, thread_id).is_locked = True
    session.commit()
    answer = client.post(f"/api/v1/threads/{thread_id}/posts", headers=member.headers,
                         json={"body": "hello"})
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "locked"


def test_listing_and_reading_take_constant_queries(client, make_board, make_user, queries):
    make_board()
    member = make_user()
    thread_id = start_thread(client, member).get_json()["thread"]["id"]

    def cost(url):
        before = len(queries.statements)
        assert client.get(url, headers=member.headers).status_code == 200
        # The test's own transaction wraps each request in a savepoint: not the app's work.
        return sum(1 for sql in queries.statements[before:]
                   if not re.match(r"\s*(RELEASE )?SAVEPOINT", sql))

    # Her own data for the page cache (blocks, hidden items, held content) is read once, on
    # her first cached read: not per page.
    assert client.get("/api/v1/boards", headers=member.headers).status_code == 200
    few_threads = cost("/api/v1/boards/talk/threads")
    few_posts = cost(f"/api/v1/threads/{thread_id}")
    for i in range(12):
        start_thread(client, member, title=f"more {i}")
        client.post(f"/api/v1/threads/{thread_id}/posts", headers=member.headers,
                    json={"body": f"reply {i}"})
    # Some of those replies were held (a flood of them): her own data is read again, once.
    assert client.get("/api/v1/boards", headers=member.headers).status_code == 200
    assert cost("/api/v1/boards/talk/threads") == few_threads
    assert cost(f"/api/v1/threads/{thread_id}") == few_posts
    # The token, then one statement for the whole page (its board, thread and blocks too).
    assert few_threads == few_posts == 2
