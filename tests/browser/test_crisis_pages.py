"""Crisis care in a real browser on a phone (issue #14): she writes in Urdu that she does not
want to live any more; the help lines appear while she is still typing, before she posts; she
posts, and the page she lands on shows them on its first screen, above her post, as tappable
`tel:` links, in Urdu."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import PHONE, axe_violations, register, screenshot

pytestmark = pytest.mark.live

CRISIS_UR = "میں اب جینا نہیں چاہتی۔ کوئی وجہ نہیں رہی۔"


def on_first_screen(page: Any, selector: str) -> bool:
    """Every element matching `selector` lies within the first screen of the page, as it was
    loaded (nothing scrolled)."""
    boxes = page.locator(selector)
    assert boxes.count() > 0, selector
    for i in range(boxes.count()):
        box = boxes.nth(i).bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > PHONE["height"]:
            return False
    return True


def in_view(page: Any, selector: str) -> bool:
    """Every element matching `selector` is inside the screen as it is scrolled now."""
    return bool(page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].every(e => {
             const r = e.getBoundingClientRect();
             return r.top >= 0 && r.bottom <= window.innerHeight; })""", selector))


def test_she_sees_the_help_lines_while_she_writes_and_first_where_she_lands(
        page: Any, server: Any, browser: Any) -> None:
    register(page, server.url, f"b_{uuid.uuid4().hex[:8]}")
    with page.expect_navigation():  # the same address again, loaded in her language
        page.click("footer button[lang=ur]")  # her language, kept with her account
    assert page.get_attribute("html", "lang") == "ur"

    page.goto(f"{server.url}/boards/introductions/new")
    assert page.locator("#draft-help").is_hidden()
    page.fill("#title", "آج رات")
    page.locator("#body").press_sequentially(CRISIS_UR, delay=20)
    page.locator("#draft-help").wait_for(state="visible", timeout=10_000)
    help_box = page.locator("#draft-help")
    assert "امنگ" in help_box.inner_text()
    assert help_box.locator("a[href='tel:03117786264']").count() == 1
    assert help_box.locator("a[href='tel:1166']").count() == 1
    page.wait_for_timeout(300)  # the one scroll that brings them into view
    assert in_view(page, "#draft-help a[href^='tel:']")
    screenshot(page, "crisis-draft")

    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/threads/\d+$"))  # her post, not scrolled to it
    assert page.evaluate("window.scrollY") == 0
    landed = page.locator("#help-now")
    assert landed.is_visible()
    assert landed.locator("a[href='tel:03117786264']").count() == 1
    assert "امنگ" in landed.inner_text() and "Umang" not in landed.inner_text()
    assert on_first_screen(page, "#help-now a[href^='tel:']")
    assert on_first_screen(page, "#help-now h2")
    her_post = page.locator("article.post").first.bounding_box()
    assert her_post is not None and her_post["y"] > landed.bounding_box()["y"]
    screenshot(page, "crisis-landing")
    assert axe_violations(browser, page.url, page.context.cookies()) == []
