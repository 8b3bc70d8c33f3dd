"""The editorial app's one table: the bulk imports that run as background tasks."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
