"""`Idempotency-Key` (API.md): a POST retried with the same key answers the first answer and
creates nothing new; the key is the account's own; a refusal is not remembered."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.models.board import Post, Thread


def _count(app, model):
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_retried_post_with_the_same_key_creates_nothing_new(app, client, make_user, make_board):
    author, other = make_user("member"), make_user("member")
    slug = make_board()
    keyed = {**author.headers, "Idempotency-Key": "thread-7f3a"}
    first = client.post(f"/api/v1/boards/{slug}/threads", headers=keyed,
                        json={"title": "Salaam", "body": "Glad to find this place."})
    assert first.status_code == 201, first.get_json()
    threads, posts = _count(app, Thread), _count(app, Post)
    again = client.post(f"/api/v1/boards/{slug}/threads", headers=keyed,
                        json={"title": "Salaam", "body": "Glad to find this place."})
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (_count(app, Thread), _count(app, Post)) == (threads, posts)

    tid = first.get_json()["thread"]["id"]
    reply = {**author.headers, "Idempotency-Key": "reply-1"}
    one = client.post(f"/api/v1/threads/{tid}/posts", headers=reply, json={"body": "A reply"})
    two = client.post(f"/api/v1/threads/{tid}/posts", headers=reply, json={"body": "A reply"})
    assert one.status_code == two.status_code == 201
    assert one.get_json()["post"]["id"] == two.get_json()["post"]["id"]
    assert client.get(f"/api/v1/threads/{tid}").get_json()["thread"]["post_count"] == 2

    # Another account's same key is another key; the same key on another path is a mistake.
    theirs = client.post(f"/api/v1/threads/{tid}/posts", json={"body": "Me too"},
                         headers={**other.headers, "Idempotency-Key": "reply-1"})
    assert theirs.status_code == 201
    assert theirs.get_json()["post"]["id"] != one.get_json()["post"]["id"]
    elsewhere = client.post(f"/api/v1/boards/{slug}/threads", headers=reply,
                            json={"title": "Other", "body": "Another thread"})
    assert elsewhere.status_code == 422
    assert elsewhere.get_json()["code"] == "validation_failed"


def test_a_refusal_is_not_remembered_and_bad_keys_are_422(app, client, make_user, make_board):
    author = make_user("member")
    slug = make_board()
    keyed = {**author.headers, "Idempotency-Key": "try-again"}
    refused = client.post(f"/api/v1/boards/{slug}/threads", headers=keyed,
                          json={"title": "", "body": "no title"})
    assert refused.status_code == 422
    done = client.post(f"/api/v1/boards/{slug}/threads", headers=keyed,
                       json={"title": "A title", "body": "with a title"})
    assert done.status_code == 201, done.get_json()
    for bad in ("x" * 65, "tab\there", "کلید"):
        answer = client.post(f"/api/v1/boards/{slug}/threads",
                             headers={**author.headers, "Idempotency-Key": bad},
                             json={"title": "T", "body": "B"})
        assert answer.status_code == 422, bad
        assert answer.get_json()["code"] == "validation_failed"


def test_a_key_is_kept_for_24_hours_only(app, client, make_user, make_board):
    import datetime as dt

    from sqlalchemy import update

    from forum.api import idempotency
    from forum.db import utcnow
    from forum.models.idempotency import IdempotentAnswer

    author = make_user("member")
    slug = make_board()
    keyed = {**author.headers, "Idempotency-Key": "yesterday"}
    first = client.post(f"/api/v1/boards/{slug}/threads", headers=keyed,
                        json={"title": "Monday", "body": "First go"})
    assert first.status_code == 201
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        session.execute(update(IdempotentAnswer).values(
            created_at=utcnow() - dt.timedelta(hours=25)))
    later = client.post(f"/api/v1/boards/{slug}/threads", headers=keyed,
                        json={"title": "Tuesday", "body": "A new day"})
    assert later.status_code == 201
    assert later.get_json()["thread"]["id"] != first.get_json()["thread"]["id"]
    assert "Idempotent-Replayed" not in later.headers
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        session.execute(update(IdempotentAnswer).values(
            created_at=utcnow() - dt.timedelta(hours=25)))
        assert idempotency.purge_expired(session) == 1
    assert _count(app, IdempotentAnswer) == 0
