"""The searches issue 19 found slowest on SQLite, timed cold (cache emptied before
each) as whole /search/ pages: their worst time, the process's CPU time in that run
(SQLite runs inside the process, so this is the work itself, whatever else the
machine is doing), and its slowest SQL statement. See bench/RESULTS.md ("SQLite:
the worst searches")."""

import re
import statistics
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench import synthetic
from search.models import SearchDocument

# The synthetic corpus's most common words (synthetic.GENERAL_WORDS comes first).
COMMON_WORDS = synthetic.GENERAL_WORDS[:9]
# Sixteen words in no document, and none a few edits from an indexed word either:
# each is corrected against the vocabulary and nothing is found.
UNKNOWN_WORDS = (
    "qwertzuiop asdfghjk zxcvbnmq plokijuh ygvtfcrd xeszawqp mnbvcxyl lkjhgfds "
    "poiuytre wqazxsed crfvtgby hnujmiko qpwoeiru tyghbnvc zmxncbva lqkwjehr"
)
# A pasted Chinese paragraph of about 2,000 characters: the search keeps its first
# 200 (search.parsing.MAX_QUERY_LENGTH), one run matched as a substring.
CHINESE = ("为进一步加强应急管理体系和能力建设，提高防灾减灾救灾水平，" * 70)[:2000]

RESULT_COUNT = re.compile(r'class="result-count">([\d,]+) result')

SEARCHES = {
    "nine common words joined by OR": {"q": " OR ".join(COMMON_WORDS)},
    "nine common words joined by OR, page 40 (beyond the cached 200)": {
        "q": " OR ".join(COMMON_WORDS),
        "page": "40",
    },
    "nine common words, all required": {"q": " ".join(COMMON_WORDS)},
    "16 unknown words (spelling correction)": {"q": UNKNOWN_WORDS},
    "three misspelt words (spelling correction)": {"q": "resuce voluntear earthqauke"},
    "16 misspelt common words (spelling correction)": {
        "q": " ".join(
            word[:2] + word[3] + word[2] + word[4:] for word in synthetic.DOMAIN_WORDS[:16]
        )
    },
    f"one very common word ('{COMMON_WORDS[0]}')": {"q": COMMON_WORDS[0]},
    f"one very common word ('{COMMON_WORDS[0]}'), sorted by date": {
        "q": COMMON_WORDS[0],
        "sort": "date",
    },
    f"one very common word ('{COMMON_WORDS[0]}'), page 40": {"q": COMMON_WORDS[0], "page": "40"},
    f"one very common word ('{COMMON_WORDS[0]}'), a type and a tag chosen": {
        "q": COMMON_WORDS[0],
        "type": "provisions",
        "tag": synthetic.TAG,
    },
    "a 2,000-character Chinese paragraph": {"q": CHINESE},
}


class Command(BaseCommand):
    help = "Time the slowest searches of issue 19, cold, as whole /search/ pages."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--only", default="", help="Only the searches whose name has this.")

    def handle(self, *args, runs, only, **options):
        if not settings.EMGOV_SYNTHETIC_PUBLIC:
            raise CommandError("Run it with EMGOV_SYNTHETIC_PUBLIC=1, on a database of its own.")
        client = Client()
        documents = SearchDocument.objects.published().count()
        self.stdout.write(
            f"{connection.vendor}, {documents} published documents, {runs} runs each\n"
        )
        self.stdout.write(
            "| search | results | queries | p50 ms | max ms | worst run: CPU ms "
            "| worst run: slowest SQL ms |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        # One client asks every search: the search throttle (per address) is off here.
        rates = {**settings.EMGOV_THROTTLE_RATES, "search": None}
        with override_settings(
            ALLOWED_HOSTS=["testserver"], DEBUG=False, EMGOV_THROTTLE_RATES=rates
        ):
            client.get("/search/")  # the first request of a process loads the URLs and templates
            for name, params in SEARCHES.items():
                if only not in name:
                    continue
                samples, worst = [], (0, 0.0, 0.0)
                for _ in range(runs):
                    cache.clear()
                    with CaptureQueriesContext(connection) as queries:
                        started, cpu = time.perf_counter(), time.process_time()
                        response = client.get("/search/", params)
                        elapsed = (time.perf_counter() - started) * 1000
                        cpu = (time.process_time() - cpu) * 1000
                    assert response.status_code == 200, (name, response.status_code)
                    samples.append(elapsed)
                    slowest = max(float(q["time"]) for q in queries.captured_queries) * 1000
                    if elapsed >= max(samples):
                        worst = (len(queries.captured_queries), cpu, slowest)
                count = RESULT_COUNT.search(response.content.decode())
                total = count.group(1) if count else "0"
                self.stdout.write(
                    f"| {name} | {total} | {worst[0]} | {statistics.median(samples):.0f} "
                    f"| {max(samples):.0f} | {worst[1]:.0f} | {worst[2]:.0f} |"
                )
