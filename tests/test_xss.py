"""XSS payloads saved by an editor in every text field render inert on every public
page: formatted fields go through Markdown and nh3, plain fields are escaped."""

from html.parser import HTMLParser

import pytest

from core.markdown import render_markdown
from core.models import Country
from findings.models import Finding
from tests.builders import (
    make_agreement,
    make_directive,
    make_finding,
    make_mechanism,
    make_provision,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '"><script>alert(1)</script>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<object data=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<details open ontoggle=alert(1)>",
]
TEXT = "\n\n".join(PAYLOADS)


class DangerFinder(HTMLParser):
    """Collects every element or attribute that could run script."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.in_json_ld = False

    def handle_data(self, data):
        # JSON-LD is data, not script, as long as nothing in it can close the element.
        if self.in_json_ld and "<" in data:
            self.found.append("unescaped < in JSON-LD")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_json_ld = False

    def handle_starttag(self, tag, attrs):
        if tag in {"iframe", "object", "embed", "svg", "math"}:
            self.found.append(tag)
        if tag == "script":
            attributes = dict(attrs)
            self.in_json_ld = attributes.get("type") == "application/ld+json"
            if not self.in_json_ld and not attributes.get("src", "").startswith("/static/"):
                self.found.append("inline script")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            if name in {"href", "src", "action", "data"} and value.startswith(
                ("javascript:", "data:text", "vbscript:")
            ):
                self.found.append(f"{tag} {name}={value}")


def dangers(html):
    finder = DangerFinder()
    finder.feed(html)
    return finder.found


def test_the_danger_finder_does_find_dangers():
    assert dangers('<img src=x onerror="alert(1)"><a href="javascript:x">y</a><script>1</script>')


def test_markdown_keeps_formatting_and_drops_script():
    html = render_markdown("**Bold** and [a link](https://example.org)\n\n" + TEXT)
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">a link</a>' in html
    assert dangers(html) == []


def test_payloads_in_every_field_render_inert_on_every_public_page(client):
    theme = make_theme(slug="payload-theme", name=f"Theme {PAYLOADS[0]}", description=TEXT)
    source = make_source(
        slug="payload-source",
        title=f"Report {PAYLOADS[1]}",
        abstract=TEXT,
        note=TEXT,
        outlet=PAYLOADS[2],
        themes=[theme],
    )
    source.tags.add("rescue")
    directive = make_directive(
        slug="payload-directive",
        title=f"Plan {PAYLOADS[3]}",
        summary=TEXT,
        summary_original=TEXT,
        occasion=PAYLOADS[4],
        themes=[theme],
        sources=[source],
    )
    directive.tags.add("rescue")
    provision = make_provision(directive, heading=PAYLOADS[5], text=TEXT, text_original=TEXT)
    nepal = Country.objects.create(code="NP", name="Nepal")
    mechanism = make_mechanism(
        slug="payload-mechanism",
        name=f"Mechanism {PAYLOADS[6]}",
        description=TEXT,
        themes=[theme],
    )
    agreement = make_agreement(
        slug="payload-agreement",
        title=f"MoU {PAYLOADS[7]}",
        summary=TEXT,
        themes=[theme],
        countries=[nepal],
        provisions=[provision],
        mechanism=mechanism,
        sources=[source],
    )
    make_finding(
        source=source, text=TEXT, pinpoint=PAYLOADS[8], themes=[theme], kind=Finding.Kind.PROBLEM
    ).agreements.add(agreement)
    pages = [
        "/",
        "/themes/",
        theme.get_absolute_url(),
        "/directives/",
        directive.get_absolute_url(),
        provision.get_absolute_url(),
        "/agreements/",
        agreement.get_absolute_url(),
        "/mechanisms/",
        mechanism.get_absolute_url(),
        "/countries/np/",
        source.get_absolute_url(),
        "/tags/rescue/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert dangers(response.content.decode()) == [], url
    # The formatted text still shows as text, escaped or sanitised, not silently lost.
    assert "alert" in client.get(directive.get_absolute_url()).content.decode()


def test_payloads_in_feeds_are_inert_once_a_reader_unescapes_them(client):
    from xml.etree import ElementTree

    make_directive(summary=TEXT, title=f"Plan {PAYLOADS[0]}")
    make_finding(text=TEXT)
    feed = ElementTree.fromstring(client.get("/feeds/latest.atom").content)  # noqa: S314 (our own)
    atom = "{http://www.w3.org/2005/Atom}"
    summaries = [entry.findtext(f"{atom}summary") or "" for entry in feed.iter(f"{atom}entry")]
    assert len(summaries) >= 2
    for summary in summaries:  # a reader treats type="html" text as HTML
        assert dangers(summary) == [], summary
