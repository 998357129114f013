"""Appeal pages: a suspended member is told why, until when, and appeals from the sign-in
refusal without signing in; another moderator decides with an explicit choice (no default);
the issuer cannot; the member sees the outcome."""

from __future__ import annotations

import re
from typing import Any

from tests.forum.web.conftest import assert_safe_page, csrf_from, sign_in, token_for
from tests.forum.web.test_staff import sign_in_staff


def _suspend(client: Any, moderator: Any, member: Any, hours: int = 72) -> int:
    answer = client.post(f"/api/v1/users/{member.id}/sanctions", headers=moderator.headers,
                         json={"kind": "suspend", "duration_hours": hours,
                               "reason": "Insults in the Talk board"})
    assert answer.status_code == 201
    return int(answer.get_json()["sanction"]["id"])


def test_suspended_member_sees_the_reason_and_appeals_from_the_sign_in_page(
    app: Any, client: Any, make_user: Any
) -> None:
    member, issuer = make_user(), make_user("moderator")
    sanction_id = _suspend(client, issuer, member)
    refused = client.post("/login", data={"csrf_token": token_for(client, "/login"),
                                          "handle": member.handle,
                                          "password": member.password})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert_safe_page(html)
    assert "Insults in the Talk board" in html and "Appeal this decision" in html
    assert issuer.handle not in html
    link = re.search(r'href="(/appeal\?sanction=\d+)"', html).group(1)
    assert link == f"/appeal?sanction={sanction_id}"

    form = client.get(link).get_data(as_text=True)
    assert_safe_page(form)
    sent = client.post("/appeal", data={
        "csrf_token": csrf_from(form), "sanction_id": str(sanction_id),
        "handle": member.handle, "password": member.password,
        "text": "I was quoting the message I received."})
    assert sent.status_code == 201
    assert "Your appeal was received" in sent.get_data(as_text=True)
    # A wrong password keeps what she wrote and says what went wrong.
    wrong = client.post("/appeal", data={
        "csrf_token": csrf_from(form), "sanction_id": str(sanction_id),
        "handle": member.handle, "password": "not the right one at all",
        "text": "Second try"})
    assert wrong.status_code == 401 and "Second try" in wrong.get_data(as_text=True)


def test_another_moderator_decides_with_no_default_and_the_issuer_cannot(
    app: Any, client: Any, make_user: Any
) -> None:
    member, issuer, other = make_user(), make_user("moderator"), make_user("moderator")
    sanction_id = _suspend(client, issuer, member)
    filed = client.post("/api/v1/auth/appeal", json={
        "handle": member.handle, "password": member.password, "sanction_id": sanction_id,
        "text": "Please look again"})
    assert filed.status_code == 201
    appeal_id = filed.get_json()["appeal"]["id"]

    sign_in_staff(app, client, issuer)
    mine = client.get("/moderation/appeals").get_data(as_text=True)
    assert_safe_page(mine)
    assert "Please look again" in mine and member.handle in mine
    assert f"/moderation/appeals/{appeal_id}/decide" not in mine  # no form for the issuer
    client.post("/logout", data={"csrf_token": csrf_from(mine)})

    sign_in_staff(app, client, other)
    html = client.get("/moderation/appeals").get_data(as_text=True)
    form = html[html.index(f"/moderation/appeals/{appeal_id}/decide"):]
    form = form[:form.index("</form>")]
    assert 'type="radio"' in form and "checked" not in form  # she picks; nothing is chosen
    undecided = client.post(f"/moderation/appeals/{appeal_id}/decide",
                            data={"csrf_token": csrf_from(html), "note": "n"})
    assert undecided.status_code == 422
    done = client.post(f"/moderation/appeals/{appeal_id}/decide",
                       data={"csrf_token": csrf_from(html), "decision": "overturn",
                             "note": "It was a quote of what she received."})
    assert done.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(html)})

    sign_in(client, member)  # lifted: she signs in again
    outcome = client.get("/appeal").get_data(as_text=True)
    assert "overturned" in outcome and "It was a quote of what she received." in outcome
    assert other.handle not in outcome and issuer.handle not in outcome


def test_members_do_not_reach_the_appeal_queue(app: Any, client: Any, make_user: Any) -> None:
    sign_in(client, make_user())
    assert client.get("/moderation/appeals").status_code == 403
