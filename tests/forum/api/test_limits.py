"""Abuse limits: answered `rate_limited` (429) with `Retry-After`, keyed without raw addresses."""

from __future__ import annotations


def test_login_attempts_are_limited_per_account(client, make_user):
    member = make_user()
    wrong = {"handle": member.handle, "password": "not the password at all"}
    statuses = [client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    answer = client.post("/api/v1/auth/login", json=wrong)
    assert answer.get_json()["code"] == "rate_limited"
    assert int(answer.headers["Retry-After"]) > 0
    # Another account from the same network is not locked out by someone guessing this one.
    other = make_user()
    fine = client.post("/api/v1/auth/login", json={"handle": other.handle, "password": other.password})
    assert fine.status_code == 200


def test_registrations_are_limited_per_network(client):
    statuses = [
        client.post("/api/v1/auth/register",
                    json={"handle": f"newcomer_{i}", "password": "a long and quiet river 7"}).status_code
        for i in range(6)
    ]
    assert statuses == [201] * 5 + [429]


def test_posting_is_limited_per_member(client, make_board, make_user):
    make_board()
    member = make_user()
    statuses = [
        client.post("/api/v1/boards/talk/threads", headers=member.headers,
                    json={"title": f"t{i}", "body": "b"}).status_code
        for i in range(11)
    ]
    assert statuses == [201] * 10 + [429]
    other = make_user()
    assert client.post("/api/v1/boards/talk/threads", headers=other.headers,
                       json={"title": "t", "body": "b"}).status_code == 201


def test_reports_and_support_requests_are_limited_per_member(client, make_board, make_user):
    make_board()
    author, reporter = make_user(), make_user()
    post_ids = [
        client.post("/api/v1/boards/talk/threads", headers=author.headers,
                    json={"title": f"t{i}", "body": "b"}).get_json()["post"]["id"]
        for i in range(10)
    ]
    statuses = [
        client.post("/api/v1/reports", headers=reporter.headers,
                    json={"target_type": "post", "target_id": pid, "reason": "spam"}).status_code
        for pid in post_ids
    ]
    assert statuses == [201] * 10
    eleventh = client.post("/api/v1/reports", headers=reporter.headers,
                           json={"target_type": "user", "target_id": author.id, "reason": "spam"})
    assert eleventh.status_code == 429
    asks = [client.post("/api/v1/support-requests", headers=reporter.headers,
                        json={"topic": "talk"}).status_code for _ in range(4)]
    assert asks[-1] == 429 and asks[0] == 201
