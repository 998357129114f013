"""The page cache is exact: after every kind of write, each viewer's answer from the cache is
the answer she gets with the cache off.

A forum with named and anonymous threads and posts, a members' board and four viewers (the
anonymous visitor, three members) is read until every page is in the cache; then each
mutating endpoint that writes what a cached page reads is called in turn, and every page is
compared for every viewer against the same request with the cache off. The walk also proves
what a cache that shares pages between members must never do: hand a member a page with a
blocked author's posts, leave out her own held post, or name an anonymous author.
"""

from __future__ import annotations

import pytest

from forum.api.core import ENDPOINTS

PASSWORD = "correct horse battery staple 42"

#: Mutating routes that write no table a cached page reads (boards, threads, posts, users,
#: blocks, hidden items, tokens): the engine-level rules purge nothing for them, whatever
#: they write (`forum.http.pagecache._RULES`).
NO_PAGE_TABLES = {
    ("POST", "/auth/appeal"), ("POST", "/auth/register"), ("POST", "/auth/login"),
    ("POST", "/auth/recover"), ("PATCH", "/me/notification-settings"),
    ("POST", "/me/recovery-codes"), ("POST", "/me/totp"), ("POST", "/me/totp/confirm"),
    ("DELETE", "/users/<int:user_id>/totp"),
    ("POST", "/moderation/appeals/<int:appeal_id>/decide"), ("PATCH", "/moderation/care"),
    ("POST", "/moderation/check"), ("POST", "/moderation/queue/<int:item_id>/claim"),
    ("POST", "/moderation/queue/<int:item_id>/reveal"), ("POST", "/moderation/rules"),
    ("DELETE", "/moderation/rules/<int:rule_id>"), ("PATCH", "/moderation/settings"),
    ("POST", "/notifications/read"), ("POST", "/rooms"), ("POST", "/rooms/<slug>/close"),
    ("POST", "/rooms/<slug>/open"), ("DELETE", "/sanctions/<int:sanction_id>"),
    ("POST", "/sanctions/<int:sanction_id>/appeal"), ("POST", "/support-requests"),
    ("POST", "/support-requests/<int:request_id>/accept"),
    ("POST", "/support-requests/<int:request_id>/cancel"),
    ("DELETE", "/threads/<int:thread_id>/follow"), ("PUT", "/threads/<int:thread_id>/follow"),
    # Shield mode's own tables (shields, helpers, invitations); its tray decisions write posts
    # and blocks and are walked below.
    ("PUT", "/me/shield"), ("POST", "/me/shield/helpers"),
    ("DELETE", "/me/shield/helpers/<int:user_id>"),
    ("POST", "/shield-invites/<int:invite_id>/accept"),
    ("POST", "/shield-invites/<int:invite_id>/decline"),
}

#: The walk: (route as declared, who calls, path, body). Paths and bodies are filled from
#: the world (`{t1}`: a thread id, `{a}`: a member's id, ...).
WALK = [
    # Her shield is on (the world): this reply is held, and no cached page may show it.
    ("POST", "/threads/<int:thread_id>/posts", "other", "/threads/{t1}/posts",
     {"body": "A reply from someone else"}),
    ("POST", "/me/shield/held/<int:post_id>/release", "author", "/me/shield/held/{h1}/release",
     {}),
    ("POST", "/me/shield/held/<int:post_id>/reject", "author", "/me/shield/held/{h2}/reject",
     {}),
    ("POST", "/users/<int:user_id>/shield/held/<int:post_id>/release", "reader",
     "/users/{a}/shield/held/{h3}/release", {}),
    ("POST", "/boards/<slug>/threads", "author", "/boards/talk/threads",
     {"title": "Another evening", "body": "Something new"}),
    ("PATCH", "/posts/<int:post_id>", "author", "/posts/{p1}", {"body": "Edited words"}),
    ("POST", "/posts/<int:post_id>/reactions", "reader", "/posts/{p2}/reactions",
     {"kind": "support"}),
    ("DELETE", "/posts/<int:post_id>/reactions", "reader", "/posts/{p2}/reactions", None),
    ("POST", "/blocks", "reader", "/blocks", {"user_id": "{a}"}),
    ("DELETE", "/blocks/<int:user_id>", "reader", "/blocks/{a}", None),
    ("POST", "/reports", "reader", "/reports",
     {"target_type": "post", "target_id": "{p2}", "reason": "spam",
      "desired_outcome": "hide_from_me"}),
    ("POST", "/moderation/queue/<int:item_id>/resolve", "moderator",
     "/moderation/queue/{item}/resolve", {"decision": "remove"}),
    ("DELETE", "/posts/<int:post_id>", "author", "/posts/{p3}", None),
    ("PATCH", "/users/<int:user_id>", "admin", "/users/{o}", {"role": "counsellor"}),
    ("POST", "/boards", "admin", "/boards", {"slug": "evenings", "name": "Evenings"}),
    ("POST", "/users/<int:user_id>/sanctions", "moderator", "/users/{a}/sanctions",
     {"kind": "suspend", "duration_hours": 1, "reason": "a pause"}),
    ("DELETE", "/me/sessions/<int:token_id>", "author", "/me/sessions/999999", None),
    ("POST", "/me/sessions/revoke-others", "reader", "/me/sessions/revoke-others", None),
    ("POST", "/auth/logout", "reader", "/auth/logout", None),
    # Her helper rejects one more for her and blocks its (named) writer.
    ("POST", "/users/<int:user_id>/shield/held/<int:post_id>/reject", "reader",
     "/users/{a}/shield/held/{h4}/reject", {"block": True}),
    ("DELETE", "/me", "other", "/me", {"password": PASSWORD, "erase_posts": True}),
]


def test_every_mutating_route_is_walked_or_writes_no_page_table(app):
    """`app`: the moderation plug-in declares its routes when an app is created."""
    declared = {(doc.method, doc.rule.removeprefix("/api/v1")) for doc in ENDPOINTS
                if doc.method not in ("GET", "HEAD", "OPTIONS")}
    walked = {(method, rule) for method, rule, *_ in WALK}
    assert declared - walked - NO_PAGE_TABLES == set()
    assert walked <= declared  # no stale entry


@pytest.fixture
def world(client, make_board, make_user):
    make_board("talk")
    make_board("inside", "members")
    people = {"author": make_user(), "reader": make_user(), "other": make_user(),
              "moderator": make_user("moderator"), "admin": make_user("admin")}

    def post(who, url, body):
        answer = client.post(f"/api/v1{url}", headers=people[who].headers, json=body)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    t1 = post("author", "/boards/talk/threads", {"title": "Evening talk", "body": "Hello"})
    reply = post("other", f"/threads/{t1['thread']['id']}/posts", {"body": "Welcome"})
    hidden = post("author", f"/threads/{t1['thread']['id']}/posts",
                  {"body": "Said without my name", "anonymous": True})
    t2 = post("other", "/boards/talk/threads",
              {"title": "Nameless", "body": "Anonymous thread", "anonymous": True})
    t3 = post("other", "/boards/inside/threads", {"title": "Inside", "body": "Members only"})
    ids = {"t1": t1["thread"]["id"], "t2": t2["thread"]["id"], "t3": t3["thread"]["id"],
           "p1": t1["post"]["id"], "p2": reply["post"]["id"], "p3": hidden["post"]["id"],
           "a": people["author"].id, "o": people["other"].id}
    return people, ids


@pytest.fixture
def shielded(client, world):
    """The world with her shield on: the reader (whose name she was shown) helps her, and
    four replies from a new account wait in her tray (`{h1}` ... `{h4}`)."""
    people, ids = world

    def post(who, url, body):
        answer = client.post(f"/api/v1{url}", headers=people[who].headers, json=body)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    post("reader", f"/threads/{ids['t1']}/posts", {"body": "Glad you wrote"})
    shield = client.put("/api/v1/me/shield", headers=people["author"].headers,
                        json={"on": True, "days": 7})
    assert shield.status_code == 200, shield.get_json()
    invite = post("author", "/me/shield/helpers", {"user_id": people["reader"].id})
    accepted = client.post(f"/api/v1/shield-invites/{invite['invite']['id']}/accept",
                           headers=people["reader"].headers)
    assert accepted.status_code == 200, accepted.get_json()
    held = [post("other", f"/threads/{ids['t1']}/posts", {"body": f"Held {n}"})
            for n in range(4)]
    assert {h["post"]["status"] for h in held} == {"pending"}
    return people, {**ids, **{f"h{n + 1}": h["post"]["id"] for n, h in enumerate(held)}}


def pages(ids):
    return ["/boards", "/boards/talk/threads", "/boards/inside/threads",
            "/boards/talk/threads?limit=1", f"/threads/{ids['t1']}",
            f"/threads/{ids['t1']}?limit=1", f"/threads/{ids['t2']}", f"/threads/{ids['t3']}"]


def answers(client, people, ids, *, cached):
    cache = client.application.extensions.pop("forum.http.pagecache") if not cached else None
    try:
        seen = {}
        for viewer in (None, "reader", "other", "author"):
            headers = people[viewer].headers if viewer else {}
            for page in pages(ids):
                answer = client.get(f"/api/v1{page}", headers=headers)
                seen[(viewer, page)] = (answer.status_code, answer.get_json())
        return seen
    finally:
        if cache is not None:
            client.application.extensions["forum.http.pagecache"] = cache


def fill(value, ids):
    if isinstance(value, str):
        for name, number in ids.items():
            if value == "{" + name + "}":
                return number
            value = value.replace("{" + name + "}", str(number))
        return value
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def test_after_every_write_the_cache_answers_what_the_database_does(client, shielded):
    people, ids = shielded
    answers(client, people, ids, cached=True)  # fill the cache
    assert answers(client, people, ids, cached=True) == answers(client, people, ids,
                                                                cached=False)
    for method, _rule, who, path, body in WALK:
        if "{item}" in path:
            queue = client.get("/api/v1/moderation/queue",
                               headers=people["moderator"].headers).get_json()
            ids["item"] = queue["items"][0]["id"]
        answer = client.open(f"/api/v1{fill(path, ids)}", method=method,
                             headers=people[who].headers,
                             json=fill(body, ids) if body is not None else None)
        assert answer.status_code < 500, (method, path, answer.get_json())
        fresh = answers(client, people, ids, cached=False)
        from_cache = answers(client, people, ids, cached=True)
        differs = [key for key in fresh if fresh[key] != from_cache[key]]
        assert differs == [], f"after {method} {path}: stale {differs}"


def test_a_shared_page_never_shows_a_blocked_author_or_hides_her_held_post(client, world):
    people, ids = world
    reader, author = people["reader"], people["author"]
    url = f"/api/v1/threads/{ids['t1']}"
    for _ in range(2):  # the class's page is now in the cache
        assert len(client.get(url, headers=people["other"].headers).get_json()["posts"]) == 3
    client.post("/api/v1/blocks", headers=reader.headers, json={"user_id": author.id})
    # The thread's author is named: the block hides the whole thread from the reader.
    assert client.get(url, headers=reader.headers).status_code == 404
    # Other members still get the shared page, the blocked author her own thread.
    assert len(client.get(url, headers=people["other"].headers).get_json()["posts"]) == 3
    assert client.get(url, headers=author.headers).status_code == 200
    # Her held post is hers to see; the shared page, which lacks it, is never handed to her.
    held = client.post(f"/api/v1/threads/{ids['t2']}/posts", headers=reader.headers,
                       json={"body": "Not yet published"})
    from forum.models.board import Post

    with client.application.app_context():
        with client.application.extensions["forum.db"].unit_of_work() as session:
            session.get(Post, held.get_json()["post"]["id"]).status = "pending"
    t2 = f"/api/v1/threads/{ids['t2']}"
    for _ in range(2):
        mine = [p["body_html"] for p in client.get(t2, headers=reader.headers).get_json()["posts"]]
        assert "<p>Not yet published</p>" in mine
        theirs = client.get(t2, headers=people["other"].headers).get_json()["posts"]
        assert "<p>Not yet published</p>" not in [p["body_html"] for p in theirs]


def test_an_anonymous_author_is_never_named_by_a_shared_page(client, world):
    """A page the author of an anonymous post read is the class's page: her anonymous post
    has no author there, for her as for anyone; a moderator's view is never kept."""
    people, ids = world
    url = f"/api/v1/threads/{ids['t1']}"
    for viewer in ("moderator", "author", "author", "reader", "reader"):
        posts = client.get(url, headers=people[viewer].headers).get_json()["posts"]
        anonymous = [p for p in posts if p["anonymous"]]
        if viewer == "moderator":
            assert anonymous[0]["author"]["id"] == people["author"].id
        else:
            assert anonymous[0]["author"] is None
