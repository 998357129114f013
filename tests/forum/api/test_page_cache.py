"""The read-page cache (`forum.http.pagecache`): pages kept per thread and board, purged by what
each write touched, shared by the members it is exact for, never for staff, never on a stale
token."""

from __future__ import annotations

import re

import pytest
import redis

from forum.http.pagecache import PageCache, PageDeps, RedisPurgeBus
from tests.conftest import service_unavailable


def start_thread(client, member, **extra):
    body = {"title": "First time here", "body": "Hello everyone", **extra}
    return client.post("/api/v1/boards/talk/threads", json=body, headers=member.headers)


def statements(queries, before):
    """What the app sent to the database since `before` (the test's savepoints aside)."""
    return [s for s in queries.statements[before:] if not re.match(r"\s*(RELEASE )?SAVEPOINT", s)]


def test_a_repeated_read_is_answered_from_memory_until_its_thread_is_written(
        client, make_board, make_user, queries):
    make_board()
    author, reader = make_user(), make_user()
    thread_id = start_thread(client, author).get_json()["thread"]["id"]
    url = f"/api/v1/threads/{thread_id}"
    first = client.get(url, headers=reader.headers)
    before = len(queries.statements)
    again = client.get(url, headers=reader.headers)
    assert statements(queries, before) == []
    assert again.get_json() == first.get_json()
    assert again.headers["Content-Type"] == "application/json"
    assert "Content-Security-Policy" in again.headers  # the app's headers still apply
    # A reply in that thread: the next read is fresh and shows it.
    client.post(f"/api/v1/threads/{thread_id}/posts", headers=author.headers,
                json={"body": "A reply"})
    before = len(queries.statements)
    fresh = client.get(url, headers=reader.headers).get_json()
    assert statements(queries, before) != []
    assert [p["body_html"] for p in fresh["posts"]][-1] == "<p>A reply</p>"


def test_pages_show_the_whole_unit_of_work_once_it_commits_past_a_savepoint(
        client, make_board, make_user):
    """A unit of work that writes in a savepoint, releases it and writes more (a report's row
    in its own savepoint, then the hide it triggers): every page shows all of it as soon as
    it commits. The savepoint's release used to announce the writes so far and take the
    session's connections with them, so what came after was announced only with the next
    commit anywhere: a post hidden by reports stayed on its page."""
    from forum.models.board import Board, Post, PostStatus, Thread, change_post_status

    make_board()
    author, reader = make_user(), make_user()
    threads = [start_thread(client, author).get_json()["thread"]["id"] for _ in range(2)]
    edited, hidden = (client.post(f"/api/v1/threads/{thread_id}/posts", headers=author.headers,
                                  json={"body": "A reply"}).get_json()["post"]["id"]
                      for thread_id in threads)

    def shown(thread_id):
        page = client.get(f"/api/v1/threads/{thread_id}", headers=reader.headers).get_json()
        return {p["id"]: p["body_html"] for p in page["posts"]}

    for _ in range(2):  # the second time from the cache
        assert edited in shown(threads[0]) and hidden in shown(threads[1])
    with client.application.app_context():
        with client.application.extensions["forum.db"].unit_of_work() as session:
            with session.begin_nested():
                post = session.get(Post, edited)
                post.body, post.body_html = "Edited", "<p>Edited</p>"
            post, thread = session.get(Post, hidden), session.get(Thread, threads[1])
            change_post_status(post, thread, session.get(Board, thread.board_id),
                               PostStatus.HIDDEN.value)
    assert hidden not in shown(threads[1])  # first: a read that misses commits, and so
    assert shown(threads[0])[edited] == "<p>Edited</p>"  # used to announce what was left


def test_entries_are_per_viewer(client, make_board, make_user):
    """A held post shows to its author only; the cache never hands her page to another."""
    make_board()
    author, other = make_user(), make_user()
    thread_id = start_thread(client, author).get_json()["thread"]["id"]
    from forum.models.board import Post, Thread

    with client.application.app_context():
        with client.application.extensions["forum.db"].unit_of_work() as session:
            session.query(Post).filter_by(thread_id=thread_id).one().status = "pending"
            session.get(Thread, thread_id).status = "pending"
    url = f"/api/v1/threads/{thread_id}"
    assert client.get(url, headers=author.headers).status_code == 200
    assert client.get(url, headers=author.headers).status_code == 200  # now from the cache
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.get(url).status_code == 404


def test_a_block_hides_the_blocked_member_at_once(client, make_board, make_user):
    make_board()
    harasser, member = make_user(), make_user()
    thread_id = start_thread(client, harasser).get_json()["thread"]["id"]
    listing = "/api/v1/boards/talk/threads"
    assert len(client.get(listing, headers=member.headers).get_json()["threads"]) == 1
    assert client.post("/api/v1/blocks", headers=member.headers,
                       json={"user_id": harasser.id}).status_code == 201
    assert client.get(listing, headers=member.headers).get_json()["threads"] == []
    assert client.get(f"/api/v1/threads/{thread_id}", headers=member.headers).status_code == 404


def test_a_signed_out_token_is_not_recognised_from_the_cache(client, make_board, make_user):
    make_board("inside", "members")
    member = make_user()
    url = "/api/v1/boards/inside/threads"
    assert client.get(url, headers=member.headers).status_code == 200
    assert client.get(url, headers=member.headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=member.headers).status_code == 204
    assert client.get(url, headers=member.headers).status_code == 401


def test_staff_looks_at_anonymous_authors_are_audited_every_time(
        client, make_board, make_user, queries):
    make_board()
    member, moderator = make_user(), make_user("moderator")
    thread_id = start_thread(client, member, anonymous=True).get_json()["thread"]["id"]
    url = f"/api/v1/threads/{thread_id}"
    for _ in range(2):
        before = len(queries.statements)
        page = client.get(url, headers=moderator.headers).get_json()
        assert page["posts"][0]["author"]["id"] == member.id
        assert any(s.lstrip().startswith("INSERT INTO audit_entries")
                   for s in statements(queries, before))


def test_cookie_sessions_are_never_served_from_the_cache(client, make_board, make_user, queries):
    """The browser pages carry a session cookie: their reads always go to the database."""
    make_board()
    member = make_user()
    client.set_cookie("saheli_session", "anything")
    client.get("/api/v1/boards/talk/threads", headers=member.headers)
    before = len(queries.statements)
    client.get("/api/v1/boards/talk/threads", headers=member.headers)
    assert statements(queries, before) != []


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _remember(cache, ticket, response, keys=frozenset({"board:1"})):
    from flask import g

    from forum.policy import ANONYMOUS

    g.page_deps = PageDeps(keys=keys)
    cache.remember(ticket, ANONYMOUS, response)


def test_entries_expire_after_the_configured_seconds(app):
    from flask import Response

    clock = _Clock()
    cache = PageCache(5, clock=clock)
    with app.test_request_context("/api/v1/boards"):
        ticket = cache.lookup()
        _remember(cache, ticket, Response(b"{}", mimetype="application/json"))
        clock.now += 4.9
        assert isinstance(cache.lookup(), Response)
        clock.now += 0.2
        assert not isinstance(cache.lookup(), Response)


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url("redis://127.0.0.1:6379/14")
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable("Redis", exc)
    client.delete("test:pages:purges")
    yield client
    client.delete("test:pages:purges")


def test_a_write_in_one_process_purges_the_others_pages_through_redis(app, redis_client):
    """Two processes share their purges: a write through one drops the other's page that
    depends on it before the writer has answered, and leaves its other pages alone."""
    from flask import Response

    one = PageCache(5, RedisPurgeBus(redis_client, "test:pages:purges"))
    two = PageCache(5, RedisPurgeBus(redis_client, "test:pages:purges"))
    with app.test_request_context("/api/v1/threads/7"):
        _remember(two, two.lookup(), Response(b"{}", mimetype="application/json"),
                  frozenset({"thread:7"}))
    with app.test_request_context("/api/v1/threads/8"):
        _remember(two, two.lookup(), Response(b"{}", mimetype="application/json"),
                  frozenset({"thread:8"}))
        assert isinstance(two.lookup(), Response)
    from forum.db import Write

    one.wrote([Write("posts", "insert", ({"thread_id": 7, "status": "published"},))])
    with app.test_request_context("/api/v1/threads/7"):
        assert not isinstance(two.lookup(), Response)
    with app.test_request_context("/api/v1/threads/8"):
        assert isinstance(two.lookup(), Response)


def test_an_unreachable_redis_bypasses_the_cache(app, caplog):
    dead = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    cache = PageCache(5, RedisPurgeBus(dead, "test:pages:purges"))
    with app.test_request_context("/api/v1/boards"):
        assert cache.lookup() is None
    assert "page cache bypassed" in caplog.text


def test_the_cache_holds_a_bounded_number_of_bytes(app):
    """Least recently used pages go first once the byte budget is spent, so a process that
    also holds a thousand sockets stays small however many members read."""
    from flask import Response

    cache = PageCache(5, max_bytes=16 * 1000)
    for page in range(40):
        with app.test_request_context(f"/api/v1/threads/{page}"):
            _remember(cache, cache.lookup(), Response(b"x" * 900, mimetype="application/json"))
    assert cache.bytes <= 16 * 1000
    with app.test_request_context("/api/v1/threads/39"):
        assert isinstance(cache.lookup(), Response)  # the most recent is kept
    with app.test_request_context("/api/v1/threads/0"):
        assert not isinstance(cache.lookup(), Response)  # the oldest went first
    with app.test_request_context("/api/v1/threads/big"):
        _remember(cache, cache.lookup(), Response(b"x" * 2000, mimetype="application/json"))
        assert not isinstance(cache.lookup(), Response)  # larger than a sixteenth: not kept


def test_a_token_is_not_recognised_from_the_cache_after_it_expires(client, make_board, make_user):
    import datetime as dt
    import time

    from forum.db import utcnow
    from forum.models.user import AuthToken

    make_board("inside", "members")
    member = make_user()
    with client.application.app_context():
        with client.application.extensions["forum.db"].unit_of_work() as session:
            token = session.query(AuthToken).filter_by(user_id=member.id).one()
            token.expires_at = utcnow() + dt.timedelta(seconds=1)
    url = "/api/v1/boards/inside/threads"
    assert client.get(url, headers=member.headers).status_code == 200
    assert client.get(url, headers=member.headers).status_code == 200
    time.sleep(1.1)
    assert client.get(url, headers=member.headers).status_code == 401
