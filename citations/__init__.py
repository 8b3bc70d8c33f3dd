"""Formatted citations and download formats for one CSL-JSON item.

render() and render_all() give APA 7, MLA 9, Chicago author-date and GB/T 7714-2015
bibliography entries via pandoc's citeproc; to_bibtex(), to_ris() and to_csl_json() give
the downloads. Every entry point raises CitationError for an item it cannot handle.
"""

from .engine import STYLES, Citation, render, render_all
from .formats import to_bibtex, to_csl_json, to_ris
from .items import CitationError

__all__ = [
    "STYLES",
    "Citation",
    "CitationError",
    "render",
    "render_all",
    "to_bibtex",
    "to_csl_json",
    "to_ris",
]
