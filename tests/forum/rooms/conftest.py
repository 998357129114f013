"""Fixtures for the rooms tests: rooms made through the API, and Socket.IO test clients
connected to the `/rooms` namespace (closed after each test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from forum.realtime import socketio

NS = "/rooms"


class Sockets:
    """Opens Socket.IO test clients and remembers them so each test closes its own."""

    def __init__(self, app: Any, client: Any) -> None:
        self.app = app
        self.client = client
        self.opened: list[Any] = []

    def connect(self, member: Any = None, *, auth: Any = None, cookie: bool = False) -> Any:
        if member is not None and auth is None and not cookie:
            auth = {"token": member.token}
        sc = socketio.test_client(
            self.app, namespace=NS, auth=auth,
            flask_test_client=self.client if cookie else None,
        )
        self.opened.append(sc)
        return sc

    def close(self) -> None:
        for sc in self.opened:
            if sc.is_connected(NS):
                sc.disconnect(namespace=NS)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Presence on every join and leave (no coalescing window), so the event tests can say
    exactly which `presence` each change sends; `test_presence.py` sets a window."""
    return {"FORUM_ROOM_PRESENCE_INTERVAL": 0}


@pytest.fixture
def sockets(app: Any, client: Any) -> Iterator[Sockets]:
    opened = Sockets(app, client)
    yield opened
    opened.close()


def ask(sc: Any, event: str, data: Any) -> Any:
    """Emit an event and return its acknowledgement."""
    return sc.emit(event, data, namespace=NS, callback=True)


def events(sc: Any, name: str | None = None) -> list[Any]:
    """The events a test client received since last asked (of one name, if given)."""
    received = sc.get_received(NS)
    out = []
    for r in received:
        if name is not None and r["name"] != name:
            continue
        args = r["args"]
        # The test client unwraps the payload of events named "message".
        out.append(args[0] if isinstance(args, list) and args else args)
    return out


def received_names(sc: Any) -> list[str]:
    return [r["name"] for r in sc.get_received(NS)]


@pytest.fixture
def make_room(client: Any) -> Any:
    """Create (and by default open) a room hosted by `host` through the API."""

    def make(host: Any, *, title: str = "Evening circle", capacity: int | None = None,
             open_it: bool = True) -> str:
        body: dict[str, Any] = {"title": title, "description": "A safe space."}
        if capacity is not None:
            body["capacity"] = capacity
        created = client.post("/api/v1/rooms", json=body, headers=host.headers)
        assert created.status_code == 201, created.get_json()
        slug = created.get_json()["room"]["slug"]
        if open_it:
            opened = client.post(f"/api/v1/rooms/{slug}/open", headers=host.headers)
            assert opened.status_code == 200, opened.get_json()
        return slug

    return make


class ScriptedScreener:
    """A screener that answers by keyword, standing in for moderation's pipeline:
    BLOCKME blocks, HOLDME holds, CRISIS shows crisis language, `darn` is censored."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, int, str]] = []

    def screen(self, session: Any, submission: Any) -> Any:
        from forum.screening import Screening

        text = submission.text
        if "BLOCKME" in text:
            return Screening(status="blocked", reasons=("rule:1:block",))
        if "HOLDME" in text:
            return Screening(status="pending", reasons=("rule:2:hold",), needs_review=True)
        if "CRISIS" in text:
            return Screening(status="published", reasons=("crisis:self_harm",),
                             resources=({"name": "Umang helpline", "phone": "0311 7786264"},),
                             is_crisis=True, needs_review=True)
        if "darn" in text:
            return Screening(status="published", reasons=("rule:3:censor",),
                             censored_text=text.replace("darn", "****"))
        return Screening(status="published")

    def record(self, session: Any, submission: Any, screening: Any, target_type: str,
               target_id: int) -> None:
        self.recorded.append((target_type, target_id, screening.status))


@pytest.fixture
def screener(app: Any) -> ScriptedScreener:
    scripted = ScriptedScreener()
    app.extensions["forum.screener"] = scripted
    return scripted


@pytest.fixture
def in_db(app: Any) -> Any:
    """Run `fn(session)` in a committed unit of work of the test's database."""

    def run(fn: Any) -> Any:
        with app.app_context():
            with app.extensions["forum.db"].unit_of_work() as session:
                return fn(session)

    return run
