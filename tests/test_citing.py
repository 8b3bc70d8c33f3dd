"""Citing entries: formatted citations as each style specifies them, downloads that
independent parsers read back correctly, and metadata reference managers pick up."""

import datetime
import io
import json

import bibtexparser
import extruct
import pytest
import rispy
import time_machine
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.formatter import plain
from citeproc.source.json import CiteProcJSON

from citations import entries as citing
from citations.engine import STYLES_DIR
from core.models import Status
from tests.builders import make_agreement, make_country, make_directive, make_mechanism

pytestmark = [
    pytest.mark.django_db,
    # citeproc-py does not know every CSL 1.0.2 variable (event-title) and says so.
    pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported"),
]

PAPER = "/sources/xu-meng-belt-and-road-emergency-cooperation/"
XI = "/directives/xi-2019-emergency-management/"
POINT_3 = XI + "p3/"
HOST = "http://testserver"
OCCASION = (
    "Group study session of the CPC Central Committee Political Bureau on building the system "
    "and capability of China’s emergency management"
)
PAPER_TITLE = (
    "Practice and enlightenment from international cooperation of emergency management "
    "in China under “One Belt, One Road” initiative"
)
PAPER_TITLE_CASE = (
    "Practice and Enlightenment from International Cooperation of Emergency Management "
    "in China Under “One Belt, One Road” Initiative"
)

EXPECTED = {
    PAPER: {
        "APA (7th edition)": f"Xu, Q., & Meng, F. (n.d.). {PAPER_TITLE}. Retrieved November 24, "
        f"2026, from {HOST}{PAPER}",
        "MLA (9th edition)": f"Xu, Qian, and Fanhua Meng. {PAPER_TITLE_CASE}. {HOST}{PAPER}. "
        "Accessed 24 Nov. 2026.",
        "Chicago (author-date)": f"Xu, Qian, and Fanhua Meng. n.d. {PAPER_TITLE_CASE}. Accessed "
        f"November 24, 2026. {HOST}{PAPER}.",
        # The style itself estimates a missing year from the access date, in brackets.
        "GB/T 7714-2015": f"XU Q, MENG F, [2026]. {PAPER_TITLE}[J/OL]. [2026-11-24]. "
        f"{HOST}{PAPER}.",
    },
    POINT_3: {
        "APA (7th edition)": "Xi, J. (2019, November 29). Remarks on modernizing China’s emergency "
        f"management system, point 3 [Speech]. {OCCASION}. {HOST}{POINT_3}",
        "MLA (9th edition)": "Xi, Jinping. “Remarks on Modernizing China’s Emergency Management "
        f"System, Point 3.” Speech. {OCCASION}, 29 Nov. 2019, {HOST}{POINT_3}.",
        "Chicago (author-date)": "Xi, Jinping. 2019. “Remarks on Modernizing China’s Emergency "
        f"Management System, Point 3.” Speech. {OCCASION}, November 29. {HOST}{POINT_3}.",
        "GB/T 7714-2015": "XI J, 2019. Remarks on modernizing China’s emergency management system, "
        f"point 3[Z/OL]. (2019-11-29)[2026-11-24]. {HOST}{POINT_3}.",
    },
    XI: {
        "APA (7th edition)": "Xi, J. (2019, November 29). Remarks on modernizing China’s emergency "
        f"management system [Speech]. {OCCASION}. {HOST}{XI}",
        "MLA (9th edition)": "Xi, Jinping. “Remarks on Modernizing China’s Emergency Management "
        f"System.” Speech. {OCCASION}, 29 Nov. 2019, {HOST}{XI}.",
        "Chicago (author-date)": "Xi, Jinping. 2019. “Remarks on Modernizing China’s Emergency "
        f"Management System.” Speech. {OCCASION}, November 29. {HOST}{XI}.",
        "GB/T 7714-2015": "XI J, 2019. Remarks on modernizing China’s emergency management "
        f"system[Z/OL]. (2019-11-29)[2026-11-24]. {HOST}{XI}.",
    },
}


@pytest.fixture
def on_24_november_2026():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 12, 0), tick=False):
        yield


@pytest.mark.parametrize("path", list(EXPECTED))
def test_formatted_citations_follow_each_style(client, seeded, on_24_november_2026, path):
    response = client.get(path)
    assert {label: c.text for label, c in response.context["citations"]} == EXPECTED[path]
    page = response.content.decode()
    assert "Cite this" in page and 'href="' + path + 'cite.bib"' in page


def test_citations_render_once_per_change(client, seeded, monkeypatch):
    calls = []
    real = citing.render_all
    monkeypatch.setattr(citing, "render_all", lambda item: calls.append(item) or real(item))
    client.get(PAPER)
    client.get(PAPER)
    assert len(calls) == 1
    from core.models import Source

    paper = Source.objects.get(slug="xu-meng-belt-and-road-emergency-cooperation")
    paper.title = "A corrected title"
    paper.save()
    assert "A corrected title" in client.get(PAPER).context["citations"][0][1].text
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("suffix", "content_type"),
    [
        ("cite.bib", "application/x-bibtex"),
        ("cite.ris", "application/x-research-info-systems"),
        ("cite.json", "application/vnd.citationstyles.csl+json"),
    ],
)
@pytest.mark.parametrize("path", [PAPER, XI, POINT_3])
def test_downloads_have_the_contracts_content_types(client, seeded, path, suffix, content_type):
    response = client.get(path + suffix)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert "attachment" in response["Content-Disposition"]


def test_bibtex_of_the_paper_lists_authors_in_order(client, seeded, on_24_november_2026):
    library = bibtexparser.parse_string(client.get(PAPER + "cite.bib").content.decode())
    (entry,) = library.entries
    assert entry.entry_type == "article"
    assert entry["author"] == "Xu, Qian and Meng, Fanhua"
    assert entry["url"] == HOST + PAPER
    assert "year" not in entry.fields_dict and "journal" not in entry.fields_dict


def test_ris_of_point_3_names_the_point_the_date_and_the_report(client, seeded):
    (record,) = rispy.load(io.StringIO(client.get(POINT_3 + "cite.ris").content.decode()))
    assert record["authors"] == ["Xi, Jinping"]
    assert record["title"].endswith("point 3")
    assert record["date"] == "2019/11/29"
    assert record["urls"] == [HOST + POINT_3]
    assert "Reported in CGTN" in record["notes"][0] and "1 December 2019" in record["notes"][0]


def test_csl_json_reads_back_in_citeproc_py(client, seeded):
    data = json.loads(client.get(POINT_3 + "cite.json").content)
    assert isinstance(data, list) and len(data) == 1
    source = CiteProcJSON(data)
    key = data[0]["id"].lower()
    reference = source[key]
    assert str(reference["title"]).endswith("point 3")
    assert reference["author"][0]["family"] == "Xi"
    assert reference["issued"]["year"] == 2019 and reference["issued"]["day"] == 29
    assert str(reference["URL"]) == HOST + POINT_3
    apa = CitationStylesStyle(str(STYLES_DIR / "apa.csl"), validate=False)
    bibliography = CitationStylesBibliography(apa, source, plain)
    bibliography.register(Citation([CitationItem(key)]))
    (rendered,) = [str(entry) for entry in bibliography.bibliography()]
    assert rendered.startswith("Xi, J. (2019") and "point 3" in rendered


def test_agreement_citation_names_parties_and_signing_date(client, db):
    agreement = make_agreement(
        title="MoU on disaster prevention",
        countries=[make_country()],
        signed_on=datetime.date(2019, 4, 25),
    )
    data = json.loads(client.get(agreement.get_absolute_url() + "cite.json").content)[0]
    assert data["type"] == "treaty"
    assert data["author"] == [{"literal": "Nepal"}]
    assert data["issued"] == {"date-parts": [[2019, 4, 25]]}
    mechanism = make_mechanism(name="A mechanism")
    assert client.get(mechanism.get_absolute_url() + "cite.ris").status_code == 200


def test_unpublished_entries_have_no_citation_downloads(client, db):
    draft = make_directive(status=Status.DRAFT, provisions=1)
    for url in [draft.get_absolute_url() + "cite.bib", draft.get_absolute_url() + "p1/cite.ris"]:
        assert client.get(url).status_code == 404
    assert client.get(draft.get_absolute_url() + "cite.pdf").status_code == 404


@pytest.mark.parametrize("path", [PAPER, XI, POINT_3])
def test_pages_carry_highwire_dublin_core_and_json_ld(client, seeded, path):
    html = client.get(path).content.decode()
    data = extruct.extract(html, base_url=HOST + path, syntaxes=["json-ld", "opengraph"])
    (jsonld,) = data["json-ld"]
    assert jsonld["url"] == HOST + path
    assert data["opengraph"][0]["properties"]
    meta = dict(extruct.extract(html, syntaxes=["opengraph"])["opengraph"][0]["properties"])
    assert meta["og:url"] == HOST + path
    assert 'name="citation_title"' in html and 'name="DC.identifier"' in html
    if path == PAPER:
        assert jsonld["@type"] == "ScholarlyArticle"
        assert [a["name"] for a in jsonld["author"]] == ["Xu, Qian", "Meng, Fanhua"]
        assert html.index('content="Xu, Qian"') < html.index('content="Meng, Fanhua"')
    else:
        assert jsonld["@type"] == "Legislation"
        assert jsonld["legislationDate"] == "2019-11-29"
    if path == POINT_3:
        assert jsonld["isPartOf"]["url"] == HOST + XI


def test_editors_text_cannot_break_out_of_citations_or_json_ld(client, db):
    payload = '</script><script>alert(1)</script><i onmouseover="x">'
    directive = make_directive(title=f"Plan {payload}")
    html = client.get(directive.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert 'onmouseover="x"' not in html
    assert "\\u003C/script\\u003E" in html  # the JSON-LD copy, escaped
