from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.indexing import rebuild_index, recount_common_terms
from search.models import TermCount


class Command(BaseCommand):
    help = (
        "Build the search index again from every entry. Saves keep it current by "
        "themselves; run this after bulk changes that bypass save() (queryset.update(), "
        "raw SQL, loaddata)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--offline",
            action="store_true",
            help=(
                "PostgreSQL: drop the indexes and build them once at the end, locking "
                "the index tables: searches wait until it is done. For a site nobody is "
                "using. Without it, searches go on reading the old index until the new "
                "one is committed."
            ),
        )

        parser.add_argument(
            "--common-terms",
            action="store_true",
            help=(
                "Only choose the common words again and count them (PostgreSQL). Saves "
                "keep the counts of the words chosen current; run this now and then to "
                "count the words that have become common since."
            ),
        )

    def handle(self, *args, quiet=False, offline=False, common_terms=False, **options):
        if common_terms:
            recount_common_terms()
            counted = TermCount.objects.filter(key="").count()
            self.stdout.write(self.style.SUCCESS(f"Counted {counted} common words."))
            return

        def progress(entry_type, total):
            return tqdm(
                total=total,
                desc=str(entry_type.label),
                unit=" entries",
                file=self.stderr,
                disable=quiet,
            )

        counts = rebuild_index(progress_factory=progress, online=not offline)
        summary = ", ".join(f"{count} {key}" for key, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Indexed {summary}."))
