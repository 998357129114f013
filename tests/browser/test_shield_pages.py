"""Shield mode in a real browser on a phone-sized screen (issue #17): a pile-on from new
accounts brings her the offer, she turns the shield on in one tap from it, invites a helper,
and the helper releases one held reply and rejects another; her thread shows only the one
released, and she sees what her helper did."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, PHONE, axe_violations, register
from tests.browser.test_pages import start_thread

pytestmark = pytest.mark.live


def _handle(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _api(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        f"{base}/api/v1{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the test server
        return json.loads(answer.read() or b"null")


def _pile_on(base: str, thread_id: int, words: list[str]) -> list[int]:
    """New accounts reply to her, one each (through the API, as a client would)."""
    posted = []
    for word in words:
        token = _api(base, "POST", "/auth/register",
                     {"handle": _handle("p"), "password": PASSWORD})["token"]
        answer = _api(base, "POST", f"/threads/{thread_id}/posts", {"body": word}, token)
        posted.append(answer["post"]["id"])
    return posted


def test_a_pile_on_she_shields_from_the_offer_and_a_helper_sorts_her_tray(
        browser: Any, server: Any) -> None:
    base = server.url
    her_ctx = browser.new_context(viewport=PHONE, locale="en-GB")
    helper_ctx = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        her, helper = her_ctx.new_page(), helper_ctx.new_page()
        register(her, base, _handle("her"))
        url = start_thread(her, base, "They found my photos", "What can I do tonight?")
        thread_id = int(url.rsplit("/", 1)[1])
        helper_handle = _handle("helper")
        register(helper, base, helper_handle)
        start_thread(helper, base, "I have been through this", "Ask me anything.")

        # The pile-on: five new accounts within the hour bring the offer.
        _pile_on(base, thread_id, [f"Shame on you, number {i}" for i in range(5)])
        her.goto(f"{base}/notifications")
        offer = her.locator("li[data-kind=shield_offer]")
        assert offer.count() == 1
        assert "Shield mode can hold them" in offer.inner_text()
        offer.locator("button.shield-on").click()  # one tap
        her.wait_for_url(f"{base}/account/shield")  # the answering page, sent by fetch
        assert "Your shield is on until" in her.inner_text("#shield-state")

        # She invites her helper by handle; the helper accepts.
        her.fill("#helper-handle", helper_handle)
        her.click("#helpers button[type=submit] >> text=Invite")
        her.wait_for_url(re.compile(r".*/account/shield#helpers$"))
        assert helper_handle in her.inner_text("#helpers")
        helper.goto(f"{base}/account/shield")
        helper.click("#helping button >> text=Accept")
        helper.wait_for_url(re.compile(r".*/account/shield#helping$"))

        # More of the pile-on: held now.
        kept, dropped = _pile_on(base, thread_id, ["I am sorry this happened to you",
                                                   "You deserve worse"])
        helper.click("#helping a >> text=Her tray")
        helper.wait_for_url(re.compile(r".*/users/\d+/shield/held$"))
        tray = helper.url
        assert helper.locator(f"#held-{kept}").count() == 1
        assert helper.locator(f"#held-{dropped}").count() == 1
        assert axe_violations(browser, tray, helper_ctx.cookies()) == []
        helper.click(f"#held-{kept} button.release")
        helper.wait_for_url(tray)
        helper.wait_for_selector(f"#held-{kept}", state="detached")
        helper.check(f"#held-{dropped} input[name=block]")
        helper.click(f"#held-{dropped} button.reject")
        helper.wait_for_url(tray)
        helper.wait_for_selector(f"#held-{dropped}", state="detached")
        assert "Nothing is waiting." in helper.inner_text("#tray")

        # Her thread: the released reply is there, the rejected one never reaches her.
        her.goto(url)
        thread = her.inner_text("main")
        assert "I am sorry this happened to you" in thread
        assert "You deserve worse" not in thread
        her.goto(f"{base}/account/shield/activity")
        activity = her.inner_text("main")
        assert activity.count(helper_handle) == 3  # released, rejected, blocked
        assert "released a reply" in activity and "blocked its writer" in activity
    finally:
        her_ctx.close()
        helper_ctx.close()
