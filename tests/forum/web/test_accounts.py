"""Account pages: registering and the one showing of the recovery codes, signing in and out,
recovery, the language and tab-title choices, the second factor and the data rights."""

from __future__ import annotations

import json
import re
from typing import Any

import pyotp

from tests.forum.web.conftest import assert_safe_page, csrf_from, sign_in, token_for

PASSWORD = "a long enough phrase 7"


def register(client: Any, handle: str = "ayesha", password: str = PASSWORD) -> Any:
    token = token_for(client, "/register")
    return client.post("/register", data={"csrf_token": token, "handle": handle,
                                          "password": password, "password_again": password})


def test_register_shows_ten_codes_until_she_confirms_saving_them(client: Any) -> None:
    done = register(client)
    assert done.status_code == 302 and done.location.endswith("/account/recovery-codes")
    page = client.get("/account/recovery-codes")
    html = page.get_data(as_text=True)
    assert_safe_page(html)
    codes = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in page.headers["Cache-Control"]

    unticked = client.post("/account/recovery-codes", data={"csrf_token": csrf_from(html)})
    assert unticked.status_code == 422
    assert "Tick the box" in unticked.get_data(as_text=True)

    ticked = client.post("/account/recovery-codes",
                         data={"csrf_token": csrf_from(html), "saved": "yes"})
    assert ticked.status_code == 302
    again = client.get("/account/recovery-codes")
    assert again.status_code == 302  # shown once: gone for good
    assert codes[0] not in client.get("/account").get_data(as_text=True)


def test_register_errors_are_shown_next_to_the_fields(client: Any, make_user: Any) -> None:
    short = register(client, "zara", "short")
    html = short.get_data(as_text=True)
    assert short.status_code == 422
    assert 'id="password-error"' in html and "at least 10 characters" in html
    assert 'aria-invalid="true"' in html
    assert "Traceback" not in html
    assert_safe_page(html)

    taken = make_user(handle="mehwish")
    clash = register(client, taken.handle.upper())
    assert clash.status_code == 409
    assert "is taken" in clash.get_data(as_text=True)


def test_register_in_urdu_shows_urdu_errors(client: Any) -> None:
    client.set_cookie("lang", "ur")
    short = register(client, "zara", "short")
    html = short.get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in html
    assert "کم از کم 10 حروف" in html


def test_forms_refuse_a_post_without_the_csrf_token(client: Any, make_user: Any) -> None:
    member = make_user()
    answer = client.post("/login", data={"handle": member.handle, "password": member.password})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "This form has expired" in html and "Traceback" not in html
    assert_safe_page(html)
    for path in ("/register", "/recover", "/logout", "/language", "/preferences/title"):
        assert client.post(path, data={}).status_code == 400, path


def test_login_failure_is_readable_and_success_goes_to_next(client: Any, make_user: Any) -> None:
    member = make_user()
    token = token_for(client, "/login")
    wrong = client.post("/login", data={"csrf_token": token, "handle": member.handle,
                                        "password": "not the password at all"})
    assert wrong.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    token = token_for(client, "/login")
    done = client.post("/login?next=/help", data={"csrf_token": token, "handle": member.handle,
                                                  "password": member.password})
    assert done.status_code == 302 and done.location == "/help"
    evil = client.post("/login?next=//evil.example", data={
        "csrf_token": token_for(client, "/login"), "handle": member.handle,
        "password": member.password})
    assert evil.location == "/"


def test_logout_revokes_the_session(client: Any, make_user: Any) -> None:
    member = make_user()
    sign_in(client, member)
    assert client.get("/account").status_code == 200
    done = client.post("/logout", data={"csrf_token": token_for(client, "/account")})
    assert done.status_code == 302
    assert client.get("/account").status_code == 302


def test_recover_with_a_code_sets_the_new_password(client: Any) -> None:
    register(client, "sana")
    html = client.get("/account/recovery-codes").get_data(as_text=True)
    code = re.findall(r"<li><code>([^<]+)</code></li>", html)[0]
    client.post("/logout", data={"csrf_token": csrf_from(html)})

    wrong = client.post("/recover", data={"csrf_token": token_for(client, "/recover"),
                                          "handle": "sana", "recovery_code": "nope",
                                          "new_password": "another long phrase 9"})
    assert wrong.status_code == 401 and "do not match" in wrong.get_data(as_text=True)
    weak = client.post("/recover", data={"csrf_token": token_for(client, "/recover"),
                                         "handle": "sana", "recovery_code": code,
                                         "new_password": "short"})
    assert weak.status_code == 422 and 'id="new_password-error"' in weak.get_data(as_text=True)
    done = client.post("/recover", data={"csrf_token": token_for(client, "/recover"),
                                         "handle": "sana", "recovery_code": code,
                                         "new_password": "another long phrase 9"})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200


def test_language_switcher_sets_cookie_and_account_setting(client: Any, make_user: Any,
                                                            app: Any) -> None:
    answer = client.post("/language", data={"csrf_token": token_for(client), "lang": "ur",
                                            "next": "/help"})
    assert answer.status_code == 302 and answer.location == "/help"
    assert 'lang="ur" dir="rtl"' in client.get("/help").get_data(as_text=True)

    member = make_user()
    other = app.test_client()
    sign_in(other, member)
    other.post("/language", data={"csrf_token": token_for(other), "lang": "ur"})
    fresh = app.test_client()  # a new browser: no cookie, English by default
    sign_in(fresh, member)
    assert 'lang="ur" dir="rtl"' in fresh.get("/").get_data(as_text=True)


def test_accept_language_chooses_urdu_for_visitors(client: Any) -> None:
    html = client.get("/", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"}).get_data(
        as_text=True)
    assert '<html lang="ur" dir="rtl">' in html and "بورڈز" in html
    assert '<html lang="en" dir="ltr">' in client.get(
        "/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_neutral_tab_title(client: Any) -> None:
    answer = client.post("/preferences/title", data={"csrf_token": token_for(client),
                                                     "neutral": "1", "next": "/"})
    assert answer.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "<title>Notes</title>" in html
    client.post("/preferences/title", data={"csrf_token": token_for(client), "neutral": "0"})
    assert "<title>Saheli</title>" in client.get("/").get_data(as_text=True)


def test_account_page_export_and_erasure(client: Any, make_user: Any) -> None:
    member = make_user()
    sign_in(client, member)
    html = client.get("/account").get_data(as_text=True)
    assert_safe_page(html)
    export = client.get("/account/export")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    assert json.loads(export.get_data(as_text=True))["account"]["handle"] == member.handle

    wrong = client.post("/account/delete", data={"csrf_token": csrf_from(html),
                                                 "password": "wrong wrong wrong"})
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    done = client.post("/account/delete", data={"csrf_token": csrf_from(html),
                                                "password": member.password})
    assert done.status_code == 302
    assert client.get("/account").status_code == 302


def test_staff_enrol_totp_from_the_account_page(client: Any, make_user: Any) -> None:
    staff = make_user("moderator", totp=False)
    sign_in(client, staff)
    html = client.get("/account").get_data(as_text=True)
    assert "Set up an authenticator app" in html
    client.post("/account/totp", data={"csrf_token": csrf_from(html)})
    html = client.get("/account").get_data(as_text=True)
    secret = re.search(r'id="totp-key">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    wrong = client.post("/account/totp/confirm", data={"csrf_token": csrf_from(html),
                                                       "code": "000000"}, follow_redirects=True)
    assert "not right" in wrong.get_data(as_text=True)
    done = client.post("/account/totp/confirm", data={"csrf_token": csrf_from(html),
                                                      "code": pyotp.TOTP(secret).now()},
                       follow_redirects=True)
    assert "Your authenticator app is set up" in done.get_data(as_text=True)


def test_new_recovery_codes_from_the_account_page(client: Any, make_user: Any) -> None:
    member = make_user()
    sign_in(client, member)
    answer = client.post("/account/recovery-codes/new",
                         data={"csrf_token": token_for(client, "/account"),
                               "password": member.password})
    assert answer.location.endswith("/account/recovery-codes")
    html = client.get("/account/recovery-codes").get_data(as_text=True)
    assert len(re.findall(r"<li><code>", html)) == 10


def test_the_sign_in_form_has_the_same_abuse_limits_as_the_api(client: Any,
                                                               make_user: Any) -> None:
    member = make_user()
    answers = []
    for _ in range(6):
        token = token_for(client, "/login")
        answers.append(client.post("/login", data={"csrf_token": token, "handle": member.handle,
                                                   "password": "wrong wrong wrong"}).status_code)
    assert answers[:5] == [401] * 5
    assert answers[5] == 429
    assert client.get("/login").status_code == 200  # reading the form is not limited
