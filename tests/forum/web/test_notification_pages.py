"""The notifications page, its settings page and the header badge (issue #16)."""

from __future__ import annotations

import re

from tests.forum.web.conftest import assert_safe_page, sign_in, token_for


def _reply_to(client, make_user, make_board):
    make_board("talk")
    author, friend = make_user(), make_user()
    made = client.post("/api/v1/boards/talk/threads", headers=author.headers,
                       json={"title": "A secret title", "body": "Words she wrote"})
    thread_id = made.get_json()["thread"]["id"]
    client.post(f"/api/v1/threads/{thread_id}/posts", headers=friend.headers,
                json={"body": "A private word of support"})
    return author, friend, thread_id


def test_the_page_lists_links_without_quoting_and_the_badge_counts(app, client, make_user,
                                                                   make_board):
    author, friend, thread_id = _reply_to(client, make_user, make_board)
    browser = app.test_client()
    sign_in(browser, author)
    page = browser.get("/notifications").get_data(as_text=True)
    assert_safe_page(page)
    assert "Someone replied in a conversation you follow." in page
    assert f'href="/threads/{thread_id}#post-' in page
    assert "A private word of support" not in page and friend.handle not in page
    home = browser.get("/").get_data(as_text=True)
    badge = re.search(r'id="notification-badge" data-count="(\d+)"', home)
    assert badge and badge.group(1) == "1"
    assert "js/badge.js" in home
    # Mark all read: the badge says 0.
    token = token_for(browser, "/notifications")
    done = browser.post("/notifications/read", data={"csrf_token": token})
    assert done.status_code == 302
    home = browser.get("/").get_data(as_text=True)
    assert 'data-count="0"' in home


def test_the_page_in_urdu(app, client, make_user, make_board):
    author, _friend, _thread_id = _reply_to(client, make_user, make_board)
    browser = app.test_client()
    sign_in(browser, author)
    browser.post("/language", data={"csrf_token": token_for(browser, "/"), "lang": "ur"})
    page = browser.get("/notifications").get_data(as_text=True)
    assert 'lang="ur"' in page and 'dir="rtl"' in page
    assert "Someone replied in a conversation you follow." not in page


def test_settings_form_saves_and_refuses_a_bad_time_zone_readably(app, client, make_user,
                                                                  make_board):
    make_board("talk")
    member = make_user()
    browser = app.test_client()
    sign_in(browser, member)
    token = token_for(browser, "/notifications/settings")
    bad = browser.post("/notifications/settings", data={
        "csrf_token": token, "quiet_start": "22:00", "quiet_end": "07:00",
        "timezone": "Nowhere/Atlantis"})
    assert bad.status_code == 422
    assert "IANA time zone" in bad.get_data(as_text=True)
    ok = browser.post("/notifications/settings", data={
        "csrf_token": token, "quiet_start": "22:00", "quiet_end": "07:00",
        "timezone": "Asia/Karachi", "muted": ["talk"]})
    assert ok.status_code == 302
    settings = client.get("/api/v1/me/notification-settings", headers=member.headers).get_json()
    assert settings["settings"] == {"quiet_hours": {"start": "22:00", "end": "07:00"},
                                    "timezone": "Asia/Karachi", "muted_boards": ["talk"]}


def test_visitors_see_no_badge_and_are_sent_to_sign_in(client):
    assert "notification-badge" not in client.get("/").get_data(as_text=True)
    answer = client.get("/notifications")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
