"""The XSS corpus through every way text enters Saheli: API posts, replies and room messages,
and plain-text fields (titles, board names, room titles, handles), read back as JSON and as pages.

Why this on top of tests/forum/test_rendering.py: that file proves the renderer alone; this one
proves that nothing between a request and what a reader's browser gets (the service layer, the
moderation screener's censoring, the database round trip on SQLite and PostgreSQL, the Socket.IO
emit, the page templates) bypasses it or double-renders it. Each stored `body_html` is parsed
with the same allow-list checker; plain-text fields must come back as the same text in JSON
(clients escape them) and as escaped text in pages (no tag or `on...=` attribute from them).

Abuse limits are switched off for this module only (they are tested in tests/forum/api/test_limits.py):
hundreds of posts by one member in a second is exactly what they exist to stop.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.forum.rooms.conftest import NS, Sockets, ask, events
from tests.forum.test_rendering import PAYLOADS, violations

# The first 150 lines of the corpus go through the slower paths (one thread each, a reply,
# a room message); every payload goes through the cheap ones.
SAMPLE = PAYLOADS[:150]


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """The shared `app` with the abuse limits off (see the module docstring)."""
    return {"FORUM_RATE_LIMITS": False}


@pytest.fixture
def sockets(app: Any, client: Any) -> Iterator[Sockets]:
    opened = Sockets(app, client)
    yield opened
    opened.close()


def plain(value: str) -> str:
    """What a one-line plain-text field keeps of `value` (whitespace collapsed, controls gone)."""
    text = " ".join(value.split())
    return "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf"})


def squash(value: str) -> str:
    """Whitespace-insensitive form, for finding a field's text inside a page's text."""
    return "".join(value.split())


def seasoned(app: Any, member: Any) -> None:
    """Age the account by 60 days, so links in payloads are not held as "links from a new
    account" (held content is hidden from the anonymous page reader this test plays)."""
    import datetime as dt

    from sqlalchemy import update

    from forum.db import utcnow
    from forum.models.user import User

    with app.app_context():
        with app.extensions["forum.db"].unit_of_work() as session:
            session.execute(update(User).where(User.id == member.id)
                            .values(created_at=utcnow() - dt.timedelta(days=60)))


# --- pages --------------------------------------------------------------------------------

_DANGEROUS_TAGS = {"iframe", "object", "embed", "applet", "frame", "frameset", "base", "svg",
                   "math", "img", "video", "audio", "source", "meta", "link", "style", "input",
                   "button", "details", "marquee", "xss", "x", "body", "html", "isindex"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
_BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


class _Page(HTMLParser):
    """Collects a page's tags, its text, and whether a script element holds inline code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self._in_script = False
        self.inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True
        self.text.append(data)


def page_problems(html: str, baseline_tags: set[str]) -> tuple[list[str], str]:
    """Ways a page lets markup through, and the page's text (entity-decoded).

    `baseline_tags` are the tag names the templates themselves use (read from a page with
    harmless content), so only tags that came from input count, whatever the templates hold.
    """
    page = _Page()
    page.feed(html)
    page.close()
    problems = []
    if page.inline_script:
        problems.append("inline script")
    for tag, attrs in page.tags:
        if tag in _DANGEROUS_TAGS and tag not in baseline_tags:
            problems.append(f"tag <{tag}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                problems.append(f"script src {src!r}")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"event handler {name} on <{tag}>")
            if name in _URL_ATTRS and _BAD_SCHEME.match(value or ""):
                problems.append(f"{name}={value!r} on <{tag}>")
            if name in {"style", "srcdoc"}:
                problems.append(f"attribute {name} on <{tag}>")
    return problems, squash("".join(page.text))


def baseline(client: Any, path: str) -> set[str]:
    answer = client.get(path)
    assert answer.status_code == 200, path
    page = _Page()
    page.feed(answer.get_data(as_text=True))
    page.close()
    return {tag for tag, _ in page.tags}


def has_page(app: Any, rule: str) -> bool:
    """Whether the web layer serves `rule` yet (the pages are written alongside this suite)."""
    return any(str(r) == rule for r in app.url_map.iter_rules())


def check_page(client: Any, path: str, texts: list[str], tags: set[str]) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, path
    assert answer.mimetype == "text/html"
    problems, text = page_problems(answer.get_data(as_text=True), tags)
    assert problems == [], (path, problems)
    for expected in texts:
        assert squash(expected) in text, (path, expected)


# --- posts and replies ------------------------------------------------------------------


def _reply_with_each(client, member, created):
    """Each payload again as a reply (quoted and plain) with it as the content warning."""
    for thread_id, payload, _ in created:
        answer = client.post(f"/api/v1/threads/{thread_id}/posts", headers=member.headers,
                             json={"body": f"> {payload}\n\n{payload}", "content_warning": payload[:200]})
        assert answer.status_code in (201, 422), answer.get_json()
        if answer.status_code == 201:
            post = answer.get_json()["post"]
            assert violations(post["body_html"]) == [], payload
            assert post["content_warning"] == plain(payload[:200])


def test_payloads_in_threads_and_replies_are_stored_safe_and_shown_as_text(
    app, client, make_user, make_board
):
    """150 payloads as thread titles and bodies, then as replies, through the JSON API; every
    stored `body_html` passes the allow-list (as written, as read back, as a page), and every
    title comes back as the same text and is escaped on the board, home and thread pages."""
    slug = make_board("xss")
    member = make_user("member")
    seasoned(app, member)
    benign = client.post(f"/api/v1/boards/{slug}/threads", headers=member.headers,
                         json={"title": "Salaam", "body": "A **kind** [link](https://example.org)",
                               "content_warning": "family"})
    benign_id = benign.get_json()["thread"]["id"]
    client.post(f"/api/v1/threads/{benign_id}/posts", headers=member.headers,
                json={"body": "> quoted\n\nreply", "content_warning": "threats"})
    tags = set()
    for rule, path in (("/threads/<int:thread_id>", f"/threads/{benign_id}"),
                       ("/boards/<slug>", f"/boards/{slug}")):
        if has_page(app, rule):
            tags |= baseline(client, path)
    created: list[tuple[int, str, str]] = []  # (thread id, payload, title as stored)
    held: set[int] = set()
    blocked = 0
    for payload in SAMPLE:
        answer = client.post(f"/api/v1/boards/{slug}/threads", headers=member.headers,
                             json={"title": payload[:200], "body": payload})
        if answer.status_code == 422 and answer.get_json()["code"] == "content_blocked":
            blocked += 1
            continue
        assert answer.status_code == 201, (payload, answer.get_json())
        body = answer.get_json()
        assert violations(body["post"]["body_html"]) == [], payload
        assert body["thread"]["title"] == plain(payload[:200])
        created.append((body["thread"]["id"], payload, body["thread"]["title"]))
        if body["thread"]["status"] != "published":
            held.add(body["thread"]["id"])
    # The screener may refuse a few (the corpus has rude words); XSS must not be why.
    assert blocked <= 5 and len(created) >= 145

    # Held threads (look-alike payloads repeat, a flood) take no replies yet.
    _reply_with_each(client, member, [c for c in created if c[0] not in held])

    # Read back: what the database hands every reader.
    for thread_id, payload, title in created:
        shown = client.get(f"/api/v1/threads/{thread_id}", headers=member.headers).get_json()
        assert shown["thread"]["title"] == title
        for post in shown["posts"]:
            assert violations(post["body_html"]) == [], payload
    listed = client.get(f"/api/v1/boards/{slug}/threads?limit=100").get_json()["threads"]
    assert {t["title"] for t in listed} <= {title for _, _, title in created}

    # Pages, where they exist: titles escaped, bodies within the allow-list.
    if has_page(app, "/threads/<int:thread_id>"):
        for thread_id, _, title in created:
            check_page(client, f"/threads/{thread_id}", [title], tags)
    if has_page(app, "/boards/<slug>"):
        newest = [t["title"] for t in listed[:10]]
        check_page(client, f"/boards/{slug}", newest, tags)


def test_payloads_as_board_names_and_descriptions_are_plain_text(app, client, make_user):
    """An admin's board name is shown to everyone on `/`: every payload, as name and description,
    comes back unchanged in `GET /boards` and escaped on the home page."""
    admin = make_user("admin")
    client.post("/api/v1/boards", headers=admin.headers, json={"slug": "plain", "name": "Plain"})
    tags = set()
    for rule, path in (("/", "/"), ("/boards/<slug>", "/boards/plain")):
        if has_page(app, rule):
            tags |= baseline(client, path)
    names = []
    for i, payload in enumerate(PAYLOADS):
        name = payload[:100]
        answer = client.post("/api/v1/boards", headers=admin.headers,
                             json={"slug": f"b-{i}", "name": name, "description": payload})
        if not name.strip():
            assert answer.status_code == 422
            continue
        assert answer.status_code == 201, (payload, answer.get_json())
        assert answer.get_json()["board"]["name"] == name.strip()
        names.append(name.strip())
    listed = {b["name"] for b in client.get("/api/v1/boards").get_json()["boards"]}
    assert set(names) <= listed
    if has_page(app, "/"):
        check_page(client, "/", names, tags)
    if has_page(app, "/boards/<slug>"):
        for i in range(0, len(PAYLOADS), 25):
            check_page(client, f"/boards/b-{i}", [PAYLOADS[i][:100].strip()], tags)


def test_payloads_as_handles_are_refused_and_echoed_escaped(app, client):
    """Handles are letters, digits and `_` only, so no payload becomes a handle; the register
    form that shows the refused handle back to her shows it as text."""
    for payload in PAYLOADS:
        answer = client.post("/api/v1/auth/register",
                             json={"handle": payload[:64], "password": "a long and quiet river 7"})
        assert answer.status_code == 422, payload
        assert answer.mimetype == "application/problem+json"
    if not has_page(app, "/register"):
        return
    form = client.get("/register")
    tags = baseline(client, "/register")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    for payload in SAMPLE[:60]:
        answer = client.post("/register", data={
            "handle": payload[:64], "password": "a long and quiet river 7",
            "password_again": "a long and quiet river 7", "csrf_token": csrf})
        assert answer.status_code == 422, payload
        problems, _ = page_problems(answer.get_data(as_text=True), tags)
        assert problems == [], (payload, problems)


# --- rooms ---------------------------------------------------------------------------------


def test_payloads_as_room_messages_and_room_titles(app, client, sockets, make_user):
    """150 payloads sent as room messages over Socket.IO: the `message` event every member
    receives and `GET /rooms/{slug}/messages` carry allow-listed `body_html` only; room titles
    and descriptions with payloads come back as the same text."""
    host = make_user("counsellor")
    tags = baseline(client, "/rooms") if has_page(app, "/rooms") else set()
    created = client.post("/api/v1/rooms", headers=host.headers,
                          json={"title": SAMPLE[3], "description": SAMPLE[4]})
    assert created.status_code == 201, created.get_json()
    room = created.get_json()["room"]
    assert room["title"] == plain(SAMPLE[3])
    slug = room["slug"]
    assert client.post(f"/api/v1/rooms/{slug}/open", headers=host.headers).status_code == 200

    host_socket = sockets.connect(host)
    assert ask(host_socket, "join", {"room": slug})["ok"] is True
    sent_ids = []
    # Ten messages per member: the per-person room rate (10 in 10 s) is part of the product.
    for start in range(0, len(SAMPLE), 10):
        chunk = SAMPLE[start:start + 10]
        member = make_user("member")
        sc = sockets.connect(member)
        assert ask(sc, "join", {"room": slug})["ok"] is True
        for payload in chunk:
            ack = ask(sc, "message", {"room": slug, "body": payload})
            if not ack["ok"]:
                assert ack["error"]["code"] == "content_blocked", (payload, ack)
                continue
            sent_ids.append(ack["message"]["id"])
        sc.disconnect(namespace=NS)
    assert len(sent_ids) >= 145

    delivered = events(host_socket, "message") + [
        e["message"] for e in events(host_socket, "message_held")]
    delivered = [e for e in delivered if isinstance(e, dict) and "body_html" in e]
    assert {e["id"] for e in delivered} >= set(sent_ids)
    for event in delivered:
        assert violations(event["body_html"]) == [], event

    stored: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get(f"/api/v1/rooms/{slug}/messages?after={after}", headers=host.headers)
        assert page.status_code == 200, page.get_json()
        batch = page.get_json()["messages"]
        if not batch:
            break
        stored.extend(batch)
        after = batch[-1]["id"]
    assert {m["id"] for m in stored} >= set(sent_ids)
    for message in stored:
        assert violations(message["body_html"]) == [], message

    titles = []
    for payload in SAMPLE[:60]:
        answer = client.post("/api/v1/rooms", headers=host.headers,
                             json={"title": payload[:200], "description": payload})
        assert answer.status_code == 201, (payload, answer.get_json())
        assert answer.get_json()["room"]["title"] == plain(payload[:200])
        titles.append(plain(payload[:200]))
    listed = {r["title"] for r in client.get("/api/v1/rooms", headers=host.headers).get_json()["rooms"]}
    assert set(titles) <= listed
    if has_page(app, "/rooms"):
        check_page(client, "/rooms", titles[:10], tags)
