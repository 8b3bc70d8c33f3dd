"""Plain text as the search index and the page titles of untitled entries take it."""

import re

from django.utils.text import Truncator

# Control characters (and the U+FFFD of undecodable input) never belong in text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
TITLE_WORDS = 16


def clean_text(*parts):
    """The non-empty parts joined by spaces, without control characters."""
    return CONTROL_CHARACTERS.sub(" ", " ".join(str(part) for part in parts if part)).strip()


def short(text, words=TITLE_WORDS):
    """The first words of the text, for an entry that has no title of its own."""
    return Truncator(clean_text(text)).words(words)
