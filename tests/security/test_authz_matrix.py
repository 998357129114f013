"""The authorisation matrix, generated from the route table.

Every rule of `app.url_map` (the JSON API under /api/v1, the pages, the moderation pages, health
and static files) must have one entry in TABLE below: the concrete path to call (placeholders
filled from a world of real resources), the body, and the expected answer class for each role.
A route missing from the table fails `test_every_route_has_an_expectation`, so a new route cannot
ship without one.

Roles: the anonymous visitor; a member who owns nothing here; the owner (a member who wrote the
thread and posts, made the report and the support request, and sits in the room); the counsellor
who hosts the rooms; a moderator; an admin. Staff have TOTP enrolled (make_user does it), and sign
in to pages with their code.

Answer classes: "ok" (2xx, or a 3xx that is not the sign-in redirect), "login" (a page sending a
visitor to /login), or an exact 401, 403 or 404. One test per role, each with a fresh app and
world, loops over every route and collects every wrong cell into one readable list.

Expectations follow API.md (and the README where it extends it). Where both are silent, the
choice is what a careful client would expect, noted beside the entry. Where the app disagrees,
the expectation stays as the contract says (see the report that came with this file).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest

from tests.forum.web.conftest import token_for

ROLES = ("anonymous", "member", "owner", "counsellor", "moderator", "admin")


def access(default: Any, **roles: Any) -> dict[str, Any]:
    return {role: roles.get(role, default) for role in ROLES}


PUBLIC = access("ok")
SIGNED_IN = access("ok", anonymous=401)
ADMIN = access(403, anonymous=401, admin="ok")
MODERATOR = access(403, anonymous=401, moderator="ok", admin="ok")
COUNSELLOR = access(403, anonymous=401, counsellor="ok", admin="ok")
# The author of the content, or a moderator (admins hold every permission).
AUTHOR = access(403, anonymous=401, owner="ok", moderator="ok", admin="ok")
#: Something that is not there for this caller (a made-up id, or someone else's tray).
NOT_FOUND = access(404, anonymous=401)

PAGE = access("ok")
PAGE_SIGNED_IN = access("ok", anonymous="login")
PAGE_ADMIN = access(403, anonymous="login", admin="ok")
PAGE_MODERATOR = access(403, anonymous="login", moderator="ok", admin="ok")
PAGE_COUNSELLOR = access(403, anonymous="login", counsellor="ok", admin="ok")
PAGE_AUTHOR = access(403, anonymous="login", owner="ok", moderator="ok", admin="ok")
PAGE_NOT_FOUND = access(404, anonymous="login")


@dataclass(frozen=True)
class Case:
    """How to call one route, and what each role should get."""

    path: str
    expect: dict[str, Any]
    body: Any = None
    form: bool = False  # a page form: CSRF token added, sent as form data
    fresh: bool = False  # ends the session or the account: run as a new account of the role
    last: bool = False  # run after every other route


# Keyed by (method, rule) exactly as Flask spells the rule.
TABLE: dict[tuple[str, str], Case] = {
    # --- accounts ------------------------------------------------------------------------
    ("POST", "/api/v1/auth/register"): Case("/api/v1/auth/register", PUBLIC,
                                            {"handle": "{new_handle}", "password": "{password}"}),
    ("POST", "/api/v1/auth/login"): Case("/api/v1/auth/login", PUBLIC,
                                         {"handle": "{target_handle}", "password": "{password}"}),
    # A made-up recovery code is refused whoever asks.
    ("POST", "/api/v1/auth/recover"): Case(
        "/api/v1/auth/recover", access(401),
        {"handle": "{target_handle}", "recovery_code": "not-a-code", "new_password": "{password}"}),
    ("POST", "/api/v1/auth/logout"): Case("/api/v1/auth/logout", SIGNED_IN, fresh=True, last=True),
    ("GET", "/api/v1/me"): Case("/api/v1/me", SIGNED_IN),
    ("DELETE", "/api/v1/me"): Case("/api/v1/me", SIGNED_IN,
                                   {"password": "{password}", "erase_posts": False},
                                   fresh=True, last=True),
    ("GET", "/api/v1/me/export"): Case("/api/v1/me/export", SIGNED_IN),
    ("GET", "/api/v1/me/evidence"): Case("/api/v1/me/evidence", SIGNED_IN),
    # API.md: replacing recovery codes needs the password.
    ("POST", "/api/v1/me/recovery-codes"): Case("/api/v1/me/recovery-codes", SIGNED_IN,
                                                {"password": "{password}"}),
    ("GET", "/api/v1/me/sessions"): Case("/api/v1/me/sessions", SIGNED_IN),
    # Someone else's session: it does not exist for you (README: sessions are the caller's own).
    ("DELETE", "/api/v1/me/sessions/<int:token_id>"): Case(
        "/api/v1/me/sessions/{target_token}", access(404, anonymous=401)),
    ("POST", "/api/v1/me/sessions/revoke-others"): Case(
        "/api/v1/me/sessions/revoke-others", SIGNED_IN, fresh=True, last=True),
    # API.md: re-enrolling an enrolled account needs its password (or a current code).
    ("POST", "/api/v1/me/totp"): Case("/api/v1/me/totp", SIGNED_IN, {"password": "{password}"}),
    ("POST", "/api/v1/me/totp/confirm"): Case("/api/v1/me/totp/confirm", SIGNED_IN,
                                              {"code": "{totp_code}"}),
    ("PATCH", "/api/v1/users/<int:user_id>"): Case("/api/v1/users/{target}", ADMIN,
                                                   {"role": "member"}),
    # A lost second factor is an admin's reset (API.md's TOTP paragraph), audited.
    ("DELETE", "/api/v1/users/<int:user_id>/totp"): Case("/api/v1/users/{target}/totp", ADMIN),
    # --- boards, threads, posts ----------------------------------------------------------
    ("GET", "/api/v1/boards"): Case("/api/v1/boards", PUBLIC),
    ("POST", "/api/v1/boards"): Case("/api/v1/boards", ADMIN,
                                     {"slug": "{new_slug}", "name": "New board"}),
    ("GET", "/api/v1/boards/<slug>/threads"): Case("/api/v1/boards/talk/threads", PUBLIC),
    ("POST", "/api/v1/boards/<slug>/threads"): Case(
        "/api/v1/boards/talk/threads", SIGNED_IN, {"title": "Salaam", "body": "A first word"}),
    ("GET", "/api/v1/threads/<int:thread_id>"): Case("/api/v1/threads/{thread}", PUBLIC),
    ("POST", "/api/v1/threads/<int:thread_id>/posts"): Case(
        "/api/v1/threads/{thread}/posts", SIGNED_IN, {"body": "A kind reply"}),
    ("PATCH", "/api/v1/posts/<int:post_id>"): Case("/api/v1/posts/{post}", AUTHOR,
                                                   {"body": "Edited words"}),
    ("DELETE", "/api/v1/posts/<int:post_id>"): Case("/api/v1/posts/{post_api_delete}", AUTHOR),
    ("POST", "/api/v1/posts/<int:post_id>/reactions"): Case(
        "/api/v1/posts/{other_post}/reactions", SIGNED_IN, {"kind": "support"}),
    ("DELETE", "/api/v1/posts/<int:post_id>/reactions"): Case(
        "/api/v1/posts/{other_post}/reactions", SIGNED_IN),
    # --- reports, review, sanctions, blocks, rules ---------------------------------------
    ("POST", "/api/v1/reports"): Case(
        "/api/v1/reports", SIGNED_IN,
        {"target_type": "post", "target_id": "{post_to_report}", "reason": "spam"}),
    ("GET", "/api/v1/reports/mine"): Case("/api/v1/reports/mine", SIGNED_IN),
    # API.md is silent on visitors; the draft check is for members writing, so sign in first.
    ("POST", "/api/v1/moderation/check"): Case("/api/v1/moderation/check", SIGNED_IN,
                                               {"text": "hello"}),
    ("GET", "/api/v1/moderation/queue"): Case("/api/v1/moderation/queue", MODERATOR),
    ("POST", "/api/v1/moderation/queue/<int:item_id>/claim"): Case(
        "/api/v1/moderation/queue/{item_api}/claim", MODERATOR),
    ("POST", "/api/v1/moderation/queue/<int:item_id>/resolve"): Case(
        "/api/v1/moderation/queue/{item_api}/resolve", MODERATOR, {"decision": "dismiss"}),
    ("POST", "/api/v1/users/<int:user_id>/sanctions"): Case(
        "/api/v1/users/{target}/sanctions", MODERATOR, {"kind": "warn", "reason": "r"}),
    ("GET", "/api/v1/users/<int:user_id>/sanctions"): Case("/api/v1/users/{target}/sanctions",
                                                           MODERATOR),
    ("DELETE", "/api/v1/sanctions/<int:sanction_id>"): Case("/api/v1/sanctions/{sanction_api}",
                                                            MODERATOR),
    ("POST", "/api/v1/blocks"): Case("/api/v1/blocks", SIGNED_IN, {"user_id": "{target}"}),
    ("GET", "/api/v1/blocks"): Case("/api/v1/blocks", SIGNED_IN),
    ("DELETE", "/api/v1/blocks/<int:user_id>"): Case("/api/v1/blocks/{target}", SIGNED_IN),
    # --- appeals: her own sanctions only; the queue and decisions are moderators' ---------
    ("GET", "/api/v1/me/sanctions"): Case("/api/v1/me/sanctions", SIGNED_IN),
    # The sanctions belong to the target: nobody else can appeal them (not found for them).
    ("POST", "/api/v1/sanctions/<int:sanction_id>/appeal"): Case(
        "/api/v1/sanctions/{sanction_api}/appeal", access(404, anonymous=401), {"text": "why"}),
    # Without signing in, only her password opens it: a wrong one is refused whoever asks.
    ("POST", "/api/v1/auth/appeal"): Case(
        "/api/v1/auth/appeal", access(401),
        {"handle": "{target_handle}", "password": "not her password", "sanction_id": 1,
         "text": "why"}),
    ("GET", "/api/v1/moderation/appeals"): Case("/api/v1/moderation/appeals", MODERATOR),
    ("POST", "/api/v1/moderation/appeals/<int:appeal_id>/decide"): Case(
        "/api/v1/moderation/appeals/999999/decide",
        access(403, anonymous=401, moderator=404, admin=404), {"decision": "uphold"}),
    ("GET", "/api/v1/moderation/rules"): Case("/api/v1/moderation/rules", MODERATOR),
    ("POST", "/api/v1/moderation/rules"): Case(
        "/api/v1/moderation/rules", MODERATOR,
        {"pattern": "zzqq", "kind": "word", "action": "flag"}),
    ("DELETE", "/api/v1/moderation/rules/<int:rule_id>"): Case(
        "/api/v1/moderation/rules/{rule_api}", MODERATOR),
    ("GET", "/api/v1/moderation/audit"): Case("/api/v1/moderation/audit", MODERATOR),
    # README extension: the detector threshold is a rules setting (moderators and admins).
    ("GET", "/api/v1/moderation/settings"): Case("/api/v1/moderation/settings", MODERATOR),
    ("PATCH", "/api/v1/moderation/settings"): Case("/api/v1/moderation/settings", MODERATOR,
                                                   {"abuse_threshold": None}),
    # --- trauma-aware review (issue #18): her own settings; admins read numbers only -----
    ("POST", "/api/v1/moderation/queue/<int:item_id>/reveal"): Case(
        "/api/v1/moderation/queue/{item_api}/reveal", MODERATOR),
    ("GET", "/api/v1/moderation/care"): Case("/api/v1/moderation/care", MODERATOR),
    ("PATCH", "/api/v1/moderation/care"): Case("/api/v1/moderation/care", MODERATOR,
                                               {"hourly_cap": 25}),
    ("GET", "/api/v1/moderation/exposure"): Case("/api/v1/moderation/exposure", ADMIN),
    # --- rooms and private support -------------------------------------------------------
    ("GET", "/api/v1/rooms"): Case("/api/v1/rooms", PUBLIC),
    ("POST", "/api/v1/rooms"): Case("/api/v1/rooms", COUNSELLOR,
                                    {"title": "Evening circle", "description": "d"}),
    ("POST", "/api/v1/rooms/<slug>/open"): Case("/api/v1/rooms/{room_to_open}/open", COUNSELLOR),
    # README: moderators may close any room too.
    ("POST", "/api/v1/rooms/<slug>/close"): Case(
        "/api/v1/rooms/{room_to_close}/close", access(403, anonymous=401, counsellor="ok",
                                                      moderator="ok", admin="ok")),
    # API.md: "the room's participants and moderators only"; the owner sat in the room and the
    # counsellor hosts it. A member who never joined is refused (403: the room is public).
    ("GET", "/api/v1/rooms/<slug>/messages"): Case(
        "/api/v1/rooms/{room}/messages",
        access(403, anonymous=401, owner="ok", counsellor="ok", moderator="ok", admin="ok")),
    # API.md: "a member asks"; staff are people too, so nobody signed in is refused.
    ("POST", "/api/v1/support-requests"): Case("/api/v1/support-requests", SIGNED_IN,
                                               {"topic": "I need to talk"}),
    ("GET", "/api/v1/support-requests"): Case("/api/v1/support-requests", COUNSELLOR),
    ("POST", "/api/v1/support-requests/<int:request_id>/accept"): Case(
        "/api/v1/support-requests/{support_api_accept}/accept", COUNSELLOR),
    # README: its member or a counsellor cancels; nobody else learns it exists.
    ("POST", "/api/v1/support-requests/<int:request_id>/cancel"): Case(
        "/api/v1/support-requests/{support_cancel}/cancel",
        access(404, anonymous=401, owner="ok", counsellor="ok", admin="ok")),
    # --- notifications (issue #16): each member's own; a thread she may read to follow ----
    ("GET", "/api/v1/notifications"): Case("/api/v1/notifications", SIGNED_IN),
    ("GET", "/api/v1/notifications/unread-count"): Case("/api/v1/notifications/unread-count",
                                                        SIGNED_IN),
    ("POST", "/api/v1/notifications/read"): Case("/api/v1/notifications/read", SIGNED_IN, {}),
    ("GET", "/api/v1/me/notification-settings"): Case("/api/v1/me/notification-settings",
                                                      SIGNED_IN),
    ("PATCH", "/api/v1/me/notification-settings"): Case(
        "/api/v1/me/notification-settings", SIGNED_IN, {"timezone": "Asia/Karachi"}),
    ("PUT", "/api/v1/threads/<int:thread_id>/follow"): Case("/api/v1/threads/{thread}/follow",
                                                            SIGNED_IN),
    ("DELETE", "/api/v1/threads/<int:thread_id>/follow"): Case(
        "/api/v1/threads/{thread}/follow", SIGNED_IN),
    # --- shield mode (issue #17): each member's own; someone else's tray and invitations
    # are her accepted helpers' only, and nobody else (staff included) learns they exist ----
    ("GET", "/api/v1/me/shield"): Case("/api/v1/me/shield", SIGNED_IN),
    ("PUT", "/api/v1/me/shield"): Case("/api/v1/me/shield", SIGNED_IN, {"on": False}),
    ("GET", "/api/v1/me/shield/held"): Case("/api/v1/me/shield/held", SIGNED_IN),
    ("POST", "/api/v1/me/shield/held/<int:post_id>/release"): Case(
        "/api/v1/me/shield/held/999999/release", NOT_FOUND, {}),
    ("POST", "/api/v1/me/shield/held/<int:post_id>/reject"): Case(
        "/api/v1/me/shield/held/999999/reject", NOT_FOUND, {}),
    ("GET", "/api/v1/users/<int:user_id>/shield/held"): Case(
        "/api/v1/users/{target}/shield/held", NOT_FOUND),
    ("POST", "/api/v1/users/<int:user_id>/shield/held/<int:post_id>/release"): Case(
        "/api/v1/users/{target}/shield/held/999999/release", NOT_FOUND, {}),
    ("POST", "/api/v1/users/<int:user_id>/shield/held/<int:post_id>/reject"): Case(
        "/api/v1/users/{target}/shield/held/999999/reject", NOT_FOUND, {}),
    # The writer: named posts, and nobody here blocks him (the block routes block `target`).
    ("POST", "/api/v1/me/shield/helpers"): Case("/api/v1/me/shield/helpers", SIGNED_IN,
                                                 {"user_id": "{writer}"}),
    ("DELETE", "/api/v1/me/shield/helpers/<int:user_id>"): Case(
        "/api/v1/me/shield/helpers/{target}", SIGNED_IN),
    ("GET", "/api/v1/me/shield/activity"): Case("/api/v1/me/shield/activity", SIGNED_IN),
    ("GET", "/api/v1/me/shield/helping"): Case("/api/v1/me/shield/helping", SIGNED_IN),
    ("POST", "/api/v1/shield-invites/<int:invite_id>/accept"): Case(
        "/api/v1/shield-invites/999999/accept", NOT_FOUND),
    ("POST", "/api/v1/shield-invites/<int:invite_id>/decline"): Case(
        "/api/v1/shield-invites/999999/decline", NOT_FOUND),
    ("GET", "/api/v1/openapi.json"): Case("/api/v1/openapi.json", PUBLIC),
    ("GET", "/healthz"): Case("/healthz", PUBLIC),
    ("GET", "/static/<path:filename>"): Case("/static/css/site.css", PUBLIC),
    # --- pages: reading and accounts -----------------------------------------------------
    ("GET", "/"): Case("/", PAGE),
    ("GET", "/help"): Case("/help", PAGE),
    ("GET", "/login"): Case("/login", PAGE),
    # Wrong password: the form again, 401, whoever asks.
    ("POST", "/login"): Case("/login", access(401),
                             {"handle": "{target_handle}", "password": "wrong password"},
                             form=True),
    # Signing out when not signed in is harmless: back to the home page (both docs silent).
    ("POST", "/logout"): Case("/logout", PAGE, {}, form=True, fresh=True, last=True),
    ("GET", "/register"): Case("/register", PAGE),
    ("POST", "/register"): Case("/register", PAGE,
                                {"handle": "{new_handle}", "password": "{password}",
                                 "password_again": "{password}"}, form=True, fresh=True,
                                last=True),
    ("GET", "/recover"): Case("/recover", PAGE),
    ("POST", "/recover"): Case("/recover", access(401),
                               {"handle": "{target_handle}", "recovery_code": "not-a-code",
                                "new_password": "{password}"}, form=True),
    ("POST", "/language"): Case("/language", PAGE, {"lang": "ur"}, form=True),
    ("POST", "/preferences/title"): Case("/preferences/title", PAGE, {"neutral": "1"},
                                         form=True),
    ("GET", "/account"): Case("/account", PAGE_SIGNED_IN),
    ("GET", "/account/export"): Case("/account/export", PAGE_SIGNED_IN),
    ("GET", "/account/password"): Case("/account/password", PAGE_SIGNED_IN),
    # Signs out her other devices and tokens: last, on a fresh world (issue #19).
    ("POST", "/account/password"): Case("/account/password", PAGE_SIGNED_IN,
                                        {"password": "{password}", "new_password": "{password}",
                                         "new_password_again": "{password}"},
                                        form=True, fresh=True, last=True),
    ("GET", "/account/reports"): Case("/account/reports", PAGE_SIGNED_IN),
    ("GET", "/account/recovery-codes"): Case("/account/recovery-codes", PAGE_SIGNED_IN),
    ("POST", "/account/recovery-codes"): Case("/account/recovery-codes", PAGE_SIGNED_IN,
                                              {"saved": "yes"}, form=True),
    ("POST", "/account/recovery-codes/new"): Case("/account/recovery-codes/new", PAGE_SIGNED_IN,
                                                  {"password": "{password}"}, form=True),
    ("POST", "/account/sessions/<id:token_id>/revoke"): Case(
        "/account/sessions/{target_token}/revoke", access(404, anonymous="login"), {},
        form=True),
    ("POST", "/account/sessions/revoke-others"): Case(
        "/account/sessions/revoke-others", PAGE_SIGNED_IN, {}, form=True, fresh=True, last=True),
    ("POST", "/account/totp"): Case("/account/totp", PAGE_SIGNED_IN, {"password": "{password}"},
                                    form=True, fresh=True),
    ("POST", "/account/totp/confirm"): Case("/account/totp/confirm", PAGE_SIGNED_IN,
                                            {"code": "{totp_code}"}, form=True, fresh=True),
    ("POST", "/account/delete"): Case("/account/delete", PAGE_SIGNED_IN,
                                      {"password": "{password}", "erase_posts": "no"},
                                      form=True, fresh=True, last=True),
    ("POST", "/account/blocks/<id:user_id>/unblock"): Case(
        "/account/blocks/{target}/unblock", PAGE_SIGNED_IN, {}, form=True),
    ("POST", "/users/<id:user_id>/block"): Case("/users/{target}/block", PAGE_SIGNED_IN, {},
                                                form=True),
    ("GET", "/users/<id:user_id>/report"): Case("/users/{target}/report", PAGE_SIGNED_IN),
    ("POST", "/users/<id:user_id>/report"): Case("/users/{target}/report", PAGE_SIGNED_IN,
                                                 {"reason": "spam"}, form=True),
    # --- pages: shield mode (issue #17), each member's own; someone else's tray is her
    # helpers' only ---------------------------------------------------------------------
    ("GET", "/account/shield"): Case("/account/shield", PAGE_SIGNED_IN),
    ("POST", "/account/shield"): Case("/account/shield", PAGE_SIGNED_IN, {"on": "0"},
                                      form=True),
    ("GET", "/account/shield/held"): Case("/account/shield/held", PAGE_SIGNED_IN),
    ("GET", "/account/shield/activity"): Case("/account/shield/activity", PAGE_SIGNED_IN),
    ("GET", "/users/<id:user_id>/shield/held"): Case("/users/{target}/shield/held",
                                                    PAGE_NOT_FOUND),
    ("POST", "/shield/<id:owner_id>/held/<id:post_id>/<any(release, reject):action>"): Case(
        "/shield/{target}/held/999999/release", PAGE_NOT_FOUND, {}, form=True),
    ("POST", "/account/shield/helpers"): Case("/account/shield/helpers", PAGE_SIGNED_IN,
                                              {"handle": "{writer_handle}"}, form=True),
    ("POST", "/account/shield/helpers/<id:user_id>/remove"): Case(
        "/account/shield/helpers/{target}/remove", PAGE_SIGNED_IN, {}, form=True),
    ("POST", "/shield-invites/<id:invite_id>/<any(accept, decline):answer>"): Case(
        "/shield-invites/999999/accept", PAGE_NOT_FOUND, {}, form=True),
    # --- pages: notifications (issue #16), each member's own -----------------------------
    ("GET", "/notifications"): Case("/notifications", PAGE_SIGNED_IN),
    ("POST", "/notifications/read"): Case("/notifications/read", PAGE_SIGNED_IN, {}, form=True),
    ("GET", "/notifications/settings"): Case("/notifications/settings", PAGE_SIGNED_IN),
    ("POST", "/notifications/settings"): Case("/notifications/settings", PAGE_SIGNED_IN,
                                              {"timezone": "Asia/Karachi"}, form=True),
    # --- pages: boards, threads, posts ---------------------------------------------------
    ("GET", "/boards/<slug>"): Case("/boards/talk", PAGE),
    ("GET", "/boards/<slug>/new"): Case("/boards/talk/new", PAGE_SIGNED_IN),
    ("POST", "/boards/<slug>/new"): Case("/boards/talk/new", PAGE_SIGNED_IN,
                                         {"title": "Salaam", "body": "A first word"}, form=True),
    ("GET", "/threads/<id:thread_id>"): Case("/threads/{thread}", PAGE),
    ("POST", "/threads/<id:thread_id>/reply"): Case("/threads/{thread}/reply", PAGE_SIGNED_IN,
                                                    {"body": "A kind reply"}, form=True),
    ("GET", "/posts/<id:post_id>/edit"): Case("/posts/{post}/edit", PAGE_AUTHOR),
    ("POST", "/posts/<id:post_id>/edit"): Case("/posts/{post}/edit", PAGE_AUTHOR,
                                               {"body": "Edited on the page"}, form=True),
    ("GET", "/posts/<id:post_id>/delete"): Case("/posts/{post_page_delete}/delete", PAGE_AUTHOR),
    ("POST", "/posts/<id:post_id>/delete"): Case("/posts/{post_page_delete}/delete", PAGE_AUTHOR,
                                                 {"confirm": "yes"}, form=True),
    ("GET", "/posts/<id:post_id>/report"): Case("/posts/{post_to_report_page}/report",
                                                PAGE_SIGNED_IN),
    ("POST", "/posts/<id:post_id>/report"): Case("/posts/{post_to_report_page}/report",
                                                 PAGE_SIGNED_IN, {"reason": "spam"}, form=True),
    ("POST", "/posts/<id:post_id>/support"): Case("/posts/{other_post}/support", PAGE_SIGNED_IN,
                                                  {}, form=True),
    # --- pages: rooms --------------------------------------------------------------------
    ("GET", "/rooms"): Case("/rooms", PAGE),
    ("POST", "/rooms"): Case("/rooms", PAGE_COUNSELLOR,
                             {"title": "Evening circle", "description": "d"}, form=True),
    ("GET", "/rooms/<slug>"): Case("/rooms/{room}", PAGE),
    ("POST", "/rooms/<slug>/<any(open, close):action>"): Case(
        "/rooms/{room_page_open}/open", PAGE_COUNSELLOR, {}, form=True),
    ("POST", "/rooms/support"): Case("/rooms/support", PAGE_SIGNED_IN, {"topic": "talk"},
                                     form=True),
    ("POST", "/rooms/support/<id:request_id>/accept"): Case(
        "/rooms/support/{support_page_accept}/accept", PAGE_COUNSELLOR, {}, form=True),
    # A room message can be reported by whoever can read it: its room's participants, the
    # host and moderators; to anyone else it does not exist (issue #12, hole 5).
    ("GET", "/room-messages/<id:message_id>/report"): Case(
        "/room-messages/{room_message}/report", access("ok", anonymous="login", member=404)),
    ("POST", "/room-messages/<id:message_id>/report"): Case(
        "/room-messages/{room_message}/report", access("ok", anonymous="login", member=404),
        {"reason": "spam"}, form=True),
    # --- pages: administration and moderation --------------------------------------------
    ("GET", "/admin/boards"): Case("/admin/boards", PAGE_ADMIN),
    ("POST", "/admin/boards"): Case("/admin/boards", PAGE_ADMIN,
                                    {"slug": "{new_slug}", "name": "New", "description": "",
                                     "visibility": "public"}, form=True),
    ("GET", "/admin/users/<id:user_id>/role"): Case("/admin/users/{target}/role", PAGE_ADMIN),
    ("POST", "/admin/users/<id:user_id>/role"): Case("/admin/users/{target}/role", PAGE_ADMIN,
                                                     {"role": "member"}, form=True),
    ("GET", "/moderation"): Case("/moderation", PAGE_MODERATOR),
    ("GET", "/moderation/audit"): Case("/moderation/audit", PAGE_MODERATOR),
    ("GET", "/moderation/appeals"): Case("/moderation/appeals", PAGE_MODERATOR),
    ("POST", "/moderation/appeals/<id:appeal_id>/decide"): Case(
        "/moderation/appeals/999999/decide",
        access(403, anonymous="login", moderator=404, admin=404), {"decision": "uphold"},
        form=True),
    ("GET", "/appeal"): Case("/appeal", PAGE),
    # Signed in, the target's sanction is not hers (not found); signed out, a wrong password.
    ("POST", "/appeal"): Case(
        "/appeal", access(404, anonymous=401),
        {"sanction_id": "{sanction_page}", "handle": "{target_handle}",
         "password": "not her password", "text": "why"}, form=True),

    ("POST", "/moderation/queue/<id:item_id>/claim"): Case(
        "/moderation/queue/{item_page}/claim", PAGE_MODERATOR, {}, form=True),
    ("POST", "/moderation/queue/<id:item_id>/resolve"): Case(
        "/moderation/queue/{item_page}/resolve", PAGE_MODERATOR, {"decision": "dismiss"},
        form=True),
    ("POST", "/moderation/queue/<id:item_id>/reveal"): Case(
        "/moderation/queue/{item_page}/reveal", PAGE_MODERATOR, {}, form=True),
    ("GET", "/moderation/care"): Case("/moderation/care", PAGE_MODERATOR),
    ("POST", "/moderation/care"): Case("/moderation/care", PAGE_MODERATOR,
                                       {"hourly_cap": "25"}, form=True),
    ("GET", "/moderation/exposure"): Case("/moderation/exposure", PAGE_ADMIN),
    ("GET", "/moderation/rules"): Case("/moderation/rules", PAGE_MODERATOR),
    ("POST", "/moderation/rules"): Case("/moderation/rules", PAGE_MODERATOR,
                                        {"pattern": "zzqq", "kind": "word", "action": "flag"},
                                        form=True),
    ("POST", "/moderation/rules/<id:rule_id>/delete"): Case(
        "/moderation/rules/{rule_page}/delete", PAGE_MODERATOR, {}, form=True),
    ("GET", "/moderation/users/<id:user_id>/sanctions"): Case(
        "/moderation/users/{target}/sanctions", PAGE_MODERATOR),
    ("POST", "/moderation/users/<id:user_id>/sanctions"): Case(
        "/moderation/users/{target}/sanctions", PAGE_MODERATOR, {"kind": "warn", "reason": "r"},
        form=True),
    ("POST", "/moderation/sanctions/<id:sanction_id>/lift"): Case(
        "/moderation/sanctions/{sanction_page}/lift", PAGE_MODERATOR, {}, form=True),
}

PASSWORD = "correct horse battery staple 42"


def routes(app: Any) -> list[tuple[str, str]]:
    return sorted((method, rule.rule) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_has_an_expectation(app):
    """A new route must be given its row in TABLE (and nothing stale stays there)."""
    served = set(routes(app))
    assert sorted(served - set(TABLE)) == [], "routes without an expectation"
    assert sorted(set(TABLE) - served) == [], "expectations for routes that do not exist"


# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    values: dict[str, Any]
    people: dict[str, Any]
    totp_secrets: dict[int, str] = field(default_factory=dict)


def _secret(app: Any, user_id: int) -> str | None:
    from forum.models.user import User

    session = app.extensions["forum.db"].new_session()
    try:
        user = session.get(User, user_id)
        # A factor being (re-)enrolled waits as the pending secret until it is confirmed.
        return user.totp_pending_secret or user.totp_secret
    finally:
        session.close()


def _created(answer: Any) -> Any:
    assert answer.status_code in (200, 201), (answer.status_code, answer.get_json())
    return answer.get_json()


def build_world(app: Any, client: Any, make_user: Any, make_board: Any) -> World:
    from sqlalchemy import select, update

    from forum.db import utcnow
    from forum.models.user import AuthToken, User
    from forum.realtime import socketio

    make_board("talk")
    people = {role: make_user(role) for role in ("counsellor", "moderator", "admin")}
    people["member"] = make_user("member")
    owner = people["owner"] = make_user("member")
    writer, target = make_user("member"), make_user("member")
    with app.app_context():
        with app.extensions["forum.db"].unit_of_work() as session:  # no new-account holds
            session.execute(update(User).where(User.id.in_([owner.id, writer.id, target.id]))
                            .values(created_at=utcnow() - dt.timedelta(days=60)))
    host, moderator = people["counsellor"], people["moderator"]

    def post(who: Any, path: str, body: Any = None) -> Any:
        return _created(client.post("/api/v1" + path, headers=who.headers, json=body))

    opened = post(owner, "/boards/talk/threads", {"title": "My story", "body": "It began"})
    thread = opened["thread"]["id"]
    owner_posts = [post(owner, f"/threads/{thread}/posts", {"body": f"More, part {i}"})["post"]["id"]
                   for i in range(2)]
    # Accounts can be blocked and reported only by a name one was shown (issue #12).
    post(target, "/boards/talk/threads", {"title": "Named", "body": "My name is on this"})
    other_thread = post(writer, "/boards/talk/threads", {"title": "Hello", "body": "Me too"})
    other_tid = other_thread["thread"]["id"]
    writer_posts = [other_thread["post"]["id"]] + [
        post(writer, f"/threads/{other_tid}/posts", {"body": f"Reply {i}"})["post"]["id"]
        for i in range(3)]
    # Two review items (one for the API, one for the page), from the owner's reports.
    for target_post in writer_posts[:2]:
        post(owner, "/reports", {"target_type": "post", "target_id": target_post,
                                 "reason": "harassment"})
    queue = _created(client.get("/api/v1/moderation/queue", headers=moderator.headers))["items"]
    items = sorted(i["id"] for i in queue if i["target_id"] in writer_posts[:2])
    sanctions = [post(moderator, f"/users/{target.id}/sanctions",
                      {"kind": "warn", "reason": f"r{i}"})["sanction"]["id"] for i in range(2)]
    rules = [post(moderator, "/moderation/rules", {"pattern": f"zzrule{i}", "kind": "word",
                                                   "action": "flag"})["rule"]["id"]
             for i in range(2)]
    rooms = [post(host, "/rooms", {"title": f"Circle {i}", "description": "d"})["room"]["slug"]
             for i in range(4)]
    room, room_to_close = rooms[0], rooms[1]
    for slug in (room, room_to_close):
        post(host, f"/rooms/{slug}/open")
    # The owner and the writer sit in the room and speak; the writer's message is reported.
    message = None
    for who in (owner, writer):
        sc = socketio.test_client(app, namespace="/rooms", auth={"token": who.token})
        assert sc.emit("join", {"room": room}, namespace="/rooms", callback=True)["ok"]
        ack = sc.emit("message", {"room": room, "body": "Salaam, all"}, namespace="/rooms",
                      callback=True)
        assert ack["ok"], ack
        message = ack["message"]["id"]
        sc.disconnect(namespace="/rooms")
    # Waiting support requests: one per route that acts on one (each by its own member, since
    # asking again while one waits answers the same request); the owner's is the one to cancel.
    support = {"support_cancel": post(owner, "/support-requests", {"topic": "talk"})}
    for name in ("support_api_accept", "support_page_accept"):
        support[name] = post(make_user("member"), "/support-requests", {"topic": "talk"})
    session = app.extensions["forum.db"].new_session()
    target_token = session.scalars(select(AuthToken.id).where(AuthToken.user_id == target.id)
                                   ).first()
    session.close()
    values = {
        "thread": thread, "post": opened["post"]["id"], "post_api_delete": owner_posts[0],
        "post_page_delete": owner_posts[1], "other_post": writer_posts[0],
        "post_to_report": writer_posts[2], "post_to_report_page": writer_posts[3],
        "item_api": items[0], "item_page": items[1],
        "sanction_api": sanctions[0], "sanction_page": sanctions[1],
        "rule_api": rules[0], "rule_page": rules[1],
        "room": room, "room_to_close": room_to_close, "room_to_open": rooms[2],
        "room_page_open": rooms[3], "room_message": message,
        "target": target.id, "target_handle": target.handle, "target_token": target_token,
        "writer": writer.id, "writer_handle": writer.handle,
        "password": PASSWORD,
        **{name: answer["request"]["id"] for name, answer in support.items()},
    }
    return World(values, people)


# --- calling a route as a role ---------------------------------------------------------------


def fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole:
            return values[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value


def sign_in_page(app: Any, member: Any) -> Any:
    """A test client signed in to pages as `member` (staff with their authenticator code)."""
    web = app.test_client()
    data = {"csrf_token": token_for(web, "/login"), "handle": member.handle,
            "password": member.password}
    secret = _secret(app, member.id)
    if secret:
        data["totp"] = pyotp.TOTP(secret).now()
    done = web.post("/login", data=data)
    assert done.status_code == 302, done.get_data(as_text=True)
    return web


def answer_class(answer: Any) -> Any:
    status = answer.status_code
    if 300 <= status < 400:
        return "login" if "/login" in answer.headers.get("Location", "").split("?")[0] else "ok"
    if 200 <= status < 300:
        return "ok"
    return status


def run_role(app: Any, make_user: Any, world: World, role: str) -> list[str]:
    member = world.people.get(role)
    web = sign_in_page(app, member) if member else app.test_client()
    api = app.test_client()
    counter = {"n": 0}
    order = sorted(TABLE.items(), key=lambda kv: (kv[1].last, kv[0][0] != "GET", kv[0]))
    wrong: list[str] = []
    for (method, _rule), case in order:
        counter["n"] += 1
        who, page_client = member, web
        if case.fresh and member is not None:
            who = make_user("member" if role == "owner" else role)
            page_client = sign_in_page(app, who) if case.form else web
        values = {**world.values, "new_handle": f"newbie{ROLES.index(role)}x{counter['n']}",
                  "new_slug": f"new-{role}-{counter['n']}"}
        if who is not None:
            secret = _secret(app, who.id)
            if secret:
                values["totp_code"] = pyotp.TOTP(secret).now()
        values.setdefault("totp_code", "000000")
        path = fill(case.path, values)
        body = fill(case.body, values)
        if case.form:
            data = {"csrf_token": token_for(page_client, "/login"), **(body or {})}
            answer = page_client.open(path, method=method, data=data)
        elif path.startswith("/api/"):
            headers = who.headers if who is not None else {}
            answer = api.open(path, method=method, headers=headers, json=body)
        else:
            answer = page_client.open(path, method=method)
        got, expected = answer_class(answer), case.expect[role]
        answer.close()
        if got != expected:
            problem = answer.get_json(silent=True) if answer.is_json else None
            code = (problem or {}).get("code", "")
            wrong.append(f"{method} {path} as {role}: expected {expected}, got "
                         f"{answer.status_code} {code}".rstrip())
    return wrong


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Abuse limits off: one role run sends more than a hundred requests in a second."""
    return {"FORUM_RATE_LIMITS": False}


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, client, make_user, make_board,
                                                        role):
    world = build_world(app, client, make_user, make_board)
    wrong = run_role(app, make_user, world, role)
    assert wrong == [], "\n" + "\n".join(wrong)
