"""Proof that the browser-test tools work, on pages of our own rather than the site's.

A tiny HTTP server on 127.0.0.1 serves known-good and known-bad pages with the same strict
Content-Security-Policy the site sends (no 'unsafe-inline'), so these tests need neither a
database nor any of the site's content, and each check is shown to catch a real defect as well
as to pass a clean page.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import SynchronousOnlyOperation
from django.utils.asyncio import async_unsafe
from playwright.sync_api import Error as PlaywrightError

from . import a11y
from .a11y import (
    SCREENSHOT_DIR,
    assert_accessible,
    axe_violations,
    save_screenshot,
    scroll_width_exceeds_viewport,
    validate_html,
)

# The site's policy (emgov/settings/base.py), copied so these tests do not depend on it.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# A 1x1 transparent GIF, so that <img> elements load without a 404.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)

STYLE = """
body { margin: 0; font: 16px/1.5 sans-serif; }
.wide { width: 1000px; }
.tall { height: 3000px; }
"""


def _html(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


GOOD = _html(
    "Good page",
    """<p id="intro">An accessible, valid page.</p>
<img src="/pixel.gif" alt="A placeholder image" width="1" height="1">
<form action="/search">
<label for="q">Search</label>
<input id="q" name="q" type="search">
<button type="submit">Go</button>
</form>""",
)

# Two defects: an <img> without alt (axe: image-alt, critical; vnu: error) and an id used
# twice (vnu: error; axe 4.x no longer checks plain duplicate ids under WCAG 2.1 tags).
# The duplicate id is on line 13 of the document.
BAD = _html(
    "Bad page",
    """<p id="intro">This page has defects.</p>
<p id="intro">The same id again.</p>
<img src="/pixel.gif" width="1" height="1">""",
)

WIDE = _html("Wide page", '<div class="wide">A block wider than a phone.</div>')
TALL = _html("Tall page", '<div class="tall">A block taller than the window.</div>')

PAGES = {
    "/good.html": ("text/html; charset=utf-8", GOOD.encode()),
    "/bad.html": ("text/html; charset=utf-8", BAD.encode()),
    "/wide.html": ("text/html; charset=utf-8", WIDE.encode()),
    "/tall.html": ("text/html; charset=utf-8", TALL.encode()),
    "/style.css": ("text/css", STYLE.encode()),
    "/pixel.gif": ("image/gif", PIXEL),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        content_type, body = PAGES.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt: str, *args: object) -> None:
        pass  # keep test output clean


@contextmanager
def _serve(address: str) -> Iterator[int]:
    """Serve PAGES on a free port of ``address`` in a thread; yield the port.

    Polls for shutdown every 50 ms rather than the default 500, which each test would wait.
    """
    httpd = ThreadingHTTPServer((address, 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Base URL of a throwaway server on a free loopback port, named as live_server names it."""
    with _serve("127.0.0.1") as port:
        yield f"http://localhost:{port}"


def test_every_test_here_is_marked_e2e(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("e2e") is not None


def test_browser_reaches_loopback_only(new_page, server) -> None:
    # 127.0.0.2 is loopback too, so without the conftest's --host-resolver-rules this page
    # would load; with them, only localhost, 127.0.0.1 and ::1 resolve.
    port = server.rsplit(":", 1)[1]
    assert new_page().goto(f"http://127.0.0.1:{port}/good.html").ok
    with (
        _serve("127.0.0.2") as other_port,
        pytest.raises(PlaywrightError, match="ERR_NAME_NOT_RESOLVED"),
    ):
        new_page().goto(f"http://127.0.0.2:{other_port}/good.html")


def test_test_pages_enforce_the_strict_csp(page, server) -> None:
    # The reason axe is injected with evaluate(): an inline <script>, which is what
    # add_script_tag(path=...) creates, is refused under this policy. Were it not refused,
    # the axe tests below would prove nothing about running axe under the site's CSP.
    response = page.goto(f"{server}/good.html")
    assert response.headers["content-security-policy"] == CSP
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true")


def test_axe_finds_missing_alt_under_csp(page, server) -> None:
    page.goto(f"{server}/bad.html")
    violations = axe_violations(page)
    by_rule = {v["id"]: v for v in violations}
    assert "image-alt" in by_rule, violations
    assert by_rule["image-alt"]["impact"] == "critical"
    assert by_rule["image-alt"]["nodes"][0]["target"] == ["img"]


def test_axe_passes_good_page(page, server) -> None:
    page.goto(f"{server}/good.html")
    assert axe_violations(page, impacts=None) == []
    assert_accessible(page)


def test_assert_accessible_message_names_rule_and_element(page, server) -> None:
    page.goto(f"{server}/bad.html")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "[critical] image-alt: Images must have alternative text" in message
    assert "at img" in message
    assert "/bad.html" in message


def test_axe_can_run_twice_on_one_page(page, server) -> None:
    # The second call must reuse the injected axe, not fail or double-inject.
    page.goto(f"{server}/bad.html")
    assert axe_violations(page) == axe_violations(page)


def test_validate_html_one_batch_good_and_bad() -> None:
    errors = validate_html({"good": GOOD, "bad page/with odd name": BAD})
    assert errors["good"] == []
    bad = errors["bad page/with odd name"]
    assert any("line 13:" in e and "Duplicate ID" in e and "intro" in e for e in bad), bad
    assert any("“img” element must have an “alt” attribute" in e for e in bad), bad
    assert len(bad) == 2, bad


def test_validate_html_of_nothing_starts_no_checker() -> None:
    assert validate_html({}) == {}


def test_validate_html_fails_loudly_when_checker_breaks(tmp_path, monkeypatch) -> None:
    # A checker that produced no report must not read as "no errors".
    broken_jar = tmp_path / "vnu.jar"
    broken_jar.write_bytes(b"not a jar")
    monkeypatch.setattr(a11y, "VNU_JAR", broken_jar)
    with pytest.raises(RuntimeError, match="no JSON report"):
        validate_html({"good": GOOD})


def test_wide_element_scrolls_sideways_at_phone_width(phone_page, server) -> None:
    phone_page.goto(f"{server}/wide.html")
    assert phone_page.viewport_size["width"] == 390
    assert scroll_width_exceeds_viewport(phone_page)


def test_narrow_pages_do_not_scroll_sideways(page, phone_page, server) -> None:
    phone_page.goto(f"{server}/good.html")
    assert not scroll_width_exceeds_viewport(phone_page)
    page.goto(f"{server}/wide.html")  # 1000 px fits in 1280
    assert page.viewport_size["width"] == 1280
    assert not scroll_width_exceeds_viewport(page)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])  # width, height from the IHDR chunk


def test_save_screenshot_writes_full_page_png(phone_page, server) -> None:
    path = SCREENSHOT_DIR / "infrastructure-tall-phone.png"
    path.unlink(missing_ok=True)
    phone_page.goto(f"{server}/tall.html")
    assert save_screenshot(phone_page, "infrastructure-tall-phone") == path
    width, height = _png_size(path.read_bytes())
    assert width == 390
    assert height >= 3000  # the whole page, not just the 844 px window


def test_django_orm_calls_allowed_while_browser_runs(browser) -> None:
    # Playwright's event loop is running in this thread now; without the conftest's
    # DJANGO_ALLOW_ASYNC_UNSAFE, Django would refuse every ORM call made from a test.
    @async_unsafe
    def orm_call() -> str:
        return "ran"

    assert orm_call() == "ran"


def test_django_check_would_trip_without_the_override(browser, monkeypatch) -> None:
    # Shows the override above is what makes the difference, not a missing event loop.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE")

    @async_unsafe
    def orm_call() -> str:
        return "ran"

    with pytest.raises(SynchronousOnlyOperation):
        orm_call()
