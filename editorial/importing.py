"""Bulk import from CSV or JSON Lines, in the shape the exports produce: one engine
for every collection, and for every way of writing entries from data (editors'
imports, in the admin and `import_entries`; the starter data, `load_seed`).

The engine names no domain model. Each collection's columns, natural key, links and
inline rows are declared with its type (core.import_spec.Importer: the `importer` of
an entry type in core.registry, or, for the reference data that is not an entry type,
in REFERENCE_DATA below), and the engine reads a file by that declaration.

The whole file is read and checked first, without writing anything: every row is
either an error (row number, field, reason) or a plan (create, update, or leave
alone); every value is checked there for its type, range, length and characters, so
that writing never fails on a value. Only a file without errors is written, in one
transaction, so an import is all or nothing, and only the columns a row changes are
written. Each entry it updates is locked then and its version compared with the one
read (or the one the dry run showed): an entry saved meanwhile refuses the whole
import, naming it, so that nobody's save is silently overwritten.

Rows are found by their natural key (entries by slug, provisions by number within
their directive, findings by source and number), so importing the same file twice
changes nothing the second time. New entries arrive as drafts, or
published when the import publishes (the starter data, whose every row must then cite
its source); each written entry gets one version in its history.

The shape is documented in docs/import-format.md.
"""

import csv
import datetime
import io
import json
import math
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from taggit.models import Tag
from taggit.utils import edit_string_for_tags

from core.import_spec import Importer, Link
from core.models import Source, Status
from core.registry import registry
from core.spreadsheet import unguard
from editorial.history import changes_since, one_version, record_tag_names
from editorial.pending import is_gated, pending_revisions, propose_change
from search import signals as search_signals

MAX_ROWS = 20000
# Rows locked by one query when an import writes (a bound on its parameters).
LOCK_BATCH = 500
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
LINE_END = re.compile(r"\r\n|\r|\n")
# The copy of its tags' names an entry keeps (core.models.Entry.tag_names).
TAG_NAMES_LENGTH = Source._meta.get_field("tag_names").max_length


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
    # How many inline rows the file gives, by column ({"provisions": 6}).
    inline: dict = field(default_factory=dict)
    # Sources named by a column that is not stored: [(row, column, slug)], checked
    # against the database (see unknown_citations).
    citations: list = field(default_factory=list)
    # {row label: version} of the entries the file names that exist, as read: what a
    # dry run saw, for the import that follows it to compare (run's seen_versions).
    versions: dict = field(default_factory=dict)
    # Labels of the published entries whose update is (or, in a dry run, would be) held
    # for review, not written (editorial.pending): the published version stays public.
    held: list = field(default_factory=list)
    # (row, field, source slug) of reference data whose cited source did not exist
    # when it was read: kept once the import has written everything (keep_sources).
    sources_to_keep: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    @property
    def rows(self):
        return len(self.created) + len(self.updated) + len(self.unchanged)


class ImportConflict(Exception):
    """Rows to be written were changed by someone else since they were read."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV/JSON Lines, no rows, too many)."""


@dataclass(frozen=True)
class Collection:
    """What an import file can hold: the rows of one model, read by one declaration."""

    key: str
    model_label: str
    importer: Importer

    @property
    def model(self):
        return apps.get_model(self.model_label)


# Reference data that is not an entry type, and whose models are the kernel's:
# declared here, read by the same engine.
REFERENCE_DATA = (
    Collection(
        key="themes",
        model_label="core.Theme",
        importer=Importer(
            fields=("name", "name_zh", "description", "order"),
            # A parent is named by slug: a theme above it in the same file, or one
            # already in the database.
            links={"parent": Link("parent")},
            cites="source",
        ),
    ),
    Collection(
        key="organizations",
        model_label="core.Organization",
        importer=Importer(
            fields=("name", "name_original", "abbreviation", "kind", "url"),
            links={"country": Link("country", key="code")},
            cites="source",
        ),
    ),
)


def collections():
    """{collection: Collection}: every entry type that declares an importer, in the
    registry's order, then the reference data."""
    found = {
        entry_type.key: Collection(
            key=entry_type.key,
            model_label=entry_type.model_label,
            importer=entry_type.importer,
        )
        for entry_type in registry
        if entry_type.importer is not None
    }
    found.update((collection.key, collection) for collection in REFERENCE_DATA)
    return found


def read_rows(name, content, *, key_column="slug"):
    """[(row number, {column: value} or RowError)] from CSV (row 1 is the header, so
    data starts at row 2, as in a spreadsheet) or JSON Lines (row = line number).

    A column a row does not give is absent from its dict, so it leaves the field as
    stored: a CSV row's missing trailing cells are absent, not empty."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file is not UTF-8 text.")) from error
    lower = name.lower()
    is_jsonl = lower.endswith((".jsonl", ".ndjson")) or (
        not lower.endswith(".csv") and content.lstrip().startswith("{")
    )
    rows = read_jsonl(content) if is_jsonl else read_csv(content, key_column)
    if not rows:
        raise ImportFileError(_("The file has no rows."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(max)d rows at a time.") % {"max": MAX_ROWS})
    return rows


def read_jsonl(content):
    rows = []
    # Lines end at a line feed only: str.splitlines() would also cut a line at a
    # U+2028 or U+0085 that a JSON string may hold as it is.
    for number, line in enumerate(LINE_END.split(content), start=1):
        if not line.strip():
            continue
        try:
            data = load_json(line)
        except ValueError as error:
            data = RowError(number, "", str(error))
        else:
            if not isinstance(data, dict):
                data = RowError(number, "", _("each line must be one JSON object"))
        rows.append((number, data))
    return rows


def read_csv(content, key_column):
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        rows = [(number, csv_row(number, row)) for number, row in enumerate(reader, start=2)]
    except csv.Error as error:
        if "field limit" in str(error):
            raise ImportFileError(
                _("The CSV cannot be read: a cell is longer than %(max)d characters.")
                % {"max": csv.field_size_limit()}
            ) from error
        raise ImportFileError(_("The CSV cannot be read: %(error)s") % {"error": error}) from error
    if reader.fieldnames is None or key_column not in reader.fieldnames:
        raise ImportFileError(
            _("The CSV needs a header row with a “%(column)s” column.") % {"column": key_column}
        )
    return rows


def csv_row(number, row):
    """One CSV row as {column: cell}. DictReader fills the cells missing at the end
    of a short row with None: those columns are absent (left as stored), not empty.
    Cells beyond the header's columns are kept by DictReader under None."""
    extra = [cell for cell in row.pop(None, None) or () if cell.strip()]
    if extra:
        return RowError(number, "", _("the row has more cells than the header has columns"))
    return {column: unguard(value) for column, value in row.items() if value is not None}


def load_json(text):
    """json.loads(), refusing what JSON does not allow (NaN, Infinity) or Python
    cannot read (nesting too deep, integers too long); raises ValueError in plain
    words."""
    try:
        return json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        raise ValueError(_("not valid JSON (%(error)s)") % {"error": error.msg}) from None
    except RecursionError:
        raise ValueError(_("not valid JSON (nested too deeply)")) from None
    except ValueError as error:  # an integer of thousands of digits, NaN, Infinity
        raise ValueError(_("not valid JSON (%(error)s)") % {"error": error}) from None


def refuse_constant(name):
    raise ValueError(_("%(name)s is not a number") % {"name": name})


# Parsing of one cell; each raises ValueError with a plain-words reason. What they
# let through can be written on either database: no NUL character, no lone
# surrogate, no number beyond what the column holds.


def parse_text(value):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(_("expected text, not %(type)s") % {"type": json_type(value)})
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_("the number is too large"))
    text = str(value).strip()
    if "\x00" in text:
        raise ValueError(_("contains a NUL character (\\u0000), which cannot be stored"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("contains a character that is not valid Unicode")) from None
    return text


def json_type(value):
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, dict):
        return _("an object")
    if isinstance(value, list):
        return _("a list")
    return _("a value of another kind")


def parse_date(value):
    text = parse_text(value)
    if not text:
        return None
    try:
        # fromisoformat() also reads 20210301 and week dates: only YYYY-MM-DD here.
        if not ISO_DATE.fullmatch(text):
            raise ValueError
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
                value = load_json(stripped)
            except ValueError:
                raise ValueError(_("not a valid JSON list")) from None
        else:
            return [item.strip() for item in stripped.split(";") if item.strip()]
    if not isinstance(value, list):
        raise ValueError(_("expected a list"))
    return value


def integer_range(model_field):
    """The whole numbers a column holds on every database (SQLite's integers are
    wider than PostgreSQL's: the narrower range is the one that holds)."""
    return BaseDatabaseOperations.integer_field_ranges[model_field.get_internal_type()]


def parse_integer(value, model_field, *, least=None):
    """A whole number written in ASCII digits (int() would also read "١٢", and
    str.isdigit() says yes to "²", which int() refuses), in the column's range."""
    text = parse_text(value)
    if not text:
        return None
    digits = text.removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdecimal()):
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": text[:50]})
    low, high = integer_range(model_field)
    low = low if least is None else max(low, least)
    number = int(text) if len(digits) < 30 else high + 1
    if not low <= number <= high:
        raise ValueError(
            _("%(value)s is out of range: a number from %(low)d to %(high)d is required")
            % {"value": text[:50], "low": low, "high": high}
        )
    return number


def parse_value(model_field, value):
    """A cell for this model field: a date read as YYYY-MM-DD, a whole number in
    ASCII digits, anything else as text (which full_clean() turns into the field's
    type, or refuses)."""
    if isinstance(model_field, models.DateField):
        return parse_date(value)
    if isinstance(model_field, models.IntegerField):
        return parse_integer(value, model_field)
    return parse_text(value)


def parse_number(value, model_field):
    """A key number (a provision's, a finding's): 1 or more, within the column."""
    high = integer_range(model_field)[1]
    try:
        number = parse_integer(value, model_field, least=1)
    except ValueError:
        number = None
    if number is None:
        raise ValueError(_("a whole number from 1 to %(high)d is required") % {"high": high})
    return number


def parse_tags(value):
    """Tag names, each at most as long as a tag's name may be, and together short
    enough for the copy an entry keeps of them (its tag_names)."""
    tags = sorted({parse_text(tag) for tag in parse_list(value)} - {""})
    longest = Tag._meta.get_field("name").max_length
    for tag in tags:
        if len(tag) > longest:
            raise ValueError(
                _("the tag “%(tag)s…” is longer than %(max)d characters")
                % {"tag": tag[:20], "max": longest}
            )
    if len(edit_string_for_tags([Tag(name=tag) for tag in tags])) > TAG_NAMES_LENGTH:
        raise ValueError(
            _("too many tags: together they may be at most %(max)d characters")
            % {"max": TAG_NAMES_LENGTH}
        )
    return tags


def messages_of(error):
    """[(field name or "", message)] of a ValidationError."""
    if hasattr(error, "error_dict"):
        return [
            ("" if name == "__all__" else name, message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in error.messages]


@dataclass
class Plan:
    row: int
    label: str
    entry: object
    created: bool
    changed: bool
    m2m: dict
    tags: list | None
    children: list  # of ChildPlan
    # The row's stored values as read, and the columns this file changes in it: only
    # those are written, so a field the file does not give stays as stored.
    before: dict = field(default_factory=dict)
    columns: list = field(default_factory=list)

    @property
    def version(self):
        return self.before.get("version")


@dataclass
class ChildPlan:
    """One inline row to write (or, with delete, to remove)."""

    model: type
    parent_field: str
    key: dict
    values: dict
    row: object  # the row as it is, or None
    m2m: dict = field(default_factory=dict)
    tags: list | None = None
    delete: bool = False


class CollectionImporter:
    """Reads the rows of one file of one collection by its declaration, checks them
    all, and writes them if every one is right."""

    def __init__(self, collection, *, user=None, source_name="", publish=False):
        self.collection = collection
        self.model = collection.model
        self.spec = collection.importer
        self.user = user
        self.source_name = source_name
        self.publish = publish
        self.lookups = {}
        # This file's new rows by natural key, so that a row can name one above it
        # (a theme and its parent); only for a key of one column.
        self.planned = {}

    # Natural keys of other rows.

    def lookup(self, model, key_field):
        """{natural key: id} of every row of `model`, read once per import."""
        cache_key = (model, key_field)
        if cache_key not in self.lookups:
            self.lookups[cache_key] = dict(model._default_manager.values_list(key_field, "pk"))
        return self.lookups[cache_key]

    def cached(self, name, build):
        """build(), once per import: a table a custom reader needs (see InlineRows.read)."""
        if name not in self.lookups:
            self.lookups[name] = build()
        return self.lookups[name]

    def resolve(self, column, model, key_field, keys, errors, row):
        """The ids (or, for a row planned above in this file, the unsaved row) of the
        rows named by `keys`; each unknown name is an error of `column`."""
        table = self.lookup(model, key_field)
        found = []
        for key in keys:
            try:
                key = parse_text(key)
            except ValueError as error:
                errors.append(RowError(row, column, str(error)))
                continue
            if key_field == "code":
                key = key.upper()
            if key in table:
                found.append(table[key])
            elif model is self.model and key_field == self.spec.match[0] and key in self.planned:
                found.append(self.planned[key])
            else:
                errors.append(
                    RowError(
                        row,
                        column,
                        _("no %(type)s “%(key)s”") % {"type": model._meta.verbose_name, "key": key},
                    )
                )
        return found

    def field(self, name):
        return self.model._meta.get_field(name)

    # Finding the rows that exist.

    def key_of(self, number, data, errors):
        """The row's natural key as a tuple of values, or None (an error is added)."""
        key = []
        for column in self.spec.match:
            try:
                text = parse_text(data.get(column))
            except ValueError as error:
                errors.append(RowError(number, column, str(error)))
                return None
            if not text:
                errors.append(RowError(number, column, _("a value is required")))
                return None
            link = self.spec.links.get(column)
            if link is not None:
                key.append(text.upper() if link.key == "code" else text)
                continue
            model_field = self.field(column)
            try:
                if isinstance(model_field, models.IntegerField):
                    key.append(parse_number(text, model_field))
                else:
                    key.append(model_field.to_python(text))
            except ValueError as error:
                errors.append(RowError(number, column, str(error)))
                return None
            except ValidationError as error:
                errors.extend(RowError(number, column, message) for message in error.messages)
                return None
        return tuple(key)

    def key_paths(self):
        paths = []
        for column in self.spec.match:
            link = self.spec.links.get(column)
            paths.append(f"{link.field}__{link.key}" if link else column)
        return paths

    def prefetch(self, rows):
        """What the rows of this file are compared with: the links of the entries, and
        those of their inline rows that some object in the file gives."""
        names = [
            self.field(link.field).name
            for link in self.spec.links.values()
            if self.field(link.field).many_to_many
        ]
        if self.spec.tags:
            names.append("tags")
        for inline in self.spec.inline:
            names.append(inline.column)
            given = given_in_objects(rows, inline.column)
            names += [
                f"{inline.column}__{link.field}"
                for column, link in inline.links.items()
                if column in given
            ]
            if inline.tags and "tags" in given:
                names.append(f"{inline.column}__tags")
        return list(dict.fromkeys(names))

    def existing(self, keys, rows):
        """{natural key: row} of the rows that exist among `keys`."""
        if not keys:
            return {}
        paths = self.key_paths()
        candidates = self.model._default_manager.filter(
            **{f"{paths[0]}__in": {key[0] for key in keys}}
        ).values_list("pk", *paths)
        ids = {tuple(values[1:]): values[0] for values in candidates.iterator()}
        ids = {key: ids[key] for key in keys if key in ids}
        manager = self.model._default_manager
        found = manager.prefetch_related(*self.prefetch(rows)).in_bulk(ids.values())
        if has_version(self.model):
            # The version an editor sees includes the revisions of a change held for
            # review, so that two imports over one published entry conflict too.
            gated = [pk for pk, entry in found.items() if is_gated(entry)]
            for pk, revision in pending_revisions(self.model, gated).items():
                found[pk].version += revision
        return {key: found[pk] for key, pk in ids.items()}

    # Checking.

    def run(
        self,
        rows,
        *,
        dry_run=False,
        progress=None,
        check_citations=True,
        seen_versions=None,
        on_write=None,
    ):
        """Check every row, then, if all are right and this is no dry run, write them
        in one transaction. With check_citations false the caller checks the sources
        that unstored columns name (report.citations), once more files are written.

        `progress` wraps the rows as they are checked (an iterable in, the same rows
        out); `on_write(done, total)` is called as the writing begins (done 0) and after
        each entry is written, inside the transaction: it must not write to the
        database (the import task keeps its progress elsewhere, see
        editorial.import_tasks.ImportProgress).

        Each entry to update is locked when it is written and its version compared with
        the one read here, or with `seen_versions` ({row label: version}, the
        `versions` of the dry run's report) when given: if anyone saved it meanwhile,
        nothing is written and the report names it."""
        report = ImportReport(collection=str(self.model._meta.verbose_name_plural))
        keys = {}
        for number, data in rows:
            if isinstance(data, dict):
                key = self.key_of(number, data, [])
                if key is not None:
                    keys[number] = key
        existing = self.existing(set(keys.values()), rows)
        seen, plans = {}, []
        for number, data in progress(rows) if progress else rows:
            if isinstance(data, RowError):
                report.errors.append(data)
                continue
            errors = []
            plan = self.plan_row(number, data, existing, seen, errors, report)
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
                outcome.append(plan.label)
                if self.holds(plan):
                    report.held.append(plan.label)
        if check_citations:
            report.errors.extend(unknown_citations(report.citations))
            report.errors.sort(key=lambda error: error.row)
        if report.errors or dry_run:
            return report
        to_write = [plan for plan in plans if plan.changed]
        if not to_write:
            report.written = True
            return report
        plan = to_write[0]
        try:
            with transaction.atomic(), search_signals.deferred():
                conflicts = self.lock(to_write, seen_versions)
                if conflicts:
                    raise ImportConflict(conflicts)
                if on_write:
                    on_write(0, len(to_write))
                for done, plan in enumerate(to_write, start=1):
                    self.write(plan)
                    if on_write:
                        on_write(done, len(to_write))
        except ImportConflict as conflict:
            report.errors.extend(conflict.errors)
            return report
        except OperationalError:
            # A lock not had in time (SQLite's wait ends, PostgreSQL ends a deadlock).
            report.errors.append(
                RowError(
                    plan.row,
                    "",
                    _(
                        "The entries were being written by someone else at the same time. "
                        "Nothing was written: try again."
                    ),
                )
            )
            return report
        except (IntegrityError, ValidationError) as error:
            report.errors.append(
                RowError(
                    plan.row,
                    "",
                    _(
                        "“%(row)s” could not be written (%(error)s); someone may have "
                        "changed it meanwhile. Nothing was written: check the file again."
                    )
                    % {"row": plan.label, "error": error},
                )
            )
            return report
        if check_citations:
            keep_sources([report])
        report.written = True
        return report

    def lock(self, plans, seen_versions):
        """Lock the stored rows that `plans` update, in the order of their ids (so two
        imports never wait for each other in a circle), and compare each with what
        was read: [RowError] for every row changed since (an entry whose version moved
        on, or, for reference data, which has no version, a column this file writes
        that no longer holds what was read), or added or deleted since the dry run."""
        versioned = has_version(self.model)
        columns = (
            ["version"]
            if versioned
            else [model_field.attname for model_field in self.model._meta.concrete_fields]
        )
        ids = sorted(plan.entry.pk for plan in plans if not plan.created)
        gated = {plan.entry.pk for plan in plans if not plan.created and is_gated(plan.entry)}
        stored = {}
        for start in range(0, len(ids), LOCK_BATCH):
            locked = (
                self.model._default_manager.select_for_update()
                .filter(pk__in=ids[start : start + LOCK_BATCH])
                .order_by("pk")
                .values_list("pk", *columns)
            )
            stored.update((pk, dict(zip(columns, values, strict=True))) for pk, *values in locked)
        if versioned:
            for pk, revision in pending_revisions(self.model, gated).items():
                stored[pk]["version"] += revision
        errors = []
        for plan in plans:
            message = self.conflict(plan, stored, versioned, seen_versions)
            if message:
                errors.append(RowError(plan.row, "", message))
        return errors

    def conflict(self, plan, stored, versioned, seen_versions):
        """Why `plan` may not be written over the row as stored, or ""."""
        checked = versioned and seen_versions is not None
        if plan.created:
            if checked and plan.label in seen_versions:
                return _(
                    "“%(entry)s” was deleted after this file was checked. Nothing was "
                    "written: check the file again."
                ) % {"entry": plan.label}
            return ""
        now = stored.get(plan.entry.pk)
        if now is None:
            return _(
                "“%(entry)s” was deleted while this file was imported. Nothing was "
                "written: check the file again."
            ) % {"entry": plan.label}
        if not versioned:
            if any(now[column] != plan.before[column] for column in plan.columns):
                return _(
                    "“%(entry)s” was changed by someone else while this file was imported. "
                    "Nothing was written: check the file again."
                ) % {"entry": plan.label}
            # The columns this file leaves alone are recorded in its history as stored.
            for column, value in now.items():
                if column not in plan.columns:
                    setattr(plan.entry, column, value)
            return ""
        seen = seen_versions.get(plan.label) if checked else plan.version
        if seen is None:
            return _(
                "“%(entry)s” was added by someone else after this file was checked. "
                "Nothing was written: check the file again."
            ) % {"entry": plan.label}
        if now["version"] == seen:
            return ""
        users, _fields = changes_since(plan.entry, seen)
        return _(
            "“%(entry)s” was saved by %(users)s after this file was checked (version "
            "%(seen)d, now %(now)d). Nothing was written: check the file again against "
            "the entry as it is now."
        ) % {
            "entry": plan.label,
            "users": get_text_list(users, _("and")) if users else _("someone else"),
            "seen": seen,
            "now": now["version"],
        }

    def plan_row(self, number, data, existing, seen, errors, report):
        """What to do with one row (a Plan), or None when it has errors."""
        key = self.key_of(number, data, errors)
        if key is None:
            return None
        # How the reports name the row: its slug, or its natural key's values.
        label = "/".join(str(value) for value in key)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    self.spec.match[0],
                    _("“%(slug)s” appears twice in this file (first in row %(first)d)")
                    % {"slug": label, "first": seen[key]},
                )
            )
            return None
        seen[key] = number
        entry = existing.get(key)
        created = entry is None
        if created:
            entry = self.model()
            if any(field.name == "status" for field in self.model._meta.concrete_fields):
                entry.status = Status.PUBLISHED if self.publish else Status.DRAFT
        before = concrete_values(entry)
        if not created and has_version(self.model):
            report.versions[label] = entry.version
        unresolved = self.set_fields(number, data, entry, errors)
        m2m, tags = self.plan_links(
            number, "", data, None if created else entry, self.spec, self.model, errors
        )
        self.check_cited(number, data, errors, report)
        self.keep_citation(data, entry, report)
        try:
            validate_row(entry, exclude=["status", *unresolved])
        except ValidationError as error:
            errors.extend(RowError(number, name, message) for name, message in messages_of(error))
        children = []
        for rows in self.spec.inline:
            children += self.plan_inline(rows, number, data, entry, created, errors, report)
        if errors:
            return None
        if created and len(key) == 1:
            self.planned[key[0]] = entry
        after = concrete_values(entry)
        columns = [name for name, value in after.items() if before[name] != value]
        changed = created or bool(columns) or bool(m2m) or tags is not None or bool(children)
        return Plan(number, label, entry, created, changed, m2m, tags, children, before, columns)

    def set_fields(self, number, data, entry, errors):
        """Put the row's plain columns and foreign keys on the entry; returns the
        fields whose values are wrong (already reported, so not checked again)."""
        spec, unresolved = self.spec, []
        plain = [column for column in spec.match if column not in spec.links] + list(spec.fields)
        for column in dict.fromkeys(plain):
            if column in data:
                try:
                    setattr(entry, column, parse_value(self.field(column), data[column]))
                except ValueError as error:
                    errors.append(RowError(number, column, str(error)))
                    unresolved.append(column)
        for column, link in spec.links.items():
            model_field = self.field(link.field)
            if column not in data or model_field.many_to_many:
                continue
            try:
                name = parse_text(data[column])
            except ValueError as error:
                errors.append(RowError(number, column, str(error)))
                unresolved.append(model_field.name)
                continue
            target = model_field.related_model
            found = self.resolve(column, target, link.key, [name] if name else [], errors, number)
            if name and not found:
                unresolved.append(model_field.name)
                continue
            value = found[0] if found else None
            if isinstance(value, models.Model):  # a row above, not yet written
                setattr(entry, model_field.name, value)
            else:
                setattr(entry, model_field.attname, value)
        return unresolved

    def plan_links(self, number, where, data, obj, spec, model, errors):
        """The many-to-many links and tags that `data` (a row, or an inline object at
        `where`) gives and `obj` (None for a new row) does not have yet: ({field: ids},
        tag names or None)."""
        m2m = {}
        for column, link in spec.links.items():
            model_field = model._meta.get_field(link.field)
            if column not in data or not model_field.many_to_many:
                continue
            at = f"{where}.{column}" if where else column
            try:
                names = parse_list(data[column])
            except ValueError as error:
                errors.append(RowError(number, at, str(error)))
                continue
            target = model_field.related_model
            wanted = set(self.resolve(at, target, link.key, names, errors, number))
            current = (
                set() if obj is None else {other.pk for other in getattr(obj, link.field).all()}
            )
            if wanted != current:
                m2m[link.field] = wanted
        tags = None
        if spec.tags and "tags" in data:
            try:
                tags = parse_tags(data["tags"])
            except ValueError as error:
                errors.append(RowError(number, f"{where}.tags" if where else "tags", str(error)))
            current = set() if obj is None else {tag.name.lower() for tag in obj.tags.all()}
            if tags is not None and {tag.lower() for tag in tags} == current:
                tags = None
        return m2m, tags

    def keep_citation(self, data, entry, report):
        """Reference data that keeps the source it cites in a field of its own (a
        theme's or an organization's `source`): set here when that source exists, or
        once every file of the import is written, since it may make it (the starter
        data's themes come before the sources that name them)."""
        column = self.spec.cites
        if not column or column in self.spec.links or column not in data:
            return
        model_field = next(
            (f for f in self.model._meta.concrete_fields if f.name == column and f.many_to_one),
            None,
        )
        if model_field is None:
            return
        try:
            slug = parse_text(data[column])
        except ValueError:
            return  # check_cited reported it
        source_id = self.lookup(Source, "slug").get(slug) if slug else None
        setattr(entry, model_field.attname, source_id)
        if slug and source_id is None:
            report.sources_to_keep.append((entry, model_field.attname, slug))

    def check_cited(self, number, data, errors, report):
        """A row the import publishes names its source; a citation that no field
        keeps is put in the report, to be checked (see unknown_citations)."""
        column = self.spec.cites
        if not column:
            return
        try:
            named = [parse_text(name) for name in parse_list(data.get(column))]
        except ValueError as error:
            if column not in self.spec.links:  # a link column reports it itself
                errors.append(RowError(number, column, str(error)))
            return
        if column not in self.spec.links:
            report.citations.extend((number, column, name) for name in named if name)
        if self.publish and not any(named):
            errors.append(
                RowError(
                    number,
                    column,
                    _("name the source this is drawn from: a published row cites its source"),
                )
            )

    def plan_inline(self, rows, number, data, entry, created, errors, report):
        """The inline rows of one column to write (new or changed) or to remove."""
        if rows.column not in data:
            return []
        try:
            items = parse_list(data[rows.column])
        except ValueError as error:
            errors.append(RowError(number, rows.column, str(error)))
            return []
        report.inline[rows.column] = report.inline.get(rows.column, 0) + len(items)
        relation = self.field(rows.column)
        model, parent_field = relation.related_model, relation.field.name
        current = {}
        if not created:
            for row in getattr(entry, rows.column).all():
                current[tuple(getattr(row, name) for name in rows.key)] = row
        children, keys = [], set()
        for position, item in enumerate(items, start=1):
            where = f"{rows.column}[{position}]"
            try:
                key, values = (rows.read or read_item)(item, self, rows=rows, position=position)
            except ValueError as error:
                errors.append(RowError(number, where, str(error)))
                continue
            key_values = tuple(key[name] for name in rows.key)
            if key_values in keys:
                shown = ", ".join(str(value) for value in key_values)
                errors.append(
                    RowError(number, where, _("“%(key)s” is listed twice") % {"key": shown})
                )
                continue
            keys.add(key_values)
            row = current.get(key_values)
            item = item if isinstance(item, dict) else {}
            item_errors = []
            m2m, tags = self.plan_links(number, where, item, row, rows, model, item_errors)
            as_is = {} if row is None else {name: getattr(row, name) for name in rows.fields}
            candidate = model(**{**as_is, **values, **key})
            changed = False
            try:
                # The constraints cost a query each: checked for the rows to be written.
                candidate.full_clean(exclude=[parent_field], validate_constraints=False)
                values = {name: getattr(candidate, name) for name in values}  # as cleaned
                changed = (
                    row is None
                    or m2m
                    or tags is not None
                    or any(getattr(row, name) != value for name, value in values.items())
                )
                if changed:
                    # The key was read and checked by the reader (a number of 1 or more,
                    # a directive that exists); the constraints on it are checked again
                    # when the row is written (write_child) and by the database.
                    candidate.validate_constraints(exclude=[parent_field, *rows.key])
            except ValidationError as error:
                item_errors.extend(
                    RowError(number, f"{where}.{name}" if name else where, message)
                    for name, message in messages_of(error)
                )
            errors.extend(item_errors)
            if changed and not item_errors:
                children.append(ChildPlan(model, parent_field, key, values, row, m2m, tags))
        if rows.positional:
            children += [
                ChildPlan(model, parent_field, {}, {}, row, delete=True)
                for key_values, row in current.items()
                if key_values[0] > len(items)
            ]
        return children

    # Writing.

    def holds(self, plan):
        """Whether the plan updates a published entry, and so is held for review like
        an admin edit (an import that publishes, the operator's `load_seed`, is its
        own review)."""
        return plan.changed and not (plan.created or self.publish) and is_gated(plan.entry)

    def write(self, plan):
        reason = _("Imported from %(file)s") % {"file": self.source_name or _("a file")}
        if not self.holds(plan):
            self.write_to(plan.entry, plan, reason)
            return
        propose_change(
            plan.entry,
            user=self.user,
            reason=reason,
            write=lambda entry: self.write_to(entry, plan, reason, copy_from=plan.entry),
        )

    def write_to(self, entry, plan, reason, *, copy_from=None):
        """Write the plan onto `entry`: the planned object itself, or (copy_from) a
        fresh copy of its row that takes only the columns the file changes."""
        if copy_from is not None:
            for column in plan.columns:
                model_field = self.model._meta.get_field(column)
                setattr(entry, model_field.attname, getattr(copy_from, model_field.attname))
        with one_version(entry, user=self.user, reason=reason, created=plan.created):
            if plan.created:
                entry.save()
            else:
                # Only what this file changes: what it leaves out stays as stored.
                fields = plan.columns + auto_now_fields(self.model)
                if fields or has_version(self.model):
                    entry.save(update_fields=fields)
            for name, ids in plan.m2m.items():
                getattr(entry, name).set(ids)
            if plan.tags is not None:
                entry.tags.set(plan.tags)
            for child in plan.children:
                write_child(entry, child)


def validate_row(row, *, exclude=(), in_database=True):
    """The check an import makes of every row before it writes it: full_clean(),
    which raises ValidationError. With in_database false, the checks the database
    makes again on insert (unique and check constraints, foreign keys that point to a
    row), which cost a query a row, are left to it: for writers that insert many rows
    at once (bench.synthetic), which so refuse what an import refuses."""
    if in_database:
        row.full_clean(exclude=exclude)
        return
    foreign_keys = [field.name for field in row._meta.concrete_fields if field.is_relation]
    row.full_clean(
        exclude=[*exclude, *foreign_keys], validate_unique=False, validate_constraints=False
    )


def given_in_objects(rows, column):
    """The keys that some object in `column` gives, in any of the file's rows."""
    given = set()
    for _number, data in rows:
        if isinstance(data, dict) and column in data:
            try:
                items = parse_list(data[column])
            except ValueError:
                continue  # reported when the row is planned
            for item in items:
                if isinstance(item, dict):
                    given.update(item)
    return given


def has_version(model):
    """Whether the model counts its saves (core.models.Entry.version)."""
    return any(field.name == "version" for field in model._meta.concrete_fields)


def auto_now_fields(model):
    return [
        field.name for field in model._meta.concrete_fields if getattr(field, "auto_now", False)
    ]


def concrete_values(row):
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def read_item(item, importer, *, rows, position):
    """An inline object's key and the fields it gives: the default reading."""
    if not isinstance(item, dict):
        raise ValueError(_("each item must be an object"))
    model = importer.field(rows.column).related_model
    if rows.positional:
        key = {rows.key[0]: position}
    else:
        key = {}
        for name in rows.key:
            if isinstance(model._meta.get_field(name), models.IntegerField):
                key[name] = parse_number(item.get(name), model._meta.get_field(name))
            else:
                key[name] = parse_text(item.get(name))
                if not key[name]:
                    raise ValueError(_("“%(column)s” is required") % {"column": name})
    values = {
        name: parse_value(model._meta.get_field(name), item.get(name))
        for name in rows.fields
        # A numbered list is complete, each object whole: what it leaves out is blank.
        if name in item or rows.positional
    }
    return key, values


def write_child(entry, child):
    row = child.row
    if child.delete:
        row.delete()
        return
    if row is None:
        row = child.model(**{child.parent_field: entry}, **child.key)
    for name, value in child.values.items():
        setattr(row, name, value)
    validate_row(row)
    if row.pk is None:
        row.save()
    else:
        # The fields the file gives (and the key, so that a row whose links alone
        # change is saved, and its history recorded): what it leaves out stays as stored.
        row.save(update_fields=[*child.key, *child.values, *auto_now_fields(child.model)])
    for name, ids in child.m2m.items():
        getattr(row, name).set(ids)
    if child.tags is not None:
        row.tags.set(child.tags)
        # As the admin does for a provision: its tags are saved after its history
        # record, so bring the record up to date with them.
        record_tag_names(row)
        row.history.filter(history_id=row.history.latest().history_id).update(
            tag_names=row.tag_names
        )


def keep_sources(reports):
    """Point each row that waited for its cited source at it, now that every file is
    written (unknown_citations has checked that each exists)."""
    pending = [item for report in reports for item in report.sources_to_keep]
    if not pending:
        return
    sources = dict(
        Source.objects.filter(slug__in={slug for _row, _field, slug in pending}).values_list(
            "slug", "pk"
        )
    )
    for row, attname, slug in pending:
        type(row)._default_manager.filter(pk=row.pk).update(**{attname: sources[slug]})
        setattr(row, attname, sources[slug])


def unknown_citations(citations):
    """Errors for the sources that citations not stored name and that do not exist."""
    known = set(
        Source.objects.filter(slug__in={slug for _row, _column, slug in citations}).values_list(
            "slug", flat=True
        )
    )
    return [
        RowError(
            row,
            column,
            _("no %(type)s “%(key)s”") % {"type": Source._meta.verbose_name, "key": slug},
        )
        for row, column, slug in citations
        if slug not in known
    ]


def guess_collection(name):
    lower = name.lower()
    for collection in collections():
        if collection.rstrip("s") in lower:
            return collection
    return None


def importer_for(collection, **options):
    found = collections().get(collection)
    if found is None:
        names = ", ".join(collections())
        raise ImportFileError(
            _("Choose what the file holds: one of %(collections)s.") % {"collections": names}
        )
    return CollectionImporter(found, **options)


def entries_import(
    *,
    collection,
    name,
    content,
    user=None,
    dry_run=False,
    progress=None,
    seen_versions=None,
    on_write=None,
):
    """Import a file; returns an ImportReport. Writes only if the whole file is
    valid and dry_run is false. Raises ImportFileError for an unreadable file.

    `seen_versions` is the dry run's report.versions: an entry saved since the dry
    run refuses the import; `progress` and `on_write` follow the checking and the
    writing (see CollectionImporter.run)."""
    importer = importer_for(collection, user=user, source_name=name)
    rows = read_rows(name, content, key_column=importer.spec.match[0])
    return importer.run(
        rows,
        dry_run=dry_run,
        progress=progress,
        seen_versions=seen_versions,
        on_write=on_write,
    )


class FilesRefused(Exception):
    """A row of one file of several is wrong: none of them is written."""

    def __init__(self, reports, name, report):
        super().__init__(name)
        self.reports, self.name, self.report = reports, name, report


def files_import(*, files, user=None, publish=False):
    """Import several files, [(collection, name, content)], as one: in one transaction
    and in the order given, each file checked and written before the next is read (a
    later file may name rows an earlier one made). Citations that no field keeps are
    checked once all are written. If any row of any file is wrong, nothing is written:
    raises FilesRefused, naming the file and its report. Returns the reports."""
    reports = []
    try:
        with transaction.atomic(), search_signals.deferred():
            for collection, name, content in files:
                importer = importer_for(collection, user=user, source_name=name, publish=publish)
                try:
                    rows = read_rows(name, content, key_column=importer.spec.match[0])
                except ImportFileError as error:
                    raise ImportFileError(f"{name}: {error}") from error
                report = importer.run(rows, check_citations=False)
                reports.append(report)
                if not report.written:
                    raise FilesRefused(reports, name, report)
            for (_collection, name, _content), report in zip(files, reports, strict=True):
                report.errors = unknown_citations(report.citations)
                if report.errors:
                    raise FilesRefused(reports, name, report)
            keep_sources(reports)
    except FilesRefused:
        for report in reports:
            report.written = False
        raise
    return reports
