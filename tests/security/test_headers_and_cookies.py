"""Security headers on every answer, session cookie flags, session rotation, body limits and
redirects after sign-in.

Already held elsewhere, not repeated here: the headers on `/`, `/login` and `GET /api/v1/boards`
and the API's 413 for a JSON body (tests/forum/api/test_errors.py), `HttpOnly`/`SameSite=Lax`
on the plain-HTTP login cookie and the CSRF secret's rotation (tests/forum/api/test_accounts.py).
This file widens the header check to every page and every API route (errors included, since
a 404 page rendered in a frame is as useful to a clickjacker as any), adds `Secure` behind HTTPS,
proves the session id itself is rotated and revoked, and pins the open-redirect guard.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from forum.api.core import ENDPOINTS
from tests.conftest import TEST_SETTINGS, Backend

PASSWORD = "correct horse battery staple 42"
COOKIE = "saheli_session"


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


def header_problems(answer: Any) -> list[str]:
    """Ways an answer misses API.md's headers (empty when it has them all)."""
    headers = answer.headers
    problems = []
    csp = csp_directives(headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    if scripts is None:
        problems.append("no script-src or default-src")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        problems.append(f"script-src {scripts}")
    for directive in ("object-src", "base-uri"):
        if csp.get(directive) != ["'none'"]:
            problems.append(f"{directive} {csp.get(directive)}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors {csp.get('frame-ancestors')}")
    if headers.get("Referrer-Policy") != "no-referrer":
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options {headers.get('X-Content-Type-Options')!r}")
    return problems


def csrf_from(answer: Any) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', answer.get_data(as_text=True)).group(1)


def session_cookie(answer: Any) -> str | None:
    """The `Set-Cookie` line of the session cookie in an answer, if it sets one."""
    for line in answer.headers.getlist("Set-Cookie"):
        if line.startswith(f"{COOKIE}="):
            return line
    return None


def cookie_value(line: str) -> str:
    return line.split(";", 1)[0].split("=", 1)[1]


def browser_login(client: Any, handle: str, next_url: str | None = None, **kwargs: Any) -> Any:
    """Sign in through the `/login` form, as a browser does."""
    csrf = csrf_from(client.get("/login", **kwargs))
    path = "/login" if next_url is None else "/login?" + _query({"next": next_url})
    return client.post(path, data={"handle": handle, "password": PASSWORD, "csrf_token": csrf},
                       **kwargs)


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _fill(rule: str, values: dict[str, Any]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), rule)


def test_every_page_and_api_answer_carries_the_security_headers(app, client, make_user, make_board):
    """Every GET page (signed out and signed in), every static asset, every API operation
    whatever it answers (2xx, 401, 403, 404, 405, 413, 422) and `/healthz`."""
    slug = make_board("talk")
    member = make_user("member")
    thread = client.post(f"/api/v1/boards/{slug}/threads", headers=member.headers,
                         json={"title": "Salaam", "body": "hello"}).get_json()
    values = {"slug": slug, "thread_id": thread["thread"]["id"], "post_id": thread["post"]["id"],
              "filename": "js/quick-exit.js"}
    app.testing = False  # a page that fails must still answer 500 with its headers
    problems: dict[str, list[str]] = {}
    checked = 0

    def check(label: str, answer: Any) -> None:
        nonlocal checked
        checked += 1
        found = header_problems(answer)
        if "/api/" in label and "no-store" not in answer.headers.get(
                "Cache-Control", ""):
            found.append("API answer without Cache-Control: no-store")
        answer.close()  # static files are streamed from an open file
        if found:
            problems[label] = found

    browser = app.test_client()
    browser_login(browser, member.handle)
    pages = [r for r in app.url_map.iter_rules()
             if "GET" in (r.methods or set()) and not r.rule.startswith("/api/")]
    for rule in pages:
        path = _fill(rule.rule, values)
        check(f"GET {path} (signed out)", client.get(path))
        check(f"GET {path} (signed in)", browser.get(path))
    for doc in ENDPOINTS:
        path = "/api/v1" + _fill(doc.rule, values)
        check(f"{doc.method} {path} (anonymous)", client.open(path, method=doc.method, json={}))
        check(f"{doc.method} {path} (member)",
              client.open(path, method=doc.method, json={}, headers=member.headers))
    check("404", client.get("/api/v1/nowhere"))
    check("404 page", client.get("/nowhere"))
    check("405", client.put("/api/v1/boards"))
    check("413", client.post("/api/v1/auth/login", data="x" * 300_000,
                             content_type="application/json"))
    check("POST /login refused", client.post("/login", data={"handle": "x"}))
    assert checked > 2 * len(ENDPOINTS) + len(pages)
    assert problems == {}


@pytest.mark.parametrize("how", ["https base url", "forwarded proto"])
def test_session_cookie_is_secure_httponly_lax_behind_https(backend: Backend, tmp_path, how):
    """Behind TLS (directly, or through one trusted proxy saying `X-Forwarded-Proto: https`)
    the session cookie is also `Secure`, so it never travels over plain HTTP."""
    from forum import create_app

    proxies = 1 if how == "forwarded proto" else 0
    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path),
                      "FORUM_DATABASE_URL": backend.url, "FORUM_PROXY_COUNT": proxies})
    connection = backend.engine.connect()
    outer = connection.begin()
    app.extensions["forum.db"].bind(connection)
    try:
        client = app.test_client()
        # Over HTTPS Flask-WTF also wants a same-origin Referer on form posts, as browsers send.
        kwargs: dict[str, Any] = (
            {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
            if proxies == 0
            else {"headers": {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
                              "Referer": "https://localhost/login"}})
        assert client.post("/api/v1/auth/register",
                           json={"handle": "sana", "password": PASSWORD}, **kwargs).status_code == 201
        done = browser_login(client, "sana", **kwargs)
        assert done.status_code == 302
        line = session_cookie(done)
        assert line is not None
        flags = {flag.strip().lower() for flag in line.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags, line
    finally:
        outer.rollback()
        connection.close()
        app.extensions["forum.db"].engine.dispose()


def test_plain_http_cookie_is_not_marked_secure(client, make_user):
    """On a laptop over plain HTTP (`make run`) a `Secure` cookie would never come back, and
    nobody could sign in: `Secure` follows the request's scheme."""
    member = make_user("member")
    line = session_cookie(browser_login(client, member.handle))
    assert line is not None and "secure" not in line.lower()


def test_session_id_is_rotated_at_login_and_dead_after_logout(app, make_user):
    """Session fixation: the cookie a browser had before signing in is not the one after, and
    replaying the pre-login cookie gets no one signed in. Logout: replaying the signed-in
    cookie afterwards is refused, because the server-side session row is gone."""
    member = make_user("member")
    victim = app.test_client()
    before = session_cookie(victim.get("/login"))
    assert before is not None
    done = browser_login(victim, member.handle)
    after = session_cookie(done)
    assert after is not None and cookie_value(after) != cookie_value(before)
    assert victim.get("/api/v1/me").status_code == 200

    attacker = app.test_client()
    attacker.set_cookie(COOKIE, cookie_value(before))
    assert attacker.get("/api/v1/me").status_code == 401

    stolen = app.test_client()
    stolen.set_cookie(COOKIE, cookie_value(after))
    assert stolen.get("/api/v1/me").status_code == 200
    csrf = csrf_from(victim.get("/"))
    assert victim.post("/logout", data={"csrf_token": csrf}).status_code in (302, 303)
    assert victim.get("/api/v1/me").status_code == 401
    assert stolen.get("/api/v1/me").status_code == 401

    again = session_cookie(browser_login(victim, member.handle))
    assert again is not None and cookie_value(again) != cookie_value(after)


def test_page_forms_over_the_body_limit_are_413(app, client, make_user, make_board):
    """The limit holds for browser forms and for signed-in API writes too, not only JSON at
    registration: a 300 KB body is refused before anything reads it."""
    slug = make_board("talk")
    member = make_user("member")
    huge = "x" * (300 * 1024)
    assert client.post("/login", data={"handle": huge, "password": huge}).status_code == 413
    answer = client.post(f"/api/v1/boards/{slug}/threads", headers=member.headers,
                         json={"title": "t", "body": huge})
    assert answer.status_code == 413
    assert answer.get_json()["code"] == "payload_too_large"
    assert client.get(f"/api/v1/boards/{slug}/threads").get_json()["threads"] == []


@pytest.mark.parametrize("target", [
    "https://evil.example", "//evil.example", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "https:/evil.example", "javascript:alert(1)", "/\t/evil.example",
    " //evil.example", "http://localhost.evil.example/", "evil.example",
])
def test_login_redirects_only_to_same_site_paths(client, make_user, target):
    """`/login?next=...` from a link in a message must not bounce a member to a look-alike
    site that asks for her password again."""
    member = make_user("member")
    done = browser_login(client, member.handle, next_url=target)
    assert done.status_code == 302
    location = done.headers["Location"]
    assert location in ("/", "http://localhost/"), location


def test_login_keeps_a_same_site_next(client, make_user, make_board):
    member = make_user("member")
    slug = make_board("talk")
    done = browser_login(client, member.handle, next_url=f"/boards/{slug}")
    assert done.headers["Location"].endswith(f"/boards/{slug}")


def test_every_cookie_authenticated_api_write_needs_the_csrf_header(app, make_user, make_board):
    """A page on another site can make her browser send the session cookie, never the
    `X-CSRF-Token` header: every state-changing API operation refuses a cookie without it
    (403), before doing anything, so a signed-in member cannot be made to post, report, block,
    erase or sign out by someone else's page."""
    slug = make_board("talk")
    member = make_user("member")
    thread = app.test_client().post(f"/api/v1/boards/{slug}/threads", headers=member.headers,
                                    json={"title": "Salaam", "body": "hello"}).get_json()
    values = {"slug": slug, "thread_id": thread["thread"]["id"], "post_id": thread["post"]["id"],
              "user_id": member.id}
    browser = app.test_client()
    assert browser_login(browser, member.handle).status_code == 302
    writes = [doc for doc in ENDPOINTS if doc.method != "GET"]
    assert len(writes) > 20
    answered = {}
    for doc in writes:
        path = "/api/v1" + _fill(doc.rule, values)
        answered[f"{doc.method} {path}"] = browser.open(path, method=doc.method, json={}).status_code
    # Sign-in, registration and recovery act for no signed-in account: they need no CSRF token.
    open_doors = {route: status for route, status in answered.items()
                  if status != 403 and not route.startswith(("POST /api/v1/auth/login",
                                                              "POST /api/v1/auth/register",
                                                              "POST /api/v1/auth/recover"))}
    assert open_doors == {}
    # Still signed in, nothing was done in her name.
    assert browser.get("/api/v1/me").status_code == 200
    assert len(browser.get(f"/api/v1/threads/{thread['thread']['id']}").get_json()["posts"]) == 1
