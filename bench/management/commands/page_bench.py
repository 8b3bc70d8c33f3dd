"""Page benchmark: how long each kind of public page takes on the synthetic corpus
(bench/RESULTS.md, "Pages at scale"). Whole Django responses through the test client,
template rendering included, with no page cache (the site has none here); the data
the site caches itself (formatted citations, search results) is warm unless
--clear-cache empties the cache before each request."""

import statistics
import time
from contextlib import contextmanager
from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.template.backends.django import Template
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from cooperation.models import Agreement
from policies.models import Directive


def pages():
    """(name, path) of each page timed, found in the database: the synthetic corpus's
    middle directive and agreement, its root theme (every synthetic entry) and one
    sub-theme, its `synthetic` tag (every synthetic entry), its first party."""
    directives = Directive.objects.published().filter(is_synthetic=True).order_by("pk")
    directive = directives[directives.count() // 2]
    agreements = Agreement.objects.published().filter(is_synthetic=True).order_by("pk")
    agreement = agreements[agreements.count() // 2]
    return [
        ("home", "/"),
        ("theme list", "/themes/"),
        ("theme, root", "/themes/synthetic-root/"),
        ("theme, sub-theme", "/themes/synthetic-theme-1/"),
        ("theme, directives p2", "/themes/synthetic-theme-1/?type=directives&page=2"),
        ("theme, directives p140", "/themes/synthetic-theme-1/?type=directives&page=140"),
        (
            "theme, directives p140 by key",
            "NEXT/themes/synthetic-theme-1/?type=directives&page=139",
        ),
        ("theme, provisions p1400", "/themes/synthetic-theme-1/?type=provisions&page=1400"),
        (
            "theme, provisions p1400 by key",
            "NEXT/themes/synthetic-theme-1/?type=provisions&page=1399",
        ),
        ("directive list", "/directives/"),
        ("directive list p900", "/directives/?page=900"),
        ("directive list p900 by key", "NEXT/directives/?page=899"),
        ("directive list, theme", "/directives/?theme=synthetic-theme-1"),
        ("directive detail", directive.get_absolute_url()),
        ("provision page", f"{directive.get_absolute_url()}p5/"),
        ("agreement list", "/agreements/"),
        ("agreement detail", agreement.get_absolute_url()),
        ("country page", "/countries/xa/"),
        ("tag page", "/tags/synthetic/"),
        ("tag, provisions p5000", "/tags/synthetic/?type=provisions&page=5000"),
        ("tag, provisions p5000 by key", "NEXT/tags/synthetic/?type=provisions&page=4999"),
        ("API directives", "/api/v1/directives/"),
        ("sitemap index", "/sitemap.xml"),
        ("sitemap provisions p1", "/sitemap-provisions.xml"),
        ("sitemap provisions, last", "/sitemap-provisions.xml?p=LAST"),
        ("sitemap directives p1", "/sitemap-directives.xml"),
        ("sitemap tags", "/sitemap-tags.xml"),
    ]


def next_link(client, path):
    """The address a page's "Next" link gives (with the key it continues from)."""
    page = client.get(path).content.decode()
    query = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    return path.split("?")[0] + query


def last_sitemap_page(client, path):
    """The address of the provisions sitemap's last page, read off the index."""
    index = client.get("/sitemap.xml").content.decode()
    section = path.split("?")[0]
    numbers = [1] + [
        int(part.split("?p=")[1].split("<")[0])
        for part in index.split("<loc>")
        if section in part and "?p=" in part
    ]
    return f"{section}?p={max(numbers)}"


class Command(BaseCommand):
    help = "Time each kind of public page, uncached, on this database."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--only", help="Time only the pages whose name contains this.")
        parser.add_argument(
            "--queries", action="store_true", help="Print each page's slowest queries."
        )
        parser.add_argument(
            "--split",
            action="store_true",
            help="Split each page's time (median ms): templates, SQL (the database and "
            "its driver), ORM (building queries and rows, SQL apart), the rest.",
        )
        parser.add_argument(
            "--clear-cache",
            action="store_true",
            help="Empty the cache before each request (citations, search, counts too).",
        )

    def handle(self, *args, runs, only, queries, split, clear_cache, **options):
        self.clear_cache = clear_cache
        self.split = split
        if not settings.EMGOV_SYNTHETIC_PUBLIC:
            raise CommandError("Run with EMGOV_SYNTHETIC_PUBLIC=1, on a benchmark database.")
        client = Client()
        self.stdout.write(
            f"{connection.vendor}, {runs} runs a page, ms (median, min, max), queries, KB"
        )
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            for name, path in pages():
                if only and only not in name:
                    continue
                if path.endswith("LAST"):
                    path = last_sitemap_page(client, path)
                if path.startswith("NEXT"):
                    path = next_link(client, path.removeprefix("NEXT"))
                self.time_page(client, name, path, runs, queries)

    def time_page(self, client, name, path, runs, show_queries):
        cache.clear()
        client.get(path)  # warm the connection and the templates
        samples, parts = [], []
        for _ in range(runs):
            if self.clear_cache:
                cache.clear()
            with CaptureQueriesContext(connection) as captured, timed_parts(self.split) as spent:
                started = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            parts.append(spent)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
        size = len(response.content) // 1024
        self.stdout.write(
            f"{name:32} {statistics.median(samples):8.1f} {min(samples):8.1f} "
            f"{max(samples):8.1f} {len(captured.captured_queries):4} {size:6}  {path}"
        )
        if self.split:
            median = {name: statistics.median(part[name] for part in parts) for name in parts[0]}
            rest = statistics.median(samples) - sum(median.values())
            self.stdout.write(
                "    templates {template:.1f}, SQL {sql:.1f}, ORM {orm:.1f}, ".format(**median)
                + f"the rest {rest:.1f} (middleware, views, URLs, citations)"
            )
        if show_queries:
            slowest = sorted(captured.captured_queries, key=lambda query: -float(query["time"]))[:3]
            for query in slowest:
                self.stdout.write(f"    {float(query['time']) * 1000:8.1f} ms  {query['sql']}")


@contextmanager
def timed_parts(enabled):
    """{"template", "sql", "orm": ms} spent on one request, filled in when the request
    is done: rendering templates (but the queries they run), executing SQL (the
    database and its driver, through connection.execute_wrapper), and the ORM around
    it (compiling queries, making rows into objects). Timing every query and template
    costs a little itself."""
    spent = {"template": 0.0, "sql": 0.0, "orm": 0.0}
    if not enabled:
        yield spent
        return
    inside = {"template": False, "orm": False}
    # Wall time of the outermost template renders and ORM executions; SQL inside the
    # ORM; and what of each ran while a template was rendering.
    wall = {"template": 0.0, "orm": 0.0, "sql": 0.0, "sql in orm": 0.0}
    in_template = {"orm": 0.0, "raw sql": 0.0}

    def on_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            wall["sql"] += seconds
            if inside["orm"]:
                wall["sql in orm"] += seconds
            elif inside["template"]:
                in_template["raw sql"] += seconds

    def timed(name, original):
        def wrapper(*args, **kwargs):
            if inside[name]:
                return original(*args, **kwargs)
            inside[name] = True
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                inside[name] = False
                seconds = time.perf_counter() - started
                wall[name] += seconds
                if name == "orm" and inside["template"]:
                    in_template["orm"] += seconds

        return wrapper

    with (
        connection.execute_wrapper(on_sql),
        mock.patch.object(SQLCompiler, "execute_sql", timed("orm", SQLCompiler.execute_sql)),
        mock.patch.object(Template, "render", timed("template", Template.render)),
    ):
        yield spent
    spent["template"] = (wall["template"] - in_template["orm"] - in_template["raw sql"]) * 1000
    spent["sql"] = wall["sql"] * 1000
    spent["orm"] = (wall["orm"] - wall["sql in orm"]) * 1000
