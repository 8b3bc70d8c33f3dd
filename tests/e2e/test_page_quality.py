"""Every public page type, as people and their tools see it: screenshots at desktop and
phone width, no sideways scrolling on a phone, no serious accessibility violations
(axe-core), valid HTML (the Nu HTML Checker), and a keyboard that reaches everything."""

import pytest
from playwright.sync_api import expect

from .a11y import (
    assert_accessible,
    save_screenshot,
    scroll_width_exceeds_viewport,
    validate_html,
)
from .site import EDITOR_PASSWORD, PUBLIC_PAGES, XI, build_site

ADMIN_PAGES = {
    "admin-index": "/admin/",
    "admin-directives": "/admin/policies/directive/",
    "admin-directive-add": "/admin/policies/directive/add/",
    "admin-agreement-add": "/admin/cooperation/agreement/add/",
}


@pytest.fixture
def site(transactional_db, live_server):
    build_site()
    return live_server.url


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_public_pages_look_right_and_are_accessible(new_page, site, width):
    page = new_page(width=width, height=900)
    problems = []
    for name, path in PUBLIC_PAGES.items():
        page.goto(site + path)
        save_screenshot(page, f"{name}-{width}")
        if scroll_width_exceeds_viewport(page):
            problems.append(f"{name} scrolls sideways at {width}px")
        try:
            assert_accessible(page)
        except AssertionError as error:
            problems.append(f"{name}: {error}")
    assert not problems, "\n".join(problems)


def test_public_pages_are_valid_html(new_page, site):
    page = new_page()
    documents = {name: page.goto(site + path).text() for name, path in PUBLIC_PAGES.items()}
    errors = {name: found for name, found in validate_html(documents).items() if found}
    assert not errors, errors


def test_admin_pages_editors_use_are_accessible(new_page, site):
    page = new_page()
    page.goto(site + "/admin/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for name, path in ADMIN_PAGES.items():
        page.goto(site + path)
        save_screenshot(page, name)
        assert_accessible(page)


def test_keyboard_reaches_navigation_filters_and_the_cite_box(new_page, site):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="emgov", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    themes = page.get_by_role("navigation", name="Main").get_by_role("link", name="Themes")
    expect(themes).to_be_focused()
    outline = themes.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focused links must show a visible outline"
    page.keyboard.press("Enter")
    expect(page).to_have_url(site + "/themes/")

    page.goto(site + "/directives/")
    page.get_by_label("Kind").focus()
    page.keyboard.press("Tab")  # body
    page.keyboard.press("Tab")  # year
    page.keyboard.type("2019")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site + "/directives/?theme=&kind=&body=&year=2019&tag=")
    expect(page.get_by_text("1 directive")).to_be_visible()

    page.goto(site + XI + "p3/")
    page.bring_to_front()  # the clipboard answers only a focused document
    # Found by position, not by name: its name changes to "Copied" when it works.
    copy = page.locator(".cite-box__copy").nth(1)
    expect(copy).to_have_accessible_name("Copy MLA (9th edition) citation")
    copy.focus()
    expect(copy).to_be_focused()
    page.keyboard.press("Enter")
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").startswith("emgov. [Xi Jinping’s")
