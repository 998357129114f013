"""Real Chromium against a real `forum serve`: Playwright for Python driving Debian's
`chromium` (never a downloaded browser). On a laptop without it these tests skip; under
CI=true a missing browser is a failure, like a missing PostgreSQL.

axe-core (tests/browser/vendor/axe.min.js, from the npm registry) is injected by these tests
only, into contexts that bypass the page's CSP; it is never served by the forum.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import new_database

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
#: Screenshots refresh docs/screenshots only when asked (FORUM_SCREENSHOTS=1), so an ordinary
#: test run leaves the working tree clean; otherwise they go to a temporary directory.
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
PASSWORD = "a long enough phrase 7"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A seeded forum on SQLite, served the production way; abuse limits off so one test
    address can register several members."""
    from tests.live.conftest import start_server

    tmp = tmp_path_factory.mktemp("browser")
    live = start_server(new_database("sqlite", str(tmp)), tmp, FORUM_RATE_LIMITS="false",
                        FORUM_STAFF_REQUIRE_TOTP="false")
    yield live
    live.stop()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized browser profile (no cookies, no history)."""
    made = browser.new_context(viewport=PHONE, bypass_csp=False, locale="en-GB")
    yield made
    made.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def register(page: Any, base: str, handle: str) -> list[str]:
    """Register through the form, save the codes, continue; returns the codes shown."""
    page.goto(f"{base}/register")
    page.fill("#handle", handle)
    page.fill("#password", PASSWORD)
    page.fill("#password_again", PASSWORD)
    page.click("button[type=submit] >> text=Create my account")
    page.wait_for_url(re.compile(r".*/account/recovery-codes$"))
    codes = page.locator("#codes code").all_inner_texts()
    page.check("input[name=saved]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return codes


def create_staff(server: Any, role: str) -> str:
    """A staff account made with `forum create-user` (second factor not required here)."""
    from tests.live.conftest import FORUM

    handle = f"{role[:4]}_{os.urandom(4).hex()}"
    subprocess.run([FORUM, "create-user", handle, "--role", role], input=PASSWORD + "\n",
                   text=True, env=server.env, check=True, capture_output=True, timeout=60)
    return handle


def sign_in(page: Any, base: str, handle: str) -> None:
    """Sign in through the form."""
    page.goto(f"{base}/login")
    page.fill("#handle", handle)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def axe_violations(browser: Any, url: str, cookies: list[dict[str, Any]] | None = None) -> list[str]:
    """Serious and critical axe-core violations of the page at `url`."""
    checker = browser.new_context(viewport=PHONE, bypass_csp=True)
    try:
        if cookies:
            checker.add_cookies(cookies)
        tab = checker.new_page()
        tab.goto(url)
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
    finally:
        checker.close()
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in result
            if v["impact"] in {"serious", "critical"}]


def screenshot(page: Any, name: str) -> Path:
    """A small PNG of what a phone shows, for docs/pages.md."""
    folder = DOC_SCREENSHOTS if os.environ.get("FORUM_SCREENSHOTS") == "1" else Path(
        tempfile.gettempdir()) / "saheli-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
