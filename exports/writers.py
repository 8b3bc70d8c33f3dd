"""Serialise rows (the API's representation of each item) as CSV or JSON Lines, one
line at a time, for a StreamingHttpResponse."""

import csv
import json

# A cell that begins with one of these is read as a formula by spreadsheet programs;
# OWASP's advice is to make it text by putting a single quote in front.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


class Echo:
    """A file-like object that hands back what is written, for csv.writer."""

    def write(self, value):
        return value


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_lines(fields, rows):
    writer = csv.writer(Echo())
    yield writer.writerow(fields)
    for row in rows:
        yield writer.writerow([csv_cell(row[field]) for field in fields])


def jsonl_lines(fields, rows):
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"
