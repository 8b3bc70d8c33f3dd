"""Import benchmark: a file of synthetic directives (20,000 rows by default, the most a
file may hold) through the admin's task path, timed: the upload stored as a job and
its dry run queued (editorial.import_tasks.import_job_start), the dry run run by the
database worker (`db_worker --batch`, in this process), the confirmation, and the
import run by the worker. See bench/RESULTS.md.

Every row is labelled synthetic (a `synthetic-import-` slug, a "[Synthetic]" title,
the `synthetic` tag) and arrives as a draft. Run it on a database of its own, and
throw that away after (removing 20,000 entries one by one, `--delete`, takes longer
than importing them)."""

import json
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.synthetic import PREFIX, SLUG_PREFIX, TAG, delete_synthetic
from editorial.import_tasks import import_job_confirm, import_job_start
from editorial.models import ImportJob
from policies.models import Directive, Provision

BENCH_USER = "import-bench"


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
            username=BENCH_USER, defaults={"is_staff": True}
        )
        content = "\n".join(json.dumps(row) for row in synthetic_rows(rows, provisions)).encode()
        vendor = connection.vendor
        self.stdout.write(
            f"{vendor}: {rows} rows, {provisions} provisions each, {len(content) / 1e6:.1f} MB"
        )

        started = time.perf_counter()
        job = import_job_start(
            collection="directives", name="synthetic.jsonl", content=content, user=user
        )
        upload = time.perf_counter() - started
        started = time.perf_counter()
        self.work()
        check = time.perf_counter() - started
        job.refresh_from_db()
        if job.state != ImportJob.State.CHECKED:
            raise CommandError(f"The dry run ended {job.state}: {job.report.get('errors')}")

        started = time.perf_counter()
        import_job_confirm(job=job, user=user)
        self.work()
        write = time.perf_counter() - started
        job.refresh_from_db()
        if job.state != ImportJob.State.DONE:
            raise CommandError(f"The import ended {job.state}: {job.report.get('errors')}")
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
            delete_synthetic()
            ImportJob.objects.filter(pk=job.pk).delete()

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
