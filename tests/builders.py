"""Small builders for test data: each makes a valid, published entry by default,
with every field overridable, so a test states only what it is about."""

import datetime
import functools
import itertools

from cooperation.models import Agreement, AgreementLink, Mechanism
from core.models import Country, Organization, Source, Status, Theme
from findings.models import Finding
from policies.models import Directive, Provision
from search import signals as search_signals

_numbers = itertools.count(1)


def indexed_once(build):
    """Index what the builder writes once, at its end, as an import does
    (search.signals.deferred), instead of once per save and per link set: the index
    is the same when it returns, for a fraction of the queries. Inside a caller's own
    deferred block it leaves the indexing to that block."""

    @functools.wraps(build)
    def built(*args, **kwargs):
        with search_signals.deferred():
            return build(*args, **kwargs)

    return built


def unique_slug(prefix):
    return f"{prefix}-{next(_numbers)}"


def make_theme(**fields):
    fields.setdefault("name", "Theme")
    fields.setdefault("slug", unique_slug("theme"))
    return Theme.objects.create(**fields)


def make_country(code="NP", name="Nepal", **fields):
    country, _ = Country.objects.get_or_create(code=code, defaults={"name": name, **fields})
    return country


def make_organization(**fields):
    fields.setdefault("name", "Ministry of Emergency Management")
    fields.setdefault("slug", unique_slug("org"))
    fields.setdefault("kind", Organization.Kind.MINISTRY)
    return Organization.objects.create(**fields)


@indexed_once
def make_source(themes=(), **fields):
    fields.setdefault("title", "A report")
    fields.setdefault("slug", unique_slug("source"))
    fields.setdefault("kind", Source.Kind.REPORT)
    fields.setdefault("status", Status.PUBLISHED)
    source = Source.objects.create(**fields)
    source.themes.set(themes)
    return source


@indexed_once
def make_directive(themes=(), provisions=0, sources=(), **fields):
    fields.setdefault("title", "Opinions on emergency management")
    fields.setdefault("slug", unique_slug("directive"))
    fields.setdefault("kind", Directive.Kind.OPINION)
    fields.setdefault("date", datetime.date(2020, 1, 15))
    fields.setdefault("status", Status.PUBLISHED)
    directive = Directive.objects.create(**fields)
    directive.themes.set(themes)
    directive.sources.set(sources)
    for number in range(1, provisions + 1):
        Provision.objects.create(directive=directive, number=number, text=f"Point {number} text.")
    return directive


@indexed_once
def make_provision(directive=None, **fields):
    directive = directive or make_directive()
    fields.setdefault("number", directive.provisions.count() + 1)
    fields.setdefault("text", "Build a national rescue force.")
    return Provision.objects.create(directive=directive, **fields)


@indexed_once
def make_mechanism(themes=(), **fields):
    fields.setdefault("name", "A cooperation mechanism")
    fields.setdefault("slug", unique_slug("mechanism"))
    fields.setdefault("status", Status.PUBLISHED)
    mechanism = Mechanism.objects.create(**fields)
    mechanism.themes.set(themes)
    return mechanism


@indexed_once
def make_agreement(themes=(), countries=(), provisions=(), sources=(), **fields):
    fields.setdefault("title", "Memorandum on disaster prevention cooperation")
    fields.setdefault("slug", unique_slug("agreement"))
    fields.setdefault("kind", Agreement.Kind.MOU)
    fields.setdefault("signed_on", datetime.date(2019, 4, 25))
    fields.setdefault("status", Status.PUBLISHED)
    agreement = Agreement.objects.create(**fields)
    agreement.themes.set(themes)
    agreement.party_countries.set(countries)
    agreement.sources.set(sources)
    for provision in provisions:
        AgreementLink.objects.create(agreement=agreement, provision=provision, note="Joint drills")
    return agreement


@indexed_once
def make_finding(source=None, themes=(), **fields):
    source = source or make_source()
    fields.setdefault("number", source.findings.count() + 1)
    fields.setdefault("kind", Finding.Kind.PROBLEM)
    fields.setdefault("text", "Theoretical research lags behind practice.")
    fields.setdefault("status", Status.PUBLISHED)
    finding = Finding.objects.create(source=source, **fields)
    finding.themes.set(themes)
    return finding
