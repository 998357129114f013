"""With the database out of reach, every request answers at once with 503 `unavailable` and a
`Retry-After` (API.md), a readable page on pages, and one log line, never a 500 or a traceback
(issue #15, item 5)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from forum import create_app
from tests.conftest import TEST_SETTINGS
from tests.live.conftest import free_port


@pytest.fixture
def cut_off(tmp_path: Any) -> Any:
    """An app whose PostgreSQL is not there (a port nobody listens on)."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    return create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path),
                       "FORUM_DATABASE_URL": url})


def test_the_api_answers_503_unavailable_with_retry_after(cut_off: Any, caplog: Any) -> None:
    client = cut_off.test_client()
    with caplog.at_level(logging.WARNING):
        for method, path, body in (("GET", "/api/v1/boards", None),
                                   ("GET", "/api/v1/threads/1", None),
                                   ("POST", "/api/v1/auth/login",
                                    {"handle": "ayesha", "password": "a long and quiet river 7"})):
            answer = client.open(path, method=method, json=body)
            assert answer.status_code == 503, (path, answer.get_data(as_text=True))
            assert answer.mimetype == "application/problem+json"
            assert answer.get_json()["code"] == "unavailable"
            assert int(answer.headers["Retry-After"]) > 0
    outage = [r for r in caplog.records if "database unreachable" in r.getMessage()]
    assert len(outage) == 3 and not any(r.exc_info for r in outage)


def test_a_page_says_so_in_words(cut_off: Any) -> None:
    answer = cut_off.test_client().get("/")
    assert answer.status_code == 503
    text = answer.get_data(as_text=True)
    assert "Traceback" not in text and "Try again" in text
