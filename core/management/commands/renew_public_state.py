"""`manage.py renew_public_state`: after a change made outside the site's code."""

from django.core.management.base import BaseCommand

from core.models import PublicState


class Command(BaseCommand):
    help = (
        "Gives the public state a new token, so that every page, count and export cached "
        "or built before is made afresh, in Redis and in each process's memory alike. "
        "Run it after changing public data outside the site's code (raw SQL, loaddata)."
    )

    def handle(self, *args, **options):
        PublicState.objects.changed()
        self.stdout.write(f"The public state is now {PublicState.objects.token()}.")
