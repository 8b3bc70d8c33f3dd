"""Policy directives and their numbered provisions."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from core.indexes import OrderIndex
from core.models import (
    MARKDOWN_HELP,
    DatedByBasis,
    DatePrecision,
    Publishable,
    SluggedEntry,
    format_partial_date,
)


class Directive(DatedByBasis, SluggedEntry):
    """A policy document or a leader's instruction, made of numbered provisions."""

    class Points(models.TextChoices):
        """What its numbered provisions are: the text's own, or emgov's reading."""

        OFFICIAL = "official", _("Numbered as in the official text")
        DIVISION = "division", _("emgov's division of the source, paraphrased")

    class Kind(models.TextChoices):
        SPEECH = "speech", _("Speech or remarks")
        LAW = "law", _("Law")
        REGULATION = "regulation", _("Regulation")
        PLAN = "plan", _("Plan")
        OPINION = "opinion", _("Opinion")
        NOTICE = "notice", _("Notice")
        DECISION = "decision", _("Decision")
        GUIDELINE = "guideline", _("Guideline")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=500)
    title_original = models.CharField(_("original-language title"), max_length=500, blank=True)
    original_language = models.CharField(
        _("original language"),
        max_length=16,
        blank=True,
        help_text=_(
            "Language tag of the original text, e.g. zh-Hans, as its source states it; "
            "blank if the source does not say."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    issuing_body = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directives",
        verbose_name=_("issuing body"),
    )
    speaker = models.CharField(
        _("speaker"),
        max_length=200,
        blank=True,
        help_text=_("For speeches and remarks."),
    )
    speaker_family_name = models.CharField(
        _("speaker's family name"),
        max_length=120,
        blank=True,
        help_text=_("As the source uses it (“Xi” for Xi Jinping): how citations order the name."),
    )
    speaker_role = models.CharField(_("speaker's office"), max_length=300, blank=True)
    occasion = models.CharField(_("occasion"), max_length=500, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    points_are = models.CharField(
        _("its points are"),
        max_length=8,
        choices=Points,
        blank=True,
        help_text=_("Whether the numbered provisions are the text's own, or emgov's division."),
    )
    summary = models.TextField(_("summary"), blank=True, help_text=MARKDOWN_HELP)
    summary_original = models.TextField(
        _("original-language summary"), blank=True, help_text=MARKDOWN_HELP
    )
    sources = models.ManyToManyField(
        "core.Source", blank=True, related_name="directives", verbose_name=_("sources")
    )
    related = models.ManyToManyField(
        "self",
        through="DirectiveRelation",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("related directives"),
    )

    _history_m2m_fields = ["sources"]

    class Meta:
        ordering = ["-date", "title"]
        get_latest_by = "date"
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        indexes = [
            # The lists' whole order, as the theme, tag and country pages read it a page
            # at a time: with only its first keys, a planner with statistics (SQLite after
            # ANALYZE) scanned and sorted every directive to show ten.
            models.Index(
                fields=["status", "-date", "title", "id"], name="directive_list_order_idx"
            ),
            models.Index(fields=["kind"], name="directive_kind_idx"),
            # The newest first, as the home page lists them (core.registry.latest_published).
            OrderIndex(
                F("status"),
                F("published_at").desc(nulls_last=True),
                F("updated_at").desc(),
                F("id").desc(),
                name="directive_latest_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("policies:directive", kwargs={"slug": self.slug})

    @property
    def display_date(self):
        return format_partial_date(self.date, self.date_precision, self.date_basis)


class DirectiveRelation(Publishable):
    """A typed link from one directive to another: A amends / supersedes / ... B.
    Public when both directives are."""

    published_with = ("from_directive", "to_directive")

    class Kind(models.TextChoices):
        AMENDS = "amends", _("amends")
        SUPERSEDES = "supersedes", _("supersedes")
        IMPLEMENTS = "implements", _("implements")
        CITES = "cites", _("cites")

    from_directive = models.ForeignKey(
        Directive,
        on_delete=models.CASCADE,
        related_name="outgoing_relations",
        verbose_name=_("directive"),
    )
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    to_directive = models.ForeignKey(
        Directive,
        on_delete=models.PROTECT,
        related_name="incoming_relations",
        verbose_name=_("related directive"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_directive", "kind"]
        verbose_name = _("relation to another directive")
        verbose_name_plural = _("relations to other directives")
        constraints = [
            models.UniqueConstraint(
                fields=["from_directive", "kind", "to_directive"],
                name="directive_relation_unique",
                violation_error_message=_("This relation is already recorded."),
            ),
            models.CheckConstraint(
                condition=~Q(from_directive=models.F("to_directive")),
                name="directive_relation_not_to_itself",
                violation_error_message=_("A directive cannot be related to itself."),
            ),
        ]

    def __str__(self):
        return f"{self.from_directive} {self.get_kind_display()} {self.to_directive}"


class Provision(Publishable):
    """A numbered point of a directive, citable on its own at /directives/<slug>/p<N>/."""

    # A provision has no workflow of its own: it is public exactly when its directive is.
    published_with = ("directive",)

    directive = models.ForeignKey(
        Directive,
        on_delete=models.CASCADE,
        related_name="provisions",
        verbose_name=_("directive"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    heading_original = models.CharField(_("original-language heading"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    text_original = models.TextField(_("original-language text"), blank=True)
    # Where in its directive's source the point is read: the pinpoint a reader checks.
    source_locator = models.CharField(
        _("place in the source"),
        max_length=100,
        blank=True,
        help_text=_(
            "Where the source says this, e.g. “para. 4” (paragraphs counted from the "
            "first of the text, after its headline and date line). Blank if unknown."
        ),
    )
    themes = models.ManyToManyField(
        "core.Theme", blank=True, related_name="provisions", verbose_name=_("themes")
    )
    tags = TaggableManager(blank=True, verbose_name=_("tags"))
    # As on entries: a copy of the tags that the provision's history records.
    tag_names = models.CharField(
        _("tags, as recorded"), max_length=2000, blank=True, editable=False
    )

    history = HistoricalRecords(m2m_fields=["themes"])

    class Meta:
        ordering = ["directive", "number"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "number"],
                name="provision_unique_number_per_directive",
                violation_error_message=_(
                    "This directive already has a provision with that number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="provision_number_positive",
                violation_error_message=_("Provision numbers start at 1."),
            ),
        ]

    def __str__(self):
        label = f"{self.directive.title}, point {self.number}"
        return f"{label}: {self.heading}" if self.heading else label

    def get_absolute_url(self):
        return self.address_under(self.directive.get_absolute_url())

    def address_under(self, directive_url):
        """This provision's address, given its directive's: the "policies:provision"
        route is the directive's page followed by the label."""
        return f"{directive_url}{self.label}/"

    @property
    def label(self):
        """The stable anchor and URL segment, as in eRegulations: p3."""
        return f"p{self.number}"

    # Its directive's workflow, for the pages that tell a withdrawn entry from a draft.
    @property
    def status(self):
        return self.directive.status

    @property
    def published_at(self):
        return self.directive.published_at
