"""Auto-hide by reports: networks and established accounts count, not throwaway accounts.

Three accounts registered a minute ago from one /24 used to hide anyone's post (issue #12,
hole 16). Reports now weigh by network and by the reporters' standing (README, "Auto-hide by
reports"; `moderation.services.reports.auto_hide_weight`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from forum.db import utcnow
from forum.models.user import User
from moderation.models import Report


@pytest.fixture
def established(forum, make_user, app):
    """A member whose account is 8 days old and has 3 published posts."""

    def make(role: str = "member") -> Any:
        member = make_user(role)
        for n in range(3):
            forum.opening(member, f"Something I wanted to share, part {n + 1} of my story",
                          title=f"My story {n + 1}")
        with app.app_context():
            with app.extensions["forum.db"].unit_of_work() as session:
                session.get(User, member.id).created_at = utcnow() - dt.timedelta(days=8)
        return member

    return make


def report_from(forum, member, post_id: int, address: str) -> None:
    response = forum.client.post(
        "/api/v1/reports", headers=member.headers,
        json={"target_type": "post", "target_id": post_id, "reason": "harassment"},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 201, response.get_json()


def visible(forum, reader, post: dict) -> bool:
    response = forum.thread_posts(reader, post["thread"]["id"])
    return response.status_code == 200 and post["id"] in [p["id"] for p in response.get_json()["posts"]]


def reply_in_new_thread(forum, author) -> dict:
    opening = forum.opening(author, "A thread about getting through the week")
    reply = forum.reply(author, opening["thread"]["id"], "A reply that people will report")
    return {**reply.get_json()["post"], "thread": opening["thread"]}


def test_three_new_accounts_from_one_network_do_not_hide_a_post(forum, make_user):
    author, reader, moderator = make_user(), make_user(), make_user("moderator")
    post = reply_in_new_thread(forum, author)
    for n in range(3):
        report_from(forum, make_user(), post["id"], f"198.51.100.{n + 10}")
    assert visible(forum, reader, post)
    # Every report still reaches the queue at once.
    assert forum.item_for(moderator, post["id"])["report_count"] == 3


def test_three_established_members_from_three_networks_hide_a_post(forum, make_user, established):
    author, reader = make_user(), make_user()
    post = reply_in_new_thread(forum, author)
    reporters = [established() for _ in range(3)]
    for n, reporter in enumerate(reporters[:2]):
        report_from(forum, reporter, post["id"], f"203.0.{n}.7")
        assert visible(forum, reader, post), n
    report_from(forum, reporters[2], post["id"], "2001:db8:3::1")
    assert not visible(forum, reader, post)
    # The author still sees it, marked hidden.
    own = forum.thread_posts(author, post["thread"]["id"]).get_json()["posts"]
    assert [p["status"] for p in own if p["id"] == post["id"]] == ["hidden"]


def test_established_members_from_one_network_count_once(forum, make_user, established):
    author, reader = make_user(), make_user()
    post = reply_in_new_thread(forum, author)
    for n in range(4):
        report_from(forum, established(), post["id"], f"203.0.113.{n + 1}")
    assert visible(forum, reader, post)


def test_new_accounts_from_many_networks_count_half_each(forum, make_user):
    """New accounts from three networks weigh 1½: not hidden; it takes six networks."""
    author, reader = make_user(), make_user()
    post = reply_in_new_thread(forum, author)
    for n in range(5):
        report_from(forum, make_user(), post["id"], f"192.0.{n}.20")
        assert visible(forum, reader, post), n
    report_from(forum, make_user(), post["id"], "192.0.5.20")
    assert not visible(forum, reader, post)


def test_new_accounts_add_to_established_networks(forum, make_user, established):
    """Two established networks (2) and two networks of new accounts (½ each) make 3."""
    author, reader = make_user(), make_user()
    post = reply_in_new_thread(forum, author)
    report_from(forum, established(), post["id"], "203.0.1.1")
    report_from(forum, established(), post["id"], "203.0.2.1")
    report_from(forum, make_user(), post["id"], "203.0.1.2")  # an established network: no more
    assert visible(forum, reader, post)
    report_from(forum, make_user(), post["id"], "203.0.3.1")
    assert visible(forum, reader, post)
    report_from(forum, make_user(), post["id"], "203.0.4.1")
    assert not visible(forum, reader, post)


def test_a_counsellor_report_weighs_fully_whatever_her_network(forum, make_user, established):
    author, reader = make_user(), make_user()
    post = reply_in_new_thread(forum, author)
    counsellor = make_user("counsellor")  # new, no posts: staff are made by admins
    report_from(forum, established(), post["id"], "203.0.7.1")
    report_from(forum, established(), post["id"], "203.0.8.1")
    assert visible(forum, reader, post)
    report_from(forum, counsellor, post["id"], "203.0.7.2")
    assert not visible(forum, reader, post)


def test_a_report_keeps_a_keyed_network_fingerprint_never_the_address(forum, make_user, app):
    author, reporter = make_user(), make_user()
    post = reply_in_new_thread(forum, author)
    report_from(forum, reporter, post["id"], "198.51.100.77")
    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        row = session.scalars(select(Report).where(Report.reporter_id == reporter.id)).one()
        session.close()
    assert re.fullmatch(r"[0-9a-f]{64}", row.network_fingerprint)
    assert "198.51.100" not in repr(row.__dict__)
