"""Checks and field readers for CSL-JSON items, shared by the renderer and the exporters.

Both check an item the same way first, so a bad item fails with the same CitationError
whether it is being rendered or downloaded, instead of producing a half-empty entry.
"""

import json

# Item types of CSL 1.0.2 (https://docs.citationstyles.org/en/stable/specification.html).
CSL_TYPES = frozenset(
    {
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    }
)
NAME_VARIABLES = ("author", "editor")
NAME_PARTS = ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")
DATE_VARIABLES = ("issued", "accessed")


class CitationError(Exception):
    """A CSL-JSON item cannot be rendered or exported."""


def validate_item(item):
    """Raise CitationError unless item is a CSL-JSON item that every output can represent.

    Only the fields the exporters read are checked in depth; anything else is left to
    pandoc, whose own errors also surface as CitationError.
    """
    if not isinstance(item, dict):
        raise CitationError(f"A CSL-JSON item must be a dict, not {type(item).__name__}.")
    item_id = item.get("id")
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)) or item_id == "":
        raise CitationError("A CSL-JSON item needs an 'id' (a non-empty string or an integer).")
    if item.get("type") not in CSL_TYPES:
        raise CitationError(f"Item {item_id!r} has an unknown CSL type: {item.get('type')!r}.")
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CitationError(f"Item {item_id!r} has no title.")
    for variable in NAME_VARIABLES:
        _validate_names(item_id, variable, item.get(variable, []))
    for variable in DATE_VARIABLES:
        if variable in item:
            date_parts(item, variable)


def _validate_names(item_id, variable, names):
    if not isinstance(names, list):
        raise CitationError(f"Item {item_id!r}: {variable!r} must be a list of names.")
    for name in names:
        if not isinstance(name, dict) or not (
            _is_text(name.get("family")) or _is_text(name.get("literal"))
        ):
            raise CitationError(
                f"Item {item_id!r}: each {variable!r} needs a 'family' or 'literal' name, "
                f"got {name!r}."
            )
        if not all(isinstance(name.get(part, ""), str) for part in NAME_PARTS):
            raise CitationError(f"Item {item_id!r}: the parts of {name!r} must be text.")


def _is_text(value):
    return isinstance(value, str) and bool(value.strip())


def date_parts(item, variable):
    """Return the (year[, month[, day]]) of a date variable, or None if it is absent.

    Only the first date of a range is returned. CSL-JSON allows the parts to be digit
    strings, so they are converted; "raw" and "literal" dates are refused because the
    exporters could not split them into year, month and day.
    """
    if variable not in item:
        return None
    value = item[variable]
    try:
        parts = value["date-parts"][0]
        numbers = tuple(int(part) for part in parts)
    except (TypeError, KeyError, IndexError, ValueError) as exc:
        raise CitationError(
            f"Item {item.get('id')!r}: {variable!r} must look like "
            f'{{"date-parts": [[year, month, day]]}}, got {value!r}.'
        ) from exc
    if not 1 <= len(numbers) <= 3:
        raise CitationError(f"Item {item.get('id')!r}: {variable!r} has {len(numbers)} parts.")
    return numbers


def csl_json(item, indent=None):
    """Serialise item as a CSL-JSON array of one item, keeping non-ASCII text as is."""
    try:
        return json.dumps([item], ensure_ascii=False, indent=indent)
    except (TypeError, ValueError) as exc:
        raise CitationError(f"Item {item.get('id')!r} is not JSON-serialisable: {exc}") from exc
