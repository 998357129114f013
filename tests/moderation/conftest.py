"""Helpers for moderation's API tests: a board, threads, replies and reports in one call each."""

from __future__ import annotations

from typing import Any

import pytest


class Forum:
    """Drives the JSON API the way a client would."""

    def __init__(self, client: Any, make_user: Any, make_board: Any) -> None:
        self.client = client
        self.make_user = make_user
        make_board("talk")

    def thread(self, member: Any, body: str = "Hello everyone, I am new here", *,
               title: str = "First time here", **extra: Any) -> Any:
        return self.client.post("/api/v1/boards/talk/threads", headers=member.headers,
                                json={"title": title, "body": body, **extra})

    def opening(self, member: Any, body: str = "Hello everyone, I am new here", **extra: Any) -> dict:
        """Start a thread; return its opening post (asserting it was created)."""
        response = self.thread(member, body, **extra)
        assert response.status_code == 201, response.get_json()
        data = response.get_json()
        return {**data["post"], "thread": data["thread"], "moderation": data["moderation"]}

    def reply(self, member: Any, thread_id: int, body: str = "Welcome, you are safe here",
              **extra: Any) -> Any:
        return self.client.post(f"/api/v1/threads/{thread_id}/posts", headers=member.headers,
                                json={"body": body, **extra})

    def report(self, member: Any, target_id: int, reason: str = "harassment",
               target_type: str = "post", **extra: Any) -> Any:
        return self.client.post("/api/v1/reports", headers=member.headers, json={
            "target_type": target_type, "target_id": target_id, "reason": reason, **extra})

    def queue(self, moderator: Any, status: str = "open") -> list[dict]:
        response = self.client.get(f"/api/v1/moderation/queue?status={status}",
                                   headers=moderator.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]

    def item_for(self, moderator: Any, target_id: int, target_type: str = "post") -> dict:
        found = [i for i in self.queue(moderator)
                 if i["target_id"] == target_id and i["target_type"] == target_type]
        assert len(found) == 1, found
        return found[0]

    def resolve(self, moderator: Any, item_id: int, decision: str, **extra: Any) -> Any:
        return self.client.post(f"/api/v1/moderation/queue/{item_id}/resolve",
                                headers=moderator.headers, json={"decision": decision, **extra})

    def sanction(self, moderator: Any, user_id: int, kind: str, **extra: Any) -> Any:
        return self.client.post(f"/api/v1/users/{user_id}/sanctions", headers=moderator.headers,
                                json={"kind": kind, "reason": "test", **extra})

    def audit(self, moderator: Any, action: str | None = None) -> list[dict]:
        query = f"?action={action}" if action else ""
        response = self.client.get(f"/api/v1/moderation/audit{query}", headers=moderator.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["entries"]

    def thread_posts(self, member: Any, thread_id: int) -> Any:
        return self.client.get(f"/api/v1/threads/{thread_id}", headers=member.headers)


@pytest.fixture
def forum(client: Any, make_user: Any, make_board: Any) -> Forum:
    return Forum(client, make_user, make_board)
