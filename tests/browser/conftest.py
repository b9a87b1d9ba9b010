"""Browser tests: the real server on a loopback port, driven by Debian's Chromium.

Every test here is marked ``browser`` (registered below) and skips, with the reason, when
``/usr/bin/chromium`` is missing (without the playwright package they are not collected).
Playwright's own browsers are never used: CI installs Debian's ``chromium`` package
(docs/WEB.md, "Browser tests").

``live`` serves a fresh copy of the demo review (``demo_store`` from tests/conftest.py) the
way ``realist serve`` does (``build_server``), in a thread; ``page`` is a 1280×800 Chromium
tab on it that fails the test if the page raised a JavaScript error or broke its
Content-Security-Policy.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from browser.server import LiveServer
from realist.store import Store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


if importlib.util.find_spec("playwright") is None:
    # Nothing to drive a browser with (it comes with `pip install -e '.[dev]'`): the test
    # modules, which import it, are not collected at all.
    collect_ignore_glob = ["test_*.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium (/usr/bin/chromium) through the web app"
    )


def _missing() -> str:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = _missing()
    if not missing:
        return
    skip = pytest.mark.skip(reason=missing)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def live(demo_store: Store) -> Iterator[LiveServer]:
    """The demo review served on a free loopback port, acting as its owner."""
    server = LiveServer(demo_store.target)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live.url, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    tab.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    tab.on("console", on_console)
    yield tab
    context.close()
    assert not problems, "\n".join(problems)
