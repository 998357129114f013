"""Crisis care in live rooms (issue #14), with real python-socketio clients against a real
`forum serve`, on SQLite and PostgreSQL: the sender of a crisis message gets the help lines in
her acknowledgement (and is told whether anyone on duty is online), the room's host and the
connected counsellors get `crisis_alert`, a counsellor's `offer_support` reaches the writer
alone as `support_offered`, she accepts by joining or declines, and an anonymous writer stays
anonymous to the counsellor in everything he is shown: "the person who wrote this"."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.live.test_rooms_live import (
    NS,
    WAIT,
    Account,
    Client,
    clients,  # noqa: F401 - the fixture
    make_accounts,
    open_room,
    rooms_server,  # noqa: F401 - the fixture
    wait_for,
)

pytestmark = pytest.mark.live

CRISIS = "I want to die. There is nothing to live for any more."
WRITER = "the person who wrote this"


def connected(account: Account, url: str, opened: list[Client]) -> Client:
    client = Client(account)
    for name in ("support_offered",):
        client.sio.on(name, client._recorder(name), namespace=NS)
    opened.append(client)
    return client.connect(url)


def never_names(value: Any, writer: Account) -> None:
    """Nothing in `value` names the writer: not her handle, not her id."""
    text = json.dumps(value, ensure_ascii=False)
    assert writer.handle not in text, text

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for key, inner in item.items():
                if key in {"member", "author", "user"} and isinstance(inner, dict):
                    assert inner.get("id") != writer.id, text
                if key in {"member_id", "author_id", "user_id"}:
                    assert inner != writer.id, text
                walk(inner)
        elif isinstance(item, list):
            for inner in item:
                walk(inner)

    walk(value)


def test_a_crisis_message_reaches_her_with_help_and_the_counsellors_with_an_alert(
        rooms_server, tmp_path, clients, http: requests.Session) -> None:  # noqa: F811
    server, url = rooms_server
    host, counsellor, writer, bystander = make_accounts(
        url, tmp_path, ["counsellor", "counsellor", "member", "member"])
    slug = open_room(server.url, host, http)

    # Nobody on duty is connected yet: her help lines say so.
    alone = connected(writer, server.url, clients)
    assert alone.call("join", {"room": slug})["ok"] is True
    ack = alone.call("message", {"room": slug, "body": CRISIS})
    assert ack["ok"] is True and ack["message"]["status"] == "published"
    assert ack["counsellor_online"] is False
    numbers = {line["number"] for line in ack["resources"]}
    assert "0311-7786264" in numbers and "1166" in numbers
    assert all({"name", "number", "hours", "languages", "verified_on"} <= set(line)
               for line in ack["resources"])

    # Now the host is in the room and another counsellor is connected (not in the room).
    hosting = connected(host, server.url, clients)
    assert hosting.call("join", {"room": slug})["ok"] is True
    duty = connected(counsellor, server.url, clients)
    other = connected(bystander, server.url, clients)
    assert other.call("join", {"room": slug})["ok"] is True

    ack = alone.call("message", {"room": slug, "body": CRISIS, "anonymous": True})
    assert ack["ok"] is True and ack["resources"] and ack["counsellor_online"] is True
    message_id = ack["message"]["id"]
    for staff in (hosting, duty):
        wait_for(lambda s=staff: any(a["message"]["id"] == message_id
                                     for a in s.events("crisis_alert")), what="crisis_alert")
        alert = next(a for a in staff.events("crisis_alert") if a["message"]["id"] == message_id)
        assert alert["room"] == slug and alert["message"]["author"] is None
        never_names(alert, writer)
    wait_for(lambda: len(other.events("message")) >= 1, what="the message reaching the room")
    assert other.events("crisis_alert") == []  # the alert is for those on duty only
    plain = other.call("message", {"room": slug, "body": "Sending you a hug."})
    assert "resources" not in plain  # help lines go to the writer, not to everyone

    # A member cannot offer; the counsellor can, and is never told who she is.
    refused = other.call("offer_support", {"room": slug, "message": message_id})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    offer = duty.call("offer_support", {"room": slug, "message": message_id})
    assert offer["ok"] is True, offer
    assert offer["request"]["status"] == "offered" and offer["request"]["about"] == WRITER
    never_names(offer, writer)

    wait_for(lambda: alone.events("support_offered"), what="support_offered")
    offered = alone.events("support_offered")[0]
    assert offered["request"]["id"] == offer["request"]["id"]
    private = offered["room"]["slug"]
    assert offered["room"]["host"]["id"] == counsellor.id
    for others in (hosting, other, duty):
        assert others.events("support_offered") == []

    # The counsellors' list: the offer first, never naming her.
    listed = http.get(f"{server.url}/api/v1/support-requests", headers=host.headers,
                      timeout=WAIT)
    assert listed.status_code == 200
    first = listed.json()["requests"][0]
    assert first["id"] == offer["request"]["id"] and first["crisis"] is True
    never_names(listed.json(), writer)

    she_accepts_and_stays_unnamed(server.url, host, counsellor, writer, duty, alone, private,
                                  offer["request"]["id"], http)


def she_accepts_and_stays_unnamed(base: str, host: Account, counsellor: Account,
                                  writer: Account, duty: Client, alone: Client, private: str,
                                  request_id: int, http: requests.Session) -> None:
    """She accepts by joining; in the private room he sees "the person who wrote this"."""
    assert duty.call("join", {"room": private})["ok"] is True
    joined = alone.call("join", {"room": private})
    assert joined["ok"] is True
    again = duty.call("join", {"room": private})  # a fresh look at who is there
    assert again["ok"] is True
    assert {"id": None, "handle": WRITER, "role": "member"} in again["members"]
    never_names(again, writer)
    said = alone.call("message", {"room": private, "body": "Thank you for reaching out."})
    assert said["ok"] is True
    wait_for(lambda: any(m["room"] == private for m in duty.events("message")),
             what="her message in the private room")
    for name in ("message", "presence"):
        for event in duty.events(name):
            if event.get("room") == private:
                never_names(event, writer)
    history = http.get(f"{base}/api/v1/rooms/{private}/messages",
                       headers=counsellor.headers, timeout=WAIT)
    assert history.status_code == 200
    never_names(history.json(), writer)
    waiting = http.get(f"{base}/api/v1/support-requests", headers=host.headers,
                       timeout=WAIT).json()["requests"]
    assert all(r["id"] != request_id for r in waiting)  # accepted by joining


def test_she_can_decline_an_offer_and_the_room_closes(
        rooms_server, tmp_path, clients, http: requests.Session) -> None:  # noqa: F811
    server, url = rooms_server
    host, writer, stranger = make_accounts(url, tmp_path, ["counsellor", "member", "member"])
    slug = open_room(server.url, host, http)
    hosting = connected(host, server.url, clients)
    her = connected(writer, server.url, clients)
    other = connected(stranger, server.url, clients)
    for client in (hosting, her):
        assert client.call("join", {"room": slug})["ok"] is True
    ack = her.call("message", {"room": slug, "body": CRISIS})
    offer = hosting.call("offer_support", {"room": slug, "message": ack["message"]["id"]})
    assert offer["ok"] is True
    wait_for(lambda: her.events("support_offered"), what="support_offered")
    request_id = her.events("support_offered")[0]["request"]["id"]
    private = her.events("support_offered")[0]["room"]["slug"]

    # Only she can answer it; a stranger is told there is no such request.
    nosy = other.call("decline_support", {"request": request_id})
    assert nosy["ok"] is False and nosy["error"]["code"] == "not_found"
    assert other.call("join", {"room": private})["ok"] is False

    declined = her.call("decline_support", {"request": request_id})
    assert declined["ok"] is True and declined["request"]["status"] == "declined"
    wait_for(lambda: any(e["request"]["id"] == request_id
                         for e in hosting.events("support_request")), what="the host told")
    told = [e for e in hosting.events("support_request") if e["request"]["id"] == request_id]
    assert told[-1]["request"]["status"] == "declined"
    closed = her.call("join", {"room": private})
    assert closed["ok"] is False and closed["error"]["code"] == "room_closed"
    twice = her.call("decline_support", {"request": request_id})
    assert twice["ok"] is False and twice["error"]["code"] == "conflict"
