"""The editorial app's own tables: changes to published entries held for review, and
the bulk imports that run as background tasks. (The workflow's log, StatusChange, is
the kernel's: public pages read it.)"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
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


class ImportJobState(models.TextChoices):
    CHECKING = "checking", _("checking the file")
    CHECKED = "checked", _("checked")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("not imported")


class ImportJob(models.Model):
    """One file uploaded for import in the admin, from its dry run to its report.

    The file's text is kept here, in the database, rather than in the editor's
    session or on disk: the background tasks that check and write it
    (editorial.import_tasks) read it from here, so it survives a restart of the worker
    or of the site, and the task's record names this job. A job moves
    checking → checked (the dry run's report: what it would do, or the errors) →
    importing → done (written) or failed (nothing written; the report says why)."""

    State = ImportJobState

    # Not a counter: the job's address in the admin cannot be guessed or enumerated,
    # and its progress key (import_tasks.ImportProgress) is unique across databases.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.CharField(_("collection"), max_length=32)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.TextField(_("content"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.CHECKING)
    # {row label: version} of the entries the dry run read: what the import checks
    # each entry against when it writes (editorial.importing, seen_versions).
    seen_versions = models.JSONField(_("versions seen by the dry run"), default=dict)
    # The last report: the dry run's, then the import's (import_tasks.report_summary).
    report = models.JSONField(_("report"), default=dict)
    # The background task now checking or writing the file (a django-tasks result id).
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ImportJobState.values),
                name="import_job_state_known",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def running(self):
        return self.state in {self.State.CHECKING, self.State.IMPORTING}
