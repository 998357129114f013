"""Helpers for page tests: the compiled Urdu catalogue, CSRF tokens, signing in, and the
checks every rendered page must pass (no inline script or style, a neutral title)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "translations" / "ur" / "LC_MESSAGES"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogue() -> None:
    """`make` compiles the catalogue; a bare `pytest` run gets it compiled here."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po, mo = CATALOGUE / "messages.po", CATALOGUE / "messages.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    with po.open("rb") as source:
        catalog = read_po(source, locale="ur")
    with mo.open("wb") as target:
        write_mo(target, catalog)


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def token_for(client: Any, path: str = "/") -> str:
    """A CSRF token for the client's current session, read from a page."""
    return csrf_from(client.get(path).get_data(as_text=True))


def sign_in(client: Any, member: Any) -> None:
    """Sign a test client in through the login form."""
    token = token_for(client, "/login")
    done = client.post("/login", data={"csrf_token": token, "handle": member.handle,
                                       "password": member.password})
    assert done.status_code == 302, done.get_data(as_text=True)


class _Audit(HTMLParser):
    """Collects what the CSP forbids: inline scripts, event-handler attributes, style."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
        for name, value in attrs:
            if name in {"href", "src", "action"} and value and value.strip().lower().startswith(
                ("javascript:", "http://", "https://", "//")
            ) and tag != "a":
                self.problems.append(f"third-party {name} on <{tag}>: {value}")
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def audit_page(html: str) -> _Audit:
    """Parse a page and return what it breaks (in `.problems`) and its title."""
    parser = _Audit()
    parser.feed(html)
    return parser


def assert_safe_page(html: str) -> None:
    """Every page: quick exit, CSP-clean markup, a title that names no topic."""
    found = audit_page(html)
    assert found.problems == [], found.problems
    assert found.title.strip() in {"Saheli", "Notes", "نوٹس"}, found.title
    assert 'id="quick-exit"' in html
    assert 'name="lang"' in html  # the language switcher
