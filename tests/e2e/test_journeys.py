"""What people do on the site, in a real browser."""

import re

import bibtexparser
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cooperation.models import Agreement
from core.models import Source, Status, Theme
from editorial.workflow import entry_publish, entry_submit
from policies.models import Directive, Provision
from tests.builders import make_directive
from tests.conftest import make_user

from .site import EDITOR_PASSWORD, XI, build_site


@pytest.fixture
def site(transactional_db, live_server):
    build_site()
    return live_server.url


def test_student_goes_by_theme_to_point_3_copies_apa_and_downloads_bibtex(new_page, site):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site + "/")
    page.get_by_role("link", name="Emergency management system and capability").click()
    title = "Remarks on modernizing China's emergency management system"
    page.get_by_role("link", name=title).first.click()
    expect(page).to_have_url(site + XI)
    page.get_by_role("link", name="Point 3", exact=True).click()
    expect(page).to_have_url(site + XI + "p3/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Point 3")

    page.get_by_role("button", name="Copy APA (7th edition) citation").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    # A point is emgov's division of CGTN's report: cited as emgov's record of it.
    assert copied.startswith("emgov. (")
    assert "remarks on modernizing China’s emergency management system, as reported by CGTN" in (
        copied
    )
    assert copied.endswith(site + XI + "p3/")

    with page.expect_download() as download:
        page.get_by_role("link", name="BibTeX").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    (entry,) = bibtexparser.parse_string(text).entries
    assert entry["author"] == "{emgov}"
    assert "as reported by {CGTN}, point 3" in entry["title"]
    assert entry["url"] == site + XI + "p3/"


def test_without_javascript_citations_are_plain_text_and_copy_buttons_hidden(new_page, site):
    page = new_page(java_script_enabled=False)
    page.goto(site + XI + "p3/")
    expect(page.get_by_text("emgov. (").first).to_be_visible()
    expect(page.get_by_role("button", name="Copy APA (7th edition) citation")).to_be_hidden()


def test_editor_creates_a_directive_with_provisions_and_links_an_agreement(new_page, site):
    page = new_page()
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(site + "/admin/policies/directive/add/")
    page.get_by_label("Title:", exact=True).press_sequentially("Opinions on volunteer rescue teams")
    assert page.get_by_label("Slug:").input_value() == "opinions-on-volunteer-rescue-teams"
    page.get_by_label("Kind:").select_option("opinion")
    for number in (1, 2, 3):
        page.get_by_role("button", name="Add another Provision").click()
        page.locator(f"#id_provisions-{number - 1}-number").fill(str(number))
        page.locator(f"#id_provisions-{number - 1}-text").fill(f"Volunteer point {number}.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    directive = Directive.objects.get(slug="opinions-on-volunteer-rescue-teams")
    assert list(directive.provisions.values_list("number", flat=True)) == [1, 2, 3]

    page.goto(site + "/admin/cooperation/agreement/add/")
    page.get_by_label("Title:", exact=True).fill("Volunteer rescue MoU")
    page.get_by_label("Kind:").select_option("mou")
    page.get_by_role("button", name="Add another Link to a directive or provision").click()
    page.locator("#links-0 .field-provision .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Volunteer point 2")
    option = "Opinions on volunteer rescue teams, point 2"
    page.locator(".select2-results__option", has_text=option).click()
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("is now in review")).to_be_visible()

    # The editor submits the directive too, and a reviewer, a second reader, publishes
    # both (each needs a source first); then they are public.
    editor = get_user_model().objects.get(username="editor")
    reviewer = make_user("reviewer", "Reviewer")
    agreement = Agreement.objects.get(title="Volunteer rescue MoU")
    source = Source.objects.published().first()
    for entry in (directive, agreement):
        entry.refresh_from_db()
        entry.sources.add(source)
        if entry.status == Status.DRAFT:
            entry_submit(entry=entry, user=editor)
        entry_publish(entry=entry, user=reviewer)
    page.goto(site + "/directives/opinions-on-volunteer-rescue-teams/p2/")
    expect(page.get_by_role("link", name="Volunteer rescue MoU")).to_be_visible()
    page.get_by_role("link", name="Volunteer rescue MoU").click()
    point_2 = page.get_by_role("link", name="Opinions on volunteer rescue teams, point 2")
    expect(point_2).to_be_visible()


def test_reader_switches_the_interface_to_chinese(new_page, site):
    page = new_page()
    page.goto(site + XI)
    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(site + "/zh-hans" + XI)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    main_nav = page.get_by_role("navigation", name="主导航")
    expect(main_nav.get_by_role("link", name="政策文件")).to_be_visible()
    expect(page.get_by_role("heading", name="引用本页")).to_be_visible()
    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    expect(page).to_have_url(site + XI)


def test_researcher_searches_narrows_with_two_facets_removes_one_and_pages(new_page, site):
    rescue = Theme.objects.get(slug="rescue-forces")
    plan = make_directive(title="Plan for volunteer rescue teams", kind="plan", provisions=0)
    for number in range(1, 31):
        provision = Provision.objects.create(
            directive=plan, number=number, text=f"Train volunteer rescue teams, step {number}."
        )
        provision.themes.set([rescue])
    page = new_page()
    page.goto(site + "/")
    # The researcher uses the keyboard: the header search box, then Enter.
    page.get_by_role("searchbox", name="Search the knowledge base").focus()
    page.keyboard.type("rescue teams")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=rescue\+teams"))
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()

    facets = page.get_by_role("navigation", name="Narrow the results")
    facets.get_by_role("link", name="Provisions").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"type=provisions"))
    facets.get_by_role("link", name="Emergency rescue teams and forces").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"theme=rescue-forces"))
    chosen = page.get_by_role("list", name="Chosen filters")
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    # 30 new points + Xi's points 2 and 6, all provisions under the rescue theme.
    expect(page.get_by_text("32 results")).to_be_visible()

    chosen.get_by_role("link", name=re.compile("^Type")).click()
    expect(chosen.get_by_role("listitem")).to_have_count(1)
    expect(page).not_to_have_url(re.compile(r"type=provisions"))
    expect(page).to_have_url(re.compile(r"theme=rescue-forces"))
    total = page.locator(".result-count").inner_text()

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).to_have_url(re.compile(r"theme=rescue-forces"))
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    assert page.locator(".result-count").inner_text() == total


def test_an_edit_of_a_published_point_waits_for_a_second_reader(new_page, site):
    """The editor rewrites point 3 of the published speech: the public keeps the
    published wording until a reviewer reads the difference and publishes it."""
    editor_page = new_page()
    editor_page.goto(site + "/admin/")
    editor_page.get_by_label("Username").fill("editor")
    editor_page.get_by_label("Password").fill(EDITOR_PASSWORD)
    editor_page.get_by_role("button", name="Log in").click()
    directive = Directive.objects.get(slug="xi-2019-emergency-management")
    editor_page.goto(site + f"/admin/policies/directive/{directive.pk}/change/")
    numbers = list(directive.provisions.order_by("number").values_list("number", flat=True))
    index = numbers.index(3)
    editor_page.locator(f"#id_provisions-{index}-text").fill("Fictional rewording of point 3.")
    editor_page.get_by_label("Reason for this change").fill("Fictional: reworded")
    editor_page.get_by_role("button", name="Save", exact=True).first.click()
    expect(editor_page.get_by_text("Saved for review")).to_be_visible()
    expect(editor_page.locator("#pending-change")).to_contain_text("Fictional rewording")

    reader = new_page()
    reader.goto(site + XI + "p3/")
    expect(reader.get_by_text("Fictional rewording")).to_have_count(0)

    reviewer = make_user("reviewer", "Reviewer")
    reviewer.set_password(EDITOR_PASSWORD)
    reviewer.save()
    review_page = new_page()
    review_page.goto(site + "/admin/")
    review_page.get_by_label("Username").fill("reviewer")
    review_page.get_by_label("Password").fill(EDITOR_PASSWORD)
    review_page.get_by_role("button", name="Log in").click()
    review_page.goto(site + f"/admin/policies/directive/{directive.pk}/change/")
    diff = review_page.locator(".pending-diff")
    expect(diff).to_contain_text("Fictional rewording of point 3.")
    review_page.get_by_role("button", name="Publish this change").click()
    expect(review_page.get_by_text("is published")).to_be_visible()

    reader.goto(site + XI + "p3/")
    expect(reader.get_by_text("Fictional rewording of point 3.")).to_be_visible()
    expect(reader.locator(".published-versions")).to_contain_text("Fictional: reworded")
