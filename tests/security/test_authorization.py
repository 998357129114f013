"""The authorisation matrix: every API route × anonymous, member, counsellor, moderator, admin,
suspended and muted, with the expected answer of each, generated from one table.

"ok" means the caller got past authorisation (any answer but 401 and 403: a 404 or 422 for a
placeholder id or body still proves the door was open); a number is the exact status expected
(404 where a member must not even learn that someone else's request exists).
A test fails if a route of the application is missing from the table.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

ROLES = ("anonymous", "member", "counsellor", "moderator", "admin", "suspended", "muted")

# Access classes: the expected status per role.
PUBLIC = dict.fromkeys(ROLES, "ok")
SIGNED_IN = {**PUBLIC, "anonymous": 401, "suspended": 401}
WRITER = {**SIGNED_IN, "muted": 403}
ADMIN = {**SIGNED_IN, "member": 403, "counsellor": 403, "moderator": 403, "muted": 403}
MODERATOR = {**ADMIN, "moderator": "ok"}
COUNSELLOR = {**ADMIN, "counsellor": "ok"}
#: Someone else's shield tray or invitation: not even staff learn that it exists.
NOT_HERS = {**SIGNED_IN, **dict.fromkeys(
    ("member", "counsellor", "moderator", "admin", "muted"), 404)}

# (method, path, body, access). `{...}` placeholders are filled from the world fixture.
TABLE: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("POST", "/auth/register", {"handle": "x", "password": "y"}, PUBLIC),
    # Open to everyone; wrong credentials are 401 whoever asks.
    ("POST", "/auth/login", {"handle": "{me}", "password": "wrong password"},
     dict.fromkeys(ROLES, 401)),
    ("POST", "/auth/recover", {"handle": "{me}", "recovery_code": "x", "new_password": "y"},
     dict.fromkeys(ROLES, 401)),
    ("POST", "/auth/logout", None, SIGNED_IN),
    ("GET", "/me", None, SIGNED_IN),
    ("PATCH", "/users/{other}", {"role": "member"}, ADMIN),
    # Staff here have a second factor enrolled: replacing it needs a code or the password.
    ("POST", "/me/totp", None, {**SIGNED_IN, "counsellor": 403, "moderator": 403, "admin": 403}),
    ("DELETE", "/users/{other}/totp", None, ADMIN),
    ("POST", "/me/totp/confirm", {"code": "000000"}, SIGNED_IN),
    ("GET", "/boards", None, PUBLIC),
    ("POST", "/boards", {"slug": "new-board", "name": "New"}, ADMIN),
    ("GET", "/boards/talk/threads", None, PUBLIC),
    ("POST", "/boards/talk/threads", {"title": "t", "body": "b"}, WRITER),
    ("GET", "/threads/{thread}", None, PUBLIC),
    ("POST", "/threads/{thread}/posts", {"body": "a kind reply"}, WRITER),
    ("PATCH", "/posts/{post}", {"body": "edited"}, MODERATOR),
    ("DELETE", "/posts/{post}", None, MODERATOR),
    ("POST", "/posts/{post}/reactions", {"kind": "support"}, WRITER),
    ("DELETE", "/posts/{post}/reactions", None, SIGNED_IN),
    ("GET", "/me/export", None, SIGNED_IN),
    ("DELETE", "/me", {"password": "not it", "erase_posts": False}, SIGNED_IN),
    ("POST", "/me/recovery-codes", {"password": "correct horse battery staple 42"}, SIGNED_IN),
    ("GET", "/me/sessions", None, SIGNED_IN),
    ("DELETE", "/me/sessions/999999", None, SIGNED_IN),
    ("POST", "/me/sessions/revoke-others", None, SIGNED_IN),
    ("GET", "/me/evidence", None, SIGNED_IN),
    ("GET", "/rooms", None, PUBLIC),
    ("POST", "/rooms", {"title": "Evening circle", "description": "d"}, COUNSELLOR),
    ("POST", "/rooms/{room}/open", None, COUNSELLOR),
    # Hosting opens a room; closing it is also a moderator's power (a room going wrong).
    ("POST", "/rooms/{room}/close", None, {**COUNSELLOR, "moderator": "ok"}),
    ("GET", "/rooms/{room}/messages", None, {**MODERATOR, "counsellor": "ok"}),
    ("POST", "/support-requests", {"topic": "I need to talk"}, SIGNED_IN),  # a mute is no bar
    ("GET", "/support-requests", None, COUNSELLOR),
    ("POST", "/support-requests/{support}/accept", None, COUNSELLOR),
    # Someone else's request: counsellors may cancel it, others do not see it at all.
    ("POST", "/support-requests/{support}/cancel", None,
     {**COUNSELLOR, "member": 404, "moderator": 404, "muted": 404}),
    ("POST", "/reports", {"target_type": "post", "target_id": "{post}", "reason": "spam"},
     SIGNED_IN),  # a mute restricts writing only
    ("GET", "/reports/mine", None, SIGNED_IN),
    ("POST", "/moderation/check", {"text": "hello"}, SIGNED_IN),
    ("GET", "/moderation/queue", None, MODERATOR),
    ("POST", "/moderation/queue/999999/claim", None, MODERATOR),
    ("POST", "/moderation/queue/999999/resolve", {"decision": "dismiss"}, MODERATOR),
    ("POST", "/users/{other}/sanctions", {"kind": "warn", "reason": "r"}, MODERATOR),
    ("GET", "/users/{other}/sanctions", None, MODERATOR),
    ("DELETE", "/sanctions/999999", None, MODERATOR),
    # Notifications are hers alone: any signed-in account, muted included (reading is not writing).
    ("GET", "/notifications", None, SIGNED_IN),
    ("GET", "/notifications/unread-count", None, SIGNED_IN),
    ("POST", "/notifications/read", {}, SIGNED_IN),
    ("GET", "/me/notification-settings", None, SIGNED_IN),
    ("PATCH", "/me/notification-settings", {"muted_boards": []}, SIGNED_IN),
    ("PUT", "/threads/{thread}/follow", None, SIGNED_IN),
    ("DELETE", "/threads/{thread}/follow", None, SIGNED_IN),
    # Appeals: her own sanctions; a signed-out appeal proves itself with credentials.
    ("GET", "/me/sanctions", None, SIGNED_IN),
    ("POST", "/sanctions/999999/appeal", {"text": "I was quoting him"},
     {**SIGNED_IN, **dict.fromkeys(("member", "counsellor", "moderator", "admin", "muted"), 404)}),
    ("POST", "/auth/appeal", {"handle": "{me}", "password": "wrong password", "text": "r",
                              "sanction_id": 999999},
     dict.fromkeys(ROLES, 401)),
    ("GET", "/moderation/appeals", None, MODERATOR),
    ("POST", "/moderation/appeals/999999/decide", {"decision": "uphold", "note": "n"}, MODERATOR),
    # Shield mode (issue #17): hers alone, muted included (protecting herself is not writing);
    # her tray through `/users/{id}/...` is her accepted helpers' only: 404 to everyone else.
    ("GET", "/me/shield", None, SIGNED_IN),
    ("PUT", "/me/shield", {"on": False}, SIGNED_IN),
    ("GET", "/me/shield/held", None, SIGNED_IN),
    ("POST", "/me/shield/held/999999/release", {}, SIGNED_IN),
    ("POST", "/me/shield/held/999999/reject", {"block": True}, SIGNED_IN),
    ("GET", "/users/{other}/shield/held", None, NOT_HERS),
    ("POST", "/users/{other}/shield/held/999999/release", {}, NOT_HERS),
    ("POST", "/users/{other}/shield/held/999999/reject", {}, NOT_HERS),
    ("POST", "/me/shield/helpers", {"user_id": "{other}"}, SIGNED_IN),
    ("DELETE", "/me/shield/helpers/{other}", None, SIGNED_IN),
    ("GET", "/me/shield/activity", None, SIGNED_IN),
    ("GET", "/me/shield/helping", None, SIGNED_IN),
    ("POST", "/shield-invites/999999/accept", None, NOT_HERS),
    ("POST", "/shield-invites/999999/decline", None, NOT_HERS),
    ("POST", "/blocks", {"user_id": "{other}"}, SIGNED_IN),
    ("GET", "/blocks", None, SIGNED_IN),
    ("DELETE", "/blocks/{other}", None, SIGNED_IN),
    ("GET", "/moderation/rules", None, MODERATOR),
    ("POST", "/moderation/rules", {"pattern": "zzqq", "kind": "word", "action": "flag"}, MODERATOR),
    ("DELETE", "/moderation/rules/999999", None, MODERATOR),
    ("GET", "/moderation/audit", None, MODERATOR),
]


def _fill(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str):
        match = re.fullmatch(r"\{(\w+)\}", value)
        if match:
            return world[match.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(world[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.fixture
def world(app, client, make_user, make_board):
    """One account per role, a thread with a post, a room and a waiting support request."""
    from forum.models import Sanction
    from forum.standing import revoke_all_tokens

    make_board("talk")
    people = {role: make_user(role if role in {"counsellor", "moderator", "admin"} else "member")
              for role in ROLES if role != "anonymous"}
    other = make_user()
    created = client.post("/api/v1/boards/talk/threads", headers=other.headers,
                          json={"title": "Hello", "body": "A story"}).get_json()
    room = client.post("/api/v1/rooms", headers=people["counsellor"].headers,
                       json={"title": "Circle", "description": "d"}).get_json()["room"]["slug"]
    support = client.post("/api/v1/support-requests", headers=other.headers,
                          json={"topic": "talk"}).get_json()["request"]["id"]
    session = app.extensions["forum.db"].new_session()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    session.add(Sanction(user_id=people["muted"].id, kind="mute", reason="t", ends_at=later))
    session.add(Sanction(user_id=people["suspended"].id, kind="suspend", reason="t", ends_at=later))
    revoke_all_tokens(session, people["suspended"].id)
    session.commit()
    return {"people": people, "other": other.id, "thread": created["thread"]["id"],
            "post": created["post"]["id"], "room": room, "support": support}


def test_every_api_route_is_in_the_table(app):
    covered = {(m, re.sub(r"\{\w+\}", "{}", p)) for m, p, _b, _a in TABLE}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            candidates = {p for (m, p) in covered if m == method}
            if not any(re.fullmatch(re.sub(r"\\\{\\\}|\d+|[a-z-]+(?=/|$)", "[^/]+", re.escape(c)),
                                    path.replace("{}", "x")) or c == path for c in candidates):
                missing.append((method, path))
    assert missing == []


@pytest.mark.parametrize(("method", "path", "body", "access"), TABLE,
                         ids=[f"{m} {p}" for m, p, _b, _a in TABLE])
def test_route_answers_each_role_as_expected(client, world, method, path, body, access):
    url = "/api/v1" + _fill(path, world)
    wrong = {}
    # Refused callers first, so a destructive route is still there for them to be refused.
    for role in sorted(ROLES, key=lambda r: access[r] == "ok"):
        headers = {} if role == "anonymous" else world["people"][role].headers
        me = "nobody_here" if role == "anonymous" else world["people"][role].handle
        payload = _fill(body, {**world, "me": me})
        answer = client.open(url, method=method, headers=headers, json=payload)
        expected = access[role]
        got = answer.status_code
        if (expected == "ok" and got in (401, 403)) or (expected != "ok" and got != expected):
            wrong[role] = (got, (answer.get_json(silent=True) or {}).get("code"))
        assert got != 500, f"{method} {url} as {role}: 500"
    assert wrong == {}, f"{method} {path}: {wrong}"
