"""The search index: one denormalised row per entry, so that search, facet counts and
the timeline read one table in a fixed number of queries, whatever the entry type.

Each database adds its own full-text machinery in a migration (search/migrations/0002):
PostgreSQL a generated, weighted tsvector column with GIN and trigram indexes; SQLite
an FTS5 table kept in sync by triggers. Neither appears as a model field, because the
other database has no such column type."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import public_state
from core.models import DatePrecision, StateToken, StateTokenManager, format_partial_date
from core.registry import registry
from search.querysets import Match, SearchDocumentQuerySet, TermCountQuerySet


class SearchDocument(models.Model):
    entry_type = models.CharField(_("type"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("entry id"))
    is_published = models.BooleanField(_("published"), default=False)
    # Kept apart from is_published, so that the public rule for synthetic rows is
    # applied when the index is read (SearchDocumentQuerySet.published).
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    # Weighted for ranking: title (A) above keywords (B: headings, names, tags) above
    # body (C). The original-language text is matched by substring and trigrams.
    title = models.CharField(_("title"), max_length=500)
    keywords = models.TextField(_("keywords"), blank=True)
    body = models.TextField(_("body"), blank=True)
    original = models.TextField(_("original-language text"), blank=True)
    original_language = models.CharField(_("original language"), max_length=16, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    # The parent a result is read within: a provision's directive, a finding's source.
    parent_title = models.CharField(_("parent title"), max_length=500, blank=True)
    parent_url = models.CharField(_("parent address"), max_length=300, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices, default="day"
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    url = models.CharField(_("address"), max_length=300)
    # The facet rows again, as space-separated "kind:value" words, so that PostgreSQL
    # counts a search's facets from the rows it has already read, without a join whose
    # plan can turn into hashing every facet row (search.services). Null for none: a
    # NOT NULL column added to SQLite rebuilds the table, which drops the FTS triggers.
    facet_keys = models.TextField(_("facet keys"), null=True, editable=False)  # noqa: DJ001

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["entry_type", "object_id"], name="search_document_unique_entry"
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "-date"], name="search_document_date_idx"),
            models.Index(
                fields=["is_published", "entry_type", "year"], name="search_document_type_idx"
            ),
        ]

    def __str__(self):
        return f"{self.entry_type} {self.object_id}: {self.title}"

    def get_entry_type_label(self):
        entry_type = registry.get(self.entry_type)
        return entry_type.label if entry_type else self.entry_type

    @property
    def display_date(self):
        return format_partial_date(self.date, self.date_precision)


class SearchFacet(models.Model):
    """One facet value of a document: a theme (and, so that a theme counts its
    sub-themes, each of that theme's ancestors), a country (an agreement's party, a
    mechanism's member) or a tag."""

    class Kind(models.TextChoices):
        THEME = "theme", _("Theme")
        COUNTRY = "country", _("Country")
        TAG = "tag", _("Tag")

    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="facets", verbose_name=_("document")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=120)
    direct = models.BooleanField(
        _("direct"), default=True, help_text=_("False for a theme's ancestors.")
    )

    class Meta:
        ordering = ["document", "kind", "value"]
        verbose_name = _("search facet")
        verbose_name_plural = _("search facets")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "value"], name="search_facet_unique_value"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "value", "document"], name="search_facet_value_idx"),
        ]

    def __str__(self):
        return f"{self.kind}={self.value}"


class FullTextRow(models.Model):
    """SQLite: a row of the FTS5 table (search_fts, migration 0002), through the view
    search_fts_rows (migration 0009), joined to its document so that a search matches
    and ranks in one scan of the full-text index (SearchDocumentQuerySet.matching and
    ranked) rather than asking FTS5 again for each match. Unmanaged: the migrations
    write its SQL out, and only SQLite has it."""

    document = models.OneToOneField(
        SearchDocument,
        on_delete=models.DO_NOTHING,  # the triggers of migration 0002 delete the row
        primary_key=True,
        db_column="document_id",
        db_constraint=False,
        related_name="full_text",
        verbose_name=_("document"),
    )
    # FTS5's hidden column named after its table: the left side of MATCH, and the
    # first argument of bm25().
    index = models.TextField(_("full-text index"), db_column="search_fts", editable=False)

    class Meta:
        managed = False
        db_table = "search_fts_rows"
        required_db_vendor = "sqlite"
        verbose_name = _("full-text row")
        verbose_name_plural = _("full-text rows")

    def __str__(self):
        return str(self.pk)


FullTextRow._meta.get_field("index").register_lookup(Match)


class TermCount(models.Model):
    """How many published documents contain a common word: a lexeme (a stemmed word, as
    the search vectors hold it) found in at least settings.SEARCH_COMMON_TERM_DOCUMENTS
    documents. One row per key: "" for all of them, "type:<type>:<year>" by type and
    year, and each facet key ("theme:12") by facet value. A one-word search for such a
    word is counted from its rows rather than from the thousands of rows it matches.

    PostgreSQL only (search/common_terms.py): triggers keep the counts of the words
    counted current on every write to the documents, and a rebuild of the index
    chooses the words again. Elsewhere the table stays empty."""

    lexeme = models.TextField(_("lexeme"))
    key = models.CharField(_("key"), max_length=200, blank=True)
    documents = models.IntegerField(_("documents"))

    objects = TermCountQuerySet.as_manager()

    class Meta:
        ordering = ["lexeme", "key"]
        verbose_name = _("term count")
        verbose_name_plural = _("term counts")
        constraints = [
            models.UniqueConstraint(fields=["lexeme", "key"], name="search_termcount_unique_key"),
        ]

    def __str__(self):
        return f"{self.lexeme} {self.key or 'all'}: {self.documents}"


class IndexStateManager(StateTokenManager):
    before_first = "unindexed"

    def changed(self):
        """Called by every write to the index, inside the writing transaction and before
        it reads or writes any document, so that the new token and the new documents
        become visible together, and so that writers take turns: the row stays locked
        until the transaction ends, and a save made during a rebuild waits for it,
        then reads what it committed, rather than writing a second document beside
        the rebuild's. Taken first, before any table lock, so two writers can never
        hold one lock each and wait for the other's. What search pages show changes
        with it, so the public state does too (once this transaction commits)."""
        super().changed()
        public_state.changed(self.db)


class IndexState(StateToken):
    """Changes with every write to the index: cached search results (search.services)
    are filed under it."""

    objects = IndexStateManager()

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index state")
