"""Imports in the admin run as background tasks: upload → dry run (a task) → confirm →
import (a task) → report, with the job's page showing the progress as it goes, and
the import still all or nothing. Most tests here run django-tasks' database backend
and its worker (django_tasks_db's Worker, what `manage.py db_worker` runs), on
whichever database the suite runs on; the rest of the suite runs tasks at once
(ImmediateBackend, emgov/settings/test.py).

A file of 20,000 rows takes minutes to write, too long for the suite: its timing is
in bench/ (`import_bench`, bench/RESULTS.md); here a few hundred rows go the same way.
"""

import io
import json
import re
import threading
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from editorial import import_tasks
from editorial.importing import CollectionImporter
from editorial.models import ImportJob
from policies.models import Directive, Provision
from tests.builders import make_directive
from tests.conftest import logged_in, make_user
from tests.test_races import at_once

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
UPLOAD_URL = "/admin/policies/directive/import/"
ROWS = 300


def fictional_rows(count, *, prefix="quillmoor-drill"):
    return [
        {
            "slug": f"{prefix}-{n}",
            "title": f"Quillmoor flood drill plan {n}",
            "kind": "plan",
            "date": "2021-03-04",
            "summary": f"A fictional plan, number {n}, for the Quillmoor river drills.",
            "tags": ["quillmoor"],
            "provisions": [{"number": 1, "text": f"Point one of drill plan {n}."}],
        }
        for n in range(1, count + 1)
    ]


def upload(client, rows, name="directives.jsonl"):
    """Upload a file; returns the job's page address."""
    content = "\n".join(json.dumps(row) for row in rows).encode()
    file = io.BytesIO(content)
    file.name = name
    response = client.post(UPLOAD_URL, {"file": file})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return response.url


def run_worker():
    """The database worker, as `manage.py db_worker --batch` runs it: every queued
    task, then stop (signals are the command's, and only a main thread may set them).
    Between tasks it closes connections it deems old, which would close the open test
    transaction's: here it keeps them."""
    with mock.patch(f"{Worker.__module__}.close_old_connections"):
        worker()


def worker():
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def text_of(page):
    return re.sub(r"\s+", " ", page.content.decode())


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_BACKEND


@pytest.mark.django_db
def test_a_few_hundred_rows_go_through_the_worker_from_upload_to_report(database_tasks):
    editor = make_user("ed", "Editor")
    client = logged_in(editor)
    job_url = upload(client, fictional_rows(ROWS))
    job = ImportJob.objects.get()
    assert (job.state, job.rows, job.user) == (ImportJob.State.CHECKING, ROWS, editor)
    # The task record names the job whose stored file it checks.
    queued = DBTaskResult.objects.get(pk=job.task_id)
    assert queued.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}
    assert queued.task_path == "editorial.import_tasks.check_import"

    page = text_of(client.get(job_url))
    assert "Waiting for the task worker" in page
    assert '<meta http-equiv="refresh" content="2">' in page

    run_worker()
    page = text_of(client.get(job_url))
    assert f"{ROWS} to create (as drafts)" in page and "refresh" not in page
    assert "Import these entries" in page
    assert not Directive.objects.exists()

    client.post(job_url, {"confirm": "1"})
    assert "Waiting for the task worker" in text_of(client.get(job_url))
    assert not Directive.objects.exists()
    run_worker()
    page = text_of(client.get(job_url))
    assert f"{ROWS} created (as drafts)" in page and "refresh" not in page
    assert Directive.objects.count() == ROWS and Provision.objects.count() == ROWS
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.report["written"]
    written = Directive.objects.get(slug="quillmoor-drill-7")
    assert written.history.get().history_user == editor
    assert DBTaskResult.objects.successful().count() == 2
    # The upload page lists the editor's recent files, each linked to its page.
    listed = text_of(client.get(UPLOAD_URL))
    assert (
        f'<a href="{job_url}">directives.jsonl</a></td><td>{ROWS}</td><td>imported</td>' in listed
    )


@pytest.mark.django_db(transaction=True)
def test_the_page_shows_the_progress_while_the_worker_writes_in_its_transaction(
    database_tasks, monkeypatch
):
    """The worker in a thread of its own (its own connection), the editor's page read
    while the import's transaction is open, on SQLite while it holds the write lock:
    the page shows how far it has come, and no entry is visible until the end."""
    editor = make_user("ed", "Editor")
    client = logged_in(editor)
    job_url = upload(client, fictional_rows(ROWS))
    run_worker()
    client.post(job_url, {"confirm": "1"})

    halfway, seen = threading.Event(), threading.Event()
    real_written = import_tasks.ImportProgress.written

    def written(progress, done, total):
        real_written(progress, done, total)
        if done == total // 2:
            halfway.set()
            seen.wait(timeout=60)

    outcome = []

    def work():
        try:
            run_worker()
            outcome.append("ran")
        except Exception as error:
            outcome.append(error)
        finally:
            connection.close()

    monkeypatch.setattr(import_tasks.ImportProgress, "written", written)
    monkeypatch.setattr(import_tasks, "PROGRESS_INTERVAL", 0)  # every entry counted
    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert halfway.wait(timeout=120), "the worker never got halfway"
        page = text_of(client.get(job_url))
        visible = Directive.objects.count()
    finally:
        seen.set()
        thread.join(timeout=120)
    assert outcome == ["ran"]
    assert f"Writing: {ROWS // 2} of {ROWS} entries (50 %)" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert visible == 0
    page = text_of(client.get(job_url))
    assert f"{ROWS} created (as drafts)" in page
    assert Directive.objects.count() == ROWS


@pytest.mark.django_db
def test_an_import_that_fails_while_writing_writes_nothing_and_says_why(
    database_tasks, monkeypatch
):
    editor = make_user("ed", "Editor")
    client = logged_in(editor)
    kept = make_directive(slug="quillmoor-drill-1", title="Kept as it was")
    job_url = upload(client, fictional_rows(40))
    run_worker()
    client.post(job_url, {"confirm": "1"})

    real_write, count = CollectionImporter.write, []

    def write(importer, plan):
        count.append(plan)
        if len(count) == 30:
            raise RuntimeError("disk on fire")
        real_write(importer, plan)

    monkeypatch.setattr(CollectionImporter, "write", write)
    run_worker()
    assert len(count) == 30
    assert list(Directive.objects.values_list("slug", flat=True)) == ["quillmoor-drill-1"]
    kept.refresh_from_db()
    assert kept.title == "Kept as it was" and kept.version == 1
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED
    page = text_of(client.get(job_url))
    assert "Not imported" in page and "1 error; nothing was written." in page
    assert "The import stopped on an unexpected error" in page and "Nothing was written" in page
    assert "disk on fire" not in page
    # The worker recorded the failure for the operators, with its traceback.
    failed = DBTaskResult.objects.get(pk=job.task_id)
    assert failed.status == "FAILED" and "disk on fire" in failed.traceback


@pytest.mark.django_db
def test_a_worker_shut_down_mid_import_writes_nothing_and_the_file_can_be_checked_again(
    monkeypatch,
):
    editor = make_user("ed", "Editor")
    client = logged_in(editor)
    job_url = upload(client, fictional_rows(20))
    real_write = CollectionImporter.write

    def write(importer, plan):
        if plan.label.endswith("-10"):
            raise SystemExit(1)
        real_write(importer, plan)

    monkeypatch.setattr(CollectionImporter, "write", write)
    client.post(job_url, {"confirm": "1"})
    assert not Directive.objects.exists()
    page = text_of(client.get(job_url))
    assert "The worker was shut down before the import finished" in page
    assert "Check the file again" in page

    monkeypatch.setattr(CollectionImporter, "write", real_write)
    page = text_of(client.post(job_url, {"recheck": "1"}, follow=True))
    assert "20 to create (as drafts)" in page
    client.post(job_url, {"confirm": "1"})
    assert Directive.objects.count() == 20


@pytest.mark.django_db
def test_a_file_with_errors_is_reported_by_row_and_cannot_be_confirmed():
    editor = make_user("ed", "Editor")
    client = logged_in(editor)
    rows = fictional_rows(5)
    rows[2]["date"] = "2021-02-30"
    rows[4]["kind"] = "poem"
    job_url = upload(client, rows)
    page = text_of(client.get(job_url))
    assert "Dry run: the file has errors" in page and "2 errors; nothing was written." in page
    # Rows of JSON Lines are its line numbers.
    assert "<td>3</td><td>date</td>" in page and "<td>5</td><td>kind</td>" in page
    assert "Import these entries" not in page and "Check the file again" not in page
    page = text_of(client.post(job_url, {"confirm": "1"}, follow=True))
    assert "This file has errors" in page
    assert not Directive.objects.exists()
    assert ImportJob.objects.get().state == ImportJob.State.FAILED


@pytest.mark.django_db
def test_only_the_uploader_sees_and_confirms_a_job():
    editor, other = make_user("ed", "Editor"), make_user("ivy", "Editor")
    job_url = upload(logged_in(editor), fictional_rows(2))
    outsider = logged_in(other)
    assert outsider.get(job_url).status_code == 404
    assert outsider.post(job_url, {"confirm": "1"}).status_code == 404
    assert not Directive.objects.exists()
    # Under another collection's address, the job is not found either.
    other_collection = job_url.replace("/policies/directive/", "/cooperation/agreement/")
    assert logged_in(editor).get(other_collection).status_code == 404


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_is_answered_on_the_upload_form():
    client = logged_in(make_user("ed", "Editor"))
    file = io.BytesIO(b"title,kind\nQuillmoor plan,plan\n")
    file.name = "directives.csv"
    page = client.post(UPLOAD_URL, {"file": file})
    assert page.status_code == 200
    assert "The CSV needs a header row with a “slug” column." in text_of(page)
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_the_import_benchmark_runs_a_file_through_the_worker_and_removes_it(database_tasks, capsys):
    """bench's import_bench, with a small file: the same path, `db_worker --batch`
    itself (its signal handlers and connection closing left out, as above)."""
    with (
        mock.patch(f"{Worker.__module__}.close_old_connections"),
        mock.patch.object(Worker, "configure_signals"),
    ):
        call_command("import_bench", "--rows", "30", "--yes", "--delete")
    out = capsys.readouterr().out
    assert "dry run task:" in out and "import task" in out
    assert "report: 30 created; in the database: 30 directives, 60 provisions" in out
    assert not Directive.objects.exists() and not ImportJob.objects.exists()
    assert DBTaskResult.objects.successful().count() == 2
    with pytest.raises(CommandError, match="--yes"):
        call_command("import_bench", "--rows", "3")


@pytest.mark.django_db
def test_progress_that_cannot_be_recorded_costs_the_count_not_the_import(settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the progress directory should be")
    settings.CACHES = {
        **settings.CACHES,
        "progress": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(blocked / "progress"),
        },
    }
    client = logged_in(make_user("ed", "Editor"))
    job_url = upload(client, fictional_rows(3))
    client.post(job_url, {"confirm": "1"})
    assert "3 created (as drafts)" in text_of(client.get(job_url))
    assert Directive.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_start_one_import(database_tasks):
    """A double click, or the page confirmed from two tabs: one import is queued, the
    other confirmation is told, on either database."""
    editor = make_user("ed", "Editor")
    job_url = upload(logged_in(editor), fictional_rows(3))
    run_worker()
    clients = [logged_in(editor), logged_in(editor)]
    first, second = at_once(
        *(
            lambda client=client: client.post(job_url, {"confirm": "1"}, follow=True)
            for client in clients
        )
    )
    pages = [text_of(page) for page in (first, second)]
    told = [page for page in pages if "already been imported, or is being imported" in page]
    assert len(told) == 1, pages
    assert DBTaskResult.objects.filter(task_path__endswith="write_import").count() == 1
    run_worker()
    assert Directive.objects.count() == 3


@pytest.mark.django_db
def test_superusers_see_every_import_in_the_admin_and_editors_do_not(admin_client):
    job_url = upload(logged_in(make_user("ed", "Editor")), fictional_rows(2))
    job = ImportJob.objects.get()
    listing = text_of(admin_client.get("/admin/editorial/importjob/"))
    assert "directives.jsonl" in listing and "ed" in listing
    page = admin_client.get(f"/admin/editorial/importjob/{job.pk}/change/")
    assert page.status_code == 200 and "Point one of drill plan" not in text_of(page)
    assert admin_client.get(job_url).status_code == 200  # the job's own page too
    assert (
        logged_in(make_user("ivy", "Editor")).get("/admin/editorial/importjob/").status_code == 403
    )


@pytest.mark.django_db
def test_an_import_over_a_published_entry_says_it_waits_for_a_reviewer():
    """The dry run says which updates will be held for review, and the report that
    they were; the published version stays public (editorial.pending)."""
    make_directive(slug="quillmoor-drill-1", title="Quillmoor flood drill plan 1")
    make_directive(slug="quillmoor-drill-2", title="Draft plan 2", status="draft")
    client = logged_in(make_user("ed", "Editor"))
    job_url = upload(client, fictional_rows(2))
    page = text_of(client.get(job_url))
    assert "Of these, 1 is published: its update will wait for a reviewer" in page
    assert "quillmoor-drill-1" in page
    page = text_of(client.post(job_url, {"confirm": "1"}, follow=True))
    assert "Of these, 1 is published: its update waits for a reviewer" in page
    published = Directive.objects.get(slug="quillmoor-drill-1")
    assert published.summary == ""  # as published: the file's summary is held
    assert Directive.objects.get(slug="quillmoor-drill-2").summary.startswith("A fictional")
