"""CSV cells that a spreadsheet program would run as a formula.

The exports put a single quote before such a cell, as OWASP advises, so that no text
typed into emgov can run on a reader's computer; the bulk import takes it off again,
so that an exported file can be edited and imported back unchanged."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def guard(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unguard(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
