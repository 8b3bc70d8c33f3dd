"""Import benchmark: a file of synthetic directives (20,000 rows by default, the most a
file may hold) through the admin's pages and task path, timed: the upload (the file
stored as a job, its dry run queued), the dry run run by the database worker
(`db_worker --batch`, in this process), the confirmation on the job's page, and the
import run by the worker; the job's page is read after each. The requests go through
Django's test client, logged in as a superuser of the bench. See bench/RESULTS.md.

Every row is labelled synthetic (a `synthetic-import-` slug, a "[Synthetic]" title,
the `synthetic` tag) and arrives as a draft. Run it on a database of its own, and
throw that away after (removing 20,000 entries one by one, `--delete`, takes longer
than importing them)."""

import io
import json
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from taggit.models import Tag

from bench.synthetic import PREFIX, SLUG_PREFIX, TAG
from editorial.models import ImportJob
from policies.models import Directive, Provision

BENCH_USER = "import-bench"
UPLOAD_URL = "/admin/policies/directive/import/"


def synthetic_rows(count, provisions):
    for n in range(1, count + 1):
        yield {
            "slug": f"{SLUG_PREFIX}import-{n}",
            "title": f"{PREFIX} Imported drill plan {n}",
            "kind": "plan",
            "date": f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}",
            "summary": f"A synthetic plan, number {n}, for timing imports. Nothing in it is real.",
            "tags": [TAG],
            "provisions": [
                {"number": p, "heading": f"Point {p}", "text": f"Synthetic point {p} of plan {n}."}
                for p in range(1, provisions + 1)
            ],
        }


class Command(BaseCommand):
    help = "Time an import of synthetic directives through the admin's task path."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20000)
        parser.add_argument("--provisions", type=int, default=2, help="per directive")
        parser.add_argument(
            "--delete", action="store_true", help="remove the imported entries at the end"
        )
        parser.add_argument("--yes", action="store_true", help="write to this database")

    def handle(self, *args, rows, provisions, delete, yes, **options):
        if not yes:
            raise CommandError(
                "This writes synthetic entries: run it on a database of its own, with --yes."
            )
        if Directive.objects.filter(slug__startswith=f"{SLUG_PREFIX}import-").exists():
            raise CommandError(
                "Synthetic imported entries are here already: make_synthetic --delete --yes"
            )
        user, _ = get_user_model().objects.get_or_create(
            username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client()
        client.force_login(user)
        content = "\n".join(json.dumps(row) for row in synthetic_rows(rows, provisions)).encode()
        vendor = connection.vendor
        self.stdout.write(
            f"{vendor}: {rows} rows, {provisions} provisions each, {len(content) / 1e6:.1f} MB"
        )

        with override_settings(ALLOWED_HOSTS=["testserver"]):
            self.run_import(client, content, rows, delete)

    def run_import(self, client, content, rows, delete):
        started = time.perf_counter()
        file = io.BytesIO(content)
        file.name = "synthetic.jsonl"
        response = client.post(UPLOAD_URL, {"file": file})
        if response.status_code != 302:
            raise CommandError(f"The upload was refused: {response.content.decode()[-3000:]}")
        job_url = response.url
        upload = time.perf_counter() - started
        started = time.perf_counter()
        self.work()
        check = time.perf_counter() - started
        job = ImportJob.objects.get(pk=job_url.rstrip("/").rsplit("/", 1)[1])
        self.expect(client, job_url, job, ImportJob.State.CHECKED, f"{rows:,} to create")

        started = time.perf_counter()
        client.post(job_url, {"confirm": "1"})
        self.work()
        write = time.perf_counter() - started
        self.expect(client, job_url, job, ImportJob.State.DONE, f"{rows:,} created")
        written = Directive.objects.filter(slug__startswith=f"{SLUG_PREFIX}import-").count()
        points = Provision.objects.filter(directive__slug__startswith=f"{SLUG_PREFIX}import-")
        self.stdout.write(
            f"upload (store the file, queue its dry run): {upload:.1f} s\n"
            f"dry run task: {check:.1f} s ({rows / check:.0f} rows/s)\n"
            f"import task (checks again, then writes in one transaction): {write:.1f} s "
            f"({rows / write:.0f} rows/s)\n"
            f"total: {upload + check + write:.1f} s; report: {job.report['created']} created; "
            f"in the database: {written} directives, {points.count()} provisions"
        )
        if delete:
            # Imported as an editor imports: drafts, not marked synthetic (make_synthetic's
            # mark), so found by their slugs and tag.
            Directive.objects.filter(slug__startswith=f"{SLUG_PREFIX}import-").delete()
            Tag.objects.filter(slug__startswith=TAG).delete()
            ImportJob.objects.filter(pk=job.pk).delete()

    def expect(self, client, job_url, job, state, words):
        job.refresh_from_db()
        page = client.get(job_url).content.decode()
        if job.state != state or words.replace(",", "") not in page.replace(",", ""):
            raise CommandError(f"The job is {job.state}: {job.report.get('errors')}")

    def work(self):
        """Every queued task, by the database backend's worker, as in production."""
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0",
            verbosity=0,
        )
