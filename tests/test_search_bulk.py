"""Bulk indexing: PostgreSQL writes documents with COPY and may build its GIN indexes
once at the end; what is written and what search finds is the same as before."""

import importlib
import threading
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, OperationalError, connection, connections

from core.models import Status
from core.registry import registry
from policies.models import Directive
from search import backends, indexing
from search.models import SearchDocument, SearchFacet
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_provision,
    make_source,
    make_theme,
)
from tests.test_search_common_terms import assert_counted_as_matched
from tests.test_search_index import parse

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY and GIN indexes are PostgreSQL's"
)

# Every character COPY's CSV treats specially, the end-of-data marker on a line of its
# own, and text no stemmer knows.
AWKWARD = 'Floods, "levees"\nand\r\n\\.\n\ttabs \\N 洪水防治'


def make_corpus():
    parent = make_theme(slug="parent")
    theme = make_theme(slug="child", parent=parent)
    directive = make_directive(title=AWKWARD, themes=[theme], summary="", date=None)
    directive.tags.add("floods", "levees")
    make_provision(directive, number=1, heading="", text=AWKWARD, text_original="洪水")
    make_provision(directive, number=2, heading="Shelters", text="Build shelters.")
    make_directive(title="Draft", status=Status.DRAFT, provisions=1)
    make_agreement(themes=[parent], countries=[make_country()], signed_on=None)
    make_finding(source=make_source(title=AWKWARD), text=AWKWARD, themes=[theme])


def snapshot():
    fields = [field.attname for field in SearchDocument._meta.concrete_fields]
    fields.remove("id")
    documents = SearchDocument.objects.values_list(*fields)
    facets = SearchFacet.objects.values_list(
        "document__entry_type", "document__object_id", "kind", "value", "direct"
    )
    return sorted(documents, key=repr), sorted(facets)


def index_with(write):
    SearchDocument.objects.all().delete()
    ancestry = indexing.theme_ancestry()
    for key in [entry_type.key for entry_type in registry]:
        entries = list(indexing.indexable_queryset(key))
        if entries:
            links = indexing.links_for(key, [entry.pk for entry in entries])
            write(key, entries, links, ancestry)


@postgres_only
def test_copy_writes_what_bulk_create_writes(db):
    make_corpus()
    index_with(indexing.create_documents)
    created = snapshot()
    index_with(indexing.copy_documents)
    assert snapshot() == created
    provision = SearchDocument.objects.get(entry_type="provisions", body=AWKWARD)
    assert provision.number == 1 and provision.date is None and provision.year is None
    assert provision.original == "洪水" and provision.parent_title == AWKWARD


def test_indexing_many_entries_at_once_gives_what_saving_each_gave(db):
    make_corpus()
    saved = snapshot()
    assert len(saved[0]) == 8 and len(saved[1]) > 5
    for entry_type in registry:
        key, model = entry_type.key, entry_type.model
        indexing.reindex_queryset(key, model.objects.all(), chunk_size=2)
    assert snapshot() == saved


def gin_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef "
            "LIKE '%%USING gin%%' ORDER BY indexname",
            [backends.TABLE],
        )
        return cursor.fetchall()


def all_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s) "
            "ORDER BY indexname",
            [backends.TABLE, SearchFacet._meta.db_table],
        )
        return cursor.fetchall()


@postgres_only
def test_dropping_the_indexes_puts_them_back_as_they_were(db):
    make_directive(title="Flood shelters", provisions=1)
    before = all_indexes()
    foreign_keys = backends.foreign_keys_of(SearchFacet._meta.db_table)
    assert sorted(name for name, _ in gin_indexes()) == sorted(backends.POSTGRES_INDEXES)
    assert [definition for *_, definition in foreign_keys] == [
        "FOREIGN KEY (document_id) REFERENCES search_searchdocument(id) "
        "DEFERRABLE INITIALLY DEFERRED"
    ]
    with backends.indexes_dropped():
        assert gin_indexes() == []
        assert backends.foreign_keys_of(SearchFacet._meta.db_table) == []
        names = {name for name, _ in all_indexes()}
        assert not names & {"search_document_date_idx", "search_facet_value_idx"}
        make_directive(title="Earthquake drills")
    assert all_indexes() == before
    assert backends.foreign_keys_of(SearchFacet._meta.db_table) == foreign_keys
    titles = SearchDocument.objects.published().matching(parse("drill")).values_list("title")
    assert list(titles) == [("Earthquake drills",)]
    assert SearchDocument.objects.published().matching(parse("shelter")).count() == 1


@postgres_only
def test_a_failed_bulk_write_leaves_the_indexes_in_place(db):
    before = all_indexes()
    with pytest.raises(RuntimeError), backends.indexes_dropped():
        make_directive(title="Never indexed")
        raise RuntimeError("interrupted")
    assert all_indexes() == before
    assert not SearchDocument.objects.filter(title="Never indexed").exists()


@postgres_only
def test_a_facet_without_its_document_fails_the_bulk_write_when_the_key_returns(db):
    document = SearchDocument.objects.get(title=make_directive(title="Floods").title)
    before = all_indexes()
    with pytest.raises(IntegrityError), backends.indexes_dropped():
        SearchFacet.objects.create(document_id=document.pk + 1000, kind="tag", value="x")
    assert all_indexes() == before
    assert not SearchFacet.objects.filter(value="x").exists()


def test_the_rebuild_command_leaves_search_working(db):
    make_corpus()
    before = snapshot()
    indexing.rebuild_index()
    assert snapshot() == before
    found = SearchDocument.objects.published().matching(parse("shelters"))
    assert list(found.values_list("entry_type", "title")) == [("provisions", "Shelters")]


class PausedRebuild:
    """rebuild_index() run in a thread of its own (on its own connection), stopped
    after its first chunk, inside its transaction, until `resume()`."""

    def __init__(self, *, online):
        self.paused, self.resumed, self.errors = threading.Event(), threading.Event(), []
        self.thread = threading.Thread(target=self.rebuild, args=(online,))

    def update(self, count):
        self.paused.set()
        self.resumed.wait(timeout=60)

    def close(self):
        pass

    def rebuild(self, online):
        try:
            indexing.rebuild_index(progress_factory=lambda *args: self, online=online)
        except Exception as error:  # reported by the test
            self.errors.append(error)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.paused.wait(timeout=60)
        return self

    def __exit__(self, *exc_info):
        self.resumed.set()
        self.thread.join(timeout=60)
        assert not self.errors


def shelters_found():
    found = SearchDocument.objects.published().matching(parse("shelters"))
    return list(found.values_list("entry_type", "title"))


@postgres_only
def test_an_online_rebuild_lets_searches_read_the_old_index_until_it_commits(
    transactional_db,
):
    make_corpus()
    before = snapshot()
    with PausedRebuild(online=True), connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
        try:
            assert shelters_found() == [("provisions", "Shelters")]
        finally:
            cursor.execute("RESET lock_timeout")
    assert snapshot() == before
    assert shelters_found() == [("provisions", "Shelters")]


@postgres_only
@pytest.mark.parametrize("online", [True, False])
def test_a_save_during_a_rebuild_waits_for_it_and_is_indexed_after(
    transactional_db, settings, online
):
    settings.SEARCH_COMMON_TERM_DOCUMENTS = 2
    make_corpus()
    directive = Directive.objects.get(provisions__heading="Shelters")
    errors = []

    def rename():
        try:
            directive.title = "Renamed during the rebuild"
            directive.save()
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    saving = threading.Thread(target=rename)
    with PausedRebuild(online=online):
        saving.start()
        saving.join(timeout=1)
        assert saving.is_alive()  # waiting for the rebuild's turn to end
    saving.join(timeout=60)
    assert not errors
    titles = SearchDocument.objects.filter(entry_type="directives", object_id=directive.pk)
    assert list(titles.values_list("title", flat=True)) == ["Renamed during the rebuild"]
    assert SearchDocument.objects.filter(parent_title="Renamed during the rebuild").count() == 2
    # The rebuild counted the common words; the save then took its title out of them.
    assert_counted_as_matched("floods")


@postgres_only
def test_an_offline_rebuild_makes_searches_wait_for_it(transactional_db):
    make_corpus()
    with PausedRebuild(online=False), connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '500ms'")
        try:
            with pytest.raises(OperationalError, match="lock timeout"):
                shelters_found()
        finally:
            cursor.execute("RESET lock_timeout")
    assert shelters_found() == [("provisions", "Shelters")]


@postgres_only
def test_search_vectors_are_kept_in_their_rows_and_long_text_moved_out(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname IN ('search_vector', 'body') ORDER BY attname",
            [SearchDocument._meta.db_table],
        )
        # m: compressed if need be, but in the row; x: moved out first.
        assert cursor.fetchall() == [("body", "x"), ("search_vector", "m")]


def test_each_document_keeps_its_facet_rows_as_keys(db):
    make_corpus()
    for document in SearchDocument.objects.prefetch_related("facets"):
        rows = sorted(f"{facet.kind}:{facet.value}" for facet in document.facets.all())
        assert sorted((document.facet_keys or "").split()) == rows
    assert SearchDocument.objects.filter(facet_keys__contains="theme:").exists()


def test_the_migration_fills_the_keys_of_documents_indexed_before(db):
    make_corpus()
    expected = dict(SearchDocument.objects.values_list("id", "facet_keys"))
    SearchDocument.objects.update(facet_keys=None)
    migration = importlib.import_module("search.migrations.0004_facet_keys")
    with connection.cursor() as cursor:
        migration.fill(None, SimpleNamespace(connection=connection, execute=cursor.execute))
    filled = dict(SearchDocument.objects.values_list("id", "facet_keys"))
    assert {pk: sorted((keys or "").split()) for pk, keys in filled.items()} == {
        pk: sorted((keys or "").split()) for pk, keys in expected.items()
    }
