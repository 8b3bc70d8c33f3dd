"""Every value of an import file is checked in the dry run, before anything is
written: a wrong type, a number out of range or not written in ASCII digits, a NUL
character, text that is not Unicode, a value too long for its column. Each is a row
error naming the row and the field in plain words, in the dry run and in the real
run alike, on either database: never a 500, never a failure when writing (PostgreSQL
refuses NUL characters and over-long values that SQLite would store)."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.models import Theme
from editorial.importing import ImportFileError, collections, entries_import
from findings.models import Finding
from policies.models import Directive, Provision
from tests.builders import make_country, make_directive, make_finding, make_source, make_theme

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
# A CSV cell holds at most 131,072 characters (Python's csv module; a longer one
# refuses the file as a whole): nested as deep as fits.
DEEP_CELL = "[" * 60_000 + "]" * 60_000


def line(**row):
    return json.dumps({"slug": "amber-plan", "title": "Amber plan", "kind": "plan", **row})


def raw_title(json_text):
    """A line whose title is this JSON text, as a program other than json.dumps writes."""
    return '{"slug": "amber-plan", "kind": "plan", "title": ' + json_text + "}"


def provision(**fields):
    return line(provisions=[{"number": 1, "text": "Keep lanterns lit.", **fields}])


def pact(links):
    return json.dumps({"slug": "amber-pact", "title": "Amber pact", "kind": "mou", "links": links})


def finding(number):
    return json.dumps({"source": "cgtn", "number": number, "kind": "problem", "text": "x"})


def theme(**fields):
    return json.dumps({"slug": "amber", "name": "Amber", **fields})


def bad(id, content, where, words, *, collection="directives", csv=False):
    name = f"{collection}.csv" if csv else f"{collection}.jsonl"
    return pytest.param(collection, name, content, [where], words, id=id)


SHAPES = [
    # Objects, lists and true/false where text belongs.
    bad("object-for-text", line(title={"a": 1}), (1, "title"), "expected text, not an object"),
    bad("list-for-text", line(title=["a"]), (1, "title"), "expected text, not a list"),
    bad("boolean-for-text", line(title=True), (1, "title"), "not true or false"),
    bad("object-for-the-slug", line(slug={"a": 1}), (1, "slug"), "expected text"),
    bad("object-for-a-theme", line(themes=[{"slug": "rescue"}]), (1, "themes"), "expected text"),
    bad("list-for-a-tag", line(tags=[["a"]]), (1, "tags"), "expected text"),
    bad(
        "list-for-a-link",
        pact([["xi-2019"]]),
        (1, "links[1]"),
        "expected text",
        collection="agreements",
    ),
    # Numbers JSON does not have, or Python cannot read.
    bad("1e400", raw_title("1e400"), (1, "title"), "too large"),
    bad("NaN", raw_title("NaN"), (1, ""), "NaN is not a number"),
    bad("Infinity", raw_title("-Infinity"), (1, ""), "not valid JSON"),
    bad("5000-digits", raw_title("9" * 5000), (1, ""), "not valid JSON"),
    bad("nested-100000-deep", raw_title(DEEP), (1, ""), "nested too deeply"),
    bad(
        "nested-100000-deep-in-a-csv-cell",
        f"slug,title,kind,provisions\namber-plan,Amber,plan,{DEEP_CELL}\n",
        (2, "provisions"),
        "not a valid JSON list",
        csv=True,
    ),
    # Whole numbers: ASCII digits, within the column.
    bad(
        "superscript-point",
        pact(["xi-2019#p²"]),
        (1, "links[1]"),
        "no such point",
        collection="agreements",
    ),
    bad("superscript-number", provision(number="²"), (1, "provisions[1]"), "from 1 to 32767"),
    bad("arabic-indic-number", finding("١٢"), (1, "number"), "whole number", collection="findings"),
    bad(
        "superscript-order",
        theme(order="²"),
        (1, "order"),
        "not a whole number",
        collection="themes",
    ),
    bad(
        "order-too-large",
        theme(order=99_999_999_999),
        (1, "order"),
        "out of range",
        collection="themes",
    ),
    bad("negative-order", theme(order=-1), (1, "order"), "out of range", collection="themes"),
    bad(
        "provision-number-too-large",
        provision(number=40_000),
        (1, "provisions[1]"),
        "from 1 to 32767",
    ),
    bad(
        "finding-number-too-large",
        finding(10**30),
        (1, "number"),
        "whole number",
        collection="findings",
    ),
    bad("fractional-number", provision(number=1.5), (1, "provisions[1]"), "whole number"),
    # Text PostgreSQL cannot store.
    bad("nul-in-text", line(title="Amber\x00plan"), (1, "title"), "NUL character"),
    bad("nul-in-the-slug", line(slug="amber\x00"), (1, "slug"), "NUL character"),
    bad("nul-in-a-tag", line(tags=["flood\x00"]), (1, "tags"), "NUL character"),
    bad("nul-in-a-provision", provision(heading="a\x00b"), (1, "provisions[1]"), "NUL character"),
    bad(
        "nul-in-a-link-note",
        pact([{"target": "xi-2019", "note": "\x00"}]),
        (1, "links[1]"),
        "NUL character",
        collection="agreements",
    ),
    bad("nul-in-a-csv-cell", "slug,title,kind\nzz,Amber\x00,plan\n", (2, "title"), "NUL", csv=True),
    bad("lone-surrogate", raw_title('"\\ud800"'), (1, "title"), "not valid Unicode"),
    # Longer than the column.
    bad("tag-of-101-characters", line(tags=["t" * 101]), (1, "tags"), "longer than 100 characters"),
    bad(
        "tags-too-long-together",
        line(tags=[f"{n:03}" + "t" * 90 for n in range(30)]),
        (1, "tags"),
        "too many tags",
    ),
    bad("title-too-long", line(title="t" * 501), (1, "title"), "at most 500 characters"),
    bad("slug-too-long", line(slug="s" * 121), (1, "slug"), "at most 120 characters"),
    bad(
        "heading-too-long",
        provision(heading="h" * 301),
        (1, "provisions[1].heading"),
        "at most 300",
    ),
    bad(
        "author-too-long",
        json.dumps(
            {
                "slug": "amber-notes",
                "title": "Notes",
                "kind": "report",
                "authors": [{"literal_name": "n" * 301}],
            }
        ),
        (1, "authors[1].literal_name"),
        "at most 300 characters",
        collection="sources",
    ),
    bad(
        "theme-name-too-long",
        theme(name="n" * 201),
        (1, "name"),
        "at most 200",
        collection="themes",
    ),
    # Lines and rows of the wrong shape.
    bad("date-without-hyphens", line(date="20210301"), (1, "date"), "write YYYY-MM-DD"),
    bad("top-level-list", "[1, 2]", (1, ""), "one JSON object"),
    bad("top-level-string", '"amber-plan"', (1, ""), "one JSON object"),
    bad("top-level-null", "null", (1, ""), "one JSON object"),
    bad("empty-lines-are-counted", "\n  \n" + line() + "\n\n{oops\n", (5, ""), "not valid JSON"),
    bad("cells-beyond-the-header", "slug,title\nzz,Amber,plan\n", (2, ""), "more cells", csv=True),
]


@pytest.fixture
def stored():
    """A few rows the files name, and a snapshot of what is stored, to compare after."""
    make_theme(slug="rescue")
    make_source(slug="cgtn")
    make_country(code="NP")
    make_directive(slug="xi-2019", provisions=2)
    return snapshot()


def snapshot():
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (*(c.model for c in collections().values()), Provision)
    }


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real-run"])
@pytest.mark.parametrize(("collection", "name", "content", "expected", "words"), SHAPES)
def test_a_bad_value_is_a_row_error_naming_its_field_and_nothing_is_written(
    stored, collection, name, content, expected, words, dry_run
):
    with transaction.atomic():  # on PostgreSQL, a failed statement would end the test
        report = entries_import(
            collection=collection, name=name, content=content.encode(), dry_run=dry_run
        )
    assert not report.written
    assert [(error.row, error.field) for error in report.errors] == expected, report.errors
    assert words in report.errors[0].message
    assert snapshot() == stored


def test_the_same_values_within_their_limits_are_written(stored):
    """The checks refuse only what is wrong: the largest values each column holds,
    numbers given as JSON numbers or text, and a tag of 100 characters, are written."""
    content = "\n".join(
        [
            line(
                title="t" * 500,
                tags=["t" * 100],
                provisions=[{"number": 32767, "heading": "h" * 300, "text": "x"}],
            ),
            json.dumps({"slug": "quillmoor", "title": 2021, "kind": "plan"}),
        ]
    )
    report = entries_import(collection="directives", name="d.jsonl", content=content.encode())
    assert report.written, report.errors
    plan = Directive.objects.get(slug="amber-plan")
    assert plan.provisions.get().number == 32767 and plan.tags.get().name == "t" * 100
    assert Directive.objects.get(slug="quillmoor").title == "2021"
    themes = "\n".join(
        json.dumps({"slug": f"amber-{n}", "name": "Amber", "order": order})
        for n, order in enumerate([0, "+7", 2147483647])
    )
    assert entries_import(collection="themes", name="t.jsonl", content=themes.encode()).written
    assert sorted(
        Theme.objects.filter(slug__startswith="amber").values_list("order", flat=True)
    ) == [
        0,
        7,
        2147483647,
    ]


def test_awkward_but_valid_values_are_written_as_given(stored):
    """Characters a line splitter, a slug maker or a case rule trips on."""
    row = {
        "slug": "amber-plan",
        "title": "Amber\u2028plan\u0085",
        "kind": "plan",
        "summary": "Line one\u2029line two, ١٢ and ² as text.",
        "tags": ["²", "!!!", "İstanbul", "flood control", "ß"],
        "provisions": [{"number": "7", "heading": "\u202e", "text": "Keep \t lanterns lit."}],
    }
    content = json.dumps(row, ensure_ascii=False) + "\r\n" + line(slug="quillmoor-plan")
    report = entries_import(collection="directives", name="d.jsonl", content=content.encode())
    assert report.written, report.errors
    assert report.created == ["amber-plan", "quillmoor-plan"]
    plan = Directive.objects.get(slug="amber-plan")
    assert plan.title == "Amber\u2028plan" and plan.summary == row["summary"]
    assert sorted(plan.tags.names()) == sorted(row["tags"])
    assert plan.provisions.get().number == 7
    again = entries_import(collection="directives", name="d.jsonl", content=content.encode())
    assert again.unchanged == ["amber-plan", "quillmoor-plan"]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("d.csv", b"slug,title\namber,\xff\xfe", "not UTF-8"),
        ("d.jsonl", b'{"slug": "amber", "title": "\xe9"}', "not UTF-8"),
        ("d.csv", "slug,title\n".encode("utf-16"), "not UTF-8"),
        ("d.csv", b"\n\n  \n", "header row"),
        ("d.jsonl", b"\n\n  \n", "no rows"),
        ("d.jsonl", b"", "no rows"),
        ("d.csv", b"title,kind\nAmber,plan\n", "“slug” column"),
        ("d.csv", b"slug,title\nzz," + b"x" * 140_000, "cell is longer than"),
    ],
    ids=[
        "csv-latin-1",
        "jsonl-latin-1",
        "utf-16",
        "csv-empty-lines",
        "jsonl-empty-lines",
        "empty",
        "no-slug-column",
        "cell-too-long",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(stored, name, content, words):
    with pytest.raises(ImportFileError, match=words):
        entries_import(collection="directives", name=name, content=content)
    assert snapshot() == stored


# Hypothesis: whatever lines a file holds, the reader and the dry run answer with a
# report (or refuse the file as a whole), and a dry run writes nothing.

COLUMNS = sorted(
    {
        column
        for collection in collections().values()
        for column in (
            *collection.importer.match,
            *collection.importer.fields,
            *collection.importer.links,
            *(rows.column for rows in collection.importer.inline),
            "tags",
        )
    }
    | {"number", "heading", "text", "target", "literal_name", "family_name"}
)
AWKWARD_TEXT = st.sampled_from(
    ["", "²", "p²", "١٢", "\x00", "a\x00b", "1e400", "NaN", "xi-2019", "xi-2019#p1",
     "xi-2019#p²", "rescue", "cgtn", "np", "NP", "2021-02-30", "2021-03-01", "20210301",
     "-1", "0", "32768", "t" * 101, "plan", "'=1+1", "a;b;;c", "[1, [2]]", "[{}]"]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | AWKWARD_TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(COLUMNS) | st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)
# Awkward values a third of the time, and JSON of any shape.
VALUES = AWKWARD_TEXT | SCALARS | JSON_VALUES
INLINE_ITEMS = st.lists(
    st.dictionaries(
        st.sampled_from(["number", "heading", "text", "target", "kind", "note", "literal_name"]),
        VALUES,
        max_size=4,
    )
    | VALUES,
    max_size=3,
)


def rows_of(collection):
    """Rows that give the collection's key and any of its columns."""
    spec = collections()[collection].importer
    inline = {rows.column for rows in spec.inline}
    others = [*spec.fields, *spec.links, *inline, "tags", spec.cites]
    return st.fixed_dictionaries(
        dict.fromkeys(spec.match, VALUES),
        optional={
            column: INLINE_ITEMS if column in inline else VALUES
            for column in others
            if column and column not in spec.match
        },
    )


def json_lines(collection):
    return st.lists(
        rows_of(collection).map(json.dumps)
        | JSON_VALUES.map(json.dumps)
        | st.text(max_size=40)
        | st.sampled_from(["", "{", "NaN", '{"slug": NaN}', '{"slug": "\\ud800"}', "[" * 5000]),
        min_size=1,
        max_size=6,
    )


JSON_FILES = st.sampled_from(sorted(collections())).flatmap(
    lambda collection: st.tuples(st.just(collection), json_lines(collection))
)
CSV_FILES = st.lists(
    st.lists(st.text(max_size=12) | AWKWARD_TEXT, min_size=1, max_size=6).map(",".join),
    min_size=1,
    max_size=5,
)


def dry_run_of(collection, name, content):
    """The dry run's report, or None for a file refused as a whole; asserts that it
    neither raises anything else nor writes."""
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        try:
            report = entries_import(
                collection=collection, name=name, content=content.encode(), dry_run=True
            )
        except ImportFileError:
            report = None
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert not writes, writes
    if report is not None:
        assert not report.written
        for error in report.errors:
            assert isinstance(error.row, int) and error.row >= 1
            assert isinstance(error.field, str) and str(error.message).strip()
            str(error)
    return report


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=JSON_FILES)
@example(file=("directives", ['{"slug": "xi-2019", "provisions": [{"number": "²"}]}']))
@example(file=("directives", ['{"slug": "a\\u0000b", "tags": ["\\u0000"]}']))
@example(file=("agreements", ['{"slug": "a", "links": ["xi-2019#p²", {"target": []}]}']))
@example(file=("findings", ['{"source": "cgtn", "number": 100000000000000000000}']))
def test_any_json_lines_get_a_clean_report_and_a_dry_run_writes_nothing(stored, file):
    collection, lines = file
    dry_run_of(collection, f"{collection}.jsonl", "\n".join(lines))
    assert snapshot() == stored


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    collection=st.sampled_from(sorted(collections())),
    header=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5),
    lines=CSV_FILES,
)
@example(
    collection="directives", header=["slug", "provisions"], lines=['xi-2019,[{"number": "١"}]']
)
def test_any_csv_gets_a_clean_report_and_a_dry_run_writes_nothing(
    stored, collection, header, lines
):
    key = collections()[collection].importer.match[0]
    content = "\n".join([",".join([key, *header]), *lines])
    dry_run_of(collection, f"{collection}.csv", content)
    assert snapshot() == stored


def test_a_finding_numbered_in_other_digits_is_refused_not_matched(stored):
    """int("١") is 1: without the ASCII check this row would update finding 1."""
    source = make_source(slug="amber-report")
    make_finding(source=source, number=1, text="As stored.")
    row = {"source": "amber-report", "number": "١", "kind": "problem", "text": "Changed."}
    report = entries_import(collection="findings", name="f.jsonl", content=json.dumps(row).encode())
    assert [(error.row, error.field) for error in report.errors] == [(1, "number")]
    assert Finding.objects.get(source=source).text == "As stored."
