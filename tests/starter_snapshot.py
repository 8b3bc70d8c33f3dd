"""The starter data as the database holds it, field by field, keyed by natural keys,
so that two loads can be compared whatever ids and timestamps they were given.

Left out: ids (foreign keys and links are written as the natural keys of the rows
they point to), the times a row was created, updated and first published (only
whether it was published is kept), and the history tables."""

import json
from pathlib import Path

from django.db import models
from taggit.managers import TaggableManager
from taggit.models import Tag

from cooperation.models import Agreement, AgreementLink, Mechanism
from core.models import Country, Organization, Source, SourceAuthor, Theme
from findings.models import Finding
from policies.models import Directive, DirectiveRelation, Provision

EXPECTED = Path(__file__).resolve().parent / "starter_data_expected.json"

MODELS = [
    Country,
    Theme,
    Organization,
    Source,
    SourceAuthor,
    Directive,
    Provision,
    DirectiveRelation,
    Mechanism,
    Agreement,
    AgreementLink,
    Finding,
    Tag,
]
TIMES = {"created_at", "updated_at", "published_at"}


def natural_key(obj):
    if obj is None:
        return None
    if isinstance(obj, Country):
        return obj.code
    if isinstance(obj, Tag):
        return obj.name
    if isinstance(obj, SourceAuthor):
        return f"{obj.source.slug}/{obj.position}"
    if isinstance(obj, Provision):
        return f"{obj.directive.slug}#p{obj.number}"
    if isinstance(obj, Finding):
        return f"{obj.source.slug}#f{obj.number}"
    if isinstance(obj, AgreementLink):
        return f"{obj.agreement.slug}>{natural_key(obj.provision or obj.directive)}"
    if isinstance(obj, DirectiveRelation):
        return f"{obj.from_directive.slug}>{obj.kind}>{obj.to_directive.slug}"
    return obj.slug


def plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def row(obj):
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in TIMES:
            continue
        if isinstance(field, models.ForeignKey):
            values[field.name] = natural_key(getattr(obj, field.name))
        else:
            values[field.name] = plain(getattr(obj, field.attname))
    if any(field.name == "published_at" for field in obj._meta.concrete_fields):
        values["published"] = obj.published_at is not None
    for field in obj._meta.many_to_many:
        linked = getattr(obj, field.name).all()
        if isinstance(field, TaggableManager):
            values[field.name] = sorted(tag.name for tag in linked)
        else:
            values[field.name] = sorted(natural_key(other) for other in linked)
    return values


def snapshot():
    """{model label: {natural key: {field: value}}} for every row of the starter data."""
    return {
        model._meta.label: {natural_key(obj): row(obj) for obj in model._default_manager.all()}
        for model in MODELS
    }


def expected():
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def write_expected(data):
    EXPECTED.write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
