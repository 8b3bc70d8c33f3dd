"""Bulk imports in the admin as background tasks: the upload is stored with its job
(editorial.models.ImportJob), a task checks it (the dry run), and once the editor
confirms, another task writes it with the same engine and the same single
transaction (editorial.importing), checking each entry against the version the dry
run saw. The admin's pages (editorial.admin_import) show the progress and the report.

Why tasks: written inside one web request, an import wrote 30 to 67 rows a second,
so a file of more than one or two thousand rows met the server's timeout (nothing
written, the editor shown an error). The queue is django-tasks' database backend:
a table of the site's own database, worked by `manage.py db_worker`, so no other
service is needed and a queued import survives a restart of the worker.

Services for the admin (keyword-only): import_job_start, import_job_confirm,
import_job_recheck; the tasks: check_import, write_import.
"""

import contextlib
import logging
import time

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from editorial.importing import ImportFileError, entries_import, importer_for, read_rows
from editorial.models import ImportJob

logger = logging.getLogger(__name__)

# How much of a report the job keeps: what the admin's pages show.
SHOWN_ERRORS = 500
SHOWN_LABELS = 50
# At most one progress write this often (and one at each phase's end).
PROGRESS_INTERVAL = 0.5


class ImportJobRefused(Exception):
    """The job cannot take this step (already confirmed, not checked, has errors)."""


class ImportProgress:
    """The live progress of one job: its phase and how many rows or entries are done.

    Kept in the `progress` cache (settings.CACHES), files in a directory that the site
    and the worker share, not in the job's row. The import writes everything in one
    transaction, so progress written to the database by the import's own connection
    would be invisible until the end (and undone with a failed import); written by a
    second connection it would work on PostgreSQL, but on SQLite the import's
    transaction holds the database's one write lock from its first write to its
    commit (IMMEDIATE transactions), so a second writer would wait for the whole
    import and then fail. Django's database cache has the same two problems, and the
    default local-memory cache lives in one process, where the worker is another.
    Files work the same on both databases and touch no transaction. The one
    condition, that the site and the worker see the same directory, holds for the
    SQLite site by construction (one machine, one file); a PostgreSQL site whose
    worker runs elsewhere sets EMGOV_PROGRESS_DIR to a shared directory, or its
    editors see "running" without the count until the report comes.
    """

    def __init__(self, job_id):
        self.key = f"import-progress:{job_id}"
        self.last = 0.0
        self.warned = False

    @property
    def cache(self):
        return caches["progress"]

    def set(self, phase, done, total, *, force=False):
        now = time.monotonic()
        if not force and done < total and now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        value = {"phase": phase, "done": done, "total": total, "at": time.time()}
        try:
            self.cache.set(self.key, value)
        except OSError as error:
            # Progress is for the eyes only: a directory that cannot be written (a
            # read-only install, a full disk) costs the count, never the import.
            if not self.warned:
                logger.warning("Import progress cannot be recorded: %s", error)
            self.warned = True

    def read(self):
        try:
            return self.cache.get(self.key)
        except OSError:
            return None

    def clear(self):
        with contextlib.suppress(OSError):
            self.cache.delete(self.key)

    def rows(self, rows):
        """The engine's `progress`: the rows as they are checked, counted."""
        total = len(rows)
        self.set("checking", 0, total, force=True)
        for done, row in enumerate(rows, start=1):
            yield row
            self.set("checking", done, total)

    def written(self, done, total):
        """The engine's `on_write`: entries written so far, of those to write."""
        self.set("writing", done, total, force=done in (0, total))


def report_summary(report, *, dry_run):
    """What a job keeps of an ImportReport (JSON): the counts, the first labels and
    errors the admin shows, and whether it was written."""
    return {
        "dry_run": dry_run,
        "written": report.written,
        "created": len(report.created),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        "created_labels": report.created[:SHOWN_LABELS],
        "updated_labels": report.updated[:SHOWN_LABELS],
        "held": len(report.held),
        "held_labels": report.held[:SHOWN_LABELS],
        "error_count": len(report.errors),
        "errors": [
            {"row": error.row, "field": error.field, "message": error.message}
            for error in report.errors[:SHOWN_ERRORS]
        ],
        "inline": report.inline,
    }


def failure_summary(message, *, dry_run):
    """A report for a file that could not be checked or written at all."""
    return {
        "dry_run": dry_run,
        "written": False,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "error_count": 1,
        "errors": [{"row": 0, "field": "", "message": message}],
        "failure": message,
    }


# Services, for the admin.


def import_job_start(*, collection, name, content, user):
    """Store an uploaded file as a job and queue its dry run; returns the job.

    The file as a whole (UTF-8, rows, header, at most MAX_ROWS) is checked here, at
    once, so those errors are answered on the upload form: raises ImportFileError."""
    importer = importer_for(collection)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file is not UTF-8 text.")) from error
    rows = read_rows(name, content, key_column=importer.spec.match[0])
    with transaction.atomic():  # the job and its task, or neither
        job = ImportJob.objects.create(
            collection=collection, file_name=name, content=content, rows=len(rows), user=user
        )
        enqueue(check_import, job)
    job.refresh_from_db()
    return job


def import_job_confirm(*, job, user):
    """Queue the writing of a checked job. Only the editor who uploaded the file may
    confirm it, once: a second confirmation (a double click, a replayed form) is
    refused with ImportJobRefused, as is a job whose dry run found errors."""
    if job.user_id != user.pk:
        raise ImportJobRefused(_("Only the editor who uploaded this file can import it."))
    if job.report.get("error_count"):
        raise ImportJobRefused(_("This file has errors; nothing can be imported from it."))
    # The state moves under a condition, so two confirmations at once start one import.
    with transaction.atomic():
        moved = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
            state=ImportJob.State.IMPORTING, started_at=None, finished_at=None
        )
        if not moved:
            raise ImportJobRefused(_("This file has already been imported, or is being imported."))
        enqueue(write_import, job)
    job.refresh_from_db()
    return job


def import_job_recheck(*, job, user):
    """Check a job's file again (after it was refused because someone saved an entry
    meanwhile, or its worker stopped): a new dry run against the entries as they are
    now, from the stored file, with no new upload."""
    if job.user_id != user.pk:
        raise ImportJobRefused(_("Only the editor who uploaded this file can check it again."))
    with transaction.atomic():
        moved = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.FAILED).update(
            state=ImportJob.State.CHECKING, report={}, seen_versions={}, finished_at=None
        )
        if not moved:
            raise ImportJobRefused(_("This file is already being checked or imported."))
        enqueue(check_import, job)
    job.refresh_from_db()
    return job


def enqueue(task_function, job):
    """Queue `task_function` for `job`, and record which task runs it. The callers
    write the job's new state and queue the task in one transaction: the database
    backend's queue is a table of the same database, so a worker that finds the task
    finds the state, and a refused write (SQLite's lock not had in time) leaves
    neither."""
    result = task_function.enqueue(str(job.pk))
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


# The tasks. Each reads its job afresh and does nothing unless the job is in the
# state that queued it, so a task delivered twice does its work once.


@task()
def check_import(job_id):
    """The dry run of a job's file: its report, and the versions it saw."""
    job = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.CHECKING).first()
    if job is None:
        return None
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    progress = ImportProgress(job.pk)
    try:
        report = entries_import(
            collection=job.collection,
            name=job.file_name,
            content=job.content,
            dry_run=True,
            progress=progress.rows,
        )
    except ImportFileError as error:
        summary, versions = failure_summary(str(error), dry_run=True), {}
    except BaseException as error:
        finish(job, ImportJob.State.FAILED, failure_summary(unexpected(error), dry_run=True))
        raise
    else:
        summary, versions = report_summary(report, dry_run=True), report.versions
    state = ImportJob.State.FAILED if summary["error_count"] else ImportJob.State.CHECKED
    finish(job, state, summary, seen_versions=versions)
    return state


@task()
def write_import(job_id):
    """The import of a checked job's file, all or nothing, each entry checked against
    the version its dry run saw."""
    job = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.IMPORTING).first()
    if job is None or job.started_at is not None:
        # Not confirmed, or already started once: a worker that stopped mid-import has
        # written nothing (its transaction was rolled back); the editor checks again.
        return None
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    progress = ImportProgress(job.pk)
    try:
        report = entries_import(
            collection=job.collection,
            name=job.file_name,
            content=job.content,
            user=job.user,
            seen_versions=job.seen_versions,
            progress=progress.rows,
            on_write=progress.written,
        )
    except ImportFileError as error:
        summary = failure_summary(str(error), dry_run=False)
    except BaseException as error:
        # The import's transaction has been rolled back: nothing was written.
        finish(job, ImportJob.State.FAILED, failure_summary(unexpected(error), dry_run=False))
        raise
    else:
        summary = report_summary(report, dry_run=False)
    state = ImportJob.State.DONE if summary["written"] else ImportJob.State.FAILED
    finish(job, state, summary)
    return state


def unexpected(error):
    """Why a task stopped, in plain words; the traceback goes to the log (and to the
    task's result, for the operators)."""
    if isinstance(error, KeyboardInterrupt | SystemExit):
        return _(
            "The worker was shut down before the import finished. Nothing was written: "
            "check the file again."
        )
    logger.exception("An import task stopped on an unexpected error")
    return _(
        "The import stopped on an unexpected error, which has been logged for the site's "
        "operators. Nothing was written."
    )


def finish(job, state, summary, **fields):
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, report=summary, finished_at=timezone.now(), **fields
    )
    ImportProgress(job.pk).clear()
