"""What every kind of entry shares, and the reference tables they all point to:
themes, sources (with their ordered authors), countries and organizations."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import DatabaseError, InterfaceError, connections, models, router, transaction
from django.db.models import ProtectedError, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import Tag

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters a to z, digits and single hyphens only, e.g. “xi-2019-remarks”."),
    code="invalid_slug",
)


MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists, [links](https://…). Shown sanitised.")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DatePrecision(models.TextChoices):
    YEAR = "year", _("Year only")
    MONTH = "month", _("Month and year")
    DAY = "day", _("Exact day")


class DateBasis(models.TextChoices):
    """How a date is known, beside how precisely: what the source states, what emgov
    worked out from what it states ("on Friday" in a report of a known date), or an
    editor's estimate."""

    STATED = "stated", _("Stated by the source")
    INFERRED = "inferred", _("Inferred by emgov from the source")
    ESTIMATED = "estimated", _("Estimated by emgov")


def format_partial_date(value, precision, basis=DateBasis.STATED):
    """Show a date no more precisely than it is known ("2019", "November 2019"), and
    a date the source does not state in square brackets ("[29 Nov. 2019]"; an
    estimate "[c. 2019]"), as catalogues and citation styles mark supplied dates."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        text = str(value.year)
    elif precision == DatePrecision.MONTH:
        text = formats.date_format(value, "YEAR_MONTH_FORMAT")
    else:
        text = formats.date_format(value, "DATE_FORMAT")
    if basis == DateBasis.INFERRED:
        return f"[{text}]"
    if basis == DateBasis.ESTIMATED:
        return f"[c. {text}]"
    return text


class DatedByBasis(models.Model):
    """How an entry's date is known, and why, where emgov supplied it."""

    # Blank in a form (or an import) is read as stated, the default (clean()).
    date_basis = models.CharField(
        _("date basis"),
        max_length=9,
        choices=DateBasis,
        default=DateBasis.STATED,
        blank=True,
        help_text=_("Stated by the source, or inferred or estimated by emgov."),
    )
    date_basis_note = models.CharField(
        _("how the date was worked out"),
        max_length=500,
        blank=True,
        help_text=_("For an inferred or estimated date: from what, and how. Shown publicly."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if not self.date_basis:
            self.date_basis = DateBasis.STATED
        if self.date_basis != DateBasis.STATED and not self.date_basis_note.strip():
            raise ValidationError(
                {"date_basis_note": _("Say how an inferred or estimated date was worked out.")}
            )


def synthetic_is_public():
    """Whether synthetic rows pass the public rule: only where the environment sets
    EMGOV_SYNTHETIC_PUBLIC=1 (a benchmark on a database of its own)."""
    return getattr(settings, "EMGOV_SYNTHETIC_PUBLIC", False)


class PublicQuerySet(models.QuerySet):
    """The one question every public path asks: what may the public see? Each model
    answers it once, in its `published_condition()` (see Publishable)."""

    def published(self, *, assuming=None):
        """The rows the public may see.

        An entry's page lists its links with `assuming` naming the end that is the
        entry itself ("directive" on a directive's page). The public sees that page
        only while the entry is published, so there this is the whole rule; an
        editor's preview of an unpublished entry shows the links that publishing
        it would make public."""
        return self.filter(self.model.published_condition(assuming=assuming))


class ChoiceLabels:
    """get_FOO_display() by looking the value up among the field's choices, where
    Django's hashes every label to build a dict on each call: a lazy label's hash is a
    gettext(), so a card's "Law" or "Signed" cost one translation per choice of its
    field (38 µs for a directive's kind, 4 µs this way). Same answer: the choice's
    label, or the value itself when it is none of them."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        for choice, label in field.flatchoices:
            if choice == value:
                return force_str(label, strings_only=True)
        return force_str(value, strings_only=True)


class Publishable(ChoiceLabels, models.Model):
    """Anything the public may see, with the rule for when it may, written once.

    A row is public when its own status is published (if it has a workflow: see
    Entry) and every row named in `published_with` is public too: a provision with
    its directive, a finding with its source, a link between entries with both of
    its ends. Reference data (themes, countries, organizations) has neither, so all
    of it is public. A row marked synthetic (MayBeSynthetic: benchmark data) is never
    public, unless settings.EMGOV_SYNTHETIC_PUBLIC says so. `published()` asks the
    rule of the database and `is_published` of one row in memory; both are read off
    the same declaration, so they cannot disagree."""

    # Foreign keys to the rows this one is published with.
    published_with = ()

    objects = PublicQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def published_condition(cls, prefix="", *, assuming=None):
        """The rule as a filter on this model's rows, or, with a `prefix` such as
        "agreements__", on rows reached through a relation (for a count or a join).
        `assuming` names one of `published_with` that the caller has already checked."""
        if assuming is not None and assuming not in cls.published_with:
            raise ValueError(f"{cls.__name__} is not published with {assuming!r}.")
        condition = Q()
        if issubclass(cls, MayBeSynthetic) and not synthetic_is_public():
            condition &= Q(**{f"{prefix}is_synthetic": False})
        for name in cls.published_with:
            if name != assuming:
                end = cls._meta.get_field(name).related_model
                condition &= end.published_condition(f"{prefix}{name}__")
        return condition

    @property
    def is_published(self):
        """published_condition(), for this one row."""
        if getattr(self, "is_synthetic", False) and not synthetic_is_public():
            return False
        return all(
            getattr(self, name) is not None and getattr(self, name).is_published
            for name in self.published_with
        )

    @property
    def rests_on_synthetic(self):
        """Whether this row, or a row it is published with, is synthetic: what the
        search index stores, so that it can apply the rule whatever the setting was
        when the row was indexed."""
        return getattr(self, "is_synthetic", False) or any(
            getattr(self, name) is not None and getattr(self, name).rests_on_synthetic
            for name in self.published_with
        )


class MayBeSynthetic(models.Model):
    """A row that benchmark data (bench.synthetic) may have made. The flag is set only
    there, never by an editor, and the public rule (Publishable) hides such rows."""

    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        editable=False,
        help_text=_("Made by make_synthetic for benchmarks; never public data."),
    )

    class Meta:
        abstract = True


# Kept in a name so that services can record one version of an entry by hand, after
# its links and inline rows are saved (see editorial.history.one_version).
entry_history = HistoricalRecords(inherit=True, m2m_fields=["themes"])


class Origin(models.TextChoices):
    """Where an entry came from, as its page says."""

    STARTER = "starter", _("Starter data")
    IMPORT = "import", _("Imported from a file")
    EDITOR = "editor", _("Added by an editor")


class Entry(MayBeSynthetic, Publishable):
    """A curated, citable record: it has a workflow status, themes and tags, a full
    history, and a version number that stops two editors overwriting each other."""

    # Set by load_seed for the starter data; for the rest, the entry's first version
    # in its history tells an import from an editor's work (editorial.origin).
    origin = models.CharField(_("origin"), max_length=8, choices=Origin, blank=True, editable=False)

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text=_("Only published entries are shown outside the admin."),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    themes = models.ManyToManyField(
        "core.Theme", blank=True, related_name="%(class)ss", verbose_name=_("themes")
    )
    tags = TaggableManager(blank=True, verbose_name=_("tags"))
    # Tags are not a plain many-to-many field, so django-simple-history cannot take a
    # snapshot of them; this copy of their names is recorded with every version.
    tag_names = models.CharField(
        _("tags, as recorded"), max_length=2000, blank=True, editable=False
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts saves; a form saved from an older version is refused."),
    )

    history = entry_history

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def has_source(self):
        """Publishing needs at least one source; Source and Finding answer otherwise."""
        return self.sources.exists()

    def has_published_source(self):
        """At least one of its sources is public: the page published would list it.
        A source still in draft would leave the public page citing nothing."""
        return self.sources.published().exists()

    @classmethod
    def published_condition(cls, prefix="", *, assuming=None):
        own = Q(**{f"{prefix}status": Status.PUBLISHED})
        return own & super().published_condition(prefix, assuming=assuming)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED and super().is_published


class PreviousSlug(models.Model):
    """A slug an entry or theme once had, so that its old address answers 301."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("type of entry")
    )
    object_id = models.PositiveBigIntegerField(_("entry id"))
    slug = models.SlugField(_("old slug"), max_length=120)
    replaced_at = models.DateTimeField(_("replaced"), auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at"]
        verbose_name = _("previous slug")
        verbose_name_plural = _("previous slugs")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "slug"], name="previous_slug_unique_per_type"
            ),
        ]

    def __str__(self):
        return self.slug

    @classmethod
    def current(cls, model, slug):
        """The entry of this type that once had this slug, or None."""
        content_type = ContentType.objects.get_for_model(model)
        old = cls.objects.filter(content_type=content_type, slug=slug).first()
        if old is None:
            return None
        return model._default_manager.filter(pk=old.object_id).first()


class RemembersOldSlugs(models.Model):
    """Records the old slug whenever the slug changes (SW's PreviousTagName), so that
    the old address answers 301.

    An old slug of an entry or theme that is or was public may have been cited: it
    stays that entry's address for good, and no other entry of the type can take it.
    A form or an import that tries is told so (validate_unique); a save that gets
    past them (a rename committed meanwhile) is refused inside its transaction, after
    its row is written, where the rename is seen. An old slug of an entry that never
    was public is free: the next entry to take it removes the redirect."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        old_slug = None
        if not self._state.adding:
            saved = type(self)._default_manager.filter(pk=self.pk)
            old_slug = saved.values_list("slug", flat=True).first()
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self))):
            super().save(*args, **kwargs)
            if old_slug == self.slug:
                return
            self._loaded_slug = self.slug
            owner = self.old_slug_owner()
            if owner is not None:
                raise ValidationError({"slug": self.old_slug_message(owner)}, code="old_slug")
            content_type = ContentType.objects.get_for_model(type(self))
            # The slug is current again, or was the address of an entry never public:
            # it no longer redirects.
            PreviousSlug.objects.filter(content_type=content_type, slug=self.slug).delete()
            if old_slug:
                PreviousSlug.objects.update_or_create(
                    content_type=content_type, slug=old_slug, defaults={"object_id": self.pk}
                )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        # A slug as it was read needs no second look (an import checks every row).
        unchanged = not self._state.adding and self.slug == getattr(self, "_loaded_slug", None)
        if unchanged or (exclude and "slug" in exclude):
            return
        owner = self.old_slug_owner()
        if owner is not None:
            raise ValidationError({"slug": self.old_slug_message(owner)})

    def old_slug_owner(self):
        """The other entry (or theme), public now or once, that this slug was the
        address of; or None."""
        if not self.slug:
            return None
        owner_ids = PreviousSlug.objects.filter(
            content_type=ContentType.objects.get_for_model(type(self)), slug=self.slug
        ).values("object_id")
        others = type(self)._default_manager.filter(pk__in=owner_ids)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        return next((owner for owner in others if was_public(owner)), None)

    def old_slug_message(self, owner):
        return _(
            "“%(slug)s” was the address of “%(owner)s”, which has been public: it stays "
            "that %(type)s's address (old links to it still lead there), so it cannot "
            "be used again. Choose another slug."
        ) % {"slug": self.slug, "owner": owner, "type": owner._meta.verbose_name}


def was_public(row):
    """Whether the public can see this row, or once could (a withdrawn or sent-back
    entry keeps its first publication time)."""
    return getattr(row, "published_at", None) is not None or row.is_published


class SluggedEntry(RemembersOldSlugs, Entry):
    """An entry with its own public page, addressed by an editable ASCII slug."""

    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        validators=[slug_validator],
        help_text=_("The last part of the page address. Lower-case a to z, 0 to 9 and hyphens."),
    )

    class Meta:
        abstract = True


class ProtectedWhileLinked(models.Model):
    """Refuses deletion while entries link to it through many-to-many fields.

    on_delete=PROTECT guards foreign keys only; Django silently clears many-to-many
    links, which would strip themes or sources from published entries."""

    class Meta:
        abstract = True

    def linked_entries(self):
        linked = []
        for relation in self._meta.related_objects:
            if relation.many_to_many:
                linked.extend(getattr(self, relation.get_accessor_name()).all()[:20])
        return linked


def refuse_deleting_linked(sender, instance, **kwargs):
    """pre_delete receiver: runs for single and bulk (queryset) deletes alike."""
    linked = instance.linked_entries()
    if linked:
        raise ProtectedError(
            _("“%(object)s” cannot be deleted: %(count)d entries still use it.")
            % {"object": instance, "count": len(linked)},
            set(linked),
        )


class Theme(RemembersOldSlugs, ProtectedWhileLinked, MayBeSynthetic, Publishable):
    """A subject heading. Themes nest; a theme page gathers its sub-themes' entries."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent theme"),
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, validators=[slug_validator])
    description = models.TextField(_("description"), blank=True, help_text=MARKDOWN_HELP)
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Lower numbers come first among siblings.")
    )
    source = models.ForeignKey(
        "core.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
        help_text=_("The document the theme and its description are drawn from."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="theme_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("browse:theme", kwargs={"slug": self.slug})

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError(
                    {"parent": _("A theme cannot sit under itself or one of its sub-themes.")}
                )
            ancestor = ancestor.parent

    @classmethod
    def tree(cls, *fields):
        """Every theme's place in the tree, from one query (with `fields` besides)."""
        return ThemeTree(cls.objects.only("parent", *fields))

    @classmethod
    def subtree_map(cls):
        """{theme id: [its id and every descendant's id]} for all themes, in one query."""
        tree = cls.tree()
        return {theme_id: tree.subtree_ids(theme_id) for theme_id in tree.by_id}

    def descendant_ids(self):
        """This theme's id and those of every theme below it."""
        return self.tree().subtree_ids(self.pk)


class ThemeTree:
    """The themes read once, and where each sits: what a page that walks the tree up
    and down asks, with no query a level."""

    def __init__(self, themes):
        self.by_id = {}
        self.below = {}  # parent id (None for the roots) -> children, in the themes' order
        for theme in themes:
            self.by_id[theme.pk] = theme
            self.below.setdefault(theme.parent_id, []).append(theme)

    def subtree_ids(self, theme_id):
        """The theme's id and those of every theme below it."""
        found = [theme_id]
        for child in self.below.get(theme_id, []):
            found.extend(self.subtree_ids(child.pk))
        return found

    def ancestors(self, theme):
        """The themes above it, from the root down."""
        chain, parent_id = [], theme.parent_id
        while parent_id is not None:
            chain.insert(0, self.by_id[parent_id])
            parent_id = self.by_id[parent_id].parent_id
        return chain

    def children(self, theme):
        return self.below.get(theme.pk, [])


class Country(ProtectedWhileLinked, MayBeSynthetic, Publishable):
    """An ISO 3166-1 country; every one is loaded from pycountry by load_seed."""

    code = models.CharField(
        _("ISO 3166-1 alpha-2 code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. CN."))],
    )
    name = models.CharField(_("name"), max_length=200)
    official_name = models.CharField(_("official name"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    subregion = models.CharField(_("sub-region"), max_length=100, blank=True)
    bri_partner_since = models.DateField(
        _("Belt and Road partner since"),
        null=True,
        blank=True,
        help_text=_("Date of the country's Belt and Road cooperation document, if known."),
    )
    bri_source = models.ForeignKey(
        "core.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source for the partnership date"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=Q(bri_partner_since__isnull=True) | Q(bri_source__isnull=False),
                name="country_partnership_date_has_source",
                violation_error_message=_("A Belt and Road partnership date needs a source."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:country", kwargs={"code": self.code.lower()})


class Organization(ProtectedWhileLinked, MayBeSynthetic, Publishable):
    """An issuing body or a party: a Party organ, a ministry, a UN agency, ..."""

    class Kind(models.TextChoices):
        PARTY = "party", _("Party body")
        GOVERNMENT = "government", _("Government")
        MINISTRY = "ministry", _("Ministry or agency")
        LEGISLATURE = "legislature", _("Legislature")
        INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organization")
        UN = "un", _("UN agency")
        RESEARCH = "research", _("University or research institute")
        NGO = "ngo", _("Non-governmental organization")
        MEDIA = "media", _("News organization")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=300)
    name_original = models.CharField(_("original-language name"), max_length=300, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, validators=[slug_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("country"),
    )
    url = models.URLField(_("website"), blank=True)
    source = models.ForeignKey(
        "core.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
        help_text=_("The document that names the organization."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name


class Source(ProtectedWhileLinked, DatedByBasis, SluggedEntry):
    """A citable document that entries rest on: a report, an article, an official text."""

    class Kind(models.TextChoices):
        NEWS_REPORT = "news_report", _("News report")
        JOURNAL_ARTICLE = "journal_article", _("Journal article")
        OFFICIAL_TEXT = "official_text", _("Official text")
        SPEECH_RECORD = "speech_record", _("Speech record")
        REPORT = "report", _("Report")
        BOOK = "book", _("Book")
        WEB_PAGE = "web_page", _("Web page")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=500)
    title_original = models.CharField(_("original-language title"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    outlet = models.CharField(
        _("outlet or journal"),
        max_length=300,
        blank=True,
        help_text=_("The newspaper, broadcaster, journal or website it appeared in."),
    )
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    institution = models.CharField(_("authors' institution"), max_length=300, blank=True)
    volume = models.CharField(_("volume"), max_length=40, blank=True)
    issue = models.CharField(_("issue"), max_length=40, blank=True)
    pages = models.CharField(_("pages"), max_length=40, blank=True)
    published_on = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("Its publication date, if the source gives it; blank if unknown."),
    )
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
    )
    updated_on = models.DateField(
        _("updated"),
        null=True,
        blank=True,
        help_text=_(
            "The date the source says it was last updated (“Updated 00:32, 01-Dec-2019”), "
            "kept apart from its publication date."
        ),
    )
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    archived_url = models.URLField(_("archived URL"), max_length=1000, blank=True)
    accessed_on = models.DateField(_("accessed on"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("A language tag: en, zh-Hans, ..."),
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=200,
        blank=True,
        help_text=_("DOI, ISBN, CNKI id, ..."),
    )
    abstract = models.TextField(_("abstract"), blank=True, help_text=MARKDOWN_HELP)
    note = models.TextField(
        _("editor's note"),
        blank=True,
        help_text=_(
            "Shown publicly: provenance, what is unknown, corrections. Markdown, shown sanitised."
        ),
    )

    class Meta:
        ordering = ["-published_on", "title"]
        get_latest_by = "published_on"
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [
            # The lists' whole order (see Directive's directive_list_order_idx).
            models.Index(
                fields=["status", "-published_on", "title", "id"], name="source_list_order_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("browse:source", kwargs={"slug": self.slug})

    def has_source(self):
        return True  # a source is its own source

    def has_published_source(self):
        return True

    @property
    def display_date(self):
        return format_partial_date(self.published_on, self.date_precision, self.date_basis)

    @property
    def display_updated(self):
        return format_partial_date(self.updated_on, DatePrecision.DAY)

    @property
    def short_reference(self):
        """'CGTN, “Xi stresses …”': how a page names it in a sentence."""
        title = f"\u201c{self.title}\u201d"
        return f"{self.outlet}, {title}" if self.outlet else title

    @property
    def year(self):
        return self.published_on.year if self.published_on else None


class SourceAuthor(models.Model):
    """One author of a source, in order. A person has family and given names;
    an institution as author has only a literal name."""

    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        related_name="authors",
        verbose_name=_("source"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    literal_name = models.CharField(
        _("institutional author"),
        max_length=300,
        blank=True,
        help_text=_("For an organization as author; leave the person's names blank."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "position"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "position"],
                name="source_author_unique_position",
                violation_error_message=_("Two authors of this source have the same position."),
            ),
            models.CheckConstraint(
                condition=~Q(family_name="") | ~Q(literal_name=""),
                name="source_author_has_name",
                violation_error_message=_("Give a family name, or an institutional author."),
            ),
        ]

    def __str__(self):
        if self.literal_name:
            return self.literal_name
        return f"{self.given_name} {self.family_name}".strip()


class StatusChange(models.Model):
    """One step of the editorial workflow: who moved which entry where, when, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    entry = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("from"), max_length=16, choices=Status)
    to_status = models.CharField(_("to"), max_length=16, choices=Status)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    # The editor's reason for a published change, shown on the public page; the
    # comment is the reviewer's word to the editor and stays in the admin.
    public_reason = models.TextField(_("reason shown to the public"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        get_latest_by = "at"
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="status_change_entry_idx"),
        ]
        # Shared by every kind of entry: reviewing is a role, not a per-model right.
        permissions = [
            ("review_entry", _("Can publish, send back and withdraw entries")),
            ("import_entries", _("Can import entries in bulk")),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class LinkCheck(models.Model):
    """The last answer a source's URL gave to `manage.py check_links`."""

    url = models.URLField(_("URL"), max_length=1000, unique=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    final_url = models.URLField(_("final URL"), max_length=2000, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("last checked"))

    class Meta:
        ordering = ["url"]
        get_latest_by = "checked_at"
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")

    def __str__(self):
        return f"{self.url}: {self.status_code or self.error}"

    @property
    def is_broken(self):
        return self.status_code is None or self.status_code >= 400


# Tags are reference data like themes (editorial.admin_reference): their changes are
# recorded with who and why, in core.HistoricalTag.
register_history(Tag, app="core")


def _health_check_due(connection):
    """Whether Django would first spend a round trip on checking that the connection it
    kept from an earlier request still works (CONN_HEALTH_CHECKS), which a page served
    from the cache, one small read, can make its own read do instead."""
    return (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )


class StateTokenManager(models.Manager):
    # What token() answers before the row exists.
    before_first = "none"

    def token(self):
        """The current state, to file what was made from it under.

        Plain SQL, because every page served from the cache asks first: the ORM's
        building of the query cost more than the query itself. On the connection the
        ORM would read from (the replica's routing applies), in the form the database
        keeps the value (hex on SQLite, a UUID on PostgreSQL): a token is only ever
        compared with another read here."""
        connection = connections[self.db]
        quote, meta = connection.ops.quote_name, self.model._meta
        token, table, pk = (
            quote(meta.get_field("token").column),
            quote(meta.db_table),
            quote(meta.pk.column),
        )
        sql = f"SELECT {token} FROM {table} ORDER BY {pk} LIMIT 1"  # noqa: S608 (the model's names)
        if _health_check_due(connection):
            # This read is the check: on a reused connection that has died it fails, and
            # the connection is closed and opened afresh, as the check would have done.
            connection.health_check_done = True
            try:
                return self._read(connection, sql)
            except (InterfaceError, DatabaseError):  # closed, or lost on the way
                connection.close()
        return self._read(connection, sql)

    def _read(self, connection, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        return str(row[0]) if row else self.before_first

    def changed(self):
        if not self.update(token=uuid.uuid4()):
            self.create()


class StateToken(models.Model):
    """One row whose token changes whenever what it stands for changes, so that what is
    cached under a token never outlives the data it was made from, whichever process
    or app server made it. A random token rather than a counter: a restored backup or
    a rolled-back transaction never brings back a number that other data was cached
    under."""

    token = models.UUIDField(_("token"), default=uuid.uuid4)

    objects = StateTokenManager()

    class Meta:
        abstract = True

    def __str__(self):
        return str(self.token)


class PublicState(StateToken):
    """Changes after every committed write that the public could see (core.
    public_state): cached public pages and built exports are filed under it."""

    class Meta:
        verbose_name = _("public state")
        verbose_name_plural = _("public state")
