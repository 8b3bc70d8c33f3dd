"""Public pages: what a reader sees on the starter data, and what they never see."""

import pytest
from django.urls import reverse

from core.models import Status
from findings.models import Finding
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

XI = "/directives/xi-2019-emergency-management/"
PAPER = "/sources/xu-meng-belt-and-road-emergency-cooperation/"
MECHANISM = "/mechanisms/belt-and-road-disaster-prevention-emergency-management-mechanism/"

STARTER_PAGES = [
    ("/", "Browse by theme"),
    ("/themes/", "Emergency rescue teams and forces"),
    ("/themes/emergency-management-system/", "Remarks on modernizing China"),
    ("/themes/international-cooperation/", "Theoretical research lags behind practice."),
    ("/directives/", "Remarks on modernizing"),
    (XI, 'id="p3"'),
    (XI + "p3/", "independent innovation in emergency management technology"),
    ("/agreements/", "0 agreements"),
    ("/mechanisms/", "International Cooperation Mechanism for Natural Disaster Prevention"),
    (MECHANISM, "Xu and Meng"),
    ("/countries/", "Nepal"),
    ("/countries/np/", "Southern Asia"),
    (PAPER, "There is a lack of professional talent."),
    ("/sources/cgtn-2019-xi-emergency-management/", "CGTN"),
    ("/tags/rescue-teams/", "Care and support for rescue teams"),
    ("/zh-hans/directives/", "Remarks on modernizing China"),
]


@pytest.mark.parametrize(("path", "expected"), STARTER_PAGES)
def test_every_public_page_shows_the_starter_data(client, seeded, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert b"<title>" in response.content and b'name="description"' in response.content


def test_home_leads_by_theme_to_xi_2019_and_its_points(client, seeded):
    home = client.get("/").content.decode()
    assert 'href="/themes/emergency-management-system/"' in home
    theme = client.get("/themes/emergency-management-system/").content.decode()
    assert f'href="{XI}"' in theme
    directive = client.get(XI).content.decode()
    for number in range(1, 7):
        assert f'href="{XI}p{number}/"' in directive


def test_international_cooperation_theme_gathers_findings_and_the_mechanism(client, seeded):
    page = client.get("/themes/international-cooperation/").content.decode()
    assert MECHANISM in page
    assert "Though it started late, China&#x27;s international cooperation" in page
    assert "Cultivate international cooperation talent" in page


def test_home_counts_entries_under_each_theme_including_sub_themes(client, seeded):
    response = client.get("/")
    counts = {theme.slug: theme.entry_count for theme in response.context["themes"]}
    # directive + its 6 provisions are not counted twice: provisions are not a home type;
    # the directive, CGTN source (emergency-management-system)...
    assert counts["emergency-management-system"] >= 2
    # 10 findings + paper + mechanism, each counted once although most sit in 2 sub-themes.
    assert counts["international-cooperation"] == 12


def test_provision_page_shows_linked_agreements_and_findings(client, seeded):
    nepal = make_country()
    directive = make_directive(provisions=2)
    provision = directive.provisions.get(number=2)
    agreement = make_agreement(title="China–Nepal MoU", countries=[nepal], provisions=[provision])
    finding = make_finding(text="Rescue cooperation works.")
    finding.provisions.add(provision)
    page = client.get(provision.get_absolute_url()).content.decode()
    assert "China–Nepal MoU" in page and "Joint drills" in page
    assert "Rescue cooperation works." in page
    agreement_page = client.get(agreement.get_absolute_url()).content.decode()
    assert provision.get_absolute_url() in agreement_page
    assert "Nepal" in agreement_page
    assert "China–Nepal MoU" in client.get("/countries/np/").content.decode()
    assert "China–Nepal MoU" in client.get(directive.get_absolute_url()).content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW])
def test_unpublished_entries_answer_404_and_appear_in_no_list(client, seeded, status):
    theme = make_theme(slug="secret-theme")
    directive = make_directive(
        title="Secret draft directive", status=status, provisions=1, themes=[theme]
    )
    agreement = make_agreement(
        title="Secret draft agreement", status=status, themes=[theme], countries=[make_country()]
    )
    mechanism = make_mechanism(name="Secret draft mechanism", status=status, themes=[theme])
    source = make_source(title="Secret draft source", status=status, themes=[theme])
    finding = make_finding(text="Secret draft finding", status=status, themes=[theme])
    directive.tags.add("secret")
    for url in [
        directive.get_absolute_url(),
        directive.get_absolute_url() + "p1/",
        agreement.get_absolute_url(),
        mechanism.get_absolute_url(),
        source.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Page not found" in response.content
    for url in [
        "/",
        "/directives/",
        "/agreements/",
        "/mechanisms/",
        "/countries/np/",
        "/themes/secret-theme/",
        "/tags/secret/",
        finding.source.get_absolute_url(),
    ]:
        response = client.get(url)
        assert b"Secret draft" not in response.content, url


def test_a_withdrawn_entry_that_was_published_answers_410(client, db):
    directive = make_directive(title="Superseded notice")
    directive.status = Status.WITHDRAWN
    directive.save()
    response = client.get(directive.get_absolute_url())
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    never_published = make_directive(status=Status.WITHDRAWN)
    assert client.get(never_published.get_absolute_url()).status_code == 404


def test_editors_preview_drafts_with_a_banner(editor_client):
    directive = make_directive(status=Status.DRAFT, provisions=1)
    response = editor_client.get(directive.get_absolute_url())
    assert response.status_code == 200
    assert b"Preview" in response.content
    assert editor_client.get(directive.get_absolute_url() + "p1/").status_code == 200


def test_list_filters_narrow_the_results(client, db):
    theme = make_theme(slug="rescue")
    child = make_theme(slug="volunteers", parent=theme)
    nepal = make_country()
    laos = make_country(code="LA", name="Laos")
    make_directive(title="Plan A", kind="plan", themes=[child])
    make_directive(title="Law B", kind="law")
    make_agreement(title="Nepal MoU", countries=[nepal])
    make_agreement(title="Laos MoU", countries=[laos], agreement_status="in_force")

    def titles(url):
        return [entry.title for entry in client.get(url).context["object_list"]]

    assert titles("/directives/?theme=rescue") == ["Plan A"]  # includes sub-themes
    assert titles("/directives/?kind=law") == ["Law B"]
    assert titles("/directives/?year=2020&kind=plan") == ["Plan A"]
    assert titles("/agreements/?country=np") == ["Nepal MoU"]
    assert titles("/agreements/?country=LA&status=in_force") == ["Laos MoU"]


@pytest.mark.parametrize(
    "query",
    [
        "?theme=no-such-theme",
        "?kind=poem",
        "?year=abc",
        "?year=99999999999999999999999",
        "?body=%00",
        "?theme=a%00b&country=n%00&mechanism=%00",
        "?tag=" + "x" * 5000,
        "?page=abc",
        "?page=999999",
        "?page=-1",
        "?country=zzz&status=%FF&mechanism=nope",
        "?theme=%E2%28%A1",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/directives/",
        "/agreements/",
        "/themes/emergency-management-system/",
        "/mechanisms/",
        "/tags/rescue-teams/",
    ],
)
def test_bad_filter_values_never_give_a_server_error(client, seeded, path, query):
    response = client.get(path + query)
    assert response.status_code == 200


def test_an_unknown_filter_value_is_explained_and_ignored(client, seeded):
    response = client.get("/directives/?kind=poem&theme=emergency-management-system")
    content = response.content.decode()
    assert "Some filters were not understood" in content and "poem" in content
    assert len(response.context["object_list"]) == 1  # the valid theme filter still applies


def test_unknown_addresses_answer_the_sites_own_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"emgov" in response.content
    assert client.get("/countries/zz/").status_code == 404
    assert client.get("/directives/missing/p1/").status_code == 404


def test_healthz_reports_database_status(client, db, monkeypatch):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["status"] == "ok"

    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    assert client.get(reverse("healthz")).status_code == 503


def test_pagination_keeps_the_filters(client, db):
    for number in range(25):
        make_directive(title=f"Plan {number}", kind="plan")
    page = client.get("/directives/?kind=plan").content.decode()
    assert "?kind=plan&amp;page=2" in page


def test_a_finding_is_public_only_while_its_source_is(client, db):
    source = make_source(status=Status.DRAFT)
    finding = make_finding(source=source, text="Finding from a draft paper")
    assert finding not in Finding.objects.published()
    assert b"Finding from a draft paper" not in client.get("/").content
    source.status = Status.PUBLISHED
    source.save()
    assert finding in Finding.objects.published()
    assert b"Finding from a draft paper" in client.get("/").content


def test_filters_do_not_reveal_that_a_draft_exists(client, db):
    make_mechanism(slug="secret-mechanism", status=Status.DRAFT)
    draft = client.get("/agreements/?mechanism=secret-mechanism").context["filter_errors"]
    missing = client.get("/agreements/?mechanism=never-existed").context["filter_errors"]
    assert set(draft) == set(missing) == {"mechanism"}
