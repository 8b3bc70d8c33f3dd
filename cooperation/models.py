"""Belt and Road cooperation: standing mechanisms and the agreements made under them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.indexes import OrderIndex
from core.models import (
    MARKDOWN_HELP,
    DatedByBasis,
    DatePrecision,
    Publishable,
    SluggedEntry,
    format_partial_date,
)


class Mechanism(DatedByBasis, SluggedEntry):
    """A cooperation framework with member countries and organizations, as its sources
    attest it: a standing body, or only a name."""

    class Attested(models.TextChoices):
        KEY_WORD = "key_word", _("only as a key word")
        NAMED = "named", _("only by name, without details")

    name = models.CharField(_("name"), max_length=500)
    attested_as = models.CharField(
        _("attested as"),
        max_length=8,
        choices=Attested,
        blank=True,
        help_text=_("Blank when the sources describe it; otherwise how little they say."),
    )
    name_original = models.CharField(_("original-language name"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=MARKDOWN_HELP)
    established_on = models.DateField(_("established"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    member_countries = models.ManyToManyField(
        "core.Country",
        blank=True,
        related_name="mechanisms",
        verbose_name=_("member countries"),
    )
    member_organizations = models.ManyToManyField(
        "core.Organization",
        blank=True,
        related_name="mechanisms",
        verbose_name=_("member organizations"),
    )
    url = models.URLField(_("website"), max_length=1000, blank=True)
    sources = models.ManyToManyField(
        "core.Source", blank=True, related_name="mechanisms", verbose_name=_("sources")
    )

    _history_m2m_fields = ["member_countries", "member_organizations", "sources"]

    class Meta:
        ordering = ["name"]
        get_latest_by = "established_on"
        verbose_name = _("cooperation mechanism")
        verbose_name_plural = _("cooperation mechanisms")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperation:mechanism", kwargs={"slug": self.slug})

    @property
    def display_date(self):
        return format_partial_date(self.established_on, self.date_precision, self.date_basis)


class Agreement(DatedByBasis, SluggedEntry):
    """An MoU, agreement, joint statement or action plan between parties."""

    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        AGREEMENT = "agreement", _("Agreement")
        JOINT_STATEMENT = "joint_statement", _("Joint statement")
        ACTION_PLAN = "action_plan", _("Action plan")
        DECLARATION = "declaration", _("Declaration")
        OTHER = "other", _("Other")

    class AgreementStatus(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    title = models.CharField(_("title"), max_length=500)
    title_original = models.CharField(_("original-language title"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    agreement_status = models.CharField(
        _("legal status"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.SIGNED,
    )
    party_countries = models.ManyToManyField(
        "core.Country",
        blank=True,
        related_name="agreements",
        verbose_name=_("party countries"),
    )
    party_organizations = models.ManyToManyField(
        "core.Organization",
        blank=True,
        related_name="agreements",
        verbose_name=_("party organizations"),
    )
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    in_force_on = models.DateField(_("in force from"), null=True, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    mechanism = models.ForeignKey(
        Mechanism,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("mechanism"),
    )
    summary = models.TextField(_("summary"), blank=True, help_text=MARKDOWN_HELP)
    url = models.URLField(_("text online"), max_length=1000, blank=True)
    sources = models.ManyToManyField(
        "core.Source", blank=True, related_name="agreements", verbose_name=_("sources")
    )

    _history_m2m_fields = ["party_countries", "party_organizations", "sources"]

    class Meta:
        ordering = ["-signed_on", "title"]
        get_latest_by = "signed_on"
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [
            # The lists' whole order (see Directive's directive_list_order_idx).
            models.Index(
                fields=["status", "-signed_on", "title", "id"], name="agreement_list_order_idx"
            ),
            models.Index(fields=["agreement_status"], name="agreement_legal_status_idx"),
            # The newest first, as the home page lists them (core.registry.latest_published).
            OrderIndex(
                F("status"),
                F("published_at").desc(nulls_last=True),
                F("updated_at").desc(),
                F("id").desc(),
                name="agreement_latest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True)
                | Q(in_force_on__isnull=True)
                | Q(in_force_on__gte=models.F("signed_on")),
                name="agreement_in_force_not_before_signed",
                violation_error_message=_("It cannot enter into force before it is signed."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | (
                    (Q(in_force_on__isnull=True) | Q(expires_on__gte=models.F("in_force_on")))
                    & (Q(signed_on__isnull=True) | Q(expires_on__gte=models.F("signed_on")))
                ),
                name="agreement_expiry_not_before_start",
                violation_error_message=_(
                    "The expiry date cannot come before the signing or entry-into-force date."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cooperation:agreement", kwargs={"slug": self.slug})

    @property
    def display_date(self):
        """Its signing date, bracketed when emgov inferred or estimated it."""
        return format_partial_date(self.signed_on, DatePrecision.DAY, self.date_basis)


class AgreementLink(Publishable):
    """An agreement's answer to a directive or to one of its provisions, with a note."""

    # Public when both ends are: the agreement, and the directive, which save() fills
    # in for a link to one provision (a provision is public exactly when its
    # directive is), so the rule needs no case of its own for provisions.
    published_with = ("agreement", "directive")

    class Kind(models.TextChoices):
        RESPONDS_TO = "responds_to", _("responds to")
        IMPLEMENTS = "implements", _("implements")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("agreement"),
    )
    kind = models.CharField(
        _("relation"), max_length=20, choices=Kind.choices, default=Kind.RESPONDS_TO
    )
    directive = models.ForeignKey(
        "policies.Directive",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_links",
        verbose_name=_("directive"),
    )
    provision = models.ForeignKey(
        "policies.Provision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_links",
        verbose_name=_("provision"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "directive", "provision"]
        verbose_name = _("link to a directive or provision")
        verbose_name_plural = _("links to directives and provisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(directive__isnull=False) | Q(provision__isnull=False),
                name="agreement_link_has_target",
                violation_error_message=_("Choose a directive or one of its provisions."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "provision"],
                condition=Q(provision__isnull=False),
                name="agreement_link_unique_provision",
                violation_error_message=_("This agreement is already linked to that provision."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "directive"],
                condition=Q(provision__isnull=True),
                name="agreement_link_unique_directive",
                violation_error_message=_("This agreement is already linked to that directive."),
            ),
        ]
        indexes = [models.Index(fields=["provision"], name="agreement_link_provision_idx")]

    def __str__(self):
        return f"{self.agreement} {self.get_kind_display()} {self.target}"

    def save(self, *args, **kwargs):
        # Keep the directive filled in, so "agreements responding to this directive"
        # is one indexed lookup whether the link names the whole text or one point.
        if self.provision_id and not self.directive_id:
            self.directive_id = self.provision.directive_id
        super().save(*args, **kwargs)

    @property
    def target(self):
        return self.provision or self.directive

    def clean(self):
        if (
            self.provision_id
            and self.directive_id
            and self.provision.directive_id != self.directive_id
        ):
            raise ValidationError(
                {"provision": _("This provision belongs to a different directive.")}
            )
