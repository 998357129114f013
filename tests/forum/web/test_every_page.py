"""Every page, in both languages: CSP-clean markup (no inline script or style, no event
attributes), the quick-exit control, the language switcher, a neutral title, right-to-left
Urdu, and a first load under 60 KB gzip-compressed (HTML plus the CSS and JS it links)."""

from __future__ import annotations

import gzip
import re
from typing import Any

import pytest

from tests.forum.web.conftest import assert_safe_page, sign_in, token_for

BUDGET = 60 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


@pytest.fixture
def site(client: Any, make_board: Any, make_user: Any) -> dict[str, Any]:
    """A signed-in member, a board and a thread with a reply."""
    make_board("talk")
    member = make_user()
    sign_in(client, member)
    token = token_for(client, "/boards/talk/new")
    url = client.post("/boards/talk/new", data={"csrf_token": token, "title": "Private topic",
                                                "body": "Long text " * 200}).location
    thread_id = int(url.rsplit("/", 1)[1])
    client.post(f"/threads/{thread_id}/reply", data={"csrf_token": token, "body": "A reply"})
    post_id = int(re.findall(r'id="post-(\d+)"', client.get(url).get_data(as_text=True))[0])
    return {"thread": url, "post": post_id}


def pages(site: dict[str, Any]) -> list[str]:
    return ["/", "/boards/talk", site["thread"], "/boards/talk/new", "/account", "/help",
            f"/posts/{site['post']}/report"]


def weight(client: Any, html: str) -> int:
    """Bytes on the wire for a first load: each part compressed, as a server would."""
    total = len(gzip.compress(html.encode(), 6))
    for path in sorted(set(ASSET.findall(html))):
        asset = client.get(path)
        assert asset.status_code == 200, path
        total += len(gzip.compress(asset.get_data(), 6))
        asset.close()
    return total


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_every_signed_in_page_is_clean_light_and_in_its_language(
    client: Any, site: dict[str, Any], lang: str
) -> None:
    client.set_cookie("lang", lang)
    for path in pages(site):
        answer = client.get(path)
        assert answer.status_code == 200, path
        html = answer.get_data(as_text=True)
        assert_safe_page(html)
        direction = "rtl" if lang == "ur" else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in html, path
        assert "Private topic" not in html.split("</title>")[0], path
        assert weight(client, html) < BUDGET, path


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_every_visitor_page_is_clean_and_light(client: Any, lang: str) -> None:
    client.set_cookie("lang", lang)
    for path in ("/", "/login", "/register", "/recover", "/help", "/threads/424242"):
        answer = client.get(path)
        html = answer.get_data(as_text=True)
        assert_safe_page(html)
        assert weight(client, html) < BUDGET, path


def test_urdu_pages_are_translated(client: Any) -> None:
    client.set_cookie("lang", "ur")
    html = client.get("/login").get_data(as_text=True)
    for english in ("Sign in", "Handle", "Password", "Quick exit"):
        assert f">{english}<" not in html, english
    assert "فوراً نکلیں" in html and "پاس ورڈ" in html


def test_no_third_party_requests(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    for tag in re.findall(r"<(?:link|script|img|iframe|form)[^>]*>", html):
        assert "http://" not in tag and "https://" not in tag and '"//' not in tag, tag
