"""The admin's import pages: upload → dry run → confirm → import → report, the dry run
and the import each a background task (editorial.import_tasks) whose progress the
job's page shows, refreshing itself until the task is done."""

import time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from editorial.import_tasks import (
    ImportJobRefused,
    ImportProgress,
    import_job_confirm,
    import_job_recheck,
    import_job_start,
)
from editorial.importing import ImportFileError
from editorial.models import ImportJob

# Room for the most rows a file may hold (importing.MAX_ROWS, 20,000) at about 1 kB
# each: a directive with a few provisions. The file is read in the worker, not here.
MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
IMPORT_PERMISSION = "core.import_entries"
# How often a job's page reloads itself while its task runs, in seconds.
REFRESH_SECONDS = 2
# After this many minutes without progress, a job's page says its worker may have stopped.
QUIET_MINUTES = 15


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or JSON Lines file"),
        help_text=_("In the shape the exports produce; see docs/import-format.md."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB; split it.") % {"max": MAX_UPLOAD_MB}
            )
        if not upload.name.lower().endswith((".csv", ".jsonl", ".ndjson")):
            raise forms.ValidationError(_("Upload a .csv or .jsonl file."))
        return upload


def busy_message():
    return _t(
        "The database is busy writing another import. Nothing was stored: try again "
        "in a few minutes."
    )


class ImportAdminMixin:
    """Adds an Import page to an entry's change list (the collection `import_collection`)."""

    import_collection = None

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
            path(
                "import/<uuid:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{prefix}_import_job",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return request.user.has_perm(IMPORT_PERMISSION) and self.has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        if self.has_import_permission(request):
            opts = self.model._meta
            extra_context = {
                "import_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
                **(extra_context or {}),
            }
        return super().changelist_view(request, extra_context)

    def import_context(self, request, title):
        opts = self.model._meta
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": opts,
            "upload_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
        }

    def job_url(self, job):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job.pk])

    def import_view(self, request):
        """The upload: the file is stored with a new job, whose page shows its dry run."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        context = self.import_context(
            request, _t("Import %(type)s") % {"type": opts.verbose_name_plural}
        )
        form = ImportForm()
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    job = import_job_start(
                        collection=self.import_collection,
                        name=upload.name,
                        content=upload.read(),
                        user=request.user,
                    )
                except ImportFileError as error:
                    form.add_error("file", str(error))
                except OperationalError:
                    # SQLite: another import holds the write lock for as long as it writes.
                    form.add_error("file", busy_message())
                else:
                    return HttpResponseRedirect(self.job_url(job))
        context["form"] = form
        context["jobs"] = ImportJob.objects.filter(
            user=request.user, collection=self.import_collection
        ).defer("content", "seen_versions")[:10]
        return TemplateResponse(request, "admin/import.html", context)

    def import_job_view(self, request, job_id):
        """One job's page: its progress while a task runs (the page reloads itself),
        then the dry run's report with the button to import, or the import's report.
        A POST confirms the import, or checks a refused file again."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(
            ImportJob.objects.defer("content"), pk=job_id, collection=self.import_collection
        )
        if job.user_id != request.user.pk and not request.user.is_superuser:
            raise Http404
        if request.method == "POST":
            step = import_job_confirm if "confirm" in request.POST else import_job_recheck
            try:
                step(job=job, user=request.user)
            except ImportJobRefused as refused:
                self.message_user(request, str(refused), messages.WARNING)
            except OperationalError:
                self.message_user(request, busy_message(), messages.WARNING)
            return HttpResponseRedirect(self.job_url(job))
        opts = self.model._meta
        context = self.import_context(
            request,
            _t("Import %(type)s: %(file)s")
            % {"type": opts.verbose_name_plural, "file": job.file_name},
        )
        progress = ImportProgress(job.pk).read() if job.running else None
        context.update(
            job=job,
            report=job.report,
            progress=progress,
            percent=(
                round(100 * progress["done"] / progress["total"])
                if progress and progress["total"]
                else 0
            ),
            queued=job.running and progress is None and task_waiting(job),
            quiet_minutes=quiet_minutes(progress),
            refresh=REFRESH_SECONDS if job.running else None,
            may_confirm=(
                job.state == ImportJob.State.CHECKED
                and job.user_id == request.user.pk
                and not job.report.get("error_count")
            ),
            # A file refused when it was written (someone saved an entry meanwhile, the
            # worker stopped) may be checked again; one whose dry run found errors is
            # corrected and uploaded again.
            may_recheck=(
                job.state == ImportJob.State.FAILED
                and job.user_id == request.user.pk
                and (not job.report.get("dry_run") or "failure" in job.report)
            ),
            changelist_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        )
        return TemplateResponse(request, "admin/import_job.html", context)


def task_result(job):
    if not job.task_id or not default_task_backend.supports_get_result:
        return None
    try:
        return default_task_backend.get_result(job.task_id)
    except TaskResultDoesNotExist:
        return None


def task_waiting(job):
    """Whether the job's task is still in the queue: no worker has taken it yet."""
    result = task_result(job)
    return result is not None and result.status == TaskResultStatus.READY


def quiet_minutes(progress):
    """Minutes since a running task last reported progress, when that is long enough
    to suggest its worker was killed (a stopped worker's import writes nothing)."""
    if not progress:
        return None
    minutes = int((time.time() - progress["at"]) // 60)
    return minutes if minutes >= QUIET_MINUTES else None
