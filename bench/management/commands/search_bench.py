"""Search benchmark: p50/p95 of whole /search/ pages against a plain list page and
the naive icontains query, in the same run. See bench/RESULTS.md."""

import statistics
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import override_settings

from policies.models import Directive, Provision
from search.models import SearchDocument

SHORT_QUERIES = ["volunteer rescue teams", "flood warning", "earthquake", "drought relief"]
FACETED = "&type=provisions&tag=synthetic"
BROAD_TERM = "preparedness"
SHORT = "search, 1–3 words + facet counts"
FACETED_NAME = "search, 1–3 words, two facets chosen"
BROAD = f"search, '{BROAD_TERM}' (30% of directives)"


def uncached(request):
    """The request with an empty cache: what the first reader of a search waits."""

    def run(n):
        cache.clear()
        return request(n)

    return run


def percentile(samples, share):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def naive_search(words):
    """What search would cost without an index: every word as icontains over the
    directives' and provisions' text, a count and the first page of each."""
    directive_match, provision_match = Q(), Q()
    for word in words.split():
        directive_match &= Q(title__icontains=word) | Q(summary__icontains=word)
        provision_match &= Q(heading__icontains=word) | Q(text__icontains=word)
    directives = Directive.objects.published().filter(directive_match)
    provisions = Provision.objects.published().filter(provision_match)
    return directives.count(), list(directives[:20]), provisions.count(), list(provisions[:20])


class Command(BaseCommand):
    help = "Time search pages, a list page and naive icontains search on this database."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=60)

    def handle(self, *args, runs, **options):
        if not settings.EMGOV_SYNTHETIC_PUBLIC:
            raise CommandError(
                "The synthetic corpus is hidden from public pages: run the benchmark with "
                "EMGOV_SYNTHETIC_PUBLIC=1 (make bench sets it), on a database of its own."
            )
        client = Client()

        def short_query(n):
            return client.get("/search/", {"q": SHORT_QUERIES[n % len(SHORT_QUERIES)]})

        def faceted_query(n):
            return client.get(f"/search/?q={SHORT_QUERIES[n % len(SHORT_QUERIES)]}{FACETED}")

        def broad_query(n):
            return client.get("/search/", {"q": BROAD_TERM})

        scenarios = {
            SHORT: short_query,
            f"{SHORT}, cache emptied before each": uncached(short_query),
            FACETED_NAME: faceted_query,
            f"{FACETED_NAME}, cache emptied": uncached(faceted_query),
            BROAD: broad_query,
            f"{BROAD}, cache emptied before each": uncached(broad_query),
            f"search, '{BROAD_TERM}' sorted by date": lambda n: client.get(
                "/search/", {"q": BROAD_TERM, "sort": "date"}
            ),
            "list page /directives/": lambda n: client.get("/directives/"),
            "naive icontains, 1–3 words": lambda n: naive_search(
                SHORT_QUERIES[n % len(SHORT_QUERIES)]
            ),
            f"naive icontains, '{BROAD_TERM}'": lambda n: naive_search(BROAD_TERM),
        }
        results = {}
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            for name, run in scenarios.items():
                for n in range(3):  # warm caches and connections
                    run(n)
                samples = []
                for n in range(runs):
                    started = time.perf_counter()
                    response = run(n)
                    samples.append((time.perf_counter() - started) * 1000)
                    status = getattr(response, "status_code", 200)
                    assert status == 200, (name, status)
                results[name] = samples
        self.report(results, runs)

    def report(self, results, runs):
        documents = SearchDocument.objects.published().count()
        self.stdout.write(
            f"{connection.vendor}, {documents} published documents, "
            f"{Directive.objects.count()} directives, {Provision.objects.count()} provisions, "
            f"{runs} runs each\n"
        )
        self.stdout.write("| scenario | p50 ms | p95 ms | mean ms |")
        self.stdout.write("| --- | ---: | ---: | ---: |")
        for name, samples in results.items():
            self.stdout.write(
                f"| {name} | {percentile(samples, 0.5):.1f} | {percentile(samples, 0.95):.1f} "
                f"| {statistics.fmean(samples):.1f} |"
            )
        search = percentile(results[SHORT], 0.95)
        cold = percentile(results[f"{SHORT}, cache emptied before each"], 0.95)
        broad = percentile(results[BROAD], 0.95)
        broad_cold = percentile(results[f"{BROAD}, cache emptied before each"], 0.95)
        listing = percentile(results["list page /directives/"], 0.95)
        naive = percentile(results["naive icontains, 1–3 words"], 0.95)
        naive_broad = percentile(results[f"naive icontains, '{BROAD_TERM}'"], 0.95)
        self.stdout.write("\nRatios of p95:")
        self.stdout.write(f"- 1–3 word search / list page: {search / listing:.2f}")
        self.stdout.write(f"- 1–3 word search / naive icontains: {search / naive:.2f}")
        self.stdout.write(f"- 1–3 word search, cache emptied / list page: {cold / listing:.2f}")
        self.stdout.write(f"- 1–3 word search, cache emptied / naive: {cold / naive:.2f}")
        self.stdout.write(f"- 30% term search / list page: {broad / listing:.2f}")
        self.stdout.write(f"- 30% term search / naive icontains: {broad / naive_broad:.2f}")
        self.stdout.write(
            f"- 30% term search, cache emptied / naive: {broad_cold / naive_broad:.2f}"
        )
        self.stdout.write(
            f"- 30% term search, cache emptied / list page: {broad_cold / listing:.2f}"
        )
        faceted_cold = percentile(results[f"{FACETED_NAME}, cache emptied"], 0.95)
        self.stdout.write(
            f"- two facets chosen, cache emptied / list page: {faceted_cold / listing:.2f}"
        )
        self.report_by_query(results[f"{SHORT}, cache emptied before each"])

    def report_by_query(self, samples):
        """The cold 1–3 word searches by query (request n asked query n mod 4), to show
        which of them sets the p95."""
        self.stdout.write("\n1–3 word searches, cache emptied, by query:\n")
        self.stdout.write("| query | p50 ms | p95 ms | max ms |")
        self.stdout.write("| --- | ---: | ---: | ---: |")
        for i, query in enumerate(SHORT_QUERIES):
            mine = samples[i :: len(SHORT_QUERIES)]
            if not mine:  # fewer runs than queries
                continue
            self.stdout.write(
                f"| {query} | {percentile(mine, 0.5):.1f} | {percentile(mine, 0.95):.1f} "
                f"| {max(mine):.1f} |"
            )
