"""Claims drawn from sources, linked to the provisions and agreements they bear on."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Entry


class Finding(Entry):
    class Kind(models.TextChoices):
        ACHIEVEMENT = "achievement", _("Achievement")
        PROBLEM = "problem", _("Problem")
        RECOMMENDATION = "recommendation", _("Recommendation")

    source = models.ForeignKey(
        "core.Source",
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("source"),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        help_text=_("Its place among the source's findings; the anchor #f<N>."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))
    text_original = models.TextField(_("original-language text"), blank=True)
    pinpoint = models.CharField(
        _("pinpoint"),
        max_length=100,
        blank=True,
        help_text=_("Page or section, e.g. “abstract”."),
    )
    provisions = models.ManyToManyField(
        "policies.Provision",
        blank=True,
        related_name="findings",
        verbose_name=_("provisions"),
    )
    agreements = models.ManyToManyField(
        "cooperation.Agreement",
        blank=True,
        related_name="findings",
        verbose_name=_("agreements"),
    )

    _history_m2m_fields = ["provisions", "agreements"]

    # A finding is public when it and the source it is drawn from are both published.
    published_with = ("source",)

    class Meta:
        ordering = ["source", "number"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "number"],
                name="finding_unique_number_per_source",
                violation_error_message=_("This source already has a finding with that number."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="finding_number_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:80]}"

    @property
    def label(self):
        return f"f{self.number}"

    def has_source(self):
        return self.source_id is not None

    def has_published_source(self):
        return self.source_id is not None and self.source.is_published

    def get_absolute_url(self):
        return reverse("browse:source", kwargs={"slug": self.source.slug}) + f"#{self.label}"
