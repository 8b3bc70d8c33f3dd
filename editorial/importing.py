"""Bulk import of directives (with their provisions) and agreements (with their
parties and links) from CSV or JSON Lines, in the shape the exports produce.

The whole file is read and checked first, without writing anything: every row is
either an error (row number, field, reason) or a plan (create, update, or leave
alone). Only a file without errors is written, in one transaction, so an import is
all or nothing. Entries are found by slug and provisions by number within their
directive, so importing the same file twice changes nothing the second time. New
entries arrive as drafts; each written entry gets one version in its history.

The shape is documented in README.md ("Bulk import").
"""

import csv
import datetime
import io
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cooperation.models import Agreement, AgreementLink, Mechanism
from core.models import Country, Organization, Source, Status, Theme
from core.spreadsheet import unguard
from editorial.history import one_version
from policies.models import Directive, Provision
from search import signals as search_signals

MAX_ROWS = 20000


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self):
        where = _("row %(row)d") % {"row": self.row}
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    collection: str
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    written: bool = False

    @property
    def ok(self):
        return not self.errors


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV/JSON Lines, no rows, too many)."""


def read_rows(name, content):
    """[(row number, {column: value})] from CSV (row 1 is the header, so data
    starts at row 2, as in a spreadsheet) or JSON Lines (row = line number)."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file is not UTF-8 text.")) from error
    lower = name.lower()
    is_jsonl = lower.endswith((".jsonl", ".ndjson")) or (
        not lower.endswith(".csv") and content.lstrip().startswith("{")
    )
    rows = []
    if is_jsonl:
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                data = RowError(number, "", _("not valid JSON (%(error)s)") % {"error": error.msg})
            else:
                if not isinstance(data, dict):
                    data = RowError(number, "", _("each line must be one JSON object"))
            rows.append((number, data))
    else:
        try:
            reader = csv.DictReader(io.StringIO(content, newline=""))
            rows = [
                (number, {column: unguard(value) for column, value in row.items()})
                for number, row in enumerate(reader, start=2)
            ]
        except csv.Error as error:
            raise ImportFileError(
                _("The CSV cannot be read: %(error)s") % {"error": error}
            ) from error
        if reader.fieldnames is None or "slug" not in reader.fieldnames:
            raise ImportFileError(_("The CSV needs a header row with a “slug” column."))
    if not rows:
        raise ImportFileError(_("The file has no rows."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(max)d rows at a time.") % {"max": MAX_ROWS})
    return rows


# Parsing of one cell; each raises ValueError with a plain-words reason.


def parse_text(value):
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValueError(_("expected text"))
    return str(value).strip()


def parse_date(value):
    text = parse_text(value)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date; write YYYY-MM-DD") % {"value": text}
        ) from None


def parse_list(value):
    """A JSON list, or in CSV either a JSON array or values separated by “;”."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                raise ValueError(_("not a valid JSON list")) from None
        else:
            return [item.strip() for item in stripped.split(";") if item.strip()]
    if not isinstance(value, list):
        raise ValueError(_("expected a list"))
    return value


def parse_records(value):
    """A list of objects (provisions): a JSON array, in CSV as JSON text."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return []
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(_("write the provisions as a JSON array")) from None
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(_("expected a list"))
    return value


@dataclass
class Plan:
    row: int
    entry: object
    created: bool
    changed: bool
    m2m: dict
    tags: list | None
    children: list  # (model, lookup, values, existing row or None)


class EntryImporter:
    """What directives and agreements share: text, date and choice fields, links
    by slug (themes, sources, organizations), tags, and inline rows."""

    model = None
    text_fields = ()
    date_fields = ()
    m2m_columns = {}  # column: (field name, model, natural key field)
    fk_columns = {}  # column: (field attname, model, natural key field)
    prefetch = ()
    parent_field = None  # how inline rows name their entry

    def __init__(self, *, user=None, source_name=""):
        self.user = user
        self.source_name = source_name
        self.lookups = {}

    def lookup(self, model, key_field):
        cache_key = (model, key_field)
        if cache_key not in self.lookups:
            self.lookups[cache_key] = dict(model._default_manager.values_list(key_field, "pk"))
        return self.lookups[cache_key]

    def resolve(self, column, model, key_field, keys, errors, row):
        table = self.lookup(model, key_field)
        found = []
        for key in keys:
            key = parse_text(key)
            if key_field == "code":
                key = key.upper()
            if key not in table:
                errors.append(
                    RowError(
                        row,
                        column,
                        _("no %(type)s “%(key)s”") % {"type": model._meta.verbose_name, "key": key},
                    )
                )
            else:
                found.append(table[key])
        return found

    def run(self, rows, *, dry_run=False, progress=None):
        report = ImportReport(collection=str(self.model._meta.verbose_name_plural))
        slugs = [parse_text(data.get("slug")) for _, data in rows if isinstance(data, dict)]
        existing = self.model._default_manager.prefetch_related(*self.prefetch).in_bulk(
            [slug for slug in slugs if slug], field_name="slug"
        )
        seen, plans = {}, []
        for number, data in progress(rows) if progress else rows:
            if isinstance(data, RowError):
                report.errors.append(data)
                continue
            errors = []
            plan = self.plan_row(number, data, existing, seen, errors)
            if errors:
                report.errors.extend(errors)
            elif plan is not None:
                plans.append(plan)
                outcome = (
                    report.created
                    if plan.created
                    else report.updated
                    if plan.changed
                    else report.unchanged
                )
                outcome.append(plan.entry.slug)
        if report.errors or dry_run:
            return report
        try:
            with transaction.atomic(), search_signals.deferred():
                for plan in plans:
                    if plan.changed:
                        self.write(plan)
        except (IntegrityError, ValidationError) as error:
            report.errors.append(RowError(plan.row, "", str(error)))
            return report
        report.written = True
        return report

    def plan_row(self, number, data, existing, seen, errors):
        slug = parse_text(data.get("slug"))
        if not slug:
            errors.append(RowError(number, "slug", _("a slug is required")))
            return None
        if slug in seen:
            errors.append(
                RowError(
                    number,
                    "slug",
                    _("“%(slug)s” appears twice in this file (first in row %(first)d)")
                    % {"slug": slug, "first": seen[slug]},
                )
            )
            return None
        seen[slug] = number
        entry = existing.get(slug)
        created = entry is None
        if created:
            entry = self.model(slug=slug, status=Status.DRAFT)
        before = {f.attname: getattr(entry, f.attname) for f in self.model._meta.concrete_fields}

        for column in self.text_fields + self.date_fields:
            if column not in data:
                continue
            try:
                parse = parse_date if column in self.date_fields else parse_text
                setattr(entry, column, parse(data[column]))
            except ValueError as error:
                errors.append(RowError(number, column, str(error)))
        for column, (attname, model, key_field) in self.fk_columns.items():
            if column in data:
                key = parse_text(data[column])
                ids = self.resolve(column, model, key_field, [key] if key else [], errors, number)
                setattr(entry, attname, ids[0] if ids else None)

        m2m = {}
        for column, (name, model, key_field) in self.m2m_columns.items():
            if column not in data:
                continue
            try:
                keys = parse_list(data[column])
            except ValueError as error:
                errors.append(RowError(number, column, str(error)))
                continue
            wanted = set(self.resolve(column, model, key_field, keys, errors, number))
            current = set() if created else {obj.pk for obj in getattr(entry, name).all()}
            if wanted != current:
                m2m[name] = wanted
        tags = None
        if "tags" in data:
            try:
                tags = sorted({parse_text(tag) for tag in parse_list(data["tags"]) if tag})
            except ValueError as error:
                errors.append(RowError(number, "tags", str(error)))
            current_tags = set() if created else {t.name.lower() for t in entry.tags.all()}
            if tags is not None and {t.lower() for t in tags} == current_tags:
                tags = None

        try:
            entry.full_clean(exclude=["status"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = "" if name == "__all__" else name
                errors.extend(RowError(number, column, message) for message in messages)
        children = self.plan_children(number, data, entry, created, errors)
        if errors:
            return None
        after = {f.attname: getattr(entry, f.attname) for f in self.model._meta.concrete_fields}
        changed = created or before != after or bool(m2m) or tags is not None or bool(children)
        return Plan(number, entry, created, changed, m2m, tags, children)

    def write(self, plan):
        entry = plan.entry
        reason = _("Imported from %(file)s") % {"file": self.source_name or _("a file")}
        with one_version(entry, user=self.user, reason=reason, created=plan.created):
            entry.save()
            for name, ids in plan.m2m.items():
                getattr(entry, name).set(ids)
            if plan.tags is not None:
                entry.tags.set(plan.tags)
            for model, lookup, values, row in plan.children:
                if row is None:
                    row = model(**{self.parent_field: entry}, **lookup)
                for name, value in values.items():
                    setattr(row, name, value)
                row.full_clean()
                row.save()

    def plan_children(self, number, data, entry, created, errors):
        return []


class DirectiveImporter(EntryImporter):
    model = Directive

    text_fields = (
        "title",
        "title_original",
        "original_language",
        "kind",
        "speaker",
        "speaker_role",
        "occasion",
        "date_precision",
        "summary",
        "summary_original",
    )
    date_fields = ("date",)
    fk_columns = {"issuing_body": ("issuing_body_id", Organization, "slug")}
    m2m_columns = {"themes": ("themes", Theme, "slug"), "sources": ("sources", Source, "slug")}
    prefetch = ("themes", "sources", "tags", "provisions")
    parent_field = "directive"
    provision_fields = ("heading", "heading_original", "text", "text_original")

    def plan_children(self, number, data, entry, created, errors):
        if "provisions" not in data:
            return []
        try:
            items = parse_records(data["provisions"])
        except ValueError as error:
            errors.append(RowError(number, "provisions", str(error)))
            return []
        current = {} if created else {p.number: p for p in entry.provisions.all()}
        children, numbers = [], set()
        for position, item in enumerate(items, start=1):
            where = f"provisions[{position}]"
            if not isinstance(item, dict):
                errors.append(RowError(number, where, _("each provision must be an object")))
                continue
            try:
                point = int(item.get("number"))
                if point < 1:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(RowError(number, where, _("a number of 1 or more is required")))
                continue
            if point in numbers:
                errors.append(
                    RowError(number, where, _("point %(n)d is listed twice") % {"n": point})
                )
                continue
            numbers.add(point)
            try:
                values = {
                    name: parse_text(item[name]) for name in self.provision_fields if name in item
                }
            except ValueError as error:
                errors.append(RowError(number, where, str(error)))
                continue
            row = current.get(point)
            candidate = Provision(number=point, **{**self.values_of(row), **values})
            try:
                candidate.full_clean(exclude=["directive"], validate_constraints=False)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.extend(RowError(number, f"{where}.{name}", m) for m in messages)
                continue
            if row is None or any(getattr(row, k) != v for k, v in values.items()):
                children.append((Provision, {"number": point}, values, row))
        return children

    def values_of(self, row):
        if row is None:
            return {}
        return {name: getattr(row, name) for name in self.provision_fields}


class AgreementImporter(EntryImporter):
    model = Agreement

    text_fields = ("title", "title_original", "kind", "agreement_status", "summary", "url")
    date_fields = ("signed_on", "in_force_on", "expires_on")
    prefetch = (
        "themes",
        "sources",
        "tags",
        "party_countries",
        "party_organizations",
        "links",
    )
    parent_field = "agreement"

    fk_columns = {"mechanism": ("mechanism_id", Mechanism, "slug")}

    m2m_columns = {
        "parties": ("party_countries", Country, "code"),
        # The exports' name for the same column.
        "party_countries": ("party_countries", Country, "code"),
        "party_organizations": ("party_organizations", Organization, "slug"),
        "themes": ("themes", Theme, "slug"),
        "sources": ("sources", Source, "slug"),
    }

    def plan_children(self, number, data, entry, created, errors):
        if "links" not in data:
            return []
        try:
            items = parse_list(data["links"])
        except ValueError as error:
            errors.append(RowError(number, "links", str(error)))
            return []
        directives = self.lookup(Directive, "slug")
        if ("provisions",) not in self.lookups:
            self.lookups[("provisions",)] = {
                (directive_id, point): pk
                for pk, directive_id, point in Provision.objects.values_list(
                    "pk", "directive_id", "number"
                )
            }
        provisions = self.lookups[("provisions",)]
        current = (
            {} if created else {(k.directive_id, k.provision_id): k for k in entry.links.all()}
        )
        children = []
        kinds = dict(AgreementLink.Kind.choices)
        for position, item in enumerate(items, start=1):
            where = f"links[{position}]"
            item = item if isinstance(item, dict) else {"target": item}
            target = parse_text(item.get("target"))
            slug, _hash, point = target.partition("#p")
            directive_id = directives.get(slug)
            if directive_id is None:
                errors.append(
                    RowError(number, where, _("no directive “%(slug)s”") % {"slug": slug})
                )
                continue
            provision_id = None
            if point:
                provision_id = provisions.get((directive_id, int(point) if point.isdigit() else 0))
                if provision_id is None:
                    errors.append(
                        RowError(
                            number, where, _("“%(target)s”: no such point") % {"target": target}
                        )
                    )
                    continue
            values = {
                "kind": parse_text(item.get("kind")) or AgreementLink.Kind.RESPONDS_TO,
                "note": parse_text(item.get("note")),
            }
            if values["kind"] not in kinds:
                errors.append(RowError(number, where, _("unknown relation “%(kind)s”") % values))
                continue
            row = current.get((directive_id, provision_id))
            if row is None or any(getattr(row, k) != v for k, v in values.items()):
                lookup = {"directive_id": directive_id, "provision_id": provision_id}
                children.append((AgreementLink, lookup, values, row))
        return children


IMPORTERS = {"directives": DirectiveImporter, "agreements": AgreementImporter}


def guess_collection(name):
    lower = name.lower()
    for collection in IMPORTERS:
        if collection.rstrip("s") in lower:
            return collection
    return None


def entries_import(*, collection, name, content, user=None, dry_run=False, progress=None):
    """Import a file; returns an ImportReport. Writes only if the whole file is
    valid and dry_run is false. Raises ImportFileError for an unreadable file."""
    if collection not in IMPORTERS:
        raise ImportFileError(_("Choose what the file holds: directives or agreements."))
    rows = read_rows(name, content)
    importer = IMPORTERS[collection](user=user, source_name=name)
    return importer.run(rows, dry_run=dry_run, progress=progress)
