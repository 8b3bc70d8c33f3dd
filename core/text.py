"""Plain text as the search index and the page titles of untitled entries take it."""

import re

from django.utils.text import Truncator

# Control characters (and the U+FFFD of undecodable input) never belong in text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
# Search marks the matched words in its snippets with these private-use characters,
# which an editor can still paste in (icon fonts use that range). Removed from every
# text that is indexed or searched for, so that every marker in a snippet is one the
# database put there, and each <mark> has its </mark>.
MARK_START = "\ue000"
MARK_END = "\ue001"
HIGHLIGHT_MARKERS = re.compile(f"[{MARK_START}{MARK_END}]")
TITLE_WORDS = 16


def clean_text(*parts):
    """The non-empty parts joined by spaces, without control characters or highlight
    markers: every text a search document is built from passes through here, and so
    does every query (search.parsing.normalise)."""
    text = HIGHLIGHT_MARKERS.sub("", " ".join(str(part) for part in parts if part))
    return CONTROL_CHARACTERS.sub(" ", text).strip()


def short(text, words=TITLE_WORDS):
    """The first words of the text, for an entry that has no title of its own."""
    return Truncator(clean_text(text)).words(words)
