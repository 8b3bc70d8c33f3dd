"""Fixtures for browser tests: one headless Debian Chromium per session, a fresh page per test.

Playwright's own browser download (``playwright install``) cannot reach its host from this
project's machines, so we drive Debian's ``/usr/bin/chromium`` (``scripts/ensure-browser``
installs it) through the ``playwright`` package's sync API. pytest-playwright is not used: its
fixtures assume Playwright's bundled browsers.

Every test under this directory gets the ``e2e`` marker, so ``pytest -m "not e2e"`` leaves the
slow browser tests out and ``pytest -m e2e`` runs only them.

Journey tests take the site from pytest-django's ``live_server``::

    def test_home(page, live_server):
        page.goto(live_server.url + "/")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

CHROMIUM_ARGS = [
    # Chromium refuses to start as root with its sandbox on, and CI runs as root.
    "--no-sandbox",
    "--disable-gpu",
    # /dev/shm is 64 MB in a default container; a full-page screenshot can exhaust it.
    "--disable-dev-shm-usage",
    # Keep the browser from talking to anything but the page under test.
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    # Every host but localhost, 127.0.0.1 and ::1 fails to resolve (literal IPs included:
    # the rules apply to them too; write ::1 without brackets), so a page that pulls
    # something from another site, a CDN font say, fails the same on every machine, network
    # or not, and the browser sends nothing out.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE ::1",
]

HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    # Registered here so --strict-markers accepts it whatever the project's pytest config says.
    config.addinivalue_line("markers", "e2e: browser test (headless Chromium); slow")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees every collected test, not just this directory's: mark only ours.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio event loop running in this (the main) thread,
    # from start() to stop(). Django's async-safety check sees a running loop and raises
    # SynchronousOnlyOperation for ORM calls made here (test code creating data,
    # pytest-django's database setup and flush), although no coroutine ever runs Django code.
    # The live server itself serves from its own thread and is unaffected. So turn the check
    # off, for exactly as long as the loop exists. Set here rather than at import so that a
    # run that skips the browser tests (-m "not e2e") keeps the check.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        yield pw
    finally:
        pw.stop()
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole session: starting it costs about half a second."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: run scripts/ensure-browser", pytrace=False)
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Factory for pages, each in its own context (own cookies and storage).

    ``new_page()`` is desktop width; ``new_page(**PHONE)`` is 390 px wide. Keyword arguments
    other than width and height go to ``browser.new_context`` (e.g. ``base_url=...``).
    All contexts are closed when the test ends.
    """
    contexts = []

    def make(width: int = DESKTOP["width"], height: int = DESKTOP["height"], **options) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A fresh page, 1280 px wide."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """A fresh page, 390 px wide (a phone's width; no mobile user agent or touch)."""
    return new_page(**PHONE)
