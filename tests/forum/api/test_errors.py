"""Every failure of the API is problem+json with a stable code, never an HTML page or a 500."""

from __future__ import annotations

import pytest


def assert_problem(answer, status, code):
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json(force=True)
    assert body["code"] == code
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body


def test_unknown_route_and_wrong_method(client):
    assert_problem(client.get("/api/v1/nowhere"), 404, "not_found")
    answer = client.put("/api/v1/boards")
    assert_problem(answer, 405, "method_not_allowed")


def test_malformed_json_and_wrong_types(client):
    answer = client.post("/api/v1/auth/register", data="{not json",
                         content_type="application/json")
    assert_problem(answer, 422, "validation_failed")
    answer = client.post("/api/v1/auth/register", json=["a", "list"])
    assert_problem(answer, 422, "validation_failed")
    body = assert_problem(client.post("/api/v1/auth/register", json={"handle": 5}),
                          422, "validation_failed")
    assert {"handle", "password"} <= set(body["errors"])


def test_body_over_the_limit_is_413(client):
    answer = client.post("/api/v1/auth/register", data="x" * (300 * 1024),
                         content_type="application/json")
    assert_problem(answer, 413, "payload_too_large")


def test_missing_token_is_401_and_bad_token_too(client):
    assert_problem(client.get("/api/v1/me"), 401, "unauthorized")
    answer = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert_problem(answer, 401, "unauthorized")


@pytest.mark.parametrize("path", ["/api/v1/threads/999999", "/api/v1/boards/none/threads",
                                  "/api/v1/threads/99999999999999999999999"])
def test_missing_things_are_404(client, path):
    assert_problem(client.get(path), 404, "not_found")


def test_pages_and_api_carry_the_security_headers(client):
    for path in ("/", "/login", "/api/v1/boards"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_health_answers_with_the_database_state(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json()["checks"]["database"] == "ok"
