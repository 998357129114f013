"""Rooms and moderation in a real browser: a counsellor opens a room and a member talks in it
live (the vendored Socket.IO client over the session cookie); a moderator sees a report in
the review queue and decides on it."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    axe_violations,
    create_staff,
    register,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.live


def test_two_browsers_talk_live_and_the_host_removes_a_message(browser: Any, server: Any) -> None:
    host_ctx = browser.new_context(viewport=PHONE)
    member_ctx = browser.new_context(viewport=PHONE)
    try:
        host = host_ctx.new_page()
        sign_in(host, server.url, create_staff(server, "counsellor"))
        host.goto(f"{server.url}/rooms")
        host.fill("#room-title", "Evening circle")
        host.fill("#room-description", "Talk about the week")
        host.click("#room-description ~ button[type=submit]")
        host.wait_for_url(re.compile(r".*/rooms/[\w-]+$"))
        host.click("button:has-text('Open the room')")
        host.wait_for_selector("#room-form:not([hidden])")
        room_url = host.url

        member = member_ctx.new_page()
        register(member, server.url, f"r_{uuid.uuid4().hex[:8]}")
        member.goto(f"{server.url}/rooms")
        screenshot(member, "rooms")
        member.goto(room_url)
        member.wait_for_selector("#room-form:not([hidden])")
        member.fill("#room-body", "Salaam everyone")
        member.click("#room-form button[type=submit]")
        host.wait_for_selector("#room-log li:has-text('Salaam everyone')", timeout=10_000)
        member.wait_for_selector("#room-log li:has-text('Salaam everyone')")
        screenshot(member, "room")
        assert axe_violations(browser, room_url, member_ctx.cookies()) == []
        # The host removes the message: it disappears from both screens, live.
        member.fill("#room-body", "A second thought")
        member.click("#room-form button[type=submit]")
        said = "#room-log li:has-text('A second thought')"
        host.wait_for_selector(said, timeout=10_000)
        member.wait_for_selector(said)
        host.locator(said).locator("button").last.click()
        host.wait_for_selector(said, state="detached", timeout=10_000)
        member.wait_for_selector(said, state="detached", timeout=10_000)
        assert member.locator("#room-log li:has-text('Salaam everyone')").count() == 1
    finally:
        host_ctx.close()
        member_ctx.close()


def test_moderator_decides_on_a_report(browser: Any, server: Any) -> None:
    author_ctx = browser.new_context(viewport=PHONE)
    reader_ctx = browser.new_context(viewport=PHONE)
    mod_ctx = browser.new_context(viewport=PHONE)
    try:
        author = author_ctx.new_page()
        register(author, server.url, f"a_{uuid.uuid4().hex[:8]}")
        author.goto(f"{server.url}/boards/introductions/new")
        author.fill("#title", "Hello")
        author.fill("#body", "Something unkind to report")
        author.click("main button[type=submit]")
        author.wait_for_url(re.compile(r".*/threads/\d+$"))

        reader = reader_ctx.new_page()
        register(reader, server.url, f"r_{uuid.uuid4().hex[:8]}")
        reader.goto(author.url)
        reader.locator("article.post").first.locator("a[href^='/posts/'][href$='/report']").click()
        reader.check("input[value=harassment]")
        reader.click("text=Send report")
        reader.wait_for_url(re.compile(r".*/threads/\d+(#post-\d+)?$"))

        moderator = mod_ctx.new_page()
        sign_in(moderator, server.url, create_staff(server, "moderator"))
        moderator.goto(f"{server.url}/moderation")
        item = moderator.locator("article.post", has_text="Something unkind to report")
        assert item.count() == 1
        screenshot(moderator, "moderation")
        assert axe_violations(browser, moderator.url, mod_ctx.cookies()) == []
        item.locator("label", has_text="Remove it").click()
        with moderator.expect_navigation():  # back to the queue (the same address)
            item.locator("button", has_text="Save decision").click()
        assert "Decision saved." in moderator.inner_text("main")
        moderator.goto(f"{server.url}/moderation/audit")
        assert "review" in moderator.inner_text("main")
    finally:
        author_ctx.close()
        reader_ctx.close()
        mod_ctx.close()
