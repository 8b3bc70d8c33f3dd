from django.core.management.base import BaseCommand, CommandError

from editorial.seeding import StarterDataError, starter_data_load


class Command(BaseCommand):
    help = (
        "Load the starter data (the ISO country list and the entries stated in the two "
        "seed documents, from the import files in editorial/seed/). Safe to run again: it "
        "updates in place, never duplicates, and says when nothing changed."
    )

    def handle(self, *args, **options):
        try:
            loaded = starter_data_load()
        except StarterDataError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{count} {kind}" for kind, count in loaded.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Starter data loaded: {summary}."))
        if loaded.changed:
            changed = ", ".join(f"{count} {kind}" for kind, count in loaded.changed.items())
            self.stdout.write(f"Created or updated: {changed}.")
        else:
            self.stdout.write("Nothing changed: the database already held the starter data.")
