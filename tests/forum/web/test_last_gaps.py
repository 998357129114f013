"""The last page gaps: signing out one other device from the account page, reporting a
member from the thread page and reporting a message of the live room."""

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
