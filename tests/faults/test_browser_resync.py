"""The room page in Chromium catches up after a Redis gap: she reads the room through one
process, the host speaks through another while Redis is down (acknowledged, stored, but the
queue cannot carry it), and when Redis is back the page is told `resync` and fetches
`?after=` its last message: every acknowledged message is on her screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.live.test_rooms_live import Client, make_accounts, open_room

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.postgres]

PASSWORD = "correct horse battery staple 42"  # make_accounts'


def test_the_room_page_shows_what_was_said_during_a_redis_gap(
        browser: Any, pair, tmp_path, redis_server, http) -> None:
    a, b, url = pair
    host, member = make_accounts(url, tmp_path, ["counsellor", "member"])
    slug = open_room(a.url, host, http)
    speaker = Client(host).connect(b.url)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{a.url}/login")
        page.fill("#handle", member.handle)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{a.url}/")
        page.goto(f"{a.url}/rooms/{slug}")
        page.wait_for_selector("#room-form:not([hidden])")
        assert speaker.call("join", {"room": slug})["ok"]
        assert speaker.call("message", {"room": slug, "body": "Welcome, take your time"})["ok"]
        page.wait_for_selector("#room-log li:has-text('Welcome, take your time')", timeout=5000)

        redis_server.stop()
        for n in range(3):
            ack = speaker.call("message", {"room": slug, "body": f"said in the gap {n}"})
            assert ack["ok"] is True, ack
        redis_server.start()
        for n in range(3):
            page.wait_for_selector(f"#room-log li:has-text('said in the gap {n}')", timeout=5000)
        texts = page.locator("#room-log li").all_inner_texts()
        assert sum("said in the gap 1" in t for t in texts) == 1  # none shown twice
    finally:
        context.close()
        speaker.close()
