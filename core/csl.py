"""The building blocks of CSL-JSON items (https://citationstyles.org) that entry
types use to describe themselves for citation. They live in the kernel so that a
type's declaration needs no feature app: `citations` turns the items into formatted
citations, downloads and page metadata."""

from core.models import DatePrecision

# The site as it names itself, where a citation names the site that holds a record.
SITE_NAME = "emgov"


def date_parts(value, precision=DatePrecision.DAY):
    """A CSL date no more precise than what is known."""
    if value is None:
        return None
    parts = {
        DatePrecision.YEAR: [value.year],
        DatePrecision.MONTH: [value.year, value.month],
    }.get(precision, [value.year, value.month, value.day])
    return {"date-parts": [parts]}


def person_name(full_name, chinese_order):
    """Split a name stored as one string. Chinese names put the family name first
    ("Xi Jinping"); others put it last."""
    words = full_name.split()
    if len(words) < 2:
        return {"literal": full_name}
    if chinese_order:
        return {"family": words[0], "given": " ".join(words[1:])}
    return {"family": words[-1], "given": " ".join(words[:-1])}


# Keys a type's `csl_item` may add beside the CSL variables; `citations` reads and removes
# them, so no download or style ever sees them.
# The emgov record's title where it differs from the work's (a speech's description).
RECORD_TITLE = "emgov:record-title"
# The CSL item of the report through which the work is known (a speech reported in the news).
REPORTED_IN = "emgov:reported-in"
# True when the entry is emgov's own record, with no original work to cite apart from it
# (a provision, which is emgov's division of a work; a mechanism's page).
RECORD_ONLY = "emgov:record-only"
# For a date the source does not state: {"basis": "inferred"|"estimated", "note": why}.
# No CSL style can mark such a date, so `citations` says it in the item's note and
# leaves it out of the JSON-LD's datePublished.
DATE_BASIS = "emgov:date-basis"
# The date the work says it was last updated, kept apart from its publication date.
UPDATED = "emgov:updated"
