"""Pages for editing and deleting a post, blocks (thread page and account page), the admin
pages (boards, roles) and the host tools of the live room page."""

from __future__ import annotations

import re
from typing import Any

from tests.forum.web.conftest import assert_safe_page, csrf_from, sign_in, token_for
from tests.forum.web.test_boards import start_thread
from tests.forum.web.test_every_page import weight
from tests.forum.web.test_staff import sign_in_staff


def _thread(client: Any, make_board: Any, author: Any, body: str = "First words") -> tuple[str, int]:
    make_board("talk")
    sign_in(client, author)
    url = start_thread(client, "talk", body=body).location
    html = client.get(url).get_data(as_text=True)
    return url, int(re.findall(r'id="post-(\d+)"', html)[0])


def _sign_out(client: Any) -> None:
    client.post("/logout", data={"csrf_token": token_for(client, "/account")})


def test_author_edits_her_post(client: Any, make_board: Any, make_user: Any) -> None:
    url, post = _thread(client, make_board, make_user())
    html = client.get(url).get_data(as_text=True)
    assert f'href="/posts/{post}/edit"' in html and f'href="/posts/{post}/delete"' in html
    form = client.get(f"/posts/{post}/edit")
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "First words" in page
    assert_safe_page(page)
    saved = client.post(f"/posts/{post}/edit", data={"csrf_token": csrf_from(page),
                                                     "body": "Better words"})
    assert saved.status_code == 302 and f"#post-{post}" in saved.location
    html = client.get(url).get_data(as_text=True)
    assert "Better words" in html and "First words" not in html
    empty = client.post(f"/posts/{post}/edit", data={"csrf_token": csrf_from(page), "body": " "})
    assert empty.status_code == 422 and 'id="body-error"' in empty.get_data(as_text=True)


def test_edit_without_csrf_is_refused(client: Any, make_board: Any, make_user: Any) -> None:
    url, post = _thread(client, make_board, make_user())
    refused = client.post(f"/posts/{post}/edit", data={"body": "Sneaky"})
    assert refused.status_code == 400
    assert "Sneaky" not in client.get(url).get_data(as_text=True)


def test_others_cannot_edit_or_delete_and_see_no_links(client: Any, make_board: Any,
                                                         make_user: Any) -> None:
    url, post = _thread(client, make_board, make_user())
    _sign_out(client)
    sign_in(client, make_user())
    html = client.get(url).get_data(as_text=True)
    assert f"/posts/{post}/edit" not in html and f"/posts/{post}/delete" not in html
    assert client.get(f"/posts/{post}/edit").status_code == 403
    assert client.post(f"/posts/{post}/edit", data={"csrf_token": csrf_from(html),
                                                    "body": "Mine now"}).status_code == 403
    assert client.post(f"/posts/{post}/delete", data={"csrf_token": csrf_from(html),
                                                      "confirm": "yes"}).status_code == 403


def test_author_deletes_after_confirming(client: Any, make_board: Any, make_user: Any) -> None:
    url, post = _thread(client, make_board, make_user())
    token = token_for(client, url)
    reply = client.post(url.replace("/threads/", "/threads/") + "/reply",
                        data={"csrf_token": token, "body": "A second thought"})
    second = int(reply.location.rsplit("#post-", 1)[1])
    ask = client.get(f"/posts/{second}/delete")
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "A second thought" in page and 'value="yes"' in page
    assert_safe_page(page)
    unconfirmed = client.post(f"/posts/{second}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 302 and unconfirmed.location.endswith(
        f"/posts/{second}/delete")
    assert client.post(f"/posts/{second}/delete",
                       data={"confirm": "yes"}).status_code == 400  # no CSRF token
    assert "A second thought" in client.get(url).get_data(as_text=True)
    done = client.post(f"/posts/{second}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 302
    assert "A second thought" not in client.get(url).get_data(as_text=True)


def test_moderator_edits_and_removes_a_members_post(app: Any, client: Any, make_board: Any,
                                                    make_user: Any) -> None:
    url, post = _thread(client, make_board, make_user())
    _sign_out(client)
    sign_in_staff(app, client, make_user("moderator"))
    html = client.get(url).get_data(as_text=True)
    assert f'href="/posts/{post}/edit"' in html
    saved = client.post(f"/posts/{post}/edit", data={"csrf_token": csrf_from(html),
                                                     "body": "Edited by a moderator"})
    assert saved.status_code == 302
    gone = client.post(f"/posts/{post}/delete", data={"csrf_token": csrf_from(html),
                                                      "confirm": "yes"})
    assert gone.status_code == 302


def test_block_from_the_thread_and_unblock_on_the_account_page(
    client: Any, make_board: Any, make_user: Any
) -> None:
    author, reader = make_user(), make_user()
    url, _post = _thread(client, make_board, author, body="Words from the author")
    html = client.get(url).get_data(as_text=True)
    assert f"/users/{author.id}/block" not in html  # not on her own posts
    _sign_out(client)
    sign_in(client, reader)
    html = client.get(url).get_data(as_text=True)
    assert f'action="/users/{author.id}/block"' in html and "Block this member" in html
    assert client.post(f"/users/{author.id}/block", data={"next": url}).status_code == 400
    done = client.post(f"/users/{author.id}/block", data={"csrf_token": csrf_from(html),
                                                          "next": url})
    assert done.status_code == 302
    assert client.get(url).status_code == 404  # her thread is hidden from the reader now
    account = client.get("/account").get_data(as_text=True)
    assert author.handle in account and f'action="/account/blocks/{author.id}/unblock"' in account
    assert_safe_page(account)
    assert client.post(f"/account/blocks/{author.id}/unblock").status_code == 400
    lifted = client.post(f"/account/blocks/{author.id}/unblock",
                         data={"csrf_token": csrf_from(account)})
    assert lifted.status_code == 302 and lifted.location.endswith("/account#blocks")
    assert client.get(url).status_code == 200
    assert f"/account/blocks/{author.id}/unblock" not in client.get("/account").get_data(
        as_text=True)


def test_admin_lists_and_creates_boards(app: Any, client: Any, make_board: Any,
                                        make_user: Any) -> None:
    make_board("talk")
    sign_in_staff(app, client, make_user("admin"))
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/admin/boards"' in account
    page = client.get("/admin/boards")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/boards/talk"' in html
    assert_safe_page(html)
    assert client.post("/admin/boards", data={"slug": "legal", "name": "Legal help"}
                       ).status_code == 400
    made = client.post("/admin/boards", data={"csrf_token": csrf_from(html), "slug": "legal",
                                              "name": "Legal help", "visibility": "members"})
    assert made.status_code == 302
    assert 'href="/boards/legal"' in client.get("/admin/boards").get_data(as_text=True)
    bad = client.post("/admin/boards", data={"csrf_token": csrf_from(html), "slug": "Bad Slug",
                                             "name": "", "visibility": "public"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="slug-error"' in body and 'id="name-error"' in body
    again = client.post("/admin/boards", data={"csrf_token": csrf_from(html), "slug": "legal",
                                               "name": "Again", "visibility": "public"})
    assert again.status_code == 409 and 'id="slug-error"' in again.get_data(as_text=True)


def test_admin_changes_a_role(app: Any, client: Any, make_board: Any, make_user: Any) -> None:
    member = make_user()
    url, _post = _thread(client, make_board, member)
    _sign_out(client)
    sign_in_staff(app, client, make_user("admin"))
    thread = client.get(url).get_data(as_text=True)
    assert f'href="/admin/users/{member.id}/role"' in thread
    page = client.get(f"/admin/users/{member.id}/role")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and member.handle in html
    assert_safe_page(html)
    assert client.post(f"/admin/users/{member.id}/role",
                       data={"role": "moderator"}).status_code == 400
    done = client.post(f"/admin/users/{member.id}/role",
                       data={"csrf_token": csrf_from(html), "role": "counsellor"})
    assert done.status_code == 302
    assert '<option value="counsellor" selected>' in client.get(
        f"/admin/users/{member.id}/role").get_data(as_text=True)
    bad = client.post(f"/admin/users/{member.id}/role",
                      data={"csrf_token": csrf_from(html), "role": "queen"})
    assert bad.status_code == 422 and 'id="role-error"' in bad.get_data(as_text=True)
    assert client.get("/admin/users/424242/role").status_code == 404


def test_members_cannot_reach_admin_pages(client: Any, make_user: Any) -> None:
    member = make_user()
    sign_in(client, member)
    assert 'href="/admin/boards"' not in client.get("/account").get_data(as_text=True)
    for path in ("/admin/boards", f"/admin/users/{member.id}/role"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert_safe_page(answer.get_data(as_text=True))
    token = token_for(client, "/account")
    assert client.post("/admin/boards", data={"csrf_token": token, "slug": "mine",
                                              "name": "Mine"}).status_code == 403
    assert client.post(f"/admin/users/{member.id}/role",
                       data={"csrf_token": token, "role": "admin"}).status_code == 403


def test_visitors_are_sent_to_sign_in(client: Any) -> None:
    for path in ("/admin/boards", "/admin/users/1/role", "/posts/1/edit", "/posts/1/delete"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.location, path


def test_new_pages_in_urdu(app: Any, client: Any, make_board: Any, make_user: Any) -> None:
    author, admin = make_user(), make_user("admin")
    url, post = _thread(client, make_board, author)
    client.set_cookie("lang", "ur")
    for path in (f"/posts/{post}/edit", f"/posts/{post}/delete", url, "/account"):
        html = client.get(path).get_data(as_text=True)
        assert '<html lang="ur" dir="rtl">' in html, path
        assert_safe_page(html)
        for english in ("Edit the post", "Save changes", "Delete the post?", "Yes, delete it",
                        ">Edit<", ">Delete<", "Members you blocked"):
            assert english not in html, (path, english)
    _sign_out(client)
    sign_in_staff(app, client, admin)
    client.set_cookie("lang", "ur")
    for path in ("/admin/boards", f"/admin/users/{author.id}/role", url):
        html = client.get(path).get_data(as_text=True)
        assert_safe_page(html)
        for english in ("Create a board", "Who can read it", "Change the role", "New role",
                        "Block this member", ">Role<"):
            assert english not in html, (path, english)
        assert weight(client, html) < 60 * 1024


def test_host_tools_on_the_live_room_page(app: Any, client: Any, make_user: Any) -> None:
    counsellor = make_user("counsellor")
    sign_in_staff(app, client, counsellor)
    html = client.get("/rooms").get_data(as_text=True)
    room_url = client.post("/rooms", data={"csrf_token": csrf_from(html),
                                           "title": "Evening circle"}).location
    slug = room_url.rsplit("/", 1)[1]
    client.post(f"/rooms/{slug}/open", data={"csrf_token": csrf_from(html)})
    for lang in ("en", "ur"):
        client.set_cookie("lang", lang)
        html = client.get(room_url).get_data(as_text=True)
        assert 'data-host="1"' in html and 'id="host-tools"' in html
        assert 'id="room-alerts"' in html
        assert_safe_page(html)
        assert weight(client, html) < 60 * 1024
    assert ">Lock the room<" not in html and "data-t-remove=\"Remove\"" not in html
    asset = client.get("/static/js/room.js")
    script = asset.get_data(as_text=True)
    asset.close()
    for needed in ('"moderate"', "remove_message", "release", "mute", "unmute", "kick", "lock",
                   "unlock", "slow_mode", "close", "crisis_alert", "message_held"):
        assert needed in script, needed

    _sign_out(client)
    sign_in(client, make_user())
    client.set_cookie("lang", "en")
    html = client.get(room_url).get_data(as_text=True)
    assert 'data-host="1"' not in html and 'id="host-tools"' not in html
