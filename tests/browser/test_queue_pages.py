"""The review queue on a phone, in real Chromium (issue #18): a decision has no default and a
sanction an explicit length; masked words appear on a tap; the pause prompt at the hourly cap;
a suspended member is refused sign-in, told why, and appeals without signing in. axe-core
finds no serious or critical violation on these pages."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, PHONE, axe_violations, create_staff, register, sign_in

pytestmark = pytest.mark.live


def _post(page: Any, base: str, title: str, body: str) -> str:
    """Start a thread through the form; returns the page it lands on."""
    page.goto(f"{base}/boards/introductions/new")
    page.fill("#title", title)
    page.fill("#body", body)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/(threads/\d+|boards/[\w-]+)(#.*)?$"))
    return page.url


def _report(page: Any, thread_url: str, reason: str, note: str = "") -> None:
    page.goto(thread_url)
    page.locator("article.post").first.locator("a[href^='/posts/'][href$='/report']").click()
    page.check(f"input[value={reason}]")
    if note:
        page.fill("#note", note)
    page.click("text=Send report")
    page.wait_for_url(re.compile(r".*/threads/\d+(#post-\d+)?$"))


def _member(browser: Any, server: Any, prefix: str) -> tuple[Any, Any, str]:
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    handle = f"{prefix}_{uuid.uuid4().hex[:8]}"
    register(page, server.url, handle)
    return ctx, page, handle


def _moderator(browser: Any, server: Any) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    sign_in(page, server.url, create_staff(server, "moderator"))
    return ctx, page


def test_a_decision_has_no_default_and_a_sanction_an_explicit_length(
        browser: Any, server: Any) -> None:
    author_ctx, author, handle = _member(browser, server, "a")
    reader_ctx, reader, _ = _member(browser, server, "r")
    mod_ctx, moderator = _moderator(browser, server)
    try:
        words = f"Nobody wants you here {uuid.uuid4().hex[:6]}"
        url = _post(author, server.url, "Hello", words)
        _report(reader, url, "harassment", note="She was told to leave three times")
        moderator.goto(f"{server.url}/moderation")
        item = moderator.locator("article.post", has_text=words)
        assert item.count() == 1
        assert "Harassment or bullying" in item.inner_text()
        assert "She was told to leave three times" in item.inner_text()
        assert "report:" not in moderator.inner_text("main")
        assert axe_violations(browser, moderator.url, mod_ctx.cookies()) == []
        radios = item.locator("input[name=decision]")
        assert radios.count() == 3
        assert all(not radios.nth(i).is_checked() for i in range(3))
        # Saving with no decision goes nowhere: the browser asks for one.
        item.locator("button", has_text="Save decision").click()
        assert moderator.url == f"{server.url}/moderation"
        assert item.locator("input[name=decision]:invalid").count() == 3
        # Remove, and suspend for a week: a choice of lengths, not an empty field.
        item.locator("label", has_text="Remove it").click()
        item.locator("summary", has_text="Also restrict the author").click()
        item.locator("label", has_text="Suspension").click()
        item.locator("label", has_text="1 week").click()
        item.locator("input[name=sanction_reason]").fill("Telling members to leave")
        with moderator.expect_navigation():  # forms go by fetch: back to the same address
            item.locator("button", has_text="Save decision").click()
        assert "Decision saved." in moderator.inner_text("main")
        moderator.goto(f"{server.url}/moderation?status=resolved")
        moderator.locator("article.post", has_text=words).locator(
            "a", has_text="History").click()
        assert f"History of {handle}" in moderator.inner_text("h1")
        row = moderator.locator("tr", has_text="Telling members to leave").inner_text()
        assert "Suspension" in row and "permanent" not in row
        assert axe_violations(browser, moderator.url, mod_ctx.cookies()) == []
    finally:
        author_ctx.close()
        reader_ctx.close()
        mod_ctx.close()


def test_masked_words_show_on_a_tap(browser: Any, server: Any) -> None:
    author_ctx, author, _ = _member(browser, server, "w")
    mod_ctx, moderator = _moderator(browser, server)
    try:
        marker = uuid.uuid4().hex[:6]
        _post(author, server.url, "Gossip", f"everyone knows she is a slut {marker}")
        moderator.goto(f"{server.url}/moderation")
        item = moderator.locator("article.post", has_text=marker)
        assert "she is a **** " + marker in item.inner_text()
        assert "slut" not in moderator.inner_text("main")
        assert axe_violations(browser, moderator.url, mod_ctx.cookies()) == []
        item.locator("button", has_text="Show 1 hidden word").click()
        moderator.wait_for_url(re.compile(r".*/moderation#item-\d+$"))
        item = moderator.locator("article.post", has_text=marker)
        assert f"she is a slut {marker}" in item.inner_text()
        assert item.locator("button", has_text="hidden word").count() == 0
    finally:
        author_ctx.close()
        mod_ctx.close()


def test_the_queue_suggests_a_pause_at_her_hourly_cap(browser: Any, server: Any) -> None:
    author_ctx, author, _ = _member(browser, server, "t")
    reader_ctx, reader, _ = _member(browser, server, "s")
    mod_ctx, moderator = _moderator(browser, server)
    try:
        moderator.goto(f"{server.url}/moderation/care")
        assert axe_violations(browser, moderator.url, mod_ctx.cookies()) == []
        moderator.fill("#hourly_cap", "1")
        with moderator.expect_navigation():  # forms go by fetch: back to the same address
            moderator.click("main button[type=submit]")
        assert "Settings saved." in moderator.inner_text("main")
        words = f"I know where your office is {uuid.uuid4().hex[:6]}"
        _report(reader, _post(author, server.url, "Office", words), "threat")
        moderator.goto(f"{server.url}/moderation")
        assert moderator.locator("#pause").count() == 0
        item = moderator.locator("article.post", has_text=words)
        item.locator("label", has_text="Remove it").click()
        with moderator.expect_navigation():  # forms go by fetch: back to the same address
            item.locator("button", has_text="Save decision").click()
        pause = moderator.locator("#pause")
        assert pause.is_visible() and "Time for a pause?" in pause.inner_text()
        assert words not in pause.inner_text()
        assert axe_violations(browser, moderator.url, mod_ctx.cookies()) == []
        # Soft: the queue is still there below the prompt.
        assert moderator.locator("#queue").count() == 1
    finally:
        author_ctx.close()
        reader_ctx.close()
        mod_ctx.close()


def test_a_suspended_member_is_told_why_and_appeals_without_signing_in(
        browser: Any, server: Any) -> None:
    author_ctx, author, handle = _member(browser, server, "m")
    reader_ctx, reader, _ = _member(browser, server, "q")
    mod_ctx, moderator = _moderator(browser, server)
    visitor_ctx = browser.new_context(viewport=PHONE)
    try:
        words = f"You are all idiots {uuid.uuid4().hex[:6]}"
        _report(reader, _post(author, server.url, "Rant", words), "harassment")
        moderator.goto(f"{server.url}/moderation")
        item = moderator.locator("article.post", has_text=words)
        item.locator("label", has_text="Dismiss the reports").click()
        item.locator("summary", has_text="Also restrict the author").click()
        item.locator("label", has_text="Suspension").click()
        item.locator("label", has_text="3 days").click()
        item.locator("input[name=sanction_reason]").fill("Insulting members")
        with moderator.expect_navigation():  # forms go by fetch: back to the same address
            item.locator("button", has_text="Save decision").click()

        visitor = visitor_ctx.new_page()
        visitor.goto(f"{server.url}/login")
        visitor.fill("#handle", handle)
        visitor.fill("#password", PASSWORD)
        visitor.click("main button[type=submit]")
        visitor.locator("main", has_text="Insulting members").wait_for()  # the answer, written in
        refusal = visitor.inner_text("main")
        assert "Insulting members" in refusal
        assert axe_violations(browser, visitor.url) == []
        visitor.click("text=Appeal this decision")
        visitor.wait_for_url(re.compile(r".*/appeal\?sanction=\d+$"))
        assert axe_violations(browser, visitor.url) == []
        visitor.fill("#handle", handle)
        visitor.fill("#password", PASSWORD)
        visitor.fill("#text", "I was angry at the harasser, not at the members.")
        visitor.click("main button[type=submit]")
        visitor.locator("main", has_text="Your appeal was received").wait_for()
    finally:
        author_ctx.close()
        reader_ctx.close()
        mod_ctx.close()
        visitor_ctx.close()
