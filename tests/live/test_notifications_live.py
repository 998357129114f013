"""Live notifications (issue #16, API.md "Notifications"): a member connected to `/rooms`
hears `notification` {notification, unread_count} within a second of the event, even when
the event happened through another server process (one PostgreSQL, one Redis); during her
quiet hours the notification is stored and not pushed; and the private support flow is live:
the requester hears `support_accepted` without reloading anything.

Real `forum serve` processes and real python-socketio clients (see test_scale_out.py).
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.live.test_rooms_live import WAIT, Client, wait_for
from tests.live.test_scale_out import pair, people  # noqa: F401 - the two-process fixture

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.postgres]


def _thread(http, base, author) -> int:
    created = http.post(f"{base}/api/v1/boards/introductions/threads", headers=author.headers,
                        json={"title": "Live words", "body": f"Hello {uuid.uuid4().hex[:6]}"},
                        timeout=WAIT)
    assert created.status_code == 201, created.text
    return created.json()["thread"]["id"]


def test_a_reply_through_one_process_reaches_her_socket_on_the_other_within_a_second(
        pair, clients, http):  # noqa: F811
    author, friend = people(pair, "member", "member")
    thread_id = _thread(http, pair.first.url, author)
    her = Client(author)
    clients.append(her)
    her.connect(pair.second.url)
    started = time.monotonic()
    replied = http.post(f"{pair.first.url}/api/v1/threads/{thread_id}/posts",
                        headers=friend.headers, json={"body": "You are not alone"}, timeout=WAIT)
    assert replied.status_code == 201, replied.text
    wait_for(lambda: her.events("notification"), timeout=1.0, what="a live notification")
    assert time.monotonic() - started < 1.5
    (heard,) = her.events("notification")
    assert heard["unread_count"] == 1
    assert heard["notification"]["kind"] == "reply"
    assert heard["notification"]["post_id"] == replied.json()["post"]["id"]
    # Only a count and ids: no handle, no title, no word of the post.
    flat = repr(heard)
    assert friend.handle not in flat and "not alone" not in flat and "Live words" not in flat


def test_during_quiet_hours_it_is_stored_not_pushed(pair, clients, http):  # noqa: F811
    author, friend = people(pair, "member", "member")
    quiet = http.patch(f"{pair.first.url}/api/v1/me/notification-settings",
                       headers=author.headers, timeout=WAIT,
                       json={"timezone": "UTC", "quiet_hours": {"start": "00:00",
                                                                "end": "23:59"}})
    assert quiet.status_code == 200, quiet.text
    if time.gmtime().tm_hour == 23 and time.gmtime().tm_min == 59:
        time.sleep(61)  # the one minute of the day outside these quiet hours
    thread_id = _thread(http, pair.first.url, author)
    her = Client(author)
    clients.append(her)
    her.connect(pair.second.url)
    http.post(f"{pair.first.url}/api/v1/threads/{thread_id}/posts", headers=friend.headers,
              json={"body": "A word at night"}, timeout=WAIT)
    time.sleep(1.5)
    assert her.events("notification") == []
    stored = http.get(f"{pair.second.url}/api/v1/notifications", headers=author.headers,
                      timeout=WAIT).json()
    assert stored["unread_count"] == 1


def test_the_private_support_flow_is_live_for_the_requester(pair, clients, http):  # noqa: F811
    member, counsellor = people(pair, "member", "counsellor")
    her = Client(member)
    clients.append(her)
    her.connect(pair.second.url)
    asked = http.post(f"{pair.second.url}/api/v1/support-requests", headers=member.headers,
                      json={"topic": "I need to talk"}, timeout=WAIT)
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request"]["id"]
    accepted = http.post(f"{pair.first.url}/api/v1/support-requests/{request_id}/accept",
                         headers=counsellor.headers, timeout=WAIT)
    assert accepted.status_code == 200, accepted.text
    wait_for(lambda: her.events("support_accepted") and her.events("notification"),
             timeout=1.0, what="support_accepted and its notification")
    assert her.events("support_accepted")[0]["room"]["slug"] == accepted.json()["room"]["slug"]
    assert her.events("notification")[0]["notification"]["kind"] == "support_accepted"
