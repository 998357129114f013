"""One headless Chromium for the whole test session, shared by every suite that drives pages
(tests/browser, tests/faults). It is a plugin of the root conftest, not a fixture imported
into each suite: an imported session fixture is a second instance, and a second
`sync_playwright()` in the same thread refuses to start ("Sync API inside the asyncio loop").

Playwright for Python drives Debian's `chromium` (never a downloaded browser). On a laptop
without it these tests skip; under CI=true a missing browser is a failure, like a missing
PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("FORUM_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _unavailable(why: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests cannot run: {why}")
    pytest.skip(f"browser tests skipped: {why}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
