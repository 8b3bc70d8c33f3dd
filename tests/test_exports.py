"""Bulk exports, read back with the standard library's csv and json modules, and the
/data/ page that documents them."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.views import COLLECTIONS
from core.models import Status
from exports import views
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

XI = "xi-2019-emergency-management"


def download(client, collection, file_format):
    response = client.get(f"/export/{collection}.{file_format}")
    assert response.status_code == 200
    assert response.streaming  # never built whole in memory
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, text


def read_csv(client, collection):
    response, text = download(client, collection, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == (f'attachment; filename="emgov-{collection}.csv"')
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_jsonl(client, collection):
    response, text = download(client, collection, "jsonl")
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert response["Content-Disposition"] == (f'attachment; filename="emgov-{collection}.jsonl"')
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_csv_holds_every_published_directive_with_its_fields(client, seeded):
    rows = read_csv(client, "directives")
    assert len(rows) == 1
    row = rows[0]
    assert row["slug"] == XI
    assert row["permalink"] == f"http://testserver/directives/{XI}/"
    assert row["date"] == "2019-11-29"
    assert row["speaker"] == "Xi Jinping"
    # Provisions are records, so the cell holds them as JSON, as the API gives them.
    assert json.loads(row["provisions"]) == _api_provisions(client)
    assert row["sources"] == "cgtn-2019-xi-emergency-management"


def _api_provisions(client):
    return client.get(f"/api/v1/directives/{XI}/").json()["provisions"]


def test_jsonl_rows_are_the_api_items_in_id_order(client, seeded):
    rows = read_jsonl(client, "findings")
    assert [row["number"] for row in rows] == list(range(1, 11))
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    api = client.get("/api/v1/findings/", {"page_size": 100}).json()["results"]
    assert sorted(rows, key=lambda r: r["id"]) == sorted(api, key=lambda r: r["id"])
    assert rows[0]["permalink"].endswith("/sources/xu-meng-belt-and-road-emergency-cooperation/#f1")
    assert rows[0]["themes"] == ["belt-and-road", "international-cooperation"]


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_every_collection_exports_in_both_formats_with_the_same_columns(client, collection):
    make_directive(provisions=1, themes=[make_theme()])
    make_finding()
    make_agreement(countries=[make_country()], mechanism=make_mechanism())
    fields = list(COLLECTIONS[collection].serializer_class().fields)
    _, text = download(client, collection, "csv")
    assert next(csv.reader(io.StringIO(text))) == fields
    rows = read_jsonl(client, collection)
    assert rows
    for row in rows:
        assert list(row) == fields


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_unpublished_entries_are_in_no_export(client, status):
    make_directive(slug="public", provisions=1)
    hidden = make_directive(slug="hidden", provisions=2, status=status)
    source = make_source(slug="hidden-source", status=status)
    make_finding(source=source, status=status)
    for file_format, read in (("csv", read_csv), ("jsonl", read_jsonl)):
        assert [r["slug"] for r in read(client, "directives")] == ["public"], file_format
        provision_ids = [int(r["id"]) for r in read(client, "provisions")]
        assert not set(provision_ids) & set(hidden.provisions.values_list("pk", flat=True))
        assert read(client, "sources") == []
        assert read(client, "findings") == []


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_cannot_start_a_spreadsheet_formula(client, start):
    title = f'{start}HYPERLINK("http://evil.example/","click")'
    make_directive(title=title, slug="formula")
    make_theme(slug="t", name="@SUM(A1:A9)")
    row = read_csv(client, "directives")[0]
    assert row["title"] == "'" + title
    assert read_csv(client, "themes")[0]["name"] == "'@SUM(A1:A9)"
    # JSON is data, not a spreadsheet: the text is left exactly as typed.
    assert read_jsonl(client, "directives")[0]["title"] == title


def test_export_reads_rows_in_chunks_with_their_links(client, monkeypatch):
    """Rows come from the database a chunk at a time, each chunk with its prefetches,
    so memory holds one chunk, however many rows there are."""
    for _ in range(5):
        make_directive(provisions=1)

    def queries_for(chunk_size):
        monkeypatch.setattr(views, "CHUNK_SIZE", chunk_size)
        with CaptureQueriesContext(connection) as queries:
            download(client, "directives", "jsonl")
        return len(queries)

    # A chunk is one query for its rows and five for what they link to (themes, tags,
    # provisions, sources, links): in twos, three chunks (2, 2, 1); in fives, one,
    # and one more query that finds no sixth row.
    assert queries_for(2) - queries_for(5) == 3 * 6 - (6 + 1)


def test_unknown_collection_or_format_is_not_found(client):
    assert client.get("/export/drafts.csv").status_code == 404
    assert client.get("/export/directives.xlsx").status_code == 404


def test_data_page_documents_every_field_the_licence_and_updates(client):
    page = client.get("/data/")
    assert page.status_code == 200
    html = page.content.decode()
    for name, viewset in COLLECTIONS.items():
        assert f'id="fields-{name}"' in html
        section = html.split(f'id="fields-{name}"', 1)[1].split("</table>", 1)[0]
        for field in viewset.serializer_class().fields:
            assert f"<code>{field}</code>" in section, (name, field)
        assert f'href="/export/{name}.csv"' in html
        assert f'href="/export/{name}.jsonl"' in html
    assert "CC BY 4.0" in html
    assert "MIT licence" in html
    assert "keep their own rights" in html
    assert "no fixed release schedule" in html
    assert "120 requests a minute" in html
    assert "OWASP" in html
    # The field's kinds are listed for choice fields.
    assert "<code>journal_article</code>" in html
    assert client.get("/zh-hans/data/").status_code == 200
