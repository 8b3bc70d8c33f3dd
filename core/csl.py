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
