"""`forum repair-counters` puts every counter back to the count of the rows it counts, says
what it fixed, and finds nothing on a forum whose counters were kept right."""

from __future__ import annotations

from sqlalchemy import select, update

from forum.models.board import Board, Post, Thread


def _write(app, statement):
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        session.execute(statement)


def _read(app, query):
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        return session.scalar(query)


def test_repair_counters_fixes_corrupted_counters_and_reports_them(app, client, make_user,
                                                                   make_board):
    author, friend = make_user("member"), make_user("member")
    slug = make_board()
    opened = client.post(f"/api/v1/boards/{slug}/threads", headers=author.headers,
                         json={"title": "Salaam", "body": "Glad to find this place."})
    assert opened.status_code == 201, opened.get_json()
    tid, pid = opened.get_json()["thread"]["id"], opened.get_json()["post"]["id"]
    assert client.post(f"/api/v1/threads/{tid}/posts", headers=friend.headers,
                       json={"body": "Welcome, you are not alone"}).status_code == 201
    assert client.post(f"/api/v1/posts/{pid}/reactions", headers=friend.headers,
                       json={"kind": "support"}).status_code == 201
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["repair-counters"])
    assert clean.exit_code == 0, clean.output
    assert "nothing fixed" in clean.output

    board_id = _read(app, select(Thread.board_id).where(Thread.id == tid))
    true_threads = _read(app, select(Board.thread_count).where(Board.id == board_id))
    _write(app, update(Post).where(Post.id == pid).values(support_count=39))
    _write(app, update(Thread).where(Thread.id == tid).values(post_count=7))
    _write(app, update(Board).where(Board.id == board_id).values(thread_count=true_threads + 5))

    fixed = runner.invoke(args=["repair-counters"])
    assert fixed.exit_code == 0, fixed.output
    assert f"posts {pid}: support_count was 39, now 1" in fixed.output
    assert f"threads {tid}: post_count was 7, now 2" in fixed.output
    assert (f"boards {board_id}: thread_count was {true_threads + 5}, now {true_threads}"
            in fixed.output)
    assert "3 fixed" in fixed.output
    thread = client.get(f"/api/v1/threads/{tid}").get_json()
    assert thread["thread"]["post_count"] == 2
    assert thread["posts"][0]["reaction_counts"] == {"support": 1}
    assert "nothing fixed" in runner.invoke(args=["repair-counters"]).output
