from django.core.management.base import BaseCommand

from editorial.roles import setup_roles


class Command(BaseCommand):
    help = (
        "Create or update the Editor, Reviewer and Administrator groups and their permissions. "
        "Safe to run again."
    )

    def handle(self, *args, **options):
        for group, permission_count in setup_roles():
            self.stdout.write(f"{group.name}: {permission_count} permissions")
