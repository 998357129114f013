"""Shield mode's pages (issue #17), in English and Urdu: turning it on from her account page
and from the offer (one tap), the tray with release, reject and block, helper invitations by
handle, and every page clean, right-to-left in Urdu and light on a phone. (Every string's Urdu
is checked by test_catalogue.py.)"""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest

from tests.forum.web.conftest import assert_safe_page, sign_in, token_for

API = "/api/v1"


@pytest.fixture
def app_settings():
    return {"FORUM_RATE_LIMITS": False}


def _established(app, client, make_user, title="My own story"):
    from sqlalchemy import update

    from forum.models.user import User

    member = make_user()
    made = client.post(f"{API}/boards/talk/threads", headers=member.headers,
                       json={"title": title, "body": f"Words of {member.handle}"}).get_json()
    for i in range(2):
        client.post(f"{API}/threads/{made['thread']['id']}/posts", headers=member.headers,
                    json={"body": f"Part {i} of {member.handle}"})
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        session.execute(update(User).where(User.id == member.id).values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=90)))
    return member, made["thread"]["id"]


def _browser(app, member):
    browser = app.test_client()
    sign_in(browser, member)
    return browser


def test_she_turns_it_on_from_her_account_page_and_off_again(app, client, make_user,
                                                            make_board):
    make_board("talk")
    her, thread_id = _established(app, client, make_user)
    browser = _browser(app, her)
    account = browser.get("/account").get_data(as_text=True)
    assert 'href="/account/shield"' in account
    page = browser.get("/account/shield").get_data(as_text=True)
    assert_safe_page(page)
    assert "Your shield is off." in page
    token = token_for(browser, "/account/shield")
    done = browser.post("/account/shield", data={"csrf_token": token, "on": "1", "days": "14",
                                                 "hold": ["new_accounts"]})
    assert done.status_code == 302
    state = client.get(f"{API}/me/shield", headers=her.headers).get_json()["shield"]
    assert state["on"] and state["hold"] == ["new_accounts"]
    assert "Your shield is on until" in browser.get("/account/shield").get_data(as_text=True)
    bad = browser.post("/account/shield", data={"csrf_token": token, "on": "1", "days": "9"})
    assert bad.status_code == 422 and "7, 14 or 28." in bad.get_data(as_text=True)
    browser.post("/account/shield", data={"csrf_token": token, "on": "0"})
    assert not client.get(f"{API}/me/shield", headers=her.headers).get_json()["shield"]["on"]


def test_the_offer_turns_it_on_in_one_tap_and_the_tray_decides(app, client, make_user,
                                                              make_board):
    make_board("talk")
    her, thread_id = _established(app, client, make_user)
    replies = []
    for i in range(5):
        answer = client.post(f"{API}/threads/{thread_id}/posts", headers=make_user().headers,
                             json={"body": f"Pile-on number {i}"})
        replies.append(answer.get_json()["post"]["id"])
    browser = _browser(app, her)
    notes = browser.get("/notifications").get_data(as_text=True)
    assert 'data-kind="shield_offer"' in notes
    assert 'href="/account/shield?offer=1"' in notes
    form = re.search(r'<form method="post" action="/account/shield"[^>]*>(.*?)</form>', notes,
                     re.S)
    assert form and 'name="on" value="1"' in form.group(1)
    offer = browser.get("/account/shield?offer=1").get_data(as_text=True)
    assert 'id="shield-offer-on"' in offer
    token = token_for(browser, "/notifications")
    assert browser.post("/account/shield", data={"csrf_token": token, "on": "1"}
                        ).status_code == 302
    # Now the pile-on is held.
    held = [client.post(f"{API}/threads/{thread_id}/posts", headers=make_user().headers,
                        json={"body": f"Held number {i}"}).get_json()["post"]["id"]
            for i in range(2)]
    tray = browser.get("/account/shield/held").get_data(as_text=True)
    assert_safe_page(tray)
    assert tray.index(f'id="held-{held[1]}"') < tray.index(f'id="held-{held[0]}"')
    token = token_for(browser, "/account/shield/held")
    assert browser.post(f"/shield/{her.id}/held/{held[0]}/release",
                        data={"csrf_token": token}).status_code == 302
    assert browser.post(f"/shield/{her.id}/held/{held[1]}/reject",
                        data={"csrf_token": token, "block": "1"}).status_code == 302
    thread = browser.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "Held number 0" in thread and "Held number 1" not in thread
    assert "Nothing is waiting." in browser.get("/account/shield/held").get_data(as_text=True)


def test_a_helper_is_invited_by_handle_accepts_and_works_her_tray(app, client, make_user,
                                                                 make_board):
    make_board("talk")
    her, thread_id = _established(app, client, make_user)
    helper, _ = _established(app, client, make_user, "Another story")
    client.put(f"{API}/me/shield", headers=her.headers, json={"on": True})
    browser = _browser(app, her)
    token = token_for(browser, "/account/shield")
    # A handle she may not name answers as one that does not exist.
    lurker = make_user()
    for handle in (lurker.handle, "nobody_by_this_name"):
        answer = browser.post("/account/shield/helpers", data={"csrf_token": token,
                                                               "handle": handle})
        assert answer.status_code == 404
        assert "No member you can invite has this name." in answer.get_data(as_text=True)
    assert browser.post("/account/shield/helpers", data={"csrf_token": token,
                                                         "handle": helper.handle}
                        ).status_code == 302
    helper_browser = _browser(app, helper)
    page = helper_browser.get("/account/shield").get_data(as_text=True)
    invite = re.search(r'action="/shield-invites/(\d+)/accept"', page)
    assert invite
    helper_token = token_for(helper_browser, "/account/shield")
    helper_browser.post(f"/shield-invites/{invite.group(1)}/accept",
                        data={"csrf_token": helper_token})
    post = client.post(f"{API}/threads/{thread_id}/posts", headers=make_user().headers,
                       json={"body": "A cruel word"}).get_json()["post"]["id"]
    tray = helper_browser.get(f"/users/{her.id}/shield/held")
    assert tray.status_code == 200 and "A cruel word" in tray.get_data(as_text=True)
    assert helper_browser.post(f"/shield/{her.id}/held/{post}/reject",
                               data={"csrf_token": helper_token}).status_code == 302
    activity = browser.get("/account/shield/activity").get_data(as_text=True)
    assert "rejected a reply" in activity and helper.handle in activity
    # Someone else gets nothing.
    other = _browser(app, make_user())
    assert other.get(f"/users/{her.id}/shield/held").status_code == 404


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_shield_pages_are_clean_light_and_in_her_language(app, client, make_user, make_board,
                                                          lang):
    make_board("talk")
    her, thread_id = _established(app, client, make_user)
    client.put(f"{API}/me/shield", headers=her.headers, json={"on": True})
    client.post(f"{API}/threads/{thread_id}/posts", headers=make_user().headers,
                json={"body": "Held for her"})
    browser = _browser(app, her)
    browser.set_cookie("lang", lang)
    for path in ("/account/shield", "/account/shield/held", "/account/shield/activity"):
        answer = browser.get(path)
        assert answer.status_code == 200, path
        html = answer.get_data(as_text=True)
        assert_safe_page(html)
        direction = "rtl" if lang == "ur" else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in html
        assert len(gzip.compress(html.encode(), 6)) < 20 * 1024, path
        if lang == "ur":
            assert ">Shield mode<" not in html and "ڈھال" in html

