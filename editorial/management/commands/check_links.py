from django.core.management.base import BaseCommand
from tqdm import tqdm

from editorial.linkcheck import MAX_REDIRECTS, links_check


class Command(BaseCommand):
    help = (
        "Check every source URL and archived URL: record its HTTP status, final address and "
        "the time, shown in the admin's source list. Broken links are listed here too. Only "
        f"http(s) URLs of public addresses are fetched, following at most {MAX_REDIRECTS} "
        "redirects, each checked the same way; any other URL is recorded as broken, with "
        "the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=4, help="requests at a time")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")

    def handle(self, *args, concurrency, timeout, verbosity, **options):
        def progress(answers, total):
            return tqdm(answers, total=total, desc="Checking links", disable=verbosity == 0)

        answers = links_check(concurrency=concurrency, timeout=timeout, progress=progress)
        broken = [a for a in answers if a.status_code is None or a.status_code >= 400]
        for answer in broken:
            self.stdout.write(f"BROKEN {answer.url}: {answer.status_code or answer.error}")
        self.stdout.write(f"Checked {len(answers)} links; {len(broken)} broken.")
