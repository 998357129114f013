"""Account takeover and session holes of issue #12, each tried the way an attacker would.

A stolen token must not become a permanent takeover: the second factor cannot be replaced
(item 9) and recovery codes cannot be minted (item 11) with a token alone, and a recovery code
replaces the password, not the second factor (item 10). The per-account login limit counts
the body the view reads, whatever the content type says (item 12). The browser's cookie,
signed but readable, carries no secret and no address fingerprint (item 13). An erased
account's id is never handed to the next registrant (item 15). A CR/LF `next` and deeply
nested JSON are refused, not a 500 (item 20). Combining marks: tests/forum/test_handles.py
and the registration test below (item 14).
"""

from __future__ import annotations

import base64
import json
import re
import time
import zlib
from typing import Any

import pyotp
import pytest

from tests.forum.web.conftest import csrf_from, token_for

API = "/api/v1"
PASSWORD = "a long and quiet river 7"
COOKIE = "saheli_session"


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The TOTP code of `secret` for the current 30-second step plus `offset_steps`."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def register(client: Any, handle: str) -> dict[str, Any]:
    answer = client.post(f"{API}/auth/register", json={"handle": handle, "password": PASSWORD})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    body["headers"] = {"Authorization": f"Bearer {body['token']}"}
    return body


def enrol(client: Any, headers: dict[str, str]) -> str:
    """Enrol a second factor through the API; returns its secret."""
    secret = client.post(f"{API}/me/totp", headers=headers).get_json()["secret"]
    done = client.post(f"{API}/me/totp/confirm", headers=headers,
                       json={"code": code_at(secret, -1)})
    assert done.status_code == 200, done.get_json()
    return secret


def login(client: Any, handle: str, totp: str | None = None) -> Any:
    body = {"handle": handle, "password": PASSWORD}
    if totp is not None:
        body["totp"] = totp
    return client.post(f"{API}/auth/login", json=body)


def cookie_contents(client: Any) -> str:
    """The session cookie as anyone holding it can read it: itsdangerous's payload is
    base64 JSON (zlib-compressed when it starts with a dot), signed but not encrypted."""
    found = client.get_cookie(COOKIE)
    if found is None:
        return ""
    payload = found.value
    compressed = payload.startswith(".")
    data = payload.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


# --- item 9: re-enrolling the second factor ---------------------------------------------------

def test_reenrolling_totp_needs_a_current_code_or_the_password(client):
    me = register(client, "rukhsana")
    old = enrol(client, me["headers"])

    for body in ({}, {"code": "000000"}, {"password": "not the password at all"}):
        refused = client.post(f"{API}/me/totp", headers=me["headers"], json=body)
        assert refused.status_code == 403, body
        assert refused.get_json()["code"] == "totp_required"
        assert "application/problem+json" in refused.headers["Content-Type"]
    assert client.get(f"{API}/me", headers=me["headers"]).get_json()["totp_enrolled"] is True
    assert login(client, "rukhsana").get_json()["code"] == "totp_required"

    started = client.post(f"{API}/me/totp", headers=me["headers"], json={"password": PASSWORD})
    assert started.status_code == 200
    new = started.get_json()["secret"]
    assert new != old
    # Until the new secret is confirmed, the enrolled one is still the one that counts.
    assert login(client, "rukhsana").status_code == 401
    assert login(client, "rukhsana", code_at(old)).status_code == 200
    assert client.post(f"{API}/me/totp/confirm", headers=me["headers"],
                       json={"code": code_at(new)}).status_code == 200
    assert login(client, "rukhsana", code_at(old, 1)).status_code == 401
    assert login(client, "rukhsana", code_at(new, 1)).status_code == 200


def test_reenrolling_with_a_current_code_works_too(client):
    me = register(client, "shazia_k")
    old = enrol(client, me["headers"])
    started = client.post(f"{API}/me/totp", headers=me["headers"], json={"code": code_at(old)})
    assert started.status_code == 200 and started.get_json()["secret"] != old


def sign_in_page(client: Any, handle: str, totp: str | None = None) -> Any:
    data = {"csrf_token": token_for(client, "/login"), "handle": handle, "password": PASSWORD}
    if totp:
        data["totp"] = totp
    return client.post("/login", data=data)


def test_the_account_page_cannot_replace_the_second_factor_without_proof(app, client):
    me = register(client, "nighat")
    old = enrol(client, me["headers"])
    browser = app.test_client()
    assert sign_in_page(browser, "nighat", code_at(old)).status_code == 302
    html = browser.get("/account").get_data(as_text=True)
    refused = browser.post("/account/totp", data={"csrf_token": csrf_from(html)})
    assert refused.status_code == 403
    assert 'id="totp_proof-error"' in refused.get_data(as_text=True)
    assert client.get(f"{API}/me", headers=me["headers"]).get_json()["totp_enrolled"] is True
    assert login(client, "nighat", code_at(old, 1)).status_code == 200

    done = browser.post("/account/totp", data={"csrf_token": csrf_from(html), "password": PASSWORD})
    assert done.status_code == 302
    page = browser.get("/account").get_data(as_text=True)
    new = re.search(r'id="totp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert new not in cookie_contents(browser)


# --- item 10: recovery of an enrolled account --------------------------------------------------

def test_a_recovery_code_alone_does_not_pass_the_second_factor(client):
    me = register(client, "farzana")
    secret = enrol(client, me["headers"])
    code = me["recovery_codes"][0]
    attempt = {"handle": "farzana", "recovery_code": code, "new_password": "a brand new phrase 11"}

    missing = client.post(f"{API}/auth/recover", json=attempt)
    assert missing.status_code == 401 and missing.get_json()["code"] == "totp_required"
    wrong = client.post(f"{API}/auth/recover", json={**attempt, "totp": "000000"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "totp_required"
    # The old token still works: nothing happened, and the code was not spent.
    assert client.get(f"{API}/me", headers=me["headers"]).status_code == 200
    done = client.post(f"{API}/auth/recover", json={**attempt, "totp": code_at(secret)})
    assert done.status_code == 200
    assert client.get(f"{API}/me", headers=me["headers"]).status_code == 401


def test_the_recovery_page_also_asks_for_the_second_factor(app, client):
    me = register(client, "samina")
    secret = enrol(client, me["headers"])
    form = {"handle": "samina", "recovery_code": me["recovery_codes"][0],
            "new_password": "a brand new phrase 11"}
    browser = app.test_client()
    refused = browser.post("/recover", data={"csrf_token": token_for(browser, "/recover"), **form})
    assert refused.status_code == 401
    assert 'name="totp"' in refused.get_data(as_text=True)
    assert client.get(f"{API}/me", headers=me["headers"]).status_code == 200
    done = browser.post("/recover", data={"csrf_token": token_for(browser, "/recover"), **form,
                                          "totp": code_at(secret)})
    assert done.status_code == 302


def test_an_admin_resets_a_lost_second_factor_and_it_is_audited(client, make_user):
    me = register(client, "tahira")
    enrol(client, me["headers"])
    admin, moderator = make_user("admin"), make_user("moderator")
    target = me["user"]["id"]
    assert client.delete(f"{API}/users/{target}/totp", headers=moderator.headers).status_code == 403
    assert client.delete(f"{API}/users/{target}/totp", headers=me["headers"]).status_code == 403
    assert client.delete(f"{API}/users/{target}/totp", headers=admin.headers).status_code == 204
    assert login(client, "tahira").status_code == 200
    audit = client.get(f"{API}/moderation/audit", headers=admin.headers).get_json()["entries"]
    assert any(e["action"] == "user.totp_reset" and e["target_id"] == target for e in audit)


# --- item 11: replacing recovery codes ---------------------------------------------------------

def test_new_recovery_codes_need_the_password(client):
    me = register(client, "kishwar")
    for body in (None, {}, {"password": "not the password at all"}):
        refused = client.post(f"{API}/me/recovery-codes", headers=me["headers"], json=body)
        assert refused.status_code == 403, body
        assert refused.get_json()["code"] == "forbidden"
    # The codes she saved still work: nothing was replaced.
    recovered = client.post(f"{API}/auth/recover", json={
        "handle": "kishwar", "recovery_code": me["recovery_codes"][0],
        "new_password": PASSWORD + " again"})
    assert recovered.status_code == 200
    headers = {"Authorization": f"Bearer {recovered.get_json()['token']}"}
    fresh = client.post(f"{API}/me/recovery-codes", headers=headers,
                        json={"password": PASSWORD + " again"})
    assert fresh.status_code == 200 and len(fresh.get_json()["recovery_codes"]) == 10


def test_the_account_page_needs_the_password_for_new_codes(app, client):
    register(client, "parveen")
    browser = app.test_client()
    assert sign_in_page(browser, "parveen").status_code == 302
    token = token_for(browser, "/account")
    refused = browser.post("/account/recovery-codes/new", data={"csrf_token": token,
                                                                "password": "wrong wrong wrong"})
    assert refused.status_code == 403
    assert 'id="codes_password-error"' in refused.get_data(as_text=True)
    assert browser.get("/account/recovery-codes").status_code == 302  # nothing to show


# --- item 12: one body for the view and the limiter --------------------------------------------

def test_a_form_content_type_cannot_dodge_the_per_account_login_limit(client):
    register(client, "bushra")
    answers = []
    for i in range(8):
        # The body is JSON; a form parser would see a field `handle` = `decoy{i}`.
        crafted = json.dumps({"handle": "bushra", "password": "not the password at all",
                              "x": f"&handle=decoy{i}&"})
        answers.append(client.post(f"{API}/auth/login", data=crafted,
                                   content_type="application/x-www-form-urlencoded"))
    assert {a.status_code for a in answers} == {422}  # never a password check
    assert all(a.get_json()["code"] == "validation_failed" for a in answers)
    assert "application/problem+json" in answers[0].headers["Content-Type"]
    wrong = {"handle": "bushra", "password": "not the password at all"}
    statuses = [client.post(f"{API}/auth/login", json=wrong).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_json_without_a_content_type_counts_on_the_same_account(client):
    register(client, "humaira")
    wrong = json.dumps({"handle": "humaira", "password": "not the password at all"})
    statuses = [client.post(f"{API}/auth/login", data=wrong).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


# --- item 13: nothing secret in the cookie -----------------------------------------------------

def test_the_cookie_carries_no_codes_no_totp_secret_and_no_fingerprint(app, client, make_user):
    browser = app.test_client()
    done = browser.post("/register", data={
        "csrf_token": token_for(browser, "/register"), "handle": "zubaida",
        "password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 302
    seen = [cookie_contents(browser)]
    html = browser.get("/account/recovery-codes").get_data(as_text=True)
    codes = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(codes) == 10
    seen.append(cookie_contents(browser))
    browser.post("/account/totp", data={"csrf_token": csrf_from(html)})
    account = browser.get("/account").get_data(as_text=True)
    seen.append(cookie_contents(browser))
    pending = accounts_pending_secret(app, "zubaida")
    assert pending is not None
    new = browser.post("/account/recovery-codes/new",
                       data={"csrf_token": csrf_from(account), "password": PASSWORD})
    assert new.status_code == 302
    fresh = re.findall(r"<li><code>([^<]+)</code></li>",
                       browser.get("/account/recovery-codes").get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    seen.append(cookie_contents(browser))
    browser.post("/account/recovery-codes", data={"csrf_token": csrf_from(account), "saved": "yes"})
    seen.append(cookie_contents(browser))
    assert browser.get("/account/recovery-codes").status_code == 302  # shown once

    for contents in seen:
        assert contents, "the session cookie should be readable"
        data = json.loads(contents)
        assert "_id" not in data
        for secret in [*codes, *fresh, pending]:
            assert secret not in contents
            assert secret.replace("-", "") not in contents


def accounts_pending_secret(app: Any, handle: str) -> str | None:
    from sqlalchemy import select

    from forum.models.user import User

    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        try:
            return session.scalar(select(User.totp_pending_secret).where(User.handle == handle))
        finally:
            session.close()


# --- item 14: combining marks ------------------------------------------------------------------

def test_a_dot_below_does_not_make_a_new_handle(client, make_user):
    make_user(handle="saima")

    def attempt(n: int, handle: str) -> Any:  # each from its own network: 5 per hour each
        return client.post(f"{API}/auth/register", json={"handle": handle, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": f"10.0.{n}.1"})

    for n, imitation in enumerate(("saịma", "sai\u0323ma", "s\u0323aima", "saima\u0301")):
        assert attempt(n, imitation).status_code == 409, imitation
    for n, reserved in enumerate(("ạdmin", "modera\u0323tor", "a\u0301dmin"), start=10):
        assert attempt(n, reserved).status_code == 422, reserved
    assert attempt(20, "عائشہ_خان").status_code == 201


# --- item 15: ids are never reused -------------------------------------------------------------

def test_an_erased_accounts_id_goes_to_nobody(client, make_user, make_board):
    moderator, reporter = make_user("moderator"), make_user()
    erased = register(client, "harasser_x")
    old_id = erased["user"]["id"]
    make_board("talk")  # she is reported by the name she posted under
    assert client.post(f"{API}/boards/talk/threads", headers=erased["headers"],
                       json={"title": "Hi", "body": "my name is on this"}).status_code == 201
    reported = client.post(f"{API}/reports", headers=reporter.headers, json={
        "target_type": "user", "target_id": old_id, "reason": "harassment"})
    assert reported.status_code == 201
    assert client.delete(f"{API}/me", headers=erased["headers"],
                         json={"password": PASSWORD}).status_code == 204

    newcomer = register(client, "newcomer_y")
    assert newcomer["user"]["id"] != old_id
    queue = client.get(f"{API}/moderation/queue", headers=moderator.headers).get_json()["items"]
    assert not [i for i in queue if i["target_type"] == "user"
                and i["target_id"] == newcomer["user"]["id"]]
    answer = client.post(f"{API}/users/{newcomer['user']['id']}/sanctions", headers=moderator.headers,
                         json={"kind": "warn", "reason": "test"})
    assert answer.status_code == 201  # she is a new person with a clean record
    assert client.get(f"{API}/users/{old_id}/sanctions",
                      headers=moderator.headers).status_code == 404


def test_the_migration_keeps_every_row_when_it_rebuilds_sqlite_tables(tmp_path):
    """0002 rebuilds referenced tables on SQLite; children must survive (no cascade)."""
    import sqlite3

    from alembic import command

    from forum import create_app
    from forum.ops.commands import alembic_config, upgrade_database
    from tests.conftest import TEST_SETTINGS

    url = f"sqlite:///{tmp_path}/old.sqlite3"
    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path), "FORUM_DATABASE_URL": url})
    with app.app_context():
        engine = app.extensions["forum.db"].engine
        cfg = alembic_config(url)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "0001")
    raw = sqlite3.connect(f"{tmp_path}/old.sqlite3")
    raw.executescript("""
        INSERT INTO users (id, handle, handle_key, password_hash, role, created_at)
            VALUES (1, 'a', 'a', 'x', 'member', '2026-01-01'), (2, 'b', 'b', 'x', 'member', '2026-01-01');
        INSERT INTO boards (id, slug, name, description, visibility, position, thread_count, created_at)
            VALUES (1, 'talk', 'Talk', '', 'public', 0, 1, '2026-01-01');
        INSERT INTO auth_tokens (id, user_id, token_hash, kind, created_at, expires_at)
            VALUES (1, 1, 'h', 'bearer', '2026-01-01', '2099-01-01');
        DELETE FROM users WHERE id = 2;
    """)
    raw.commit()
    raw.close()
    with app.app_context():
        upgrade_database(app)
    raw = sqlite3.connect(f"{tmp_path}/old.sqlite3")
    assert raw.execute("SELECT id FROM users").fetchall() == [(1,)]
    assert raw.execute("SELECT count(*) FROM boards").fetchone() == (1,)
    assert raw.execute("SELECT user_id FROM auth_tokens").fetchall() == [(1,)]  # no cascade
    raw.execute("INSERT INTO users (handle, handle_key, password_hash, role, created_at) "
                "VALUES ('c', 'c', 'x', 'member', '2026-01-01')")
    raw.execute("DELETE FROM users WHERE handle = 'c'")
    raw.execute("INSERT INTO users (handle, handle_key, password_hash, role, created_at) "
                "VALUES ('d', 'd', 'x', 'member', '2026-01-01')")
    assert raw.execute("SELECT id FROM users WHERE handle = 'd'").fetchone() == (3,)
    raw.close()
    app.extensions["forum.db"].engine.dispose()


# --- item 20: CR/LF in next, deep JSON ---------------------------------------------------------

@pytest.mark.parametrize("target", ["/help\r\nSet-Cookie: x=1", "/help%0d%0a", "/\nhelp",
                                    "/help\x00", "\t/help"])
def test_a_next_with_control_characters_goes_home(client, make_user, target):
    member = make_user()
    done = client.post("/login", query_string={"next": target}, data={
        "csrf_token": token_for(client, "/login"), "handle": member.handle,
        "password": member.password})
    assert done.status_code == 302
    if "\r" in target or "\n" in target or "\x00" in target or "\t" in target:
        assert done.location == "/"
    assert "\n" not in done.location and "\r" not in done.location


@pytest.mark.parametrize("depth", [33, 300, 5000])
def test_deeply_nested_json_is_a_validation_error_not_a_500(client, make_user, make_board, depth):
    nested = '{"handle": "x", "password": "y", "n": ' + "[" * depth + "]" * depth + "}"
    answer = client.post(f"{API}/auth/login", data=nested, content_type="application/json")
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "validation_failed"
    make_board()
    member = make_user()
    thread = client.post(f"{API}/boards/talk/threads", headers=member.headers,
                         data='{"title": "t", "body": "b", "x": ' + "{\"a\": " * depth + "1"
                         + "}" * depth + "}", content_type="application/json")
    assert thread.status_code == 422


def test_json_nested_within_the_bound_is_fine(client, make_user, make_board):
    make_board()
    member = make_user()
    shallow = '{"title": "t", "body": "b", "x": ' + "[" * 20 + "]" * 20 + ', "y": "[[[[[[[[[["}'
    answer = client.post(f"{API}/boards/talk/threads", headers=member.headers, data=shallow,
                         content_type="application/json")
    assert answer.status_code == 201


# --- argon2 off the event loop -----------------------------------------------------------------

@pytest.mark.live
def test_a_costly_password_hash_does_not_freeze_the_server(tmp_path):
    """Under `forum serve` (gevent, one process) a login hashing at a high Argon2 cost must
    not hold every other request: /healthz answers while the login is still hashing."""
    import threading

    import requests

    from tests.conftest import new_database
    from tests.live.conftest import start_server

    url = new_database("sqlite", str(tmp_path))
    # About a second per hash on this machine's kind (0.4 s at cost 6 and 128 MiB was too
    # close to the bound below on a quiet machine).
    server = start_server(url, tmp_path, FORUM_ARGON2_TIME_COST="10",
                          FORUM_ARGON2_MEMORY_KIB=str(256 * 1024))
    try:
        begun = time.monotonic()
        registered = requests.post(f"{server.url}{API}/auth/register", timeout=60,
                                   json={"handle": "slow_hash", "password": PASSWORD})
        hash_time = time.monotonic() - begun
        assert registered.status_code == 201
        assert hash_time > 0.4, "the hash should be costly enough to measure"
        finished: dict[str, float] = {}

        def sign_in() -> None:
            answer = requests.post(f"{server.url}{API}/auth/login", timeout=60,
                                   json={"handle": "slow_hash", "password": PASSWORD})
            finished["login"] = time.monotonic()
            finished["status"] = answer.status_code

        worker = threading.Thread(target=sign_in)
        worker.start()
        time.sleep(hash_time / 3)  # the login is hashing by now
        health = requests.get(f"{server.url}/healthz", timeout=60)
        finished["healthz"] = time.monotonic()
        worker.join(timeout=60)
        assert health.status_code == 200 and finished["status"] == 200
        assert finished["healthz"] < finished["login"]
    finally:
        server.stop()


def test_the_migration_recomputes_handle_keys_and_both_imitators_still_sign_in(tmp_path):
    """Keys stored before marks were dropped are recomputed; when two accounts now collide the
    older takes the new key and the newer keeps signing in by her exact handle."""
    import sqlite3
    import unicodedata

    from alembic import command

    from forum import create_app
    from forum.identity import passwords
    from forum.identity.handles import handle_key, skeleton
    from forum.ops.commands import alembic_config, upgrade_database
    from tests.conftest import TEST_SETTINGS

    def old_key(handle: str) -> str:
        return skeleton(unicodedata.normalize("NFKC", handle).casefold()).casefold()

    url = f"sqlite:///{tmp_path}/keys.sqlite3"
    settings = {**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path), "FORUM_DATABASE_URL": url}
    app = create_app(settings)
    with app.app_context():
        cfg = alembic_config(url)
        with app.extensions["forum.db"].engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "0001")
    digest = passwords.hash_password(PASSWORD)
    raw = sqlite3.connect(f"{tmp_path}/keys.sqlite3")
    for user_id, handle in ((1, "saima"), (2, "saịma"), (3, "zoé")):
        raw.execute("INSERT INTO users (id, handle, handle_key, password_hash, role, created_at) "
                    "VALUES (?, ?, ?, ?, 'member', '2026-01-01')",
                    (user_id, handle, old_key(handle), digest))
    raw.commit()
    raw.close()
    with app.app_context():
        upgrade_database(app)
    raw = sqlite3.connect(f"{tmp_path}/keys.sqlite3")
    keys = dict(raw.execute("SELECT handle, handle_key FROM users").fetchall())
    raw.close()
    assert keys == {"saima": handle_key("saima"), "saịma": old_key("saịma"), "zoé": handle_key("zoe")}
    client = app.test_client()
    for handle, user_id in (("saima", 1), ("saịma", 2), ("ZOE", 3)):
        answer = client.post(f"{API}/auth/login", json={"handle": handle, "password": PASSWORD})
        assert answer.status_code == 200, handle
        assert answer.get_json()["user"]["id"] == user_id
    taken = client.post(f"{API}/auth/register", json={"handle": "sáima", "password": PASSWORD})
    assert taken.status_code == 409
    app.extensions["forum.db"].engine.dispose()
