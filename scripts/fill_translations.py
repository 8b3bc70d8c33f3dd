"""Fill locale/zh_Hans/LC_MESSAGES/django.po from a {msgid: translation} table.

Usage: python scripts/fill_translations.py TABLE.py — TABLE.py defines ZH. Only empty
entries are filled, so translations edited in the .po file are kept. Then run
`manage.py compilemessages` (needs gettext's msgfmt) and commit the .po and .mo files.
"""

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(table_path):
    table = runpy.run_path(table_path)["ZH"]
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh_Hans")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        current = message.string[0] if isinstance(message.string, tuple) else message.string
        if current:
            continue
        if key not in table:
            missing.append(key)
            continue
        message.string = (table[key],) if isinstance(message.id, tuple) else table[key]
        message.flags.discard("fuzzy")
    catalog.fuzzy = False
    catalog.project, catalog.version = "emgov", "1"
    catalog.language_team = "emgov editors"
    with PO.open("wb") as f:
        write_po(f, catalog, width=100)
    for key in missing:
        sys.stdout.write(f"untranslated: {key}\n")


if __name__ == "__main__":
    main(sys.argv[1])
