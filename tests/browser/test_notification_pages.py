"""Notifications in a real browser on a phone-sized screen (issue #16): the badge in the
header counts what arrives, the tab title shows "(2)" (and stays bare when she hid the
forum's name in the tab), the notifications page lists and marks read, quick exit takes the
badge with it, and a waiting support request turns into the way to the private room without
reloading."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from tests.browser.conftest import PHONE, axe_violations, create_staff, register, sign_in
from tests.browser.test_pages import WEATHER, _fake_weather, start_thread

pytestmark = pytest.mark.live


def _handle() -> str:
    return f"n_{uuid.uuid4().hex[:8]}"


def _reply(page: Any, url: str, body: str) -> None:
    page.goto(url)
    page.fill("#body", body)
    page.click("text=Send reply")
    page.wait_for_load_state()


def _look_again(page: Any) -> None:
    """She comes back to the tab: the badge asks for the count (as it does every 30 s)."""
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")


def _wait(predicate: Any, what: str, timeout: float = 5.0) -> None:
    """Poll from the test (the CSP forbids the evaluated strings `wait_for_function` uses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_badge_tab_title_and_the_notifications_page(browser: Any, server: Any) -> None:
    her_ctx = browser.new_context(viewport=PHONE, locale="en-GB")
    friend_ctx = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        her, friend = her_ctx.new_page(), friend_ctx.new_page()
        register(her, server.url, _handle())
        url = start_thread(her, server.url, "Something I never told anyone", "It started online.")
        register(friend, server.url, _handle())
        _reply(friend, url, "I believe you, and I am here.")

        her.goto(f"{server.url}/")
        badge = her.locator("#notification-badge .badge")
        assert badge.inner_text() == "1"
        assert her.title() == "(1) Saheli"
        _reply(friend, url, "Another word, for tomorrow.")
        _look_again(her)
        _wait(lambda: her.title() == "(2) Saheli", "the tab title to say (2)")
        assert badge.inner_text() == "2"
        # Only a count: nothing of the thread or the friend reaches the header or the tab.
        header = her.inner_text("header")
        assert "never told" not in header and "believe" not in header

        her.click("#notification-badge")
        her.wait_for_url(f"{server.url}/notifications")
        items = her.locator("ul.notifications li.unread")
        assert items.count() == 2
        assert "Someone replied in a conversation you follow." in items.first.inner_text()
        assert "believe" not in her.inner_text("main")
        assert axe_violations(browser, her.url, her_ctx.cookies()) == []
        items.first.locator("a").click()
        her.wait_for_url(re.compile(r".*/threads/\d+#post-\d+$"))

        her.goto(f"{server.url}/notifications")
        her.click("text=Mark all as read")
        # Forms are sent by the page script, which then replaces the page: wait for the answer.
        _wait(lambda: her.title() == "Saheli", "the count to leave the tab title")
        assert her.locator("#notification-badge .badge").is_hidden()

        # She hides the forum's name in the tab: a new reply leaves the title bare.
        her.click("text=Hide the name Saheli in the tab")
        _wait(lambda: her.title() == "Notes", "the forum's name to leave the tab")
        _reply(friend, url, "Thinking of you today.")
        her.goto(f"{server.url}/")
        assert her.locator("#notification-badge .badge").inner_text() == "1"
        assert her.title() == "Notes"
    finally:
        her_ctx.close()
        friend_ctx.close()


def test_quick_exit_takes_the_badge_and_its_count_with_it(context: Any, browser: Any,
                                                          server: Any) -> None:
    _fake_weather(context)
    her = context.new_page()
    register(her, server.url, _handle())
    url = start_thread(her, server.url, "A quiet question", "Is anyone else here?")
    friend_ctx = browser.new_context(viewport=PHONE)
    try:
        friend = friend_ctx.new_page()
        register(friend, server.url, _handle())
        _reply(friend, url, "Yes, you are not alone.")
    finally:
        friend_ctx.close()
    her.goto(f"{server.url}/")
    assert her.title() == "(1) Saheli"
    her.click("#quick-exit")
    her.wait_for_url(WEATHER)
    assert her.title() == "Weather"  # no "(1)" left behind in the tab


def test_a_waiting_request_becomes_the_way_to_the_room_without_reloading(browser: Any,
                                                                          server: Any) -> None:
    counsellor = create_staff(server, "counsellor")
    her_ctx = browser.new_context(viewport=PHONE, locale="en-GB")
    staff_ctx = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        her, staff = her_ctx.new_page(), staff_ctx.new_page()
        sign_in(staff, server.url, counsellor)
        staff.goto(f"{server.url}/rooms")
        register(her, server.url, _handle())
        her.goto(f"{server.url}/rooms")
        her.fill("#topic", "Someone keeps messaging me")
        her.click("text=Ask for a private talk")
        # The page script sends the form and replaces the page: wait for the new one.
        her.locator("#support-wait").wait_for(timeout=5000)
        assert her.locator("#support-wait").is_visible()
        # The counsellor's list gains the request without a reload, and she takes it.
        staff.locator("#support-queue li[data-request] button").first.wait_for(timeout=5000)
        staff.locator("#support-queue li[data-request] button").first.click()
        staff.wait_for_url(re.compile(r".*/rooms/[^/]+$"))
        slug = staff.url.rsplit("/", 1)[1]
        link = her.locator("#support-room-link")
        link.wait_for(timeout=5000)
        assert link.get_attribute("href") == f"/rooms/{slug}"
    finally:
        her_ctx.close()
        staff_ctx.close()
