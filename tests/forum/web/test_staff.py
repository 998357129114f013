"""Staff pages: rooms (announce, open, close, the live room page, private support) and the
moderators' pages (review queue, sanctions, rules, audit), through the same services as the
API; members are kept out."""

from __future__ import annotations

import re
from typing import Any

import pyotp

from tests.forum.web.conftest import assert_safe_page, csrf_from, sign_in, token_for
from tests.forum.web.test_every_page import weight


def sign_in_staff(app: Any, client: Any, member: Any) -> None:
    """Staff sign in with their authenticator code too."""
    from forum.models.user import User

    with app.app_context():
        secret = app.extensions["forum.db"].new_session().get(User, member.id).totp_secret
    token = token_for(client, "/login")
    done = client.post("/login", data={"csrf_token": token, "handle": member.handle,
                                       "password": member.password,
                                       "totp": pyotp.TOTP(secret).now()})
    assert done.status_code == 302, done.get_data(as_text=True)


def test_counsellor_announces_and_opens_a_room(app: Any, client: Any, make_user: Any) -> None:
    counsellor = make_user("counsellor")
    sign_in_staff(app, client, counsellor)
    html = client.get("/rooms").get_data(as_text=True)
    assert "Announce a room" in html
    assert_safe_page(html)
    made = client.post("/rooms", data={"csrf_token": csrf_from(html), "title": "Evening circle",
                                       "description": "Talk about the week"})
    assert made.status_code == 302
    room_url = made.location
    slug = room_url.rsplit("/", 1)[1]
    html = client.get(room_url).get_data(as_text=True)
    assert "Open the room" in html
    client.post(f"/rooms/{slug}/open", data={"csrf_token": csrf_from(html)})
    html = client.get(room_url).get_data(as_text=True)
    assert 'id="room" data-room="' + slug + '"' in html
    assert "/static/vendor/socket.io.min.js" in html and "/static/js/room.js" in html
    assert_safe_page(html)
    assert weight(client, html) < 60 * 1024

    empty = client.post("/rooms", data={"csrf_token": csrf_from(html), "title": ""})
    assert empty.status_code == 422 and 'id="title-error"' in empty.get_data(as_text=True)


def test_members_ask_for_private_support_but_cannot_host(client: Any, make_user: Any) -> None:
    sign_in(client, make_user())
    html = client.get("/rooms").get_data(as_text=True)
    assert "Announce a room" not in html
    asked = client.post("/rooms/support", data={"csrf_token": csrf_from(html), "topic": "Help"},
                        follow_redirects=True)
    assert "Your request is waiting" in asked.get_data(as_text=True)
    refused = client.post("/rooms", data={"csrf_token": csrf_from(html), "title": "Mine"})
    assert refused.status_code == 403


def test_visitors_see_rooms_but_not_the_conversation(client: Any) -> None:
    html = client.get("/rooms").get_data(as_text=True)
    assert "Sign in to join a room" in html
    assert client.get("/rooms/nowhere").status_code == 404


def _reported_post(app: Any, make_user: Any, make_board: Any) -> tuple[int, Any]:
    make_board("talk")
    writer, reporter = app.test_client(), app.test_client()
    author = make_user()
    sign_in(writer, author)
    token = token_for(writer, "/boards/talk/new")
    url = writer.post("/boards/talk/new", data={"csrf_token": token, "title": "T",
                                                "body": "Something cruel"}).location
    sign_in(reporter, make_user())
    html = reporter.get(url).get_data(as_text=True)
    post_id = int(re.findall(r'id="post-(\d+)"', html)[0])
    reporter.post(f"/posts/{post_id}/report", data={"csrf_token": csrf_from(html),
                                                    "reason": "harassment"})
    return post_id, author


def test_moderator_reviews_and_sanctions(app: Any, client: Any, make_user: Any,
                                         make_board: Any) -> None:
    _post_id, author = _reported_post(app, make_user, make_board)
    moderator = make_user("moderator")
    sign_in_staff(app, client, moderator)
    html = client.get("/moderation").get_data(as_text=True)
    assert_safe_page(html)
    assert "Something cruel" in html and "Harassment or bullying" in html
    assert "report:harassment" not in html  # codes are never shown raw
    item_id = int(re.findall(r'id="item-(\d+)"', html)[0])
    client.post(f"/moderation/queue/{item_id}/claim", data={"csrf_token": csrf_from(html)})
    html = client.get("/moderation").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    done = client.post(f"/moderation/queue/{item_id}/resolve", data={
        "csrf_token": csrf_from(html), "decision": "remove", "version": version,
        "sanction_kind": "mute", "duration_hours": "24", "sanction_reason": "Be kind"})
    assert done.status_code == 302
    assert "Nothing to review." in client.get("/moderation").get_data(as_text=True)
    resolved = client.get("/moderation?status=resolved").get_data(as_text=True)
    assert "Removed" in resolved, resolved[resolved.find("<main"):]

    page = client.get(f"/moderation/users/{author.id}/sanctions").get_data(as_text=True)
    assert_safe_page(page)
    assert "Mute" in page and "Be kind" in page and f"History of {author.handle}" in page
    bad = client.post(f"/moderation/users/{author.id}/sanctions",
                      data={"csrf_token": csrf_from(page), "kind": "warn",
                            "duration_hours": "soon"})
    assert bad.status_code == 422 and 'id="duration_hours-error"' in bad.get_data(as_text=True)
    sanction_id = re.search(r'/moderation/sanctions/(\d+)/lift', page).group(1)
    lifted = client.post(f"/moderation/sanctions/{sanction_id}/lift",
                         data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Sanction lifted." in lifted.get_data(as_text=True)

    audit = client.get("/moderation/audit").get_data(as_text=True)
    assert_safe_page(audit)
    assert "sanction" in audit


def test_moderator_edits_rules(app: Any, client: Any, make_user: Any) -> None:
    sign_in_staff(app, client, make_user("moderator"))
    html = client.get("/moderation/rules").get_data(as_text=True)
    assert_safe_page(html)
    added = client.post("/moderation/rules", data={"csrf_token": csrf_from(html),
                                                   "pattern": "badword", "kind": "word",
                                                   "action": "block"}, follow_redirects=True)
    text = added.get_data(as_text=True)
    assert "badword" in text
    rule_id = re.search(r"/moderation/rules/(\d+)/delete", text).group(1)
    broken = client.post("/moderation/rules", data={"csrf_token": csrf_from(html),
                                                    "pattern": "(", "kind": "regex",
                                                    "action": "block"})
    assert broken.status_code == 422 and 'id="pattern-error"' in broken.get_data(as_text=True)
    client.post(f"/moderation/rules/{rule_id}/delete", data={"csrf_token": csrf_from(html)})
    assert "badword" not in client.get("/moderation/rules").get_data(as_text=True)


def test_members_cannot_open_moderation_pages(client: Any, make_user: Any) -> None:
    sign_in(client, make_user())
    for path in ("/moderation", "/moderation/rules", "/moderation/audit",
                 "/moderation/users/1/sanctions"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "Traceback" not in answer.get_data(as_text=True)
    assert client.get("/").get_data(as_text=True).count('href="/moderation"') == 0


def test_counsellor_accepts_a_private_support_request(app: Any, client: Any,
                                                      make_user: Any) -> None:
    member_client = app.test_client()
    sign_in(member_client, make_user())
    html = member_client.get("/rooms").get_data(as_text=True)
    member_client.post("/rooms/support", data={"csrf_token": csrf_from(html), "topic": "Alone"})

    sign_in_staff(app, client, make_user("counsellor"))
    html = client.get("/rooms").get_data(as_text=True)
    assert "Alone" in html
    request_id = re.search(r"/rooms/support/(\d+)/accept", html).group(1)
    done = client.post(f"/rooms/support/{request_id}/accept", data={"csrf_token": csrf_from(html)})
    assert done.status_code == 302 and "/rooms/" in done.location
    slug = done.location.rsplit("/", 1)[1]
    assert f'href="/rooms/{slug}"' in member_client.get("/rooms").get_data(as_text=True)
