from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import HttpRequest

from api.views import COLLECTIONS
from core import public_state
from exports import files
from exports.views import FORMATS, export_lines


class Command(BaseCommand):
    help = (
        "Build the file of every export for the public state as it is now, so that no "
        "reader waits for one to be built (a scheduled job, or after a deploy or a bulk "
        "import). Files already built for this state are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site",
            default=f"https://{settings.ALLOWED_HOSTS[0]}" if settings.ALLOWED_HOSTS else "",
            help="The site's address, as readers reach it: rows link to their pages "
            "there (default: https:// and the first of DJANGO_ALLOWED_HOSTS).",
        )

    def handle(self, *args, site, **options):
        if not settings.EXPORTS_DIR:
            raise CommandError("EMGOV_EXPORTS_DIR is empty: exports are not kept as files.")
        request = site_request(site)
        token = public_state.token()
        built = kept = 0
        for collection in COLLECTIONS:
            for file_format in FORMATS:
                path = files.built_path(
                    token, request.build_absolute_uri("/"), collection, file_format
                )
                if path.exists():
                    continue
                lines = export_lines(request, collection, file_format)
                built += 1
                kept += files.build(lines, path, token)
        if kept < built:
            raise CommandError(
                "The public data changed while the exports were built; run it again."
            )
        self.stdout.write(self.style.SUCCESS(f"Built {built} export files in {path.parent}."))


def site_request(site):
    """A request as if a reader of `site` had asked: what rows' absolute links need."""
    address = urlsplit(site)
    if address.scheme not in ("http", "https") or not address.netloc:
        raise CommandError(f"--site must be an address such as https://emgov.example.org: {site!r}")
    request = HttpRequest()
    request.META = {"HTTP_HOST": address.netloc, "SERVER_PORT": "443"}
    if address.scheme == "https":
        request.META[settings.SECURE_PROXY_SSL_HEADER[0]] = settings.SECURE_PROXY_SSL_HEADER[1]
    return request
