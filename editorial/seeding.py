"""Load the starter data that ships with the project, and the ISO country list.

Everything is keyed by natural keys (slugs, ISO codes, numbers within a parent), so
running it again updates in place and never duplicates."""

import csv
import datetime
import json
from pathlib import Path

import pycountry
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cooperation.models import Mechanism
from core.models import Country, Organization, Source, SourceAuthor, Status, Theme
from findings.models import Finding
from policies.models import Directive, Provision
from search import signals as search_signals

DATA_DIR = Path(__file__).resolve().parent
STARTER_DATA = DATA_DIR / "seed" / "starter_data.json"
COUNTRY_REGIONS = DATA_DIR / "data" / "country_regions.csv"


def parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


def sync_countries():
    """Every ISO 3166-1 country from pycountry, with its UN region; returns the count."""
    with COUNTRY_REGIONS.open(encoding="utf-8") as f:
        regions = {row["iso2"]: row for row in csv.DictReader(f)}
    existing = Country.objects.in_bulk(field_name="code")
    new = []
    for record in pycountry.countries:
        region = regions.get(record.alpha_2, {})
        values = {
            "name": getattr(record, "common_name", None) or record.name,
            "official_name": getattr(record, "official_name", ""),
            "region": region.get("region", ""),
            "subregion": region.get("subregion", ""),
        }
        country = existing.get(record.alpha_2)
        if country is None:
            new.append(Country(code=record.alpha_2, **values))
        elif any(getattr(country, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(country, name, value)
            country.save()
    # One insert for the ~250 new rows (a first load), each with its history record.
    bulk_create_with_history(new, Country)
    return len(pycountry.countries)


def upsert(model, lookup, values, themes=(), tags=()):
    obj, _ = model.objects.update_or_create(**lookup, defaults=values)
    if themes:
        obj.themes.set(Theme.objects.filter(slug__in=themes))
    if tags:
        obj.tags.set(list(tags))
    return obj


@transaction.atomic
@search_signals.deferred()
def load_starter_data(path=STARTER_DATA):
    """Load the starter entries; returns {kind: number of entries loaded}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    counts = {"countries": sync_countries()}

    # Themes first, parents before children (the file lists them in that order).
    for item in data["themes"]:
        parent = Theme.objects.get(slug=item["parent"]) if item.get("parent") else None
        Theme.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "parent": parent,
                "order": item.get("order", 0),
                "description": item.get("description", ""),
            },
        )
    counts["themes"] = len(data["themes"])

    for item in data["organizations"]:
        Organization.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "abbreviation": item.get("abbreviation", ""),
                "kind": item["kind"],
                "country": Country.objects.get(code=item["country"])
                if item.get("country")
                else None,
            },
        )
    counts["organizations"] = len(data["organizations"])

    for item in data["sources"]:
        source = upsert(
            Source,
            {"slug": item["slug"]},
            {
                "title": item["title"],
                "kind": item["kind"],
                "outlet": item.get("outlet", ""),
                "institution": item.get("institution", ""),
                "published_on": parse_date(item.get("published_on")),
                "date_precision": item.get("date_precision", "day"),
                "language": item.get("language", ""),
                "abstract": item.get("abstract", ""),
                "note": item.get("note", ""),
                "status": Status.PUBLISHED,
            },
            themes=item.get("themes", ()),
        )
        for position, author in enumerate(item["authors"], start=1):
            SourceAuthor.objects.update_or_create(source=source, position=position, defaults=author)
        source.authors.filter(position__gt=len(item["authors"])).delete()
    counts["sources"] = len(data["sources"])

    for item in data["directives"]:
        directive = upsert(
            Directive,
            {"slug": item["slug"]},
            {
                "title": item["title"],
                "kind": item["kind"],
                "issuing_body": Organization.objects.get(slug=item["issuing_body"]),
                "speaker": item.get("speaker", ""),
                "speaker_role": item.get("speaker_role", ""),
                "occasion": item.get("occasion", ""),
                "date": parse_date(item.get("date")),
                "date_precision": item.get("date_precision", "day"),
                "summary": item.get("summary", ""),
                "status": Status.PUBLISHED,
            },
            themes=item.get("themes", ()),
        )
        directive.sources.set([Source.objects.get(slug=item["source"])])
        for point in item["provisions"]:
            upsert(
                Provision,
                {"directive": directive, "number": point["number"]},
                {"heading": point.get("heading", ""), "text": point["text"]},
                themes=point.get("themes", ()),
                tags=point.get("tags", ()),
            )
    counts["directives"] = len(data["directives"])
    counts["provisions"] = sum(len(item["provisions"]) for item in data["directives"])

    for item in data["mechanisms"]:
        mechanism = upsert(
            Mechanism,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "description": item.get("description", ""),
                "status": Status.PUBLISHED,
            },
            themes=item.get("themes", ()),
            tags=item.get("tags", ()),
        )
        mechanism.sources.set([Source.objects.get(slug=item["source"])])
    counts["mechanisms"] = len(data["mechanisms"])

    for item in data["findings"]:
        upsert(
            Finding,
            {"source": Source.objects.get(slug=item["source"]), "number": item["number"]},
            {
                "kind": item["kind"],
                "text": item["text"],
                "pinpoint": item.get("pinpoint", ""),
                "status": Status.PUBLISHED,
            },
            themes=item.get("themes", ()),
        )
    counts["findings"] = len(data["findings"])
    return counts
