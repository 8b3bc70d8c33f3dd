"""Keeping the search index current: one function turns an entry into its document,
and the services below write it. Signals (search/signals.py) call them on every save,
delete and change of linked themes, tags, countries or party organizations; `manage.py
rebuild_search_index` rebuilds everything after bulk changes that bypass signals
(queryset.update(), raw SQL, loaddata)."""

import contextlib
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from taggit.models import TaggedItem

from core.models import Theme
from core.registry import registry, with_related
from core.text import clean_text
from search import backends, common_terms
from search.models import IndexState, SearchDocument, SearchFacet


@dataclass
class Links:
    """An entry's many-to-many links, read for many entries at once (links_for)."""

    themes: list = field(default_factory=list)  # theme ids
    tags: list = field(default_factory=list)  # (name, slug)
    countries: list = field(default_factory=list)  # (code, name)
    organizations: list = field(default_factory=list)  # names

    @property
    def tag_names(self):
        return [name for name, _ in self.tags]

    @property
    def country_names(self):
        return [name for _, name in self.countries]


def key_for(model):
    entry_type = registry.for_model(model)
    return entry_type.key if entry_type else None


def linked_fields(key, related_label):
    """The many-to-many fields of this type's model that point to `related_label`:
    read off the model, so a field added later is indexed without a table to update."""
    return [
        field.name
        for field in registry[key].model._meta.many_to_many
        if field.related_model._meta.label == related_label
    ]


def indexable_queryset(key):
    entry_type = registry[key]
    return with_related(
        entry_type.model.objects.all(), entry_type.search_select_related
    ).prefetch_related(*entry_type.search_prefetch_related)


def through_rows(model, field_name, ids, *values):
    """(entry id, *values) for the many-to-many `field_name` of entries `ids`."""
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source = field.m2m_field_name()
    return through.objects.filter(**{f"{source}__in": ids}).values_list(f"{source}_id", *values)


def links_for(key, ids):
    """{entry id: Links} for many entries in one query per kind of link, where
    prefetch_related would cost a queryset per entry (taggit's above all)."""
    model = registry[key].model
    links = {pk: Links() for pk in ids}
    for pk, theme_id in through_rows(model, "themes", ids, "theme_id"):
        links[pk].themes.append(theme_id)
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids
    ).values_list("object_id", "tag__name", "tag__slug")
    for pk, name, slug in tagged:
        links[pk].tags.append((name, slug))
    for field_name in linked_fields(key, "core.Country"):
        rows = through_rows(model, field_name, ids, "country__code", "country__name")
        for pk, code, name in rows:
            links[pk].countries.append((code, name))
    for field_name in linked_fields(key, "core.Organization"):
        for pk, name in through_rows(model, field_name, ids, "organization__name"):
            links[pk].organizations.append(name)
    return links


def theme_ancestry():
    """{theme id: [its ancestors' ids]}, from one query."""
    parents = dict(Theme.objects.values_list("id", "parent_id"))
    ancestry = {}
    for theme_id in parents:
        chain, parent = [], parents[theme_id]
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = parents.get(parent)
        ancestry[theme_id] = chain
    return ancestry


def facets_of(links, ancestry):
    """{(kind, value): direct?}, in the same order however the links were read."""
    facets, themes = {}, sorted(links.themes)
    for theme_id in themes:
        facets[(SearchFacet.Kind.THEME, str(theme_id))] = True
    for theme_id in themes:
        for ancestor in ancestry.get(theme_id, ()):
            facets.setdefault((SearchFacet.Kind.THEME, str(ancestor)), False)
    for code, _ in links.countries:
        facets[(SearchFacet.Kind.COUNTRY, code.lower())] = True
    for _, slug in links.tags:
        facets[(SearchFacet.Kind.TAG, slug)] = True
    return facets


# The document's text fields, and the length each is cut to (None: not cut).
TEXT_FIELDS = {
    name: SearchDocument._meta.get_field(name).max_length
    for name in ("title", "parent_title", "keywords", "body", "original")
}


def document_fields(key, entry, links, ancestry):
    """The values of an entry's SearchDocument, by field name; a field left out keeps
    its default. Every text field is cleaned here, whatever its type's builder did, so
    that no text enters the index with a control character or a highlight marker."""
    fields = registry[key].search_document(entry, links)
    fields["is_published"] = entry.is_published
    fields["is_synthetic"] = entry.rests_on_synthetic
    fields.setdefault("parent_title", "")
    for name, length in TEXT_FIELDS.items():
        if name in fields:
            fields[name] = clean_text(fields[name])[:length]
    fields["year"] = fields["date"].year if fields.get("date") else None
    facets = facets_of(links, ancestry)
    fields["facet_keys"] = " ".join(f"{kind}:{value}" for kind, value in facets) or None
    if "url" not in fields:
        fields["url"] = entry.get_absolute_url()
    return {"entry_type": key, "object_id": entry.pk, **fields}


def document_for(key, entry, links, ancestry):
    return SearchDocument(**document_fields(key, entry, links, ancestry))


def create_documents(key, entries, links, ancestry):
    """Write documents and facets with bulk_create (SQLite, and any database but
    PostgreSQL)."""
    documents = SearchDocument.objects.bulk_create(
        [document_for(key, entry, links[entry.pk], ancestry) for entry in entries]
    )
    SearchFacet.objects.bulk_create(
        SearchFacet(document=document, kind=kind, value=value, direct=direct)
        for document in documents
        for (kind, value), direct in facets_of(links[document.object_id], ancestry).items()
    )


def copy_documents(key, entries, links, ancestry, count=None):
    """Write documents and facets with PostgreSQL's COPY: many times less Python than
    bulk_create, and each document is made while the server computes the tsvectors of
    the ones before (backends.CsvRows), on the second core. So a builder must not
    query the database (the connection is busy with the COPY): all it reads comes
    with the entries (SELECT_RELATED, PREFETCH_RELATED) or from links_for. `entries`
    is a list, or an iterator of `count` entries read as the rows are sent."""
    table = SearchDocument._meta.db_table
    fields = [field for field in SearchDocument._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    # Ids from the table's sequence, so the facets need not read the documents back.
    new_ids = iter(backends.next_ids(table, len(entries) if count is None else count))
    document_ids = {}

    def row(entry):
        document_ids[entry.pk] = document_id = next(new_ids)
        values = document_fields(key, entry, links[entry.pk], ancestry)
        return [document_id, *(values.get(name, value) for name, value in defaults.items())]

    backends.copy_rows(
        table,
        ["id", *(field.column for field in fields)],
        map(row, entries),
        not_null=[field.column for field in fields if not field.null],
    )
    columns = ("document_id", "kind", "value", "direct")
    backends.copy_rows(
        SearchFacet._meta.db_table,
        columns,
        (
            (document_id, kind, value, direct)
            for object_id, document_id in document_ids.items()
            for (kind, value), direct in facets_of(links[object_id], ancestry).items()
        ),
        not_null=columns,
    )


def write_documents(key, entries, links, ancestry, count=None):
    """Write the documents of entries that have none (any old ones deleted first), their
    links given, after the caller has taken its turn (IndexState.objects.changed).
    `entries` may be an iterator of `count` entries: on PostgreSQL, COPY reads it while
    the server writes the rows sent before, so a bulk load that makes its entries
    itself (the synthetic corpus) indexes them as it makes them."""
    if connection.vendor == "postgresql":
        copy_documents(key, entries, links, ancestry, count)
    else:
        create_documents(key, entries, links, ancestry)


@transaction.atomic
def index_entries(key, entries, ancestry=None, *, replace=True):
    """(Re)write the documents of these entries, replacing what was there; a bulk
    load that knows there is nothing to replace says `replace=False`."""
    entries = list(entries)
    if not entries:
        return 0
    ancestry = theme_ancestry() if ancestry is None else ancestry
    ids = [entry.pk for entry in entries]
    IndexState.objects.changed()
    if replace:
        SearchDocument.objects.filter(entry_type=key, object_id__in=ids).delete()
    write_documents(key, entries, links_for(key, ids), ancestry)
    return len(entries)


def indexable_chunks(key, ids, chunk_size=None):
    """The entries of these ids, with all that indexing reads, a list per chunk. SQLite
    gets smaller chunks: Django 5.2 prefetches their parents with one OR per parent,
    and SQLite refuses a query 1,000 ORs deep."""
    size = chunk_size or (5000 if connection.vendor == "postgresql" else 500)
    for start in range(0, len(ids), size):
        yield list(indexable_queryset(key).filter(pk__in=ids[start : start + size]))


def index_ids(model, ids):
    """Bring the documents of these entries up to date, a chunk at a time: written
    again for those that exist, removed for those that no longer do."""
    key, ids = key_for(model), list(ids)
    found = set()
    for entries in indexable_chunks(key, ids):
        index_entries(key, entries)
        found.update(entry.pk for entry in entries)
    gone = set(ids) - found
    if gone:
        with transaction.atomic():
            IndexState.objects.changed()
            SearchDocument.objects.filter(entry_type=key, object_id__in=gone).delete()


def reindex_queryset(key, queryset, chunk_size=None, progress=None, *, replace=True):
    """Index every entry of a queryset of one type, a chunk at a time."""
    ancestry = theme_ancestry()
    ids = list(queryset.values_list("pk", flat=True))
    total = 0
    for entries in indexable_chunks(key, ids, chunk_size):
        total += index_entries(key, entries, ancestry, replace=replace)
        if progress:
            progress(len(entries))
    return total


def reindex_documents(documents):
    """Index again the entries behind some documents (after a theme moved)."""
    by_type = {}
    for key, object_id in documents.values_list("entry_type", "object_id"):
        by_type.setdefault(key, []).append(object_id)
    for key, ids in by_type.items():
        reindex_queryset(key, registry[key].model.objects.filter(pk__in=ids))


def rebuild_index(progress_factory=None, *, online=True):
    """Empty the index and build it again from every entry, in one transaction; returns
    counts by type. Searches go on reading the old index until the new one is
    committed. Not `online`, PostgreSQL's indexes are dropped and built once at the end
    instead (backends.indexes_dropped), which locks the tables: searches wait until
    it is done, which on the benchmark corpus was sometimes faster, sometimes not.
    The common words are chosen and counted again at the end (common_terms)."""
    counts = {}
    with transaction.atomic():
        IndexState.objects.changed()  # first, before the tables are locked
        with (
            common_terms.recounted(),
            contextlib.nullcontext() if online else backends.indexes_dropped(),
        ):
            SearchFacet.objects.all().delete()
            SearchDocument.objects.all().delete()
            for entry_type in registry.all():
                queryset = entry_type.model.objects.order_by("pk")
                progress = progress_factory and progress_factory(entry_type, queryset.count())
                counts[entry_type.key] = reindex_queryset(
                    entry_type.key, queryset, progress=progress and progress.update, replace=False
                )
                if progress:
                    progress.close()
    return counts


@transaction.atomic
def recount_common_terms():
    """Choose the common words again and count them (common_terms), in the index
    writers' turn, so that no save adds to counts being made."""
    IndexState.objects.changed()
    common_terms.recount()
