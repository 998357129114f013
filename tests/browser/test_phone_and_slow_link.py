"""Issue #19 in a real browser on a phone-sized screen: quick exit then Back after a whole
visit (links and forms), the "posting as" line following the anonymous box, her own anonymous
thread answered anonymously by default, a Support tap without a reload, Urdu text right to
left in the Urdu font in the English interface (and English left to right in the Urdu one),
the QR enrolment of a new counsellor, the password change, and page weights as the browser
counts them (bytes on the wire, compressed, headers included)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pyotp
import pytest
import requests

from tests.browser.conftest import PASSWORD, PHONE, create_staff, register, sign_in

pytestmark = pytest.mark.live

WEATHER = "https://www.google.com/search?q=weather"
#: Every page with its CSS and JavaScript, compressed (issue #19), and a 25-post thread alone.
PAGE_BUDGET = 60 * 1024
THREAD_BUDGET = 8 * 1024

#: Bytes the browser fetched for this page: the document and its CSS and JavaScript, as
#: transferred (the room's live Socket.IO traffic after the page is not page weight).
WIRE_BYTES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const parts = performance.getEntriesByType("resource")
    .filter(r => new URL(r.name).pathname.startsWith("/static/")).map(r => r.transferSize);
  return {page: nav.transferSize, assets: parts.reduce((a, b) => a + b, 0), count: parts.length};
}"""


WORDS = ["A better week, thank you for asking.", "Tired, but I slept more.",
         "My sister helped me block him.", "Still scared, reading here helps.",
         "I reported the fake profile today.", "Work was calmer.", "Better than last month.",
         "I told my mother, she listened.", "Not great. Thank you for being here."]


def handle() -> str:
    return f"p_{uuid.uuid4().hex[:8]}"


def _fake_weather(context: Any) -> None:
    context.route(re.compile(r"https://www\.google\.com/.*"),
                  lambda route: route.fulfill(status=200, content_type="text/html",
                                              body="<title>Weather</title><p>Sunny</p>"))


def start_thread(page: Any, base: str, title: str, body: str, *, anonymous: bool = False) -> str:
    page.goto(f"{base}/boards/introductions")
    page.click("text=Start a thread")
    page.wait_for_url(re.compile(r".*/new$"))
    page.fill("#title", title)
    page.fill("#body", body)
    if anonymous:
        page.check("#anonymous")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/threads/\d+$"))
    return page.url


def test_after_a_whole_visit_quick_exit_then_back_never_shows_the_forum(
        context: Any, server: Any) -> None:
    _fake_weather(context)
    page = context.new_page()
    page.goto(f"{server.url}/register")  # a new tab: about:blank, then the forum
    entries = page.evaluate("history.length")
    page.fill("#handle", handle())  # forms: register, save the codes
    page.fill("#password", PASSWORD)
    page.fill("#password_again", PASSWORD)
    page.click("text=Create my account")
    page.wait_for_url(re.compile(r".*/account/recovery-codes$"))
    page.check("input[name=saved]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    page.click("header nav >> text=Help lines")
    page.wait_for_url(f"{server.url}/help")
    page.click("header nav >> text=Boards")
    page.click("text=Introductions")
    page.wait_for_url(re.compile(r".*/boards/introductions$"))
    page.click("text=Welcome — say salaam here")
    page.wait_for_url(re.compile(r".*/threads/\d+$"))
    page.fill("#body", "Salaam, glad to be here.")
    page.click("text=Send reply")
    page.wait_for_url(re.compile(r".*/threads/\d+#post-\d+$"))
    assert "Salaam, glad to be here." in page.inner_text("main")
    assert page.evaluate("history.length") == entries  # the forum kept one entry throughout
    page.click("#quick-exit")
    page.wait_for_url(WEATHER)
    page.go_back()
    assert not page.url.startswith(server.url), page.url


def test_the_posting_as_line_follows_the_anonymous_box(context: Any, server: Any) -> None:
    page = context.new_page()
    me = handle()
    register(page, server.url, me)
    page.goto(f"{server.url}/boards/introductions/new")
    named, anonymous = page.locator("#posting-as .as-named"), page.locator("#posting-as .as-anonymous")
    assert named.is_visible() and not anonymous.is_visible()
    assert named.inner_text() == f"Posting as {me}"
    page.check("#anonymous")
    assert anonymous.is_visible() and not named.is_visible()
    assert "Posting anonymously" in anonymous.inner_text()
    box = page.locator("#posting-as").bounding_box()
    button = page.locator("main form button[type=submit]").bounding_box()
    assert box and button and box["y"] < button["y"] < box["y"] + box["height"] + 60  # just above


def test_her_own_anonymous_thread_is_answered_anonymously_by_default(
        context: Any, server: Any) -> None:
    page = context.new_page()
    register(page, server.url, handle())
    start_thread(page, server.url, "Something happened", "I would rather not say who I am.",
                 anonymous=True)
    assert page.is_checked("#anonymous")
    assert page.locator("#posting-as .as-anonymous").is_visible()
    page.fill("#body", "Thank you for listening.")
    page.click("text=Send reply")
    page.wait_for_url(re.compile(r".*#post-\d+$"))
    authors = page.locator("article.post .meta strong").all_inner_texts()
    assert authors == ["Anonymous", "Anonymous"]


def test_a_support_tap_updates_the_count_without_reloading(browser: Any, server: Any) -> None:
    author_ctx = browser.new_context(viewport=PHONE)
    reader_ctx = browser.new_context(viewport=PHONE)
    try:
        author = author_ctx.new_page()
        register(author, server.url, handle())
        url = start_thread(author, server.url, "A hard week", "It has been a hard week.")
        reader = reader_ctx.new_page()
        register(reader, server.url, handle())
        reader.goto(url)
        reader.evaluate("window.stillHere = 'yes'")
        loads = reader.evaluate("performance.getEntriesByType('navigation').length")
        post = reader.locator("article.post").first
        post.locator("button", has_text="Support").click()
        post.locator("[data-count]", has_text="1").wait_for()
        assert reader.evaluate("window.stillHere") == "yes"  # the same page: no reload
        assert reader.evaluate("performance.getEntriesByType('navigation').length") == loads
        reader.reload()
        assert "Support (1)" in reader.locator("article.post").first.inner_text()
    finally:
        author_ctx.close()
        reader_ctx.close()


def test_urdu_runs_right_to_left_in_the_urdu_font_in_either_interface(
        context: Any, server: Any) -> None:
    page = context.new_page()
    register(page, server.url, handle())
    url = start_thread(page, server.url, "میری کہانی", "مجھے مدد چاہیے، شکریہ۔ Thank you.")
    body = page.locator("article.post .body").first
    assert body.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "Nastaliq" in body.evaluate("e => getComputedStyle(e).fontFamily")
    assert page.locator("h1").evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.evaluate("document.documentElement.dir") == "ltr"  # the interface stays English
    english = start_thread(page, server.url, "My story", "Thank you all, truly.")
    with page.expect_navigation():
        page.click("footer button[lang=ur]")
    assert page.url == english  # the same thread, now in the Urdu interface
    assert page.evaluate("document.documentElement.dir") == "rtl"
    body = page.locator("article.post .body").first
    assert body.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert "Nastaliq" not in body.evaluate("e => getComputedStyle(e).fontFamily")
    page.goto(f"{server.url}/")
    assert "تعارف" in page.inner_text("main")  # the default boards, named in Urdu
    page.goto(url)
    assert page.locator("h1").evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_a_new_counsellor_enrols_her_second_factor_with_the_qr_code(
        context: Any, server: Any) -> None:
    page = context.new_page()
    sign_in(page, server.url, create_staff(server, "counsellor"))
    page.goto(f"{server.url}/account")
    page.click("text=Set up an authenticator app")
    qr = page.locator("figure.qr svg")
    qr.wait_for()
    size = qr.bounding_box()
    assert size and size["width"] >= 120 and size["x"] + size["width"] <= PHONE["width"]
    key = page.inner_text("#totp-key")
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key), key
    page.fill("#code", pyotp.TOTP(key.replace(" ", "")).now())
    page.click("text=Confirm")
    page.wait_for_url(f"{server.url}/account")
    assert "Your authenticator app is set up" in page.inner_text("main")


def test_she_changes_her_password_and_signs_in_with_the_new_one(
        context: Any, server: Any) -> None:
    page = context.new_page()
    me = handle()
    register(page, server.url, me)
    page.goto(f"{server.url}/account")
    page.click("text=Change your password")
    page.fill("#password", PASSWORD)
    page.fill("#new_password", "another long phrase 8")
    page.fill("#new_password_again", "another long phrase 8")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/account")
    assert "Your new password is set" in page.inner_text("main")
    page.click("main >> text=Sign out")
    page.wait_for_url(f"{server.url}/")
    page.goto(f"{server.url}/login")
    page.fill("#handle", me)
    page.fill("#password", "another long phrase 8")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    assert me in page.inner_text("header")


def _open_room(browser: Any, server: Any) -> str:
    """A counsellor announces a room and opens it; returns its address."""
    ctx = browser.new_context(viewport=PHONE)
    try:
        host = ctx.new_page()
        sign_in(host, server.url, create_staff(server, "counsellor"))
        host.goto(f"{server.url}/rooms")
        title = f"Drop-in {uuid.uuid4().hex[:6]}"
        host.fill("#room-title", title)
        with host.expect_navigation():
            host.click("main button:has-text('Announce')")
        host.goto(f"{server.url}/rooms")
        host.click(f"text={title}")
        host.wait_for_url(re.compile(r".*/rooms/[^/]+$"))
        host.click("text=Open the room")
        host.wait_for_selector("#room")
        return host.url
    finally:
        ctx.close()


def test_pages_weigh_under_60_kb_compressed_and_revisits_fetch_no_assets(
        browser: Any, server: Any) -> None:
    room = _open_room(browser, server)
    answer = requests.post(f"{server.url}/api/v1/auth/register", timeout=10,
                           json={"handle": handle(), "password": PASSWORD}).json()
    auth = {"Authorization": f"Bearer {answer['token']}"}
    made = requests.post(f"{server.url}/api/v1/boards/introductions/threads", headers=auth,
                         json={"title": "Twenty-five posts", "body": "How was your week?"},
                         timeout=10).json()
    thread = f"{server.url}/threads/{made['thread']['id']}"
    for n in range(24):  # 24 members answer, each in her own words
        other = requests.post(f"{server.url}/api/v1/auth/register", timeout=10,
                              json={"handle": handle(), "password": PASSWORD}).json()
        sent = requests.post(
            f"{server.url}/api/v1/threads/{made['thread']['id']}/posts", timeout=10,
            headers={"Authorization": f"Bearer {other['token']}"},
            json={"body": f"{WORDS[n % len(WORDS)]} ({n + 1})"})
        assert sent.status_code == 201, sent.text
    ctx = browser.new_context(viewport=PHONE)
    try:
        page = ctx.new_page()
        register(page, server.url, handle())
        weights: dict[str, int] = {}
        for path in ("/", "/boards/introductions", thread, "/rooms", room, "/account", "/help"):
            fresh = browser.new_context(viewport=PHONE, storage_state=ctx.storage_state())
            try:
                tab = fresh.new_page()
                tab.goto(path if path.startswith("http") else f"{server.url}{path}")
                tab.wait_for_load_state("load")
                wire = tab.evaluate(WIRE_BYTES)
                weights[path] = wire["page"] + wire["assets"]
                if path == thread:
                    assert tab.locator("article.post").count() == 25
                    assert wire["page"] <= THREAD_BUDGET, wire
                tab.goto(path if path.startswith("http") else f"{server.url}{path}")
                again = tab.evaluate(WIRE_BYTES)
                assert again["assets"] == 0, (path, again)  # fingerprinted: from the cache
            finally:
                fresh.close()
        print("page weights on the wire (bytes):", weights)
        heavy = {path: size for path, size in weights.items() if size > PAGE_BUDGET}
        assert heavy == {}
    finally:
        ctx.close()
