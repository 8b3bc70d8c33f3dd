from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from editorial.importing import ImportFileError, collections, entries_import, guess_collection


class Command(BaseCommand):
    help = (
        "Import directives (with provisions), agreements (with parties and links), "
        "mechanisms, findings, sources (with authors), themes or organizations from a CSV or "
        "JSON Lines file. All or nothing; new entries arrive as drafts; importing the same "
        "file again changes nothing. See docs/import-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .jsonl file")
        parser.add_argument(
            "--collection",
            choices=sorted(collections()),
            help="what the file holds (guessed from the file name when it says)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )
        parser.add_argument("--user", help="the account to record as author in the history")

    def handle(self, *args, file, collection, dry_run, user, verbosity, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        collection = collection or guess_collection(path.name)
        if collection is None:
            raise CommandError(
                "Say what the file holds: --collection " + "|".join(sorted(collections()))
            )
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No account named {user!r}.")

        def progress(rows):
            return tqdm(rows, desc=f"Checking {collection}", unit="row", disable=verbosity == 0)

        try:
            report = entries_import(
                collection=collection,
                name=path.name,
                content=content,
                user=author,
                dry_run=dry_run,
                progress=progress,
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for error in report.errors:
            self.stderr.write(str(error))
        summary = (
            f"{len(report.created)} to create, {len(report.updated)} to update, "
            f"{len(report.unchanged)} unchanged"
        )
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} error(s) in {path.name}; nothing was written ({summary})."
            )
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: {summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {summary}."))
