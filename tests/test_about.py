"""The /about/ page, the licences it and /data/ state (and the repository's LICENSE
and package.json match), the footer's link and promise, and the mark that a quoted
abstract carries in the exports."""

import csv
import io
import json
from pathlib import Path

import pytest

from tests.builders import make_source

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def test_the_about_page_states_method_coverage_documents_and_licences(client, seeded):
    page = client.get("/about/").content.decode()
    for heading in ("Method", "Coverage and known gaps", "Where the starter data comes from"):
        assert heading in page
    assert "Xi stresses modernization of China" in page
    assert "Practice and enlightenment from international cooperation" in page
    # The two documents link to their published source pages.
    assert 'href="/sources/cgtn-2019-xi-emergency-management/"' in page
    assert 'href="/sources/xu-meng-belt-and-road-emergency-cooperation/"' in page
    assert "CC BY 4.0" in page and "MIT licence" in page
    assert "attested only as a key word" in page


def test_the_about_page_speaks_chinese_under_zh_hans(client):
    response = client.get("/zh-hans/about/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "关于 emgov" in page and "方法" in page and "覆盖范围与已知缺口" in page


def test_every_page_links_to_about_and_the_footer_promises_only_what_holds(client):
    page = client.get("/").content.decode()
    assert 'href="/about/"' in page
    assert "each entry with its sources" not in page
    assert "published only with a published source" in page


def test_the_licence_file_package_and_data_page_agree(client):
    licence = (ROOT / "LICENSE").read_text()
    assert "MIT License" in licence and "CC BY 4.0" in licence
    assert json.loads((ROOT / "package.json").read_text())["license"] == "MIT"
    data_page = client.get("/data/").content.decode()
    assert "(CC BY 4.0)" in data_page and "MIT licence" in data_page


def test_a_quoted_abstract_is_marked_in_the_exports_and_the_api(client):
    quoted = make_source(title="A paper with an abstract", abstract="We study floods.")
    plain = make_source(title="A report without one")
    exported = b"".join(client.get("/export/sources.csv").streaming_content).decode()
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert "Quoted from the work as published" in rows[quoted.slug]["abstract_rights"]
    assert "not under CC BY 4.0" in rows[quoted.slug]["abstract_rights"]
    assert rows[plain.slug]["abstract_rights"] == ""
    lines = b"".join(client.get("/export/sources.jsonl").streaming_content).decode().splitlines()
    by_slug = {item["slug"]: item for item in map(json.loads, lines)}
    assert by_slug[quoted.slug]["abstract_rights"].startswith("Quoted from the work")
    api = client.get(f"/api/v1/sources/{quoted.slug}/").json()
    assert api["abstract_rights"] == by_slug[quoted.slug]["abstract_rights"]
    # The CSV's existing columns keep their places: the new ones come after them.
    header = next(csv.reader(io.StringIO(exported)))
    assert header[:3] == ["id", "slug", "permalink"]
    assert header.index("abstract_rights") == header.index("updated_at") + 1
