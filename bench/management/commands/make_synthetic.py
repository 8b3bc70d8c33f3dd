import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from bench import synthetic
from search import common_terms, signals
from search.models import IndexState, SearchDocument


class Command(BaseCommand):
    help = (
        "Fill the database with a SYNTHETIC corpus for benchmarks (marked synthetic: "
        "hidden from every public page unless EMGOV_SYNTHETIC_PUBLIC=1). Use a database "
        "of its own. Refuses to run without --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directives", type=int, default=20_000)
        parser.add_argument("--provisions-per-directive", type=int, default=10)
        parser.add_argument("--agreements", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Yes, add synthetic entries to the database named by DATABASE_URL.",
        )
        parser.add_argument(
            "--delete", action="store_true", help="Remove every synthetic entry instead."
        )

    def progress_bars(self, totals):
        """A bar per type, and a note once all are full: PostgreSQL's GIN indexes are
        then built, which takes a while with nothing to show."""
        bars = {
            key: tqdm(total=total, desc=key, unit=" rows", file=self.stderr, leave=True)
            for key, total in totals.items()
        }

        def progress(key, count):
            bars[key].update(count)
            if all(bar.n >= bar.total for bar in bars.values()):
                for bar in bars.values():
                    bar.close()
                if connection.vendor == "postgresql":
                    self.stderr.write("Building the full-text indexes, counting common words...")

        return progress

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "This adds (or with --delete removes) tens of thousands of synthetic "
                "entries. Point DATABASE_URL at a benchmark database and add --yes."
            )
        if options["delete"]:
            with signals.suspended(), transaction.atomic():
                IndexState.objects.changed()
                with common_terms.recounted():
                    synthetic_documents = SearchDocument.objects.filter(is_synthetic=True)
                    synthetic_documents.delete()
                    counts = synthetic.delete_synthetic()
            self.stdout.write(f"Deleted {counts}.")
            return
        totals = {
            "directives": options["directives"],
            "provisions": options["directives"] * options["provisions_per_directive"],
            "agreements": options["agreements"],
        }
        started = time.monotonic()
        made = synthetic.make_synthetic(
            directives=options["directives"],
            provisions_per_directive=options["provisions_per_directive"],
            agreements=options["agreements"],
            seed=options["seed"],
            progress=self.progress_bars(totals),
        )
        if connection.vendor == "postgresql":
            # What autovacuum would do on a running server, where it is on by default;
            # without statistics the planner takes 20,000 published directives for 14.
            # (ANALYZE, not VACUUM ANALYZE: it may run inside a transaction, as in tests.)
            self.stderr.write("ANALYZE...")
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        summary = ", ".join(f"{count} {key}" for key, count in made.items())
        self.stdout.write(
            self.style.SUCCESS(f"Made and indexed {summary} in {time.monotonic() - started:.0f} s.")
        )
