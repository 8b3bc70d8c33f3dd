"""Load the starter data that ships with the project, and the ISO country list.

The starter data is a set of import files (editorial/seed/, one per collection, in the
editors' import format), read by the same engine and checks as editors' bulk imports
(editorial.importing), except that its rows arrive published, and so each must cite
its source. Everything is keyed by natural keys (slugs, ISO codes, numbers within a
parent), so running it again updates in place, never duplicates, and says when it
changed nothing. It is loaded in one transaction: a wrong row in any file leaves the
database as it was."""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pycountry
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core.models import Country, Origin
from core.registry import registry
from editorial.importing import FilesRefused, ImportFileError, files_import
from search import signals as search_signals

DATA_DIR = Path(__file__).resolve().parent
SEED_DIR = DATA_DIR / "seed"
# The collections of the starter data, in the order they are loaded: each names rows
# of those before it (a source its themes, a directive its issuing body and source).
SEED_FILES = ("themes", "organizations", "sources", "directives", "mechanisms", "findings")
COUNTRY_REGIONS = DATA_DIR / "data" / "country_regions.csv"


class StarterDataError(Exception):
    """The starter data's files cannot be loaded; nothing was written."""


@dataclass
class StarterData:
    # {kind: rows the starter data holds}, countries first.
    counts: dict
    # {kind: rows this load created or changed}; empty when it changed nothing.
    changed: dict


def sync_countries():
    """Every ISO 3166-1 country from pycountry, with its UN region; returns the count
    and how many were added or put right."""
    with COUNTRY_REGIONS.open(encoding="utf-8") as f:
        regions = {row["iso2"]: row for row in csv.DictReader(f)}
    existing = Country.objects.in_bulk(field_name="code")
    new, changed = [], 0
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
            changed += 1
    # One insert for the ~250 new rows (a first load), each with its history record.
    bulk_create_with_history(new, Country)
    return len(pycountry.countries), changed + len(new)


def seed_files(directory):
    """[(collection, file name, content)] of the starter data's import files."""
    files = []
    for collection in SEED_FILES:
        path = Path(directory) / f"{collection}.jsonl"
        try:
            files.append((collection, path.name, path.read_bytes()))
        except OSError as error:
            raise StarterDataError(f"Cannot read {path}: {error.strerror}") from error
    return files


def starter_data_load(*, directory=SEED_DIR, user=None):
    """Load the countries and the starter data's import files, as one transaction;
    returns StarterData. Raises StarterDataError, naming every wrong row, if a file
    cannot be loaded: then nothing is written."""
    files = seed_files(directory)
    try:
        with transaction.atomic(), search_signals.deferred():
            countries, countries_changed = sync_countries()
            reports = files_import(files=files, user=user, publish=True)
            mark_starter_data(files)
    except FilesRefused as refused:
        errors = "; ".join(str(error) for error in refused.report.errors)
        raise StarterDataError(f"{refused.name}: {errors}. Nothing was loaded.") from None
    except ImportFileError as error:
        raise StarterDataError(f"{error} Nothing was loaded.") from error
    counts, changed = {"countries": countries}, {"countries": countries_changed}
    for collection, report in zip(SEED_FILES, reports, strict=True):
        counts[collection] = report.rows
        changed[collection] = len(report.created) + len(report.updated)
        # Inline rows that are entries of their own (provisions) are counted too.
        for column, rows in report.inline.items():
            if registry.get(column) is not None:
                counts[column] = rows
    return StarterData(
        counts=counts, changed={kind: rows for kind, rows in changed.items() if rows}
    )


# How each entry collection's rows are found again, by their natural key.
STARTER_KEYS = {
    "sources": lambda row: {"slug": row["slug"]},
    "directives": lambda row: {"slug": row["slug"]},
    "mechanisms": lambda row: {"slug": row["slug"]},
    "findings": lambda row: {"source__slug": row["source"], "number": row["number"]},
}


def mark_starter_data(files):
    """After the import: each entry of the starter data says so (its page names the
    document it comes from). Written with update(), as a note on the rows rather than
    an edit: no new version, no change of `updated_at`. (Themes and organizations keep
    the source their rows name through the import itself.)"""
    for collection, _name, content in files:
        rows = [json.loads(line) for line in content.decode("utf-8").splitlines() if line.strip()]
        if collection in STARTER_KEYS:
            model = registry[collection].model
            for row in rows:
                model.objects.filter(**STARTER_KEYS[collection](row)).update(origin=Origin.STARTER)


def load_starter_data(path=SEED_DIR):
    """Load the starter data; returns {kind: number of entries loaded}."""
    return starter_data_load(directory=path).counts
