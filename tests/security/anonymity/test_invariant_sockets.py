"""The anonymity invariant over Socket.IO (namespace `/rooms`): join acknowledgements (members
and history), `message` events for an anonymous room message, `presence`, `offer_support` and
every other event an observer hears, in two worlds that differ only in who wrote the anonymous
content (every block being with the suspect `x`). In-process test clients inside the
hypothesis loop; real python-socketio clients against `forum serve` for the room-message and
presence channels.

Also here: the room holes of issue #12 — presence that ignores blocks (4), the room-message
report page (5) and a block that hides a member's messages from the room's host (6).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given

from forum import create_app
from forum.models.user import Role
from forum.services import accounts
from tests.conftest import TEST_SETTINGS, _drop_postgres_database, new_database
from tests.live.conftest import start_server
from tests.live.test_rooms_live import Client, open_room, wait_for
from tests.security.anonymity.conftest import (
    ACCOUNTS,
    NS,
    PASSWORD,
    World,
    WorldPair,
    action_sequences,
    describe,
    hypothesis_settings,
    initial_block_sets,
    normalise,
)

KINDS = ("socket",)


@hypothesis_settings(max_examples=8)
@given(actions=action_sequences(), blocks=initial_block_sets())
@example(actions=[("room_anon",), ("leave", "blocker"), ("join", "blocker"), ("room_anon",)],
         blocks=("blocker", "blocked"))
def test_who_wrote_an_anonymous_room_message_cannot_be_told_over_sockets(
        worlds: WorldPair, actions: list[tuple[Any, ...]], blocks: Any) -> None:
    diffs = worlds.compare(actions, blocks, KINDS)
    assert not diffs, f"actions {actions}, blocks with x {blocks}\n" + describe(diffs)


# --- presence and blocks (hole 4) ------------------------------------------------------------


def presence_lists(world: World, name: str) -> list[list[str]]:
    """The member lists of the `presence` events `name` heard since last asked."""
    return [[m["handle"] for m in r["args"][0]["members"]]
            for r in world.sockets[name].get_received(NS) if r["name"] == "presence"]


@pytest.fixture
def world(world_databases: Any, tmp_path: Path) -> Any:
    built = World(world_databases.fresh(), tmp_path, author="x")
    yield built
    built.close()


@pytest.mark.parametrize("relation", ["blocker", "blocked"])
def test_presence_hides_each_side_of_a_block_from_the_other_but_not_from_staff(
        world: World, relation: str) -> None:
    """Presence is named, so a block hides her arrival: neither side of a block sees the
    other arrive (presence events, the join acknowledgement's `members`); the host and the
    moderators still see everyone."""
    world.setup([relation])
    other = relation  # `blocker` blocked x, or x blocked `blocked`
    handles = {name: handle for name, handle, _ in ACCOUNTS}
    for name in world.sockets:
        world.sockets[name].get_received(NS)
    for arriving, watching in (("x", other), (other, "x")):
        world.leave(arriving)
        for name in world.sockets:
            world.sockets[name].get_received(NS)
        ack = world.join(arriving)
        assert ack["ok"] is True, ack
        members = [m["handle"] for m in ack["members"]]
        assert handles[watching] not in members, (arriving, members)
        heard = presence_lists(world, watching)
        assert heard, f"{watching} heard no presence when {arriving} arrived"
        assert all(handles[arriving] not in lst for lst in heard), (watching, heard)
        for staff in ("host", "moderator"):
            seen = presence_lists(world, staff)
            assert seen and handles[arriving] in seen[-1] and handles[watching] in seen[-1], (
                staff, seen)


# --- the room-message report page (hole 5) ----------------------------------------------------


def test_a_kicked_and_blocked_member_cannot_read_a_room_message_on_its_report_page(
        world: World) -> None:
    world.setup()
    world.run(("room_named",))
    message_id = world.refs.named_room_messages[-1]
    body = "Hello everyone, step 1."
    ack = world.emit("host", "moderate", {"room": world.room, "action": "kick",
                                          "target": world.accounts["member"].id})
    assert ack == {"ok": True}, ack
    assert world.request("x", "POST", "/blocks",
                         {"user_id": world.accounts["member"].id}).status_code == 201
    page = world.page_client("member").get(f"/room-messages/{message_id}/report")
    assert page.status_code == 404 and body not in page.get_data(as_text=True)
    reported = world.request("member", "POST", "/reports", {
        "target_type": "room_message", "target_id": message_id, "reason": "harassment"})
    assert reported.status_code == 404, reported.get_json()


def test_guessing_room_message_ids_shows_nothing_to_a_member_who_left_before_it(
        world: World) -> None:
    """Ids are sequential: a member who left before a message was sent cannot read it on
    its report page by counting."""
    world.setup()
    world.leave("member")
    world.run(("room_named",))
    message_id = world.refs.named_room_messages[-1]
    page = world.page_client("member").get(f"/room-messages/{message_id}/report")
    assert page.status_code == 404
    assert "Hello everyone, step 1." not in page.get_data(as_text=True)


# --- blocking the host (hole 6) ------------------------------------------------------------


def test_blocking_the_host_hides_nothing_from_her_live_or_in_history(world: World) -> None:
    world.setup()
    assert world.request("member", "POST", "/blocks",
                         {"user_id": world.accounts["host"].id}).status_code == 201
    world.sockets["host"].get_received(NS)
    ack = world.emit("member", "message", {"room": world.room, "body": "Is anyone awake?"})
    assert ack["ok"] is True, ack
    # Flask-SocketIO's test client unwraps the payload of events named "message".
    heard = [(r["args"][0] if isinstance(r["args"], list) else r["args"])["id"]
             for r in world.sockets["host"].get_received(NS) if r["name"] == "message"]
    assert heard == [ack["message"]["id"]]
    history = world.request("host", "GET", f"/rooms/{world.room}/messages").get_json()
    assert ack["message"]["id"] in [m["id"] for m in history["messages"]]


# --- the same channels through a real server and real clients -------------------------------


LIVE_PEOPLE = ("x", "y", "member", "blocker", "blocked", "host", "moderator")
LIVE_OBSERVERS = ("member", "blocker", "blocked", "host")


def live_accounts(url: str, tmp: Path) -> dict[str, Any]:
    """The world's accounts, straight into the server's database (as tests/live does)."""
    from forum.db import utcnow
    from tests.live.test_rooms_live import Account as LiveAccount
    from tests.security.anonymity.conftest import totp_secret

    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp / "maker"),
                      "FORUM_DATABASE_URL": url})
    made: dict[str, Any] = {}
    try:
        with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
            for name, handle, role in ACCOUNTS:
                user = accounts.create_account(session, handle=handle, password=PASSWORD,
                                               role=Role(role))
                if role != "member":
                    user.totp_secret = totp_secret(handle)
                    user.totp_enabled_at = utcnow()
                token, _row = accounts.issue_token(session, user, kind="bearer",
                                                   lifetime=dt.timedelta(hours=1))
                session.flush()
                made[name] = LiveAccount(user.id, user.handle, token)
    finally:
        app.extensions["forum.db"].engine.dispose()
    return made


def live_world(kind: str, tmp: Path, author: str) -> dict[str, list[Any]]:
    """One world on a real `forum serve`: blocks with x, everyone joins, the true author
    sends an anonymous message, then x and `blocker` leave and come back. What each observer
    heard, normalised."""
    import requests

    tmp.mkdir(parents=True, exist_ok=True)
    url = new_database(kind, str(tmp))
    server = start_server(url, tmp, seed=False, FORUM_ROOM_PRESENCE_INTERVAL="0")
    people: dict[str, Client] = {}
    try:
        made = live_accounts(url, tmp)
        with requests.Session() as http:
            slug = open_room(server.url, made["host"], http)
            heard: dict[str, list[Any]] = {name: [] for name in LIVE_OBSERVERS}
            for name in LIVE_PEOPLE:
                people[name] = Client(made[name]).connect(server.url)
                ack = people[name].call("join", {"room": slug})
                if name in heard:
                    heard[name].append(("join", ack))
            # Blocks come once they have met in the room: only a name she was shown can
            # be blocked (issue #12, hole 21).
            for blocker, blocked in (("blocker", "x"), ("x", "blocked")):
                done = http.post(f"{server.url}/api/v1/blocks", headers=made[blocker].headers,
                                 json={"user_id": made[blocked].id}, timeout=10)
                assert done.status_code == 201, done.text
        author = people[author]
        sent = author.call("message", {"room": slug, "anonymous": True,
                                       "body": "It is someone I know. I am afraid."})
        assert sent["ok"] is True, sent
        wait_for(lambda: any(e.get("id") == sent["message"]["id"]
                             for e in people["host"].events("message")), what="the message")
        for name in ("x", "blocker"):
            before = {o: len(people[o].events("presence")) for o in LIVE_OBSERVERS}
            assert people[name].call("leave", {"room": slug}) == {"ok": True}
            ack = people[name].call("join", {"room": slug})
            if name in heard:
                heard[name].append(("rejoin", ack))
        # Everyone but the blocker hears her leave and come back; she hears her return.
        for o in LIVE_OBSERVERS:
            wanted = before[o] + (1 if o == "blocker" else 2)
            wait_for(lambda o=o, n=wanted: len(people[o].events("presence")) >= n,
                     what=f"{o} hearing the blocker leave and return")
        time.sleep(0.3)  # anything still on its way
        for name in LIVE_OBSERVERS:
            with people[name].lock:
                heard[name].extend(people[name].heard)
        return {name: normalise(_unslug(events, slug)) for name, events in heard.items()}
    finally:
        for client in people.values():
            client.close()
        server.stop()
        if kind == "postgresql":
            _drop_postgres_database(url)


def _unslug(value: Any, slug: str) -> Any:
    if isinstance(value, str):
        return value.replace(slug, "<room>")
    if isinstance(value, dict):
        return {k: _unslug(v, slug) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_unslug(v, slug) for v in value]
    return value


@pytest.mark.live
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_live_room_tells_no_one_who_wrote_an_anonymous_message(kind: str, tmp_path: Path
                                                                   ) -> None:
    worlds = {author: live_world(kind, tmp_path / author, author) for author in ("x", "y")}
    diffs = []
    for name in LIVE_OBSERVERS:
        left, right = worlds["x"][name], worlds["y"][name]
        if left != right:
            diffs.append((name, "live socket events", left, right))
    assert not diffs, describe(diffs)
