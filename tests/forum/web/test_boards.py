"""Board pages: reading boards and threads, starting threads, replying, the `support` reaction,
reporting, content warnings that open without JavaScript, and readable errors."""

from __future__ import annotations

import re
from typing import Any

from tests.forum.web.conftest import assert_safe_page, csrf_from, sign_in, token_for


def start_thread(client: Any, board: str, **fields: Any) -> Any:
    token = token_for(client, f"/boards/{board}/new")
    data = {"csrf_token": token, "title": "A title", "body": "Hello, sisters."}
    data.update(fields)
    return client.post(f"/boards/{board}/new", data=data)


def test_home_lists_boards_and_links_them(client: Any, make_board: Any) -> None:
    make_board("talk")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/boards/talk"' in html
    assert_safe_page(html)


def test_start_a_thread_then_reply_and_support(client: Any, make_board: Any,
                                               make_user: Any) -> None:
    make_board("talk")
    author, friend = make_user(), make_user()
    sign_in(client, author)
    done = start_thread(client, "talk", title="Where do I begin", body="Some **words**.")
    assert done.status_code == 302
    thread_url = done.location
    html = client.get(thread_url).get_data(as_text=True)
    assert "Where do I begin" in html and "<strong>words</strong>" in html
    assert "<title>Saheli</title>" in html  # the tab never shows the topic
    assert_safe_page(html)

    client.post("/logout", data={"csrf_token": csrf_from(html)})
    sign_in(client, friend)
    html = client.get(thread_url).get_data(as_text=True)
    thread_id = int(thread_url.rsplit("/", 1)[1])
    reply = client.post(f"/threads/{thread_id}/reply",
                        data={"csrf_token": csrf_from(html), "body": "I hear you."})
    assert reply.status_code == 302 and "#post-" in reply.location
    html = client.get(thread_url).get_data(as_text=True)
    assert "I hear you." in html
    first_post = int(re.findall(r'id="post-(\d+)"', html)[0])
    support = client.post(f"/posts/{first_post}/support", data={"csrf_token": csrf_from(html)})
    assert support.status_code == 302
    shown = re.sub(r"<[^>]+>", "", client.get(thread_url).get_data(as_text=True))
    assert "Support (1)" in shown
    client.post(f"/posts/{first_post}/support",
                data={"csrf_token": csrf_from(html), "undo": "yes"})
    assert "Support (0)" in re.sub(r"<[^>]+>", "", client.get(thread_url).get_data(as_text=True))


def test_empty_thread_shows_errors_and_keeps_what_she_wrote(client: Any, make_board: Any,
                                                             make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    answer = start_thread(client, "talk", title="Kept title", body="   ")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="body-error"' in html and "Write something first." in html
    assert 'value="Kept title"' in html
    assert_safe_page(html)


def test_empty_reply_shows_the_error_in_urdu(client: Any, make_board: Any,
                                             make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    thread_url = start_thread(client, "talk").location
    client.set_cookie("lang", "ur")
    html = client.get(thread_url).get_data(as_text=True)
    thread_id = int(thread_url.rsplit("/", 1)[1])
    answer = client.post(f"/threads/{thread_id}/reply", data={"csrf_token": csrf_from(html),
                                                              "body": ""})
    assert answer.status_code == 422
    assert "پہلے کچھ لکھیں۔" in answer.get_data(as_text=True)


def test_content_warning_hides_the_post_in_details(client: Any, make_board: Any,
                                                   make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    url = start_thread(client, "talk", title="Hard", body="What happened",
                       content_warning="violence").location
    html = client.get(url).get_data(as_text=True)
    assert re.search(r"<details class=\"cw\"><summary>Content warning: (<bdi[^>]*>)?violence", html)
    board_html = client.get("/boards/talk").get_data(as_text=True)
    assert "Content warning: violence" in re.sub(r"<[^>]+>", "", board_html)
    assert ">Hard<" not in board_html


def test_board_pages_with_an_older_link(client: Any, make_board: Any, make_user: Any,
                                         app: Any) -> None:
    from forum.models.user import User
    from forum.policy import Actor
    from forum.screening import PassThroughScreener
    from forum.services import boards, posting

    make_board("talk")
    member = make_user()
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        actor = Actor.of(session.get(User, member.id), require_totp=True)
        board = boards.load_readable_board(session, actor, "talk")
        for n in range(21):  # more than a page, past the posting limit of the form
            posting.create_thread(session, actor, PassThroughScreener(), board,
                                  title=f"Thread {n}", body="words")
    html = client.get("/boards/talk").get_data(as_text=True)
    older = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert older, "no older link"
    page_two = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Thread 0" in page_two and "Thread 20" not in page_two


def test_visitors_read_but_are_asked_to_sign_in(client: Any, make_board: Any,
                                                make_user: Any, app: Any) -> None:
    make_board("talk")
    writer = app.test_client()
    sign_in(writer, make_user())
    url = start_thread(writer, "talk").location
    html = client.get(url).get_data(as_text=True)
    assert "Sign in to reply" in html and "<textarea" not in html
    assert client.get("/boards/talk/new").status_code == 302
    assert client.get("/boards/nowhere").status_code == 404
    assert client.get("/threads/999999").status_code == 404


def test_report_a_post(client: Any, make_board: Any, make_user: Any, app: Any) -> None:
    make_board("talk")
    writer = app.test_client()
    sign_in(writer, make_user())
    url = start_thread(writer, "talk", body="Something hurtful").location
    sign_in(client, make_user())
    html = client.get(url).get_data(as_text=True)
    post_id = int(re.findall(r'id="post-(\d+)"', html)[0])
    form = client.get(f"/posts/{post_id}/report")
    assert form.status_code == 200
    assert_safe_page(form.get_data(as_text=True))
    missing = client.post(f"/posts/{post_id}/report",
                          data={"csrf_token": csrf_from(html), "reason": ""})
    assert missing.status_code == 422 and 'id="reason-error"' in missing.get_data(as_text=True)
    done = client.post(f"/posts/{post_id}/report", data={
        "csrf_token": csrf_from(html), "reason": "harassment", "desired_outcome": "help_me_report"})
    assert done.status_code == 302 and done.location.endswith("/help#take-it-further")
    again = client.post(f"/posts/{post_id}/report",
                        data={"csrf_token": csrf_from(html), "reason": "harassment"})
    assert again.status_code == 409 and "already reported" in again.get_data(as_text=True)
    mine = client.get("/account/reports").get_data(as_text=True)
    assert_safe_page(mine)
    assert "Harassment or bullying" in mine and "Waiting for a moderator" in mine


def test_help_page_lists_lines_and_survives_a_missing_file(client: Any, tmp_path: Any) -> None:
    from forum.web.help import load_helplines

    html = client.get("/help").get_data(as_text=True)
    assert_safe_page(html)
    assert load_helplines(tmp_path / "absent.json") == []
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert load_helplines(broken) == []
    if load_helplines():
        assert 'href="tel:' in html


def test_absurd_ids_are_not_found(client: Any, make_user: Any) -> None:
    sign_in(client, make_user())
    for path in ("/threads/99999999999999999999999", "/threads/0",
                 "/posts/99999999999999999999999/report"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert_safe_page(answer.get_data(as_text=True))
