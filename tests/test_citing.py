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

CGTN = "/sources/cgtn-2019-xi-emergency-management/"
# The report gives only its updated time ("Updated 00:32, 01-Dec-2019"), no publication
# date: every style cites it undated rather than pass the update off as publication.
REPORT_APA = "Xi stresses modernization of China’s emergency management system. (n.d.). CGTN."
REPORT_MLA = "“Xi Stresses Modernization of China’s Emergency Management System.” CGTN."
REPORT_CHICAGO = "CGTN. n.d. “Xi Stresses Modernization of China’s Emergency Management System.”"
REPORT_GBT = "Anon. Xi stresses modernization of China’s emergency management system[N]. CGTN."
REMARKS = "[Remarks on modernizing China’s emergency management system]"
POINT_3_RECORD = (
    "[Xi Jinping’s remarks on modernizing China’s emergency management system, as reported "
    "by CGTN, point 3: Science, technology and equipment]"
)
# Each citable page: [(group, {style: text})]. The work as it is known comes first (no emgov
# address passed off as its own, no year estimated), then emgov's record of it (emgov as
# author and publisher, the permalink, the day the record last changed: 20 November 2026).
EXPECTED = {
    PAPER: [
        (
            "Cite the work",
            {
                "APA (7th edition)": f"Xu, Q., & Meng, F. (n.d.). {PAPER_TITLE}.",
                "MLA (9th edition)": f"Xu Qian, and Meng Fanhua. {PAPER_TITLE_CASE}.",
                "Chicago (author-date)": f"Xu Qian, and Meng Fanhua. n.d. {PAPER_TITLE_CASE}.",
                "GB/T 7714-2015": f"XU Q, MENG F H. {PAPER_TITLE}[J].",
            },
        ),
        (
            "Cite this emgov record",
            {
                "APA (7th edition)": f"emgov. (2026, November 20). {PAPER_TITLE} [Database "
                f"record]. {HOST}{PAPER}",
                "MLA (9th edition)": f"emgov. {PAPER_TITLE_CASE}. Database record. 20 Nov. "
                f"2026, {HOST}{PAPER}.",
                "Chicago (author-date)": "emgov. 2026. “"
                + PAPER_TITLE_CASE.replace("“", "‘").replace("”", "’")
                + f".” Database record. November 20. {HOST}{PAPER}.",
                "GB/T 7714-2015": f"emgov, 2026. {PAPER_TITLE}[EB/OL]. (2026-11-20)[2026-11-24]. "
                f"{HOST}{PAPER}.",
            },
        ),
    ],
    XI: [
        (
            "Cite the remarks, as reported",
            {
                "APA (7th edition)": f"Xi, J. (2019, November 29). {REMARKS} [Speech]. "
                f"{OCCASION}. Reported in: {REPORT_APA}",
                "MLA (9th edition)": f"Xi Jinping. “{REMARKS}.” Speech. {OCCASION}, 29 Nov. "
                f"2019. Reported in: {REPORT_MLA}",
                "Chicago (author-date)": f"Xi Jinping. 2019. “{REMARKS}.” Speech. {OCCASION}, "
                f"November 29. Reported in: {REPORT_CHICAGO}",
                "GB/T 7714-2015": f"XI J P, 2019. {REMARKS}[Z]. Reported in: {REPORT_GBT}",
            },
        ),
        (
            "Cite this emgov record",
            {
                "APA (7th edition)": "emgov. (2026, November 20). [Xi Jinping’s remarks on "
                "modernizing China’s emergency management system, as reported by CGTN] "
                f"[Database record]. {HOST}{XI}",
                "MLA (9th edition)": "emgov. [Xi Jinping’s remarks on modernizing China’s "
                "emergency management system, as reported by CGTN]. Database record. 20 Nov. "
                f"2026, {HOST}{XI}.",
                "Chicago (author-date)": "emgov. 2026. “[Xi Jinping’s remarks on modernizing "
                "China’s emergency management system, as reported by CGTN].” Database record. "
                f"November 20. {HOST}{XI}.",
                "GB/T 7714-2015": "emgov, 2026. [Xi Jinping’s remarks on modernizing China’s "
                "emergency management system, as reported by CGTN][EB/OL]. "
                f"(2026-11-20)[2026-11-24]. {HOST}{XI}.",
            },
        ),
    ],
    POINT_3: [
        (
            "Cite this emgov record",
            {
                "APA (7th edition)": f"emgov. (2026, November 20). {POINT_3_RECORD} [Database "
                f"record]. {HOST}{POINT_3}",
                "MLA (9th edition)": f"emgov. {POINT_3_RECORD}. Database record. 20 Nov. 2026, "
                f"{HOST}{POINT_3}.",
                "Chicago (author-date)": f"emgov. 2026. “{POINT_3_RECORD}.” Database record. "
                f"November 20. {HOST}{POINT_3}.",
                "GB/T 7714-2015": f"emgov, 2026. {POINT_3_RECORD}[EB/OL]. "
                f"(2026-11-20)[2026-11-24]. {HOST}{POINT_3}.",
            },
        ),
    ],
}


@pytest.fixture
def on_24_november_2026(seeded):
    """Citations as of 24 November 2026, of records that last changed on 20 November."""
    from cooperation.models import Mechanism
    from core.models import Source
    from policies.models import Directive

    changed = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
    for model in (Directive, Source, Mechanism):
        model.objects.update(updated_at=changed)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 12, 0), tick=False):
        yield


@pytest.mark.parametrize("path", list(EXPECTED))
def test_formatted_citations_follow_each_style(client, seeded, on_24_november_2026, path):
    response = client.get(path)
    groups = [
        (label, {style: c.text for style, c in group})
        for label, group in response.context["citation_groups"]
    ]
    assert groups == EXPECTED[path]
    page = response.content.decode()
    assert "Cite this" in page and 'href="' + path + 'cite.bib"' in page


@pytest.mark.parametrize("path", [XI, POINT_3])
def test_every_citation_of_the_remarks_names_xi_cgtn_and_no_invented_date(
    client, seeded, on_24_november_2026, path
):
    """Xi's remarks as reported by CGTN; emgov as the record's host (on the record, and on
    a point's only citation); never the access year as a year of the work."""
    groups = client.get(path).context["citation_groups"]
    for label, group in groups:
        for style, citation in group:
            assert "Xi" in citation.text and "CGTN" in citation.text, (label, style)
            assert "[2026]" not in citation.text
            assert "Emgov" not in citation.text and "EMGOV" not in citation.text
            if label == "Cite this emgov record":
                assert citation.text.startswith("emgov") and path in citation.text
            else:  # the original: no emgov address passed off as the remarks'
                assert HOST not in citation.text and "2026" not in citation.text
    if path == POINT_3:
        assert [label for label, _ in groups] == ["Cite this emgov record"]
        assert all("point 3" in c.text for _, c in groups[0][1])


def test_citations_render_once_per_change(client, seeded, monkeypatch):
    calls = []
    real = citing.render_all
    monkeypatch.setattr(citing, "render_all", lambda item: calls.append(item) or real(item))
    client.get(PAPER)
    client.get(PAPER)
    assert len(calls) == 2  # the paper and emgov's record of it, once
    from core.models import Source

    paper = Source.objects.get(slug="xu-meng-belt-and-road-emergency-cooperation")
    paper.title = "A corrected title"
    paper.save()
    assert "A corrected title" in client.get(PAPER).context["citations"][0][1].text
    assert len(calls) == 4


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
    # The paper's own address is unknown: emgov's is named as the record's, not as the paper's.
    assert "url" not in entry.fields_dict and "urldate" not in entry.fields_dict
    assert entry["note"] == f"Record held by emgov: {HOST}{PAPER}"
    assert "year" not in entry.fields_dict and "journal" not in entry.fields_dict
    record = bibtexparser.parse_string(client.get(PAPER + "cite.record.bib").content.decode())
    (record_entry,) = record.entries
    assert record_entry.entry_type == "online" and record_entry["url"] == HOST + PAPER
    assert record_entry["author"] == "{emgov}"


def test_ris_of_point_3_names_the_point_the_date_and_the_report(client, seeded):
    """A point is cited as emgov's record of it: emgov's division of Xi's remarks as
    CGTN reported them, at its permalink, dated by the record's last change."""
    (record,) = rispy.load(io.StringIO(client.get(POINT_3 + "cite.ris").content.decode()))
    assert record["type_of_reference"] == "ELEC"
    assert record["authors"] == ["emgov"]
    assert record["title"].startswith("[Xi Jinping’s remarks") and "point 3" in record["title"]
    assert "as reported by CGTN" in record["title"]
    assert record["urls"] == [HOST + POINT_3]
    assert "Reported in CGTN" in record["notes"][0] and "1 December 2019" in record["notes"][0]


def test_csl_json_reads_back_in_citeproc_py(client, seeded):
    data = json.loads(client.get(XI + "cite.json").content)
    assert isinstance(data, list) and len(data) == 1
    assert "URL" not in data[0]  # the remarks have no address of their own
    assert not any(key.startswith("emgov:") for key in data[0])
    source = CiteProcJSON(data)
    key = data[0]["id"].lower()
    reference = source[key]
    assert str(reference["title"]).startswith("[Remarks on modernizing")
    assert reference["author"][0]["family"] == "Xi"
    assert reference["issued"]["year"] == 2019 and reference["issued"]["day"] == 29
    apa = CitationStylesStyle(str(STYLES_DIR / "apa.csl"), validate=False)
    bibliography = CitationStylesBibliography(apa, source, plain)
    bibliography.register(Citation([CitationItem(key)]))
    (rendered,) = [str(entry) for entry in bibliography.bibliography()]
    assert rendered.startswith("Xi, J. (2019") and "[Remarks on" in rendered


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
    elif path == XI:
        # schema.org has no speech type: a CreativeWork of genre Speech, about which CGTN
        # published a NewsArticle.
        assert jsonld["@type"] == "CreativeWork" and jsonld["genre"] == "Speech"
        # The date is inferred ("on Friday"): not given as the remarks' stated date.
        assert "datePublished" not in jsonld
        assert jsonld["subjectOf"]["dateModified"] == "2019-12-01"
        assert "datePublished" not in jsonld["subjectOf"]
        assert jsonld["subjectOf"]["@type"] == "NewsArticle"
        assert jsonld["subjectOf"]["publisher"] == {"@type": "Organization", "name": "CGTN"}
    else:
        assert jsonld["@type"] == "WebPage"
        assert jsonld["publisher"] == {"@type": "Organization", "name": "emgov"}
        assert jsonld["isPartOf"]["url"] == HOST + XI


def test_editors_text_cannot_break_out_of_citations_or_json_ld(client, db):
    payload = '</script><script>alert(1)</script><i onmouseover="x">'
    directive = make_directive(title=f"Plan {payload}")
    html = client.get(directive.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert 'onmouseover="x"' not in html
    assert "\\u003C/script\\u003E" in html  # the JSON-LD copy, escaped
