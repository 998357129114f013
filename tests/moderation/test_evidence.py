"""The evidence export: snapshots taken at report time, SHA-256 chained as API.md specifies."""

from __future__ import annotations

import hashlib
import json

from forum.evidence import build_chain, verify_chain


def test_hash_follows_the_documented_recipe():
    report, snapshot = {"id": 1, "reason": "threat"}, {"text": "تم باہر نکلو", "b": 2}
    document = build_chain([(report, snapshot)])
    canonical = '{"report":{"id":1,"reason":"threat"},"snapshot":{"b":2,"text":"تم باہر نکلو"}}'
    assert document["entries"][0]["hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert document["entries"][0]["prev_hash"] == ""
    assert document["head"] == document["entries"][0]["hash"]


def test_evidence_keeps_what_was_reported_even_after_an_edit(client, make_board, make_user, app,
                                                            tmp_path):
    make_board()
    victim, harasser = make_user(), make_user()
    created = client.post("/api/v1/boards/talk/threads", headers=harasser.headers,
                          json={"title": "hey", "body": "Nobody wants you here, go away"}).get_json()
    post_id = created["post"]["id"]
    answer = client.post("/api/v1/reports", headers=victim.headers, json={
        "target_type": "post", "target_id": post_id, "reason": "threat",
        "desired_outcome": "help_me_report"})
    assert answer.status_code == 201
    client.patch(f"/api/v1/posts/{post_id}", headers=harasser.headers, json={"body": "nothing"})
    evidence = client.get("/api/v1/me/evidence", headers=victim.headers)
    assert evidence.status_code == 200
    document = evidence.get_json()
    assert len(document["entries"]) == 1
    entry = document["entries"][0]
    assert "Nobody wants you here, go away" in json.dumps(entry["snapshot"], ensure_ascii=False)
    assert entry["report"]["reason"] == "threat"
    assert verify_chain(document) == []
    # The command a member (or the police) runs on the file:
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["verify-evidence", str(path)]).exit_code == 0
    entry["snapshot"]["text"] = "something else"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["verify-evidence", str(path)])
    assert result.exit_code == 1
    assert "changed" in result.output


def test_removing_an_entry_is_detected():
    document = build_chain([({"id": i}, {"text": str(i)}) for i in range(3)])
    document["entries"].pop()
    assert verify_chain(document)
    assert verify_chain({"nope": 1})
