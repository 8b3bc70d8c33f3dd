from django.core.management.base import BaseCommand

from editorial.seeding import load_starter_data


class Command(BaseCommand):
    help = (
        "Load the starter data (the ISO country list and the entries stated in the two "
        "seed documents). Safe to run again: it updates in place and never duplicates."
    )

    def handle(self, *args, **options):
        counts = load_starter_data()
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Starter data loaded: {summary}."))
