"""The editorial app's own records (the workflow's log, StatusChange, is the kernel's:
public pages read it)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    """An edit of a published entry, held for review (see editorial.pending).

    `snapshot` holds two plain-data states of the entry, its links and inline rows:
    "base", the published version the change was made on, and "proposed", what
    publishing it would store. An entry has at most one: later edits build on it."""

    class State(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
        SENT_BACK = "sent_back", _("Sent back")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    entry = GenericForeignKey("content_type", "object_id")
    snapshot = models.JSONField()
    state = models.CharField(
        _("state"), max_length=16, choices=State, default=State.AWAITING_REVIEW
    )
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Counts saves of this change.")
    )
    reason = models.TextField(
        _("reason for the change"),
        blank=True,
        help_text=_("Shown on the public page with the version once it is published."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("last saved by"),
    )
    # Everyone who saved into the change: none of them may be its second reader.
    contributor_ids = models.JSONField(default=list)
    comment = models.TextField(_("reviewer's comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="pending_change_one_per_entry"
            ),
        ]

    def __str__(self):
        return _("Pending change to %(entry)s") % {"entry": self.entry}
