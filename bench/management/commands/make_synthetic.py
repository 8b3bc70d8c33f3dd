import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from bench import synthetic
from search import backends, indexing, signals
from search.models import IndexState, SearchDocument


class Command(BaseCommand):
    help = (
        "Fill the database with a SYNTHETIC corpus for benchmarks (labelled synthetic, "
        "never public data). Use a database of its own. Refuses to run without --yes."
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

    def bar(self, label, total):
        return tqdm(total=total, desc=label, unit=" rows", file=self.stderr, leave=True)

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "This adds (or with --delete removes) tens of thousands of synthetic "
                "entries. Point DATABASE_URL at a benchmark database and add --yes."
            )
        if options["delete"]:
            with signals.suspended():
                SearchDocument.objects.filter(url__contains=f"/{synthetic.SLUG_PREFIX}").delete()
                IndexState.objects.changed()
                counts = synthetic.delete_synthetic()
            self.stdout.write(f"Deleted {counts}.")
            return
        started = time.monotonic()
        made = synthetic.make_synthetic(
            directives=options["directives"],
            provisions_per_directive=options["provisions_per_directive"],
            agreements=options["agreements"],
            seed=options["seed"],
            progress=self.bar,
        )
        inserted = time.monotonic()
        # The GIN indexes are built again once, at the end.
        with backends.indexes_dropped():
            for key, ids in made.items():
                model = indexing.ENTRY_TYPES_BY_KEY[key].model
                bar = self.bar(f"indexing {key}", len(ids))
                indexing.reindex_queryset(
                    key, model.objects.filter(pk__in=ids), progress=bar.update, replace=False
                )
                bar.close()
            if connection.vendor == "postgresql":
                self.stderr.write("Building the full-text indexes again...")
        done = time.monotonic()
        summary = ", ".join(f"{len(ids)} {key}" for key, ids in made.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Made {summary} in {inserted - started:.0f} s; "
                f"indexed them in {done - inserted:.0f} s; total {done - started:.0f} s."
            )
        )
