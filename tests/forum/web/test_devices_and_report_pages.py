"""Pages for signing out one other device from the account page, reporting a member from the
thread page and reporting a message of the live room."""

from __future__ import annotations

import re
from typing import Any

from tests.forum.web.conftest import assert_safe_page, csrf_from, sign_in, token_for

REVOKE = re.compile(r'action="/account/sessions/(\d+)/revoke"')


def test_sign_out_one_other_device(app: Any, client: Any, make_user: Any) -> None:
    member = make_user()
    sign_in(client, member)
    phone = app.test_client()
    sign_in(phone, member)
    assert phone.get("/account").status_code == 200
    for lang, label in (("en", ">Sign out<"), ("ur", ">سائن آؤٹ<")):
        client.set_cookie("lang", lang)
        html = client.get("/account").get_data(as_text=True)
        assert_safe_page(html)
        # the phone and the API token of the fixture; never this browser
        assert len(REVOKE.findall(html)) == 2
        assert html.count(label) == 3  # the page's own button and one next to each other
    client.set_cookie("lang", "en")
    html = client.get("/account").get_data(as_text=True)
    other = max(REVOKE.findall(html), key=int)  # the phone signed in after the fixture
    refused = client.post(f"/account/sessions/{other}/revoke")
    assert refused.status_code == 400  # no CSRF token
    assert phone.get("/account").status_code == 200
    done = client.post(f"/account/sessions/{other}/revoke", data={"csrf_token": csrf_from(html)})
    assert done.status_code == 302 and done.location.endswith("/account#sessions")
    after = client.get("/account").get_data(as_text=True)
    assert "That device is signed out." in after and other not in REVOKE.findall(after)
    assert phone.get("/account").status_code == 302  # the phone is signed out
    again = client.post(f"/account/sessions/{other}/revoke", data={"csrf_token": csrf_from(html)})
    assert again.status_code == 404


def test_nobody_signs_out_someone_elses_device(app: Any, client: Any, make_user: Any) -> None:
    owner, stranger = make_user(), make_user()
    phone = app.test_client()
    sign_in(phone, owner)
    sign_in(client, owner)
    other = max(REVOKE.findall(client.get("/account").get_data(as_text=True)), key=int)
    client.post("/logout", data={"csrf_token": token_for(client, "/account")})
    sign_in(client, stranger)
    answer = client.post(f"/account/sessions/{other}/revoke",
                         data={"csrf_token": token_for(client, "/account")})
    assert answer.status_code == 404
    assert phone.get("/account").status_code == 200


def _thread(client: Any, make_board: Any, author: Any) -> tuple[str, int]:
    from tests.forum.web.test_boards import start_thread

    make_board("talk")
    sign_in(client, author)
    url = start_thread(client, "talk", body="First words").location
    html = client.get(url).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    return url, int(re.findall(r'id="post-(\d+)"', html)[0])


def test_report_a_member_from_the_thread(client: Any, make_board: Any, make_user: Any) -> None:
    author, reader = make_user(), make_user()
    url, post = _thread(client, make_board, author)
    sign_in(client, author)
    own = client.get(url).get_data(as_text=True)
    assert f"/users/{author.id}/report" not in own and "Report this member" not in own
    client.post("/logout", data={"csrf_token": csrf_from(own)})
    sign_in(client, reader)
    for lang, label, title in (("en", "Report this member", "Report a member"),
                               ("ur", "اس رکن کی رپورٹ کریں", "رکن کی رپورٹ کریں")):
        client.set_cookie("lang", lang)
        html = client.get(url).get_data(as_text=True)
        assert label in html and f'href="/users/{author.id}/report?next=' in html
        form = client.get(f"/users/{author.id}/report?next={url}%23post-{post}")
        page = form.get_data(as_text=True)
        assert form.status_code == 200 and title in page and author.handle in page
        assert 'value="blackmail"' in page and 'value="hide_from_me"' in page
        assert_safe_page(page)
    client.set_cookie("lang", "en")
    refused = client.post(f"/users/{author.id}/report", data={"reason": "harassment"})
    assert refused.status_code == 400  # no CSRF token
    token = csrf_from(page)
    done = client.post(f"/users/{author.id}/report",
                       data={"csrf_token": token, "reason": "harassment", "note": "She follows me",
                             "next": f"{url}#post-{post}"})
    assert done.status_code == 302 and done.location.endswith(f"{url}#post-{post}")
    mine = client.get("/account/reports").get_data(as_text=True)
    assert "Harassment or bullying" in mine
    twice = client.post(f"/users/{author.id}/report",
                        data={"csrf_token": token, "reason": "harassment"})
    assert twice.status_code == 409 and 'role="alert"' in twice.get_data(as_text=True)
    other = make_user()
    named = client.post("/api/v1/boards/talk/threads", headers=other.headers,
                        json={"title": "Hello", "body": "My name is on this"})
    assert named.status_code == 201  # only a name she was shown can be reported
    away = client.post(f"/users/{other.id}/report",
                       data={"csrf_token": token, "reason": "spam", "next": "https://evil.test/"})
    assert away.status_code == 302 and "evil.test" not in away.location  # never off the site
    empty = client.post(f"/users/{reader.id}/report", data={"csrf_token": token, "reason": "spam"})
    assert empty.status_code == 422  # not herself
    assert client.get("/users/999999/report").status_code == 404


def test_report_a_member_sends_visitors_to_sign_in(client: Any, make_user: Any) -> None:
    author = make_user()
    answer = client.get(f"/users/{author.id}/report")
    assert answer.status_code == 302 and "/login" in answer.location


def _room_with_message(app: Any, make_user: Any) -> tuple[Any, Any, Any, int]:
    from forum.models.room import Room, RoomMessage, RoomParticipant

    host, speaker, listener = make_user("counsellor"), make_user(), make_user()
    with app.app_context():
        with app.extensions["forum.db"].unit_of_work() as session:
            room = Room(slug="evening-circle", title="Evening circle", host_id=host.id,
                        status="open")
            session.add(room)
            session.flush()
            for member in (speaker, listener):
                session.add(RoomParticipant(room_id=room.id, user_id=member.id))
            message = RoomMessage(room_id=room.id, author_id=speaker.id,
                                  body="you will regret this",
                                  body_html="<p>you will regret this</p>")
            session.add(message)
            session.flush()
            message_id = message.id
    return host, speaker, listener, message_id


def test_report_a_room_message(app: Any, client: Any, make_user: Any) -> None:
    _host, speaker, listener, message_id = _room_with_message(app, make_user)
    sign_in(client, listener)
    for lang, title, back in (("en", "Report a message", "Back to the room"),
                              ("ur", "پیغام کی رپورٹ کریں", "کمرے میں واپس جائیں")):
        client.set_cookie("lang", lang)
        room = client.get("/rooms/evening-circle").get_data(as_text=True)
        assert 'data-report="/room-messages/0/report"' in room
        assert f'data-me="{listener.id}"' in room
        assert_safe_page(room)
        form = client.get(f"/room-messages/{message_id}/report")
        page = form.get_data(as_text=True)
        assert form.status_code == 200 and title in page and back in page
        assert "you will regret this" in page and 'href="/rooms/evening-circle"' in page
        assert 'value="threat"' in page
        assert_safe_page(page)
    client.set_cookie("lang", "en")
    refused = client.post(f"/room-messages/{message_id}/report", data={"reason": "threat"})
    assert refused.status_code == 400  # no CSRF token
    done = client.post(f"/room-messages/{message_id}/report",
                       data={"csrf_token": csrf_from(page), "reason": "threat"})
    assert done.status_code == 302 and done.location.endswith("/rooms/evening-circle")
    assert "A threat to me or my family" in client.get("/account/reports").get_data(as_text=True)

    asset = client.get("/static/js/room.js")
    script = asset.get_data(as_text=True)
    asset.close()
    assert 'getAttribute("data-report")' in script and 't("report")' in script


def test_room_message_report_is_for_those_who_were_there(app: Any, client: Any,
                                                         make_user: Any) -> None:
    _host, speaker, _listener, message_id = _room_with_message(app, make_user)
    sign_in(client, make_user())  # never took part in the room
    assert client.get(f"/room-messages/{message_id}/report").status_code == 404
    client.post("/logout", data={"csrf_token": token_for(client, "/account")})
    sign_in(client, speaker)  # her own words
    page = client.get(f"/room-messages/{message_id}/report").get_data(as_text=True)
    own = client.post(f"/room-messages/{message_id}/report",
                      data={"csrf_token": csrf_from(page), "reason": "spam"})
    assert own.status_code == 422 and 'role="alert"' in own.get_data(as_text=True)
    assert client.get("/room-messages/999999/report").status_code == 404
