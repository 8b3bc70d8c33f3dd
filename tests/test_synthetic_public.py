"""Synthetic benchmark data can never be public: make_synthetic marks what it makes,
the one public rule hides it from every surface unless EMGOV_SYNTHETIC_PUBLIC is on,
it brings its own themes and fictional parties, and `check --deploy` warns while any
of it is in the database."""

import pytest
from django.core.cache import cache
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client

from cooperation.models import Agreement
from core.models import Country, Organization, Theme
from policies.models import Directive, Provision
from search.models import SearchDocument
from tests.builders import make_country, make_directive, make_theme

pytestmark = pytest.mark.django_db

SMALL = ["--directives", "2", "--provisions-per-directive", "2", "--agreements", "2"]


def read(address):
    response = Client().get(address)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content.decode()


def pages():
    """(address, text that shows a synthetic row there), for every public surface."""
    directive = Directive.objects.order_by("pk").first()
    agreement = Agreement.objects.order_by("pk").first()
    return [
        (directive.get_absolute_url(), directive.title),
        (directive.provisions.get(number=1).get_absolute_url(), directive.title),
        (agreement.get_absolute_url(), agreement.title),
        ("/themes/synthetic-root/", "[Synthetic] Emergency management"),
        ("/countries/xa/", "[Synthetic] Country XA"),
    ]


def word_of(title):
    """The title's longest word: made up, so rare (the word "synthetic", on every
    synthetic entry, is too common for the search to count)."""
    return max(title.split(), key=len)


def listings():
    """(address, text) for the pages, API collections, exports, sitemaps and feeds that
    list rows: a synthetic row appears there only when synthetic data is public."""
    directive = Directive.objects.order_by("pk").first()
    agreement = Agreement.objects.order_by("pk").first()
    provision = directive.provisions.get(number=1)
    return [
        ("/", "[Synthetic]"),
        ("/themes/", "[Synthetic] Emergency management"),
        ("/directives/", directive.slug),
        ("/agreements/", agreement.slug),
        ("/countries/", "[Synthetic] Country XA"),
        ("/timeline/", directive.slug),
        (f"/search/?q={word_of(directive.title)}", f'href="{directive.get_absolute_url()}"'),
        ("/api/v1/directives/", directive.slug),
        ("/api/v1/provisions/", provision.text[:40]),
        ("/api/v1/agreements/", agreement.slug),
        ("/api/v1/themes/", "synthetic-root"),
        ("/api/v1/countries/", "[Synthetic] Country XA"),
        (f"/api/v1/directives/?q={word_of(directive.title)}", directive.slug),
        ("/export/directives.jsonl", directive.slug),
        ("/export/provisions.csv", provision.text[:40]),
        ("/export/agreements.jsonl", agreement.slug),
        ("/sitemap-directives.xml", directive.slug),
        ("/sitemap-provisions.xml", directive.slug),
        ("/sitemap-agreements.xml", agreement.slug),
        ("/sitemap-themes.xml", "synthetic-root"),
        ("/sitemap-countries.xml", agreement.party_countries.first().get_absolute_url()),
        ("/feeds/latest.atom", directive.slug),
    ]


def test_synthetic_entries_are_marked_and_absent_from_every_public_surface(settings):
    settings.EMGOV_SYNTHETIC_PUBLIC = False
    call_command("make_synthetic", *SMALL, "--yes")
    assert Directive.objects.filter(is_synthetic=True).count() == 2
    assert Agreement.objects.filter(is_synthetic=True).count() == 2
    assert not Directive.objects.published().exists()
    assert not Provision.objects.published().exists()
    assert not Agreement.objects.published().exists()
    assert not Theme.objects.published().filter(is_synthetic=True).exists()
    assert not Country.objects.published().filter(is_synthetic=True).exists()
    assert not SearchDocument.objects.published().exists()
    for address, _ in pages():
        status, _ = read(address)
        assert status == 404, address
    for address, text in listings():
        status, content = read(address)
        assert status == 200, address
        assert text not in content, address


def test_synthetic_entries_are_public_with_the_setting_on(settings):
    settings.EMGOV_SYNTHETIC_PUBLIC = True
    call_command("make_synthetic", *SMALL, "--yes")
    assert Directive.objects.published().count() == 2
    for address, text in [*pages(), *listings()]:
        cache.clear()
        status, content = read(address)
        assert status == 200, address
        assert text in content, address


def test_a_synthetic_entry_indexed_with_the_setting_on_leaves_search_when_it_is_off(settings):
    """The index keeps the mark apart from the status: a corpus loaded for a benchmark
    does not stay searchable once the switch is off again."""
    settings.EMGOV_SYNTHETIC_PUBLIC = True
    call_command("make_synthetic", *SMALL, "--yes")
    assert SearchDocument.objects.published().count() == 8
    settings.EMGOV_SYNTHETIC_PUBLIC = False
    assert not SearchDocument.objects.published().exists()
    title = Directive.objects.order_by("pk").first().title
    status, content = read(f"/search/?q={word_of(title)}")
    assert status == 200 and "/directives/synthetic-" not in content


def test_synthetic_data_brings_its_own_themes_and_fictional_parties(settings):
    real_theme = make_theme(name="Disaster relief", slug="disaster-relief")
    make_country("NP", "Nepal")
    make_directive(title="Opinions on flood control", themes=[real_theme])
    call_command("make_synthetic", *SMALL, "--yes")
    used_themes = Theme.objects.filter(directives__is_synthetic=True).distinct()
    assert used_themes.exists() and all(theme.is_synthetic for theme in used_themes)
    assert real_theme.directives.count() == 1  # only the real directive
    parties = Country.objects.filter(agreements__is_synthetic=True).distinct()
    assert parties.exists()
    for country in parties:
        assert country.is_synthetic and country.code.startswith("X")
    assert not Country.objects.get(code="NP").agreements.exists()
    assert Organization.objects.get(slug="synthetic-ministry").is_synthetic
    call_command("make_synthetic", "--delete", "--yes")
    assert not Country.objects.filter(is_synthetic=True).exists()
    assert not Theme.objects.filter(is_synthetic=True).exists()
    assert Theme.objects.filter(slug="disaster-relief").exists()
    assert Country.objects.filter(code="NP").exists()


def deploy_warnings():
    return [
        message
        for message in run_checks(include_deployment_checks=True)
        if message.id == "emgov.W002"
    ]


def test_check_deploy_warns_while_synthetic_rows_exist():
    make_directive()
    assert deploy_warnings() == []
    call_command("make_synthetic", *SMALL, "--yes")
    (warning,) = deploy_warnings()
    assert "2 policies.Directive" in warning.msg and "2 cooperation.Agreement" in warning.msg
    assert "make_synthetic --delete" in warning.hint
    call_command("make_synthetic", "--delete", "--yes")
    assert deploy_warnings() == []


def test_check_deploy_from_the_command_line_names_the_synthetic_rows(capsys):
    call_command("make_synthetic", *SMALL, "--yes")
    call_command("check", "--deploy")
    assert "emgov.W002" in capsys.readouterr().err


def test_the_benchmark_refuses_to_time_a_hidden_corpus(settings):
    from django.core.management import CommandError

    settings.EMGOV_SYNTHETIC_PUBLIC = False
    with pytest.raises(CommandError, match="EMGOV_SYNTHETIC_PUBLIC=1"):
        call_command("search_bench", "--runs", "1")
