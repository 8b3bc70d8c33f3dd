"""The two seed entries of the knowledge base, verbatim, as CSL-JSON fixtures.

The journal article's journal name, year, volume and pages are unknown: the item leaves them
out, and so must every rendering and download of it.
"""

import pytest


@pytest.fixture
def journal_article():
    return {
        "id": "source-xu-meng-practice",
        "type": "article-journal",
        "title": (
            "Practice and enlightenment from international cooperation of emergency "
            'management in China under "One Belt, One Road" initiative'
        ),
        "author": [{"family": "Xu", "given": "Qian"}, {"family": "Meng", "given": "Fanhua"}],
        "URL": "http://127.0.0.1:8000/sources/xu-meng-practice-and-enlightenment/",
        "accessed": {"date-parts": [[2026, 11, 24]]},
    }


@pytest.fixture
def speech():
    """A speech reported in the news, cited as a pinpoint to one point of it."""
    return {
        "id": "directive-xi-2019-emergency-management-p3",
        "type": "speech",
        "title": (
            "Remarks at the Political Bureau group study session on China's emergency "
            "management system, point 3"
        ),
        "author": [{"family": "Xi", "given": "Jinping"}],
        "event-title": "Group study session of the CPC Central Committee Political Bureau",
        "issued": {"date-parts": [[2019, 11, 29]]},
        "note": (
            "Reported in CGTN, \"Xi stresses modernization of China's emergency management "
            'system," 1 December 2019.'
        ),
        "URL": "http://127.0.0.1:8000/directives/xi-2019-emergency-management/p3/",
        "accessed": {"date-parts": [[2026, 11, 24]]},
    }
