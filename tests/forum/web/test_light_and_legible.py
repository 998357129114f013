"""Pages that don't fail her on a cheap phone over a slow link (issue #19): compressed answers
and static files cached for good, a neutral export name, her anonymous thread answered
anonymously by default, "posting as …" above every button, times in Pakistan's time zone
without seconds, members' text marked with its direction and language, a Support tap
answered without a page, and a new moderator's way to her second factor."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from typing import Any

import pytest

from tests.forum.web.conftest import csrf_from, sign_in, token_for

ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """A 25-post thread is written faster than the posting limit allows a person."""
    return {"FORUM_RATE_LIMITS": False}


def start_thread(client: Any, slug: str, *, title: str = "Salaam", body: str = "Hello there",
                 anonymous: bool = False) -> str:
    data = {"csrf_token": token_for(client, f"/boards/{slug}/new"), "title": title, "body": body}
    if anonymous:
        data["anonymous"] = "yes"
    answer = client.post(f"/boards/{slug}/new", data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.location


def reply_box_ticked(html: str) -> bool:
    box = re.search(r'<input type="checkbox" id="anonymous"[^>]*>', html)
    assert box, "the reply form has no anonymous box"
    return " checked" in box.group(0)


# --- Light: compression and caching --------------------------------------------------------

def test_pages_are_gzipped_and_vary_on_accept_encoding(client: Any, make_board: Any,
                                                       make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    url = start_thread(client, "talk", body="Salaam, this line repeats so gzip has work to do. " * 40)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    html = gzip.decompress(packed.get_data()).decode()
    assert "Salaam, this line repeats so gzip has work to do." in html
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data(as_text=True) == html
    assert "no-store" in packed.headers["Cache-Control"]  # her signed-in page stays private


def test_api_answers_are_gzipped_too(client: Any, make_board: Any) -> None:
    for n in range(12):
        make_board(f"board-{n}")
    answer = client.get("/api/v1/boards", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.get_data()).startswith(b"{")


def test_static_files_have_fingerprinted_addresses_cached_for_a_year(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    assets = ASSET.findall(html)
    assert assets and all(re.search(r"\?v=[0-9a-f]{10}$", a) for a in assets), assets
    for address in assets:
        first = client.get(address, headers={"Accept-Encoding": "gzip"})
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert first.headers["Content-Encoding"] == "gzip"
        again = client.get(address, headers={"Accept-Encoding": "gzip",
                                             "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        first.close()
        again.close()
    stale = client.get(assets[0].split("?")[0] + "?v=0000000000")
    assert stale.headers["Cache-Control"] == "no-cache"  # not this version: revalidate
    stale.close()


def test_the_room_pages_socket_client_is_served_compressed_and_cached(client: Any,
                                                                     make_user: Any) -> None:
    sign_in(client, make_user())
    plain = client.get("/static/vendor/socket.io.min.js?v=x")
    raw = plain.get_data()
    plain.close()
    address = re.search(r'src="(/static/vendor/socket\.io\.min\.js\?v=[0-9a-f]+)"',
                        _room_page(client)).group(1)
    answer = client.get(address, headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Cache-Control"].endswith("immutable")
    assert gzip.decompress(answer.get_data()) == raw
    assert len(answer.get_data()) < len(raw) / 2


def _room_page(client: Any) -> str:
    """The page of an open room, seen by a signed-in member (the only one that loads the
    Socket.IO client)."""
    app = client.application
    from forum.models.user import User
    from forum.policy import Actor
    from forum.services import rooms

    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        host = session.get(User, _new_user(client, "counsellor"))
        actor = Actor.of(host, require_totp=False)
        room = rooms.create_room(session, actor, title="Evening circle")
        rooms.open_room(session, actor, room)
        slug = room.slug
    return client.get(f"/rooms/{slug}").get_data(as_text=True)


def _new_user(client: Any, role: str) -> int:
    import uuid

    from forum.models.user import Role
    from forum.services import accounts

    app = client.application
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        user = accounts.create_account(session, handle=f"host_{uuid.uuid4().hex[:6]}",
                                       password="correct horse battery staple 42",
                                       role=Role(role))
        return user.id


def test_a_25_post_thread_weighs_under_8_kb_compressed(client: Any, make_board: Any,
                                                       make_user: Any) -> None:
    make_board("talk")
    member = make_user()
    sign_in(client, member)
    url = start_thread(client, "talk", body="Salaam, this is how my week went.")
    thread_id = url.rsplit("/", 1)[1]
    for n in range(24):
        client.post(f"/api/v1/threads/{thread_id}/posts", headers=member.headers,
                    json={"body": f"Reply number {n}: you are not alone, we are here with you."})
    answer = client.get(url, headers={"Accept-Encoding": "gzip"})
    html = gzip.decompress(answer.get_data()).decode()
    assert html.count('class="post"') == 25
    assert len(answer.get_data()) <= 8 * 1024, len(answer.get_data())


# --- Quick exit and the export -------------------------------------------------------------

def test_the_export_downloads_under_a_neutral_name(client: Any, make_user: Any) -> None:
    sign_in(client, make_user())
    answer = client.get("/account/export")
    disposition = answer.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="my-data-\d{4}-\d\d-\d\d\.json"', disposition)
    assert "saheli" not in disposition.lower()
    assert 'download="my-data.json"' in client.get("/account").get_data(as_text=True)


def test_help_says_what_quick_exit_cannot_erase(client: Any) -> None:
    html = client.get("/help").get_data(as_text=True)
    assert "What quick exit cannot erase" in html
    assert "History" in html and "private (incognito) window" in html


# --- Posting as ------------------------------------------------------------------------------

def test_her_own_anonymous_thread_is_answered_anonymously_by_default(
        client: Any, make_board: Any, make_user: Any) -> None:
    make_board("talk")
    author, other = make_user(), make_user()
    sign_in(client, author)
    hidden = start_thread(client, "talk", title="Hidden", body="Anonymous please", anonymous=True)
    named = start_thread(client, "talk", title="Named", body="With my handle")
    html = client.get(hidden).get_data(as_text=True)
    assert reply_box_ticked(html)
    assert not reply_box_ticked(client.get(named).get_data(as_text=True))
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    sign_in(client, other)  # someone else's anonymous thread: her own choice, unticked
    assert not reply_box_ticked(client.get(hidden).get_data(as_text=True))


def test_the_reply_she_sends_from_the_default_form_is_anonymous(
        client: Any, make_board: Any, make_user: Any) -> None:
    make_board("talk")
    author = make_user()
    sign_in(client, author)
    url = start_thread(client, "talk", body="Anonymous please", anonymous=True)
    html = client.get(url).get_data(as_text=True)
    client.post(f"{url}/reply", data={"csrf_token": csrf_from(html), "body": "Thank you all",
                                      "anonymous": "yes"})
    posts = client.get(f"/api/v1{url}").get_json()["posts"]
    assert [p["author"] for p in posts] == [None, None]


def test_every_form_that_writes_says_who_is_posting_above_its_button(
        client: Any, make_board: Any, make_user: Any) -> None:
    make_board("talk")
    member = make_user()
    sign_in(client, member)
    url = start_thread(client, "talk")
    post_id = re.findall(r'id="post-(\d+)"', client.get(url).get_data(as_text=True))[0]
    for path in ("/boards/talk/new", url, f"/posts/{post_id}/edit", "/rooms"):
        html = client.get(path).get_data(as_text=True)
        line = html.index('class="meta posting-as"')
        button = html.index('<button type="submit"', line)
        assert "<form" not in html[line:button] and "</form>" not in html[line:button], path
        assert f"Posting as <bdi>{member.handle}</bdi>" in html, path


def test_the_line_follows_the_box_when_the_form_comes_back(client: Any, make_board: Any,
                                                          make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    answer = client.post("/boards/talk/new", data={
        "csrf_token": token_for(client, "/boards/talk/new"), "title": "", "body": "x",
        "anonymous": "yes"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert re.search(r'id="anonymous"[^>]* checked', html)
    assert "Posting anonymously: only moderators can see it is you" in html


# --- Times, direction and language -------------------------------------------------------------

def test_times_are_in_karachi_time_without_seconds(app: Any) -> None:
    from forum.web.text import time_tag, when

    now = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        when = _spaced(when)
        assert when(now - dt.timedelta(seconds=10), now=now) == "just now"
        assert when(now - dt.timedelta(minutes=5), now=now) == "5 minutes ago"
        assert when(now + dt.timedelta(hours=3), now=now) == "in 3 hours"
        # 10:00 UTC is 3:00 PM in Karachi (UTC+5).
        assert when(dt.datetime(2026, 3, 4, 10, 0, 30, tzinfo=dt.UTC), now=now) == "Mar 4, 3:00 PM"
        assert when("2025-12-31T20:00:00Z", now=now) == "Jan 1, 1:00 AM"  # already 2026 there
        assert when("2025-12-31T18:00:00Z", now=now) == "Dec 31, 2025"  # another year: no hour
        tag = str(time_tag("2026-03-04T10:00:30Z")).replace("\u202f", " ")
    assert tag.startswith('<time datetime="2026-03-04T10:00:30Z" title="Mar 4, 2026, 3:00 PM">')
    assert ":30" not in tag.split(">", 1)[1]


def _spaced(format_time: Any) -> Any:
    """CLDR puts a narrow no-break space before AM/PM; compare with a plain one."""
    return lambda *args, **kwargs: format_time(*args, **kwargs).replace("\u202f", " ")


def test_a_thread_page_shows_times_as_time_elements(client: Any, make_board: Any,
                                                    make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    html = client.get(start_thread(client, "talk")).get_data(as_text=True)
    stamp = re.search(r'<time datetime="([^"]+)" title="[^"]+">([^<]+)</time>', html)
    assert stamp and stamp.group(1).endswith("Z")
    assert stamp.group(2) == "just now"


def test_members_text_carries_direction_and_language(client: Any, make_board: Any,
                                                     make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user(handle="ayesha_k"))
    url = start_thread(client, "talk", title="میری کہانی", body="مجھے مدد چاہیے، شکریہ")
    html = client.get(url).get_data(as_text=True)
    assert '<h1 dir="auto" lang="ur">میری کہانی</h1>' in html
    assert re.search(r'<div class="body" dir="auto" lang="ur">\s*<p>مجھے مدد چاہیے', html)
    assert '<bdi dir="auto" lang="en">ayesha_k</bdi>' in html
    english = client.get(start_thread(client, "talk", title="My story", body="Thanks"))
    assert '<h1 dir="auto" lang="en">My story</h1>' in english.get_data(as_text=True)


def test_default_boards_are_named_in_urdu_on_urdu_pages(client: Any, db_session: Any) -> None:
    from forum.ops.seed import seed_database

    seed_database(db_session)
    db_session.commit()
    client.set_cookie("lang", "ur")
    html = client.get("/").get_data(as_text=True)
    assert "تعارف" in html and "آن لائن محفوظ رہنا" in html
    assert ">Introductions<" not in html
    client.set_cookie("lang", "en")
    assert ">Introductions<" in client.get("/").get_data(as_text=True)


# --- Support without a reload ------------------------------------------------------------------

def test_a_support_tap_asked_in_json_answers_the_count(client: Any, make_board: Any,
                                                       make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    html = client.get(start_thread(client, "talk")).get_data(as_text=True)
    post_id = re.findall(r'id="post-(\d+)"', html)[0]
    assert 'data-support' in html and "<bdi data-count>0</bdi>" in html
    answer = client.post(f"/posts/{post_id}/support", data={"csrf_token": csrf_from(html)},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.get_json() == {"reaction_counts": {"support": 1}}
    again = client.post(f"/posts/{post_id}/support", data={"csrf_token": csrf_from(html)},
                        headers={"Accept": "application/json"})
    assert again.get_json() == {"reaction_counts": {"support": 1}}  # once per member
    without_js = client.post(f"/posts/{post_id}/support", data={"csrf_token": csrf_from(html)})
    assert without_js.status_code == 302  # the form still works as before


# --- Staff onboarding --------------------------------------------------------------------------

def test_a_new_moderator_sees_the_way_to_her_second_factor(client: Any, make_user: Any) -> None:
    sign_in(client, make_user("moderator", totp=False))
    home = client.get("/").get_data(as_text=True)
    assert 'href="/moderation"' in home
    answer = client.get("/moderation")
    html = answer.get_data(as_text=True)
    assert "One step before your staff tools" in html
    assert "/api/" not in html.split("<main", 1)[1]
    assert 'href="/account#totp"' in html


def test_enrolment_shows_a_qr_code_beside_the_key_in_groups(client: Any,
                                                           make_user: Any) -> None:
    import pyotp

    sign_in(client, make_user("counsellor", totp=False))
    html = client.get("/account").get_data(as_text=True)
    client.post("/account/totp", data={"csrf_token": csrf_from(html)})
    html = client.get("/account").get_data(as_text=True)
    assert re.search(r'<figure class="qr"><svg [^>]*class="segno"', html)
    groups = re.search(r'id="totp-key">([A-Z2-7 ]+)</code>', html).group(1)
    assert all(len(g) <= 4 for g in groups.split(" ")) and len(groups.split(" ")) > 4
    done = client.post("/account/totp/confirm", follow_redirects=True, data={
        "csrf_token": csrf_from(html), "code": pyotp.TOTP(groups.replace(" ", "")).now()})
    assert "Your authenticator app is set up" in done.get_data(as_text=True)


# --- Password change ---------------------------------------------------------------------------

def test_changing_the_password_needs_the_current_one_and_signs_out_other_devices(
        client: Any, make_user: Any) -> None:
    member = make_user()
    sign_in(client, member)
    token = token_for(client, "/account/password")
    wrong = client.post("/account/password", data={
        "csrf_token": token, "password": "not my password at all",
        "new_password": "a brand new phrase 9", "new_password_again": "a brand new phrase 9"})
    assert wrong.status_code == 403
    assert "That password is not right." in wrong.get_data(as_text=True)
    differ = client.post("/account/password", data={
        "csrf_token": token, "password": member.password,
        "new_password": "a brand new phrase 9", "new_password_again": "another phrase 99"})
    assert differ.status_code == 422
    assert client.get("/api/v1/me", headers=member.headers).status_code == 200
    done = client.post("/account/password", data={
        "csrf_token": token, "password": member.password,
        "new_password": "a brand new phrase 9", "new_password_again": "a brand new phrase 9"})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert client.get("/api/v1/me", headers=member.headers).status_code == 401  # others out
    elsewhere = client.application.test_client()  # another device, no cookie
    login = elsewhere.post("/api/v1/auth/login", json={"handle": member.handle,
                                                    "password": "a brand new phrase 9"})
    assert login.status_code == 200, login.get_json()


# --- A newcomer's first start ------------------------------------------------------------------

def test_init_db_says_it_created_the_database_then_seeds_something_to_try(
        tmp_path: Any) -> None:
    from click.testing import CliRunner
    from sqlalchemy import create_engine, text

    from forum import create_app
    from forum.ops.commands import init_db_command
    from tests.conftest import TEST_SETTINGS

    url = f"sqlite:///{tmp_path}/fresh.sqlite3"
    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path), "FORUM_DATABASE_URL": url})
    runner = CliRunner()
    with app.app_context():
        first = runner.invoke(init_db_command, ["--seed"])
        again = runner.invoke(init_db_command, ["--seed"])
    assert first.exit_code == 0, first.output
    assert "Database created" in first.output and "up to date" not in first.output
    assert "4 welcoming threads and 1 room(s) added" in first.output
    assert "up to date" in again.output and "0 welcoming threads" in again.output
    assert "password" not in first.output  # demo accounts only with --demo
    engine = create_engine(url)
    with engine.connect() as connection:
        titles = connection.execute(text("SELECT title FROM threads")).scalars().all()
        rooms = connection.execute(text("SELECT status FROM rooms")).scalars().all()
    engine.dispose()
    assert any("Welcome" in t for t in titles) and any("خوش آمدید" in t for t in titles)
    assert rooms == ["scheduled"]


def test_init_db_demo_prints_accounts_that_sign_in_and_opens_a_room(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from forum import create_app
    from forum.ops.commands import init_db_command
    from tests.conftest import TEST_SETTINGS

    url = f"sqlite:///{tmp_path}/demo.sqlite3"
    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path), "FORUM_DATABASE_URL": url,
                      "FORUM_RATE_LIMITS": False})
    with app.app_context():
        done = CliRunner().invoke(init_db_command, ["--seed", "--demo"])
    assert done.exit_code == 0, done.output
    found = re.search(r"member\s+demo_member\s+password: (\S+)", done.output)
    assert found and "demo_moderator" in done.output
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"handle": "demo_member",
                                                    "password": found.group(1)})
    assert login.status_code == 200, login.get_json()
    rooms = client.get("/api/v1/rooms").get_json()["rooms"]
    assert any(r["status"] == "open" for r in rooms)
