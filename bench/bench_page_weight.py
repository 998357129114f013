"""Page weights on the wire (issue #19): what a first visit to each page costs a member on a
slow, metered link, as the server sends it (gzip), with the CSS and JavaScript it links.

A seeded forum on a temporary SQLite file, a signed-in member, a thread of 25 posts and an
open room; each page is fetched through the Flask test client with `Accept-Encoding: gzip`,
then each static file it links, and the bodies are counted as sent (compressed). Bounds: every
page with its assets at most 60 KB, the 25-post thread's HTML at most 8 KB. A revisit costs
the HTML only: the assets are fingerprinted and `immutable` (checked in
`tests/browser/test_phone_and_slow_link.py`). Prints JSON with `checks` for `run_all.py`.

Run: ``.venv/bin/python bench/bench_page_weight.py``.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGE_BOUND = 60 * 1024
THREAD_BOUND = 8 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
PASSWORD = "a long enough phrase 7"


def _world(app: Any) -> dict[str, str]:
    """Seed the forum; a member with a 25-post thread, and an open room."""
    from forum import db
    from forum.models.user import Role
    from forum.ops.commands import upgrade_database
    from forum.ops.seed import seed_welcome
    from forum.policy import Actor
    from forum.screening import PassThroughScreener
    from forum.services import accounts, boards, posting, rooms

    with app.app_context():
        upgrade_database(app)
        with db.database().unit_of_work() as session:
            seed_welcome(session)
            member = accounts.create_account(session, handle="bench_member", password=PASSWORD)
            host = accounts.create_account(session, handle="bench_host", password=PASSWORD,
                                           role=Role.COUNSELLOR)
            actor = Actor.of(member, require_totp=False)
            board = boards.load_readable_board(session, actor, "introductions")
            done = posting.create_thread(session, actor, PassThroughScreener(), board,
                                         title="How was your week?",
                                         body="Tell us how your week went, a word is enough.")
            found, found_board = posting.load_thread(session, actor, done.thread.id)
            for n in range(24):
                posting.reply(session, actor, PassThroughScreener(), found, found_board,
                              body=f"Reply {n}: a better week, thank you for asking.")
            host_actor = Actor.of(host, require_totp=False)
            room = rooms.create_room(session, host_actor, title="Drop-in room")
            rooms.open_room(session, host_actor, room)
            return {"thread": f"/threads/{done.thread.id}", "room": f"/rooms/{room.slug}"}


def _weigh(client: Any, path: str) -> dict[str, int]:
    answer = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200, (path, answer.status_code)
    html_bytes = len(answer.get_data())
    import gzip

    html = gzip.decompress(answer.get_data()).decode() if answer.headers.get(
        "Content-Encoding") == "gzip" else answer.get_data(as_text=True)
    assets = 0
    for address in sorted(set(ASSET.findall(html))):
        asset = client.get(address.replace("&amp;", "&"), headers={"Accept-Encoding": "gzip"})
        assets += len(asset.get_data())
        asset.close()
    return {"html": html_bytes, "assets": assets, "total": html_bytes + assets}


def main() -> int:
    from forum import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": tmp, "FORUM_DATABASE_URL": f"sqlite:///{tmp}/w.db",
                          "FORUM_SECRET_KEY": "bench", "FORUM_ARGON2_TIME_COST": 1,
                          "FORUM_ARGON2_MEMORY_KIB": 1024, "FORUM_RATE_LIMITS": False,
                          "FORUM_STAFF_REQUIRE_TOTP": False})
        where = _world(app)
        client = app.test_client()
        visitor = {p: _weigh(client, p) for p in ("/", "/boards/introductions", where["thread"],
                                                  "/login", "/register", "/help", "/rooms")}
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"csrf_token": token, "handle": "bench_member",
                                    "password": PASSWORD})
        member = {p: _weigh(client, p) for p in (
            "/", "/boards/introductions", where["thread"], "/boards/introductions/new",
            "/rooms", where["room"], "/account", "/account/password", "/help")}
    heaviest = max(w["total"] for w in (*visitor.values(), *member.values()))
    thread_html = max(visitor[where["thread"]]["html"], member[where["thread"]]["html"])
    result = {
        "visitor": visitor,
        "member": member,
        "thread_25_posts_html_bytes": thread_html,
        "heaviest_page_bytes": heaviest,
        "room_page_bytes": member[where["room"]]["total"],
        "checks": [
            {"name": "pages.heaviest_bytes", "value": heaviest, "bound": f"<= {PAGE_BOUND}",
             "ok": heaviest <= PAGE_BOUND},
            {"name": "pages.thread_25_posts_bytes", "value": thread_html,
             "bound": f"<= {THREAD_BOUND}", "ok": thread_html <= THREAD_BOUND},
        ],
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
