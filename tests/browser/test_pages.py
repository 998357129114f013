"""The pages in a real browser on a phone-sized screen: registering and saving the recovery
codes, posting and replying, reporting, quick exit, Urdu right to left, and accessibility
(axe-core: no serious or critical violations)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import PHONE, axe_violations, register, screenshot

pytestmark = pytest.mark.live

WEATHER = "https://www.google.com/search?q=weather"


def handle() -> str:
    return f"b_{uuid.uuid4().hex[:8]}"


def start_thread(page: Any, base: str, title: str, body: str) -> str:
    page.goto(f"{base}/boards/introductions")
    page.click("text=Start a thread")
    page.fill("#title", title)
    page.fill("#body", body)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/threads/\d+$"))
    return page.url


def test_register_and_save_the_codes(page: Any, server: Any, browser: Any) -> None:
    page.goto(f"{server.url}/register")
    screenshot(page, "register")
    assert axe_violations(browser, f"{server.url}/register") == []
    page.fill("#handle", handle())
    page.fill("#password", "a long enough phrase 7")
    page.fill("#password_again", "a long enough phrase 7")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/recovery-codes$"))
    codes = page.locator("#codes code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "recovery-codes")
    page.click("main button[type=submit]")  # without the box ticked: the browser refuses
    assert page.url.endswith("/account/recovery-codes")
    page.check("input[name=saved]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    assert "recovery codes are put away" in page.inner_text("main")
    page.goto(f"{server.url}/account/recovery-codes")
    assert page.url.endswith("/account")  # shown once
    screenshot(page, "account")
    assert axe_violations(browser, page.url, page.context.cookies()) == []


def test_post_reply_support_and_report(browser: Any, server: Any) -> None:
    author_ctx = browser.new_context(viewport=PHONE)
    reader_ctx = browser.new_context(viewport=PHONE)
    try:
        author = author_ctx.new_page()
        register(author, server.url, handle())
        url = start_thread(author, server.url, "A first thread", "Salaam, I am **new** here.")
        assert author.title() == "Saheli"
        reader = reader_ctx.new_page()
        register(reader, server.url, handle())
        reader.goto(url)
        reader.fill("#body", "Welcome, you are safe here.")
        reader.click("text=Send reply")
        reader.wait_for_url(re.compile(r".*/threads/\d+#post-\d+$"))
        assert "Welcome, you are safe here." in reader.inner_text("main")
        reader.locator("article.post").first.locator("button", has_text="Support").click()
        reader.locator("article.post").first.locator("[data-count]", has_text="1").wait_for()
        assert "Support (1)" in reader.locator("article.post").first.inner_text()
        screenshot(reader, "thread")
        assert axe_violations(browser, url, reader_ctx.cookies()) == []

        reader.locator("article.post").first.locator("a[href^='/posts/'][href$='/report']").click()
        reader.check("input[value=harassment]")
        screenshot(reader, "report")
        reader.click("text=Send report")
        reader.wait_for_url(re.compile(r".*/threads/\d+(#post-\d+)?$"))
        assert "Thank you for telling us" in reader.inner_text("main")

        reader.goto(f"{server.url}/boards/introductions")
        screenshot(reader, "board")
        assert axe_violations(browser, reader.url, reader_ctx.cookies()) == []
        reader.goto(f"{server.url}/")
        screenshot(reader, "home")
        assert axe_violations(browser, reader.url) == []
    finally:
        author_ctx.close()
        reader_ctx.close()


def _fake_weather(context: Any) -> None:
    """The quick-exit target answers locally: the test makes no request to the internet."""
    context.route(re.compile(r"https://www\.google\.com/.*"),
                  lambda route: route.fulfill(status=200, content_type="text/html",
                                              body="<title>Weather</title><p>Sunny</p>"))


def test_quick_exit_replaces_the_page_so_back_does_not_return(context: Any, server: Any) -> None:
    _fake_weather(context)
    page = context.new_page()
    page.goto(f"{server.url}/help")  # a new tab: about:blank, then the forum
    before = page.evaluate("history.length")
    page.click("#quick-exit")
    page.wait_for_url(WEATHER)
    assert page.evaluate("history.length") == before  # replaced, not pushed
    page.go_back()
    assert not page.url.startswith(server.url)  # Back skips the forum page


def test_escape_twice_leaves_too(context: Any, server: Any) -> None:
    _fake_weather(context)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(WEATHER)
    page.go_back()
    assert "127.0.0.1" not in page.url


def test_urdu_is_right_to_left(page: Any, server: Any, browser: Any) -> None:
    page.goto(f"{server.url}/")
    with page.expect_navigation():  # the same address, now in Urdu
        page.click("button[lang=ur]")
    assert page.evaluate("document.documentElement.lang") == "ur"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert "بورڈز" in page.inner_text("h1")
    screenshot(page, "home-urdu")
    page.goto(f"{server.url}/register")
    screenshot(page, "register-urdu")
    assert axe_violations(browser, page.url, page.context.cookies()) == []


def test_phone_screen_has_no_sideways_scroll(page: Any, server: Any) -> None:
    for path in ("/", "/boards/introductions", "/register", "/login", "/help"):
        page.goto(f"{server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        box = page.locator("#quick-exit").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "help")


def test_neutral_title_hides_the_name(page: Any, server: Any) -> None:
    page.goto(f"{server.url}/")
    with page.expect_navigation():
        page.click("text=Hide the name Saheli in the tab")
    assert page.title() == "Notes"
    page.goto(f"{server.url}/help")
    assert page.title() == "Notes"
