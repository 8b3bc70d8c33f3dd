"""The synthetic corpus for benchmarks: refused unless asked for, labelled, indexed
and removable; the benchmark command runs on it."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bench import synthetic
from cooperation.models import Agreement
from policies.models import Directive, Provision
from search.models import SearchDocument, SearchFacet, TermCount
from tests.builders import make_directive

pytestmark = pytest.mark.django_db

SMALL = ["--directives", "3", "--provisions-per-directive", "2", "--agreements", "2"]


def test_refuses_without_yes(db):
    with pytest.raises(CommandError, match="--yes"):
        call_command("make_synthetic", *SMALL)
    assert not Directive.objects.exists()


def test_makes_labelled_indexed_entries_and_deletes_them(db, capsys, settings):
    settings.EMGOV_SYNTHETIC_PUBLIC = True  # so that the index's published view shows them
    call_command("make_synthetic", *SMALL, "--yes")
    assert Directive.objects.count() == 3 and Provision.objects.count() == 6
    for directive in Directive.objects.all():
        provisions = directive.provisions.order_by("number")
        assert [p.number for p in provisions] == [1, 2]
        assert all(len(p.text.split()) >= 40 for p in provisions)
    assert Agreement.objects.count() == 2
    for entry in [*Directive.objects.all(), *Agreement.objects.all()]:
        assert entry.title.startswith("[Synthetic] ") and entry.slug.startswith("synthetic-")
        assert "synthetic" in entry.tags.names()
    assert SearchDocument.objects.published().count() == 11
    output = capsys.readouterr()
    assert "Made and indexed 3 directives, 6 provisions, 2 agreements" in output.out
    for bar in ("directives: 100%", "provisions: 100%", "agreements: 100%"):
        assert bar in output.err  # a progress bar per type, each run to its end
    call_command("make_synthetic", "--delete", "--yes")
    assert not Directive.objects.exists() and not Agreement.objects.exists()
    assert not SearchDocument.objects.exists()


def test_benchmark_reports_every_scenario(db, capsys, settings):
    settings.EMGOV_SYNTHETIC_PUBLIC = True
    call_command("make_synthetic", *SMALL, "--yes")
    call_command("search_bench", "--runs", "4")
    out = capsys.readouterr().out
    assert "| list page /directives/ |" in out and "naive icontains" in out
    assert "1–3 word search / naive icontains:" in out
    assert "two facets chosen, cache emptied / list page:" in out
    by_query = out.split("by query:")[1]
    for query in ("volunteer rescue teams", "flood warning", "earthquake", "drought relief"):
        assert f"| {query} |" in by_query


def test_indexing_while_making_gives_the_index_a_rebuild_gives(db, settings):
    settings.EMGOV_SYNTHETIC_PUBLIC = True
    settings.SEARCH_COMMON_TERM_DOCUMENTS = 3
    call_command("make_synthetic", *SMALL, "--yes")
    made = index_snapshot()
    assert len(made[0]) == 11 and made[1]
    # PostgreSQL counts the common words at the end of the load, as a rebuild does.
    assert bool(made[2]) == (connection.vendor == "postgresql")
    call_command("rebuild_search_index", "--quiet")
    assert index_snapshot() == made


def test_deleting_the_synthetic_corpus_counts_the_common_words_again(db, settings):
    settings.EMGOV_SYNTHETIC_PUBLIC = True
    settings.SEARCH_COMMON_TERM_DOCUMENTS = 1
    make_directive(title="Flood control plan")
    call_command("make_synthetic", *SMALL, "--yes")
    call_command("make_synthetic", "--delete", "--yes")
    counted = TermCount.objects.filter(key="").values_list("lexeme", "documents")
    if connection.vendor == "postgresql":
        assert sorted(counted) == [("control", 1), ("flood", 1), ("plan", 1)]
    else:
        assert not counted


def index_snapshot():
    documents = SearchDocument.objects.values_list(
        *(field.attname for field in SearchDocument._meta.concrete_fields if field.name != "id")
    )
    facets = SearchFacet.objects.values_list(
        "document__entry_type", "document__object_id", "kind", "value", "direct"
    )
    terms = TermCount.objects.values_list("lexeme", "key", "documents")
    return sorted(documents), sorted(facets), sorted(terms)


def test_a_synthetic_entry_an_import_would_refuse_is_refused_and_nothing_is_made(db, monkeypatch):
    """The synthetic rows go through the import's row check: a title longer than the
    field allows, which SQLite would store, stops the load before anything is written."""
    monkeypatch.setattr(synthetic, "title_text", lambda rng, *sizes: "Flood " * 100)
    with pytest.raises(synthetic.SyntheticRowRefused, match="title"):
        call_command("make_synthetic", *SMALL, "--yes")
    assert not Directive.objects.exists() and not SearchDocument.objects.exists()
