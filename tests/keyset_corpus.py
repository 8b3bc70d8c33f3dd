"""The rows the tests of keyset pages (tests/test_keyset_pages.py) read: built once
for all of them, as a layer of shared data (tests/conftest.py), since building them
takes longer than any of those tests."""

import datetime

from search import signals as search_signals
from tests.builders import make_agreement, make_country, make_directive, make_theme

PAGE_SIZE = 5


def build_keyset_corpus():
    """23 directives on one theme, with NULL dates, equal dates and equal titles, and
    3 provisions each; 19 agreements with Nepal, some with no date."""
    with search_signals.deferred():  # indexed once, at the end (tests/builders.py)
        return _build()


def _build():
    theme = make_theme(slug="floods")
    dates = [None, datetime.date(2020, 1, 1), datetime.date(2019, 6, 1)]
    for n in range(23):
        directive = make_directive(
            title=f"Plan {n % 4}",  # equal titles among equal dates: the id breaks the tie
            date=dates[n % 3],
            themes=[theme],
            provisions=3,
        )
        for provision in directive.provisions.all():
            provision.themes.add(theme)
    for n in range(19):
        signed_on = None if n % 4 else datetime.date(2018, 1, n + 1)
        make_agreement(
            title=f"MoU {n % 3}", signed_on=signed_on, themes=[theme], countries=[make_country()]
        )
    return theme
