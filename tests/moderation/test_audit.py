"""The audit log: every moderator action leaves exactly one entry, newest first, paginated."""

from __future__ import annotations


def test_every_moderator_action_is_audited(forum, make_user):
    moderator, author, reporter = make_user("moderator"), make_user(), make_user()
    opening = forum.opening(reporter, "asking for help")
    post = forum.reply(author, opening["thread"]["id"], "hurtful words").get_json()["post"]
    forum.report(reporter, post["id"], "harassment")
    item = forum.item_for(moderator, post["id"])
    steps = [
        ("review.claim", lambda: forum.client.post(
            f"/api/v1/moderation/queue/{item['id']}/claim", headers=moderator.headers)),
        ("review.resolve", lambda: forum.resolve(moderator, item["id"], "remove")),
        ("sanction.issue", lambda: forum.sanction(moderator, author.id, "mute")),
        ("rule.create", lambda: forum.client.post("/api/v1/moderation/rules",
                                                  headers=moderator.headers,
                                                  json={"pattern": "zzz", "kind": "word",
                                                        "action": "flag"})),
    ]
    for action, step in steps:
        before = len(forum.audit(moderator, action))
        assert step().status_code in {200, 201}, action
        entries = forum.audit(moderator, action)
        assert len(entries) == before + 1, action
        assert entries[0]["actor"]["id"] == moderator.id
    sanction_id = forum.audit(moderator, "sanction.issue")[0]["details"]["sanction_id"]
    forum.client.delete(f"/api/v1/sanctions/{sanction_id}", headers=moderator.headers)
    rule_id = forum.audit(moderator, "rule.create")[0]["target_id"]
    forum.client.delete(f"/api/v1/moderation/rules/{rule_id}", headers=moderator.headers)
    actions = [e["action"] for e in forum.audit(moderator)]
    assert actions[:2] == ["rule.delete", "sanction.lift"]
    resolved = forum.audit(moderator, "review.resolve")[0]
    assert resolved["target_type"] == "review_item" and resolved["details"]["decision"] == "remove"
    assert {"id", "actor", "action", "target_type", "target_id", "details", "created_at"} <= set(resolved)


def test_audit_is_paginated_newest_first_and_for_moderators_only(forum, make_user):
    moderator, member = make_user("moderator"), make_user()
    for n in range(5):
        forum.client.post("/api/v1/moderation/rules", headers=moderator.headers,
                          json={"pattern": f"word{n}", "kind": "word", "action": "flag"})
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = forum.client.get(f"/api/v1/moderation/audit{query}", headers=moderator.headers).get_json()
        seen.extend(e["id"] for e in page["entries"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
    assert forum.client.get("/api/v1/moderation/audit", headers=member.headers).status_code == 403
    bad = forum.client.get("/api/v1/moderation/audit?cursor=nonsense", headers=moderator.headers)
    assert bad.status_code == 422


def test_moderation_routes_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path, method in [
        ("/api/v1/reports", "post"), ("/api/v1/reports/mine", "get"),
        ("/api/v1/moderation/check", "post"), ("/api/v1/moderation/queue", "get"),
        ("/api/v1/moderation/queue/{item_id}/claim", "post"),
        ("/api/v1/moderation/queue/{item_id}/resolve", "post"),
        ("/api/v1/users/{user_id}/sanctions", "post"), ("/api/v1/users/{user_id}/sanctions", "get"),
        ("/api/v1/sanctions/{sanction_id}", "delete"), ("/api/v1/blocks", "post"),
        ("/api/v1/blocks", "get"), ("/api/v1/blocks/{user_id}", "delete"),
        ("/api/v1/moderation/rules", "get"), ("/api/v1/moderation/rules", "post"),
        ("/api/v1/moderation/rules/{rule_id}", "delete"), ("/api/v1/moderation/audit", "get"),
    ]:
        assert method in paths.get(path, {}), (path, method)
