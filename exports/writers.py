"""Serialise rows (the API's representation of each item) as CSV or JSON Lines, one
line at a time, for a StreamingHttpResponse."""

import csv
import json

from core.spreadsheet import guard

LIST_SEPARATOR = "; "


class Echo:
    """A file-like object that hands back what is written, for csv.writer."""

    def write(self, value):
        return value


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        # Provisions and links are records: JSON text, which the bulk import reads back.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    return guard(value)


def csv_lines(fields, rows):
    writer = csv.writer(Echo())
    yield writer.writerow(fields)
    for row in rows:
        yield writer.writerow([csv_cell(row[field]) for field in fields])


def jsonl_lines(fields, rows):
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"
