"""Open sockets lose what their token or role no longer grants, at once (API.md, TOTP
paragraph; issue #12, items 7, 8 and 4), against real `forum serve` processes with real
python-socketio clients:

- a token revoked in any way (logout, `DELETE /me/sessions/{id}`, recovery) disconnects its
  sockets, and only its own, also when the socket is held by another server process
  (`FORUM_REDIS_URL`);
- a counsellor demoted to member stops hearing `support_request`;
- `presence` never tells a blocked man that she arrived.

Every wait has a timeout.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from forum import create_app
from forum.models.user import Role
from forum.services import accounts
from tests.conftest import TEST_SETTINGS, new_database
from tests.live.conftest import LiveServer, start_server
from tests.live.test_rooms_live import NS, WAIT, Account, Client, make_accounts, open_room, wait_for
from tests.live.test_scale_out import REDIS_URL, _forget, _redis_or_skip, scale_env

pytestmark = pytest.mark.live

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, Path]]:
    """One server per database for the module (starting it is the slow part)."""
    tmp = tmp_path_factory.mktemp("revocation")
    url = new_database(request.param, str(tmp))
    live = start_server(url, tmp, FORUM_STAFF_REQUIRE_TOTP="false")
    yield live, url, tmp
    live.stop()


@pytest.fixture
def clients() -> Iterator[list[Client]]:
    opened: list[Client] = []
    yield opened
    for client in opened:
        client.close()


def connected(clients: list[Client], account: Account, url: str) -> Client:
    client = Client(account)
    clients.append(client)
    return client.connect(url)


def is_cut(client: Client) -> bool:
    return not client.sio.connected or NS not in client.sio.namespaces


def member_with_codes(live: LiveServer, database_url: str, tmp: Path
                      ) -> tuple[Account, list[str]]:
    """A registered member and her recovery codes, made in the server's database (the codes
    are keyed with the server's secret key)."""
    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp / "maker"),
                      "FORUM_DATABASE_URL": database_url,
                      "FORUM_SECRET_KEY": live.env["FORUM_SECRET_KEY"]})
    try:
        with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
            done = accounts.register(session, handle=f"memb_{uuid.uuid4().hex[:8]}",
                                     password=PASSWORD, lifetime=dt.timedelta(hours=1))
            made = Account(done.user.id, done.user.handle, done.token)
            codes = list(done.recovery_codes)
    finally:
        app.extensions["forum.db"].engine.dispose()
    return made, codes


def private_room(base: str, member: Account, counsellor: Account, http: Any) -> str:
    asked = http.post(f"{base}/api/v1/support-requests", headers=member.headers,
                      json={"topic": "he knows where I live"}, timeout=WAIT)
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request"]["id"]
    taken = http.post(f"{base}/api/v1/support-requests/{request_id}/accept",
                      headers=counsellor.headers, timeout=WAIT)
    assert taken.status_code == 200, taken.text
    return taken.json()["room"]["slug"]


def test_logout_cuts_her_socket_out_of_her_private_support_room(server, clients, http):
    live, url, tmp = server
    member, counsellor = make_accounts(url, tmp, ["member", "counsellor"])
    slug = private_room(live.url, member, counsellor, http)
    m, c = connected(clients, member, live.url), connected(clients, counsellor, live.url)
    assert m.call("join", {"room": slug})["ok"] and c.call("join", {"room": slug})["ok"]
    assert http.post(f"{live.url}/api/v1/auth/logout", headers=member.headers,
                     timeout=WAIT).status_code == 204
    wait_for(lambda: is_cut(m), what="the logged-out socket to be cut")
    said = c.call("message", {"room": slug, "body": "are you still there?"})
    assert said["ok"]
    time.sleep(0.5)
    assert said["message"]["id"] not in [e["id"] for e in m.events("message")]
    assert not is_cut(c)


def test_deleting_a_session_cuts_that_sessions_socket_only(server, clients, http):
    live, url, tmp = server
    host, member = make_accounts(url, tmp, ["counsellor", "member"])
    slug = open_room(live.url, host, http)
    login = http.post(f"{live.url}/api/v1/auth/login", timeout=WAIT,
                      json={"handle": member.handle, "password": PASSWORD})
    assert login.status_code == 200, login.text
    phone_account = Account(member.id, member.handle, login.json()["token"])
    laptop, phone = connected(clients, member, live.url), connected(clients, phone_account, live.url)
    h = connected(clients, host, live.url)
    for client in (h, laptop, phone):
        assert client.call("join", {"room": slug})["ok"]
    sessions = http.get(f"{live.url}/api/v1/me/sessions", headers=member.headers,
                        timeout=WAIT).json()["sessions"]
    others = [s["id"] for s in sessions if not s["current"]]
    assert len(others) == 1
    assert http.delete(f"{live.url}/api/v1/me/sessions/{others[0]}", headers=member.headers,
                       timeout=WAIT).status_code == 204
    wait_for(lambda: is_cut(phone), what="the revoked session's socket to be cut")
    said = h.call("message", {"room": slug, "body": "welcome back"})["message"]["id"]
    wait_for(lambda: said in [e["id"] for e in laptop.events("message")], what="laptop hears")
    assert said not in [e["id"] for e in phone.events("message")]
    assert not is_cut(laptop)


def test_recovery_cuts_every_old_socket(server, clients, http):
    live, url, tmp = server
    (host,) = make_accounts(url, tmp, ["counsellor"])
    member, codes = member_with_codes(live, url, tmp)
    slug = open_room(live.url, host, http)
    stolen = connected(clients, member, live.url)
    assert stolen.call("join", {"room": slug})["ok"]
    recovered = http.post(f"{live.url}/api/v1/auth/recover", timeout=WAIT, json={
        "handle": member.handle, "recovery_code": codes[0],
        "new_password": "a brand new passphrase 77"})
    assert recovered.status_code == 200, recovered.text
    wait_for(lambda: is_cut(stolen), what="the old token's socket to be cut")
    fresh = connected(clients, Account(member.id, member.handle, recovered.json()["token"]),
                      live.url)
    assert fresh.call("join", {"room": slug})["ok"]


def test_a_demoted_counsellor_stops_hearing_support_requests(server, clients, http):
    live, url, tmp = server
    admin, demoted, colleague, member = make_accounts(
        url, tmp, ["admin", "counsellor", "counsellor", "member"])
    d, k = connected(clients, demoted, live.url), connected(clients, colleague, live.url)
    changed = http.patch(f"{live.url}/api/v1/users/{demoted.id}", headers=admin.headers,
                         json={"role": "member"}, timeout=WAIT)
    assert changed.status_code == 200, changed.text
    wait_for(lambda: is_cut(d), what="the demoted counsellor's socket to be cut")
    again = connected(clients, demoted, live.url)  # she may reconnect, as a member
    asked = http.post(f"{live.url}/api/v1/support-requests", headers=member.headers,
                      json={"topic": "I am scared"}, timeout=WAIT)
    assert asked.status_code == 201
    wait_for(lambda: k.events("support_request"), what="the colleague to hear the request")
    time.sleep(0.3)
    assert again.events("support_request") == [] and d.events("support_request") == []


def test_presence_never_shows_her_arrival_to_the_man_she_blocked(server, clients, http):
    live, url, tmp = server
    host, ayesha, stalker, friend = make_accounts(
        url, tmp, ["counsellor", "member", "member", "member"])
    slug = open_room(live.url, host, http)
    h, x, f = (connected(clients, a, live.url) for a in (host, stalker, friend))
    for client in (h, x, f):
        assert client.call("join", {"room": slug})["ok"]
    first = connected(clients, ayesha, live.url)
    assert first.call("join", {"room": slug})["ok"]
    # They met here: she blocks him and leaves.
    assert http.post(f"{live.url}/api/v1/blocks", headers=ayesha.headers,
                     json={"user_id": stalker.id}, timeout=WAIT).status_code == 201
    assert first.call("leave", {"room": slug})["ok"]
    without_her = sorted([host.id, stalker.id, friend.id])

    def last(client: Client) -> list[int]:
        heard = client.events("presence")
        return sorted(m["id"] for m in heard[-1]["members"]) if heard else []

    wait_for(lambda: last(f) == without_her and last(x) == without_her, what="her leaving")
    seen_before = len(x.events("presence"))
    joined = connected(clients, ayesha, live.url).call("join", {"room": slug})  # she is back
    assert joined["ok"] and stalker.id not in [m["id"] for m in joined["members"]]
    everyone = sorted([host.id, ayesha.id, stalker.id, friend.id])
    wait_for(lambda: last(f) == everyone and last(h) == everyone, what="everyone listed")
    time.sleep(0.6)  # past the presence window: every send for this change is out
    since = x.events("presence")[seen_before:]
    assert all(ayesha.id not in [m["id"] for m in p["members"]] for p in since)
    assert last(x) == without_her


# --- across processes -----------------------------------------------------------------


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[tuple[LiveServer, LiveServer, str, Path]]:
    """Two processes on one PostgreSQL database and one Redis."""
    _redis_or_skip(REDIS_URL)
    tmp = tmp_path_factory.mktemp("revocation-scale")
    url = new_database("postgresql", str(tmp))
    prefix = f"saheli-revoke:{uuid.uuid4().hex[:8]}:"
    env = scale_env(REDIS_URL, prefix)
    first = start_server(url, tmp, **env)
    try:
        second = start_server(url, tmp, seed=False, **env)
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second, url, tmp
    finally:
        first.stop()
        second.stop()
        _forget(REDIS_URL, prefix)


@pytest.mark.redis
@pytest.mark.postgres
def test_a_token_revoked_through_one_process_cuts_its_socket_on_the_other(
    two_processes, clients, http
):
    first, second, url, tmp = two_processes
    member, counsellor, admin, colleague = make_accounts(
        url, tmp, ["member", "counsellor", "admin", "counsellor"])
    slug = private_room(first.url, member, counsellor, http)
    far = connected(clients, member, second.url)
    assert far.call("join", {"room": slug})["ok"]
    assert http.post(f"{first.url}/api/v1/auth/logout", headers=member.headers,
                     timeout=WAIT).status_code == 204
    wait_for(lambda: is_cut(far), what="the socket on the other process to be cut")
    # A role changed through one process cuts the counsellor's socket on the other.
    c = connected(clients, colleague, second.url)
    assert http.patch(f"{first.url}/api/v1/users/{colleague.id}", headers=admin.headers,
                      json={"role": "member"}, timeout=WAIT).status_code == 200
    wait_for(lambda: is_cut(c), what="the demoted counsellor's socket on the other process")
    assert Role(requests.get(f"{first.url}/api/v1/me", headers=colleague.headers,
                             timeout=WAIT).json()["user"]["role"]) is Role.MEMBER
