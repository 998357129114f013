"""Accounts through the JSON API, as API.md describes them."""

from __future__ import annotations

import re

import pyotp

PASSWORD = "a long and quiet river 7"


def register(client, handle="ayesha", password=PASSWORD):
    return client.post("/api/v1/auth/register", json={"handle": handle, "password": password})


def test_register_returns_user_token_and_ten_single_use_codes(client):
    answer = register(client)
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["user"]["handle"] == "ayesha"
    assert body["user"]["role"] == "member"
    assert isinstance(body["user"]["id"], int)
    assert len(body["recovery_codes"]) == 10
    assert len(set(body["recovery_codes"])) == 10
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["user"]["handle"] == "ayesha"
    assert me.get_json()["sanctions"] == []


def test_handles_are_unique_after_case_and_confusable_folding(client):
    assert register(client, "ayesha").status_code == 201
    for lookalike in ("AYESHA", "\u0430yesha"):  # the second starts with a Cyrillic a
        answer = register(client, lookalike)
        assert answer.status_code == 409
        assert answer.get_json()["code"] == "conflict"
        assert answer.mimetype == "application/problem+json"


def test_urdu_handle_is_welcome(client):
    answer = register(client, "عائشہ_92")
    assert answer.status_code == 201
    assert answer.get_json()["user"]["handle"] == "عائشہ_92"


def test_weak_passwords_and_bad_handles_get_field_errors(client):
    answer = register(client, "ok_handle", "short")
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "validation_failed"
    assert "password" in body["errors"]
    common = register(client, "ok_handle", "password123")
    assert "password" in common.get_json()["errors"]
    bad = register(client, "no spaces!", PASSWORD)
    assert "handle" in bad.get_json()["errors"]
    reserved = register(client, "moderator", PASSWORD)
    assert reserved.status_code == 422
    assert "handle" in reserved.get_json()["errors"]


def test_login_logout_and_token_revocation(client):
    register(client)
    wrong = client.post("/api/v1/auth/login", json={"handle": "ayesha", "password": "nope nope nope"})
    assert wrong.status_code == 401
    assert wrong.get_json()["code"] == "unauthorized"
    unknown = client.post("/api/v1/auth/login", json={"handle": "nobody_here", "password": PASSWORD})
    assert unknown.get_json()["detail"] == wrong.get_json()["detail"]
    answer = client.post("/api/v1/auth/login", json={"handle": "Ayesha", "password": PASSWORD})
    assert answer.status_code == 200
    token = answer.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_recovery_code_sets_new_password_once(client):
    codes = register(client).get_json()["recovery_codes"]
    new_password = "another long quiet river 8"
    body = {"handle": "ayesha", "recovery_code": codes[0], "new_password": new_password}
    answer = client.post("/api/v1/auth/recover", json=body)
    assert answer.status_code == 200
    assert answer.get_json()["user"]["handle"] == "ayesha"
    again = client.post("/api/v1/auth/recover", json=body)
    assert again.status_code == 401
    login = client.post("/api/v1/auth/login", json={"handle": "ayesha", "password": new_password})
    assert login.status_code == 200
    old = client.post("/api/v1/auth/login", json={"handle": "ayesha", "password": PASSWORD})
    assert old.status_code == 401


def test_admin_changes_roles_and_it_is_audited(client, make_user, app):
    admin = make_user("admin")
    member = make_user("member")
    answer = client.patch(f"/api/v1/users/{member.id}", json={"role": "counsellor"},
                          headers=admin.headers)
    assert answer.status_code == 200
    assert answer.get_json()["user"]["role"] == "counsellor"
    refused = client.patch(f"/api/v1/users/{admin.id}", json={"role": "member"},
                           headers=member.headers)
    assert refused.status_code == 403
    from sqlalchemy import select

    from forum.models import AuditEntry

    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "user.role" in actions


def test_staff_powers_wait_for_totp_and_login_then_needs_it(client, make_user):
    admin = make_user("admin", totp=False)
    refused = client.post("/api/v1/boards", headers=admin.headers,
                          json={"slug": "x", "name": "X"})
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "totp_required"
    start = client.post("/api/v1/me/totp", headers=admin.headers).get_json()
    assert start["otpauth_uri"].startswith("otpauth://totp/")
    code = pyotp.TOTP(start["secret"]).now()
    assert client.post("/api/v1/me/totp/confirm", headers=admin.headers,
                       json={"code": code}).status_code == 200
    created = client.post("/api/v1/boards", headers=admin.headers,
                          json={"slug": "x", "name": "X"})
    assert created.status_code == 201
    no_code = client.post("/api/v1/auth/login",
                          json={"handle": admin.handle, "password": admin.password})
    assert no_code.status_code == 401
    assert no_code.get_json()["code"] == "totp_required"


def test_browser_login_page_uses_csrf_and_a_revocable_session(app):
    client = app.test_client()
    client.post("/api/v1/auth/register", json={"handle": "sana", "password": PASSWORD})
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="csrf_token"' in page.data
    no_csrf = client.post("/login", data={"handle": "sana", "password": PASSWORD})
    assert no_csrf.status_code == 400
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    done = client.post("/login", data={"handle": "sana", "password": PASSWORD, "csrf_token": token})
    assert done.status_code == 302
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/api/v1/me").get_json()["user"]["handle"] == "sana"
    # A cookie-authenticated write without the CSRF header is refused ...
    refused = client.post("/api/v1/auth/logout")
    assert refused.status_code == 403
    # The session (and its CSRF secret) was rotated at login: the old token no longer works ...
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 403
    # ... a page served after login carries the new one, and with it the session is revoked.
    home = client.get("/").data
    token = re.search(rb'name="csrf_token" value="([^"]+)"', home).group(1).decode()
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401
