"""The entry types of policies: directives and the provisions they are made of."""

from django.utils.translation import gettext_lazy as _

from core.csl import (
    DATE_BASIS,
    RECORD_ONLY,
    RECORD_TITLE,
    REPORTED_IN,
    date_parts,
    person_name,
)
from core.entry_types import source_item
from core.import_spec import Importer, InlineRows, Link
from core.models import Source
from core.registry import EntryType, parent_address
from core.text import clean_text, short
from policies.models import Directive

DIRECTIVE_CSL_TYPES = {
    Directive.Kind.SPEECH: "speech",
    Directive.Kind.LAW: "legislation",
    Directive.Kind.REGULATION: "regulation",
}


def plain_date(source):
    """'1 December 2019', whatever the interface language: notes are data, not UI."""
    value = source.published_on
    if source.date_precision == "year":
        return str(value.year)
    month_year = f"{value:%B} {value.year}"
    return month_year if source.date_precision == "month" else f"{value.day} {month_year}"


def report_note(source):
    """'Reported in CGTN, "Title," 1 December 2019.' for a speech known from a report."""
    where = f"{source.outlet}, " if source.outlet else ""
    if source.published_on:
        return f"Reported in {where}\u201c{source.title},\u201d {plain_date(source)}."
    if source.updated_on:
        updated = source.updated_on
        return (
            f"Reported in {where}\u201c{source.title},\u201d "
            f"updated {updated.day} {updated:%B} {updated.year}."
        )
    return f"Reported in {where}\u201c{source.title}.\u201d"


def reporting_source(directive):
    """The published news report through which a speech is known, if that is how: only a
    published source may be named, since a citation is public."""
    if directive.kind != Directive.Kind.SPEECH:
        return None
    reports = [
        s for s in directive.sources.all() if s.kind == Source.Kind.NEWS_REPORT and s.is_published
    ]
    return reports[0] if reports else None


def remarks_description(directive, report):
    """emgov's description of remarks known from a report, for the record: "Xi Jinping's
    remarks on ..., as reported by CGTN"."""
    label = directive.title[:1].lower() + directive.title[1:]
    by = report.outlet or f"\u201c{report.title}\u201d"
    return f"{directive.speaker}\u2019s {label}, as reported by {by}"


def speaker_name(directive):
    """The speaker's CSL name, ordered by the family name the source uses ("Xi" of
    "Xi Jinping"), or, without one, by the original language."""
    family = directive.speaker_family_name.strip()
    words = directive.speaker.split()
    if family and words and words[0] == family:
        return person_name(directive.speaker, True)
    if family and words and words[-1] == family:
        return person_name(directive.speaker, False)
    return person_name(directive.speaker, directive.original_language.lower().startswith("zh"))


def directive_item(directive):
    report = reporting_source(directive)
    item = {
        "id": f"directive-{directive.slug}",
        "type": DIRECTIVE_CSL_TYPES.get(directive.kind, "document"),
        # Remarks known from a report have no title of their own: the entry's title is an
        # editor's label, cited as a bracketed description (APA 7, 9.29).
        "title": f"[{directive.title}]" if report else directive.title,
        "issued": date_parts(directive.date, directive.date_precision),
        "language": "en",
    }
    if directive.speaker:
        item["author"] = [speaker_name(directive)]
        item["event-title"] = directive.occasion
        if directive.kind == Directive.Kind.SPEECH:
            item["genre"] = "Speech"  # APA's "[Speech]", MLA's and Chicago's "Speech."
    elif directive.issuing_body:
        item["author"] = [{"literal": directive.issuing_body.name}]
        item["authority"] = directive.issuing_body.name
    if directive.date and directive.date_basis != "stated":
        item[DATE_BASIS] = {"basis": directive.date_basis, "note": directive.date_basis_note}
    if report:
        item["note"] = report_note(report)
        item[REPORTED_IN] = source_item(report)
        item[RECORD_TITLE] = f"[{remarks_description(directive, report)}]"
    return item


def provision_item(provision):
    """A provision is cited as emgov's record of it: its point and its permalink. For
    remarks known from a report the points are emgov's division, so the record's
    description says whose remarks, as reported by whom, and which point."""
    directive = provision.directive
    item = directive_item(directive)
    item["id"] = f"directive-{directive.slug}-{provision.label}"
    item["section"] = f"point {provision.number}"
    item[RECORD_ONLY] = True
    point = f"point {provision.number}"
    if provision.heading:
        point += f": {provision.heading}"
    if item.get(REPORTED_IN):
        report = reporting_source(directive)
        item[RECORD_TITLE] = f"[{remarks_description(directive, report)}, {point}]"
    else:
        item[RECORD_TITLE] = f"{directive.title}, {point}"
    return item


def directive_document(directive, links):
    return {
        "title": directive.title,
        "keywords": clean_text(
            directive.speaker,
            directive.speaker_role,
            directive.occasion,
            directive.issuing_body,
            *links.tag_names,
        ),
        "body": clean_text(directive.summary),
        "original": clean_text(directive.title_original, directive.summary_original),
        "original_language": directive.original_language,
        "date": directive.date,
        "date_precision": directive.date_precision,
    }


def provision_document(provision, links):
    directive = provision.directive
    directive_url = parent_address(directive)
    return {
        "url": provision.address_under(directive_url),
        "title": clean_text(provision.heading) or short(provision.text),
        "keywords": clean_text(provision.heading, *links.tag_names),
        "body": clean_text(provision.text),
        "original": clean_text(provision.heading_original, provision.text_original),
        "original_language": directive.original_language,
        "number": provision.number,
        "parent_title": directive.title,
        "parent_url": directive_url,
        "date": directive.date,
        "date_precision": directive.date_precision,
    }


DIRECTIVES = EntryType(
    key="directives",
    label=_("Directives"),
    model_label="policies.Directive",
    order=10,
    select_related=("issuing_body",),
    on_timeline=True,
    search_document=directive_document,
    search_select_related=("issuing_body",),
    repeated_by=("provisions",),
    csl_item=directive_item,
    importer=Importer(
        fields=(
            "title",
            "title_original",
            "original_language",
            "kind",
            "speaker",
            "speaker_family_name",
            "speaker_role",
            "occasion",
            "date",
            "date_precision",
            "date_basis",
            "date_basis_note",
            "points_are",
            "summary",
            "summary_original",
        ),
        links={
            "issuing_body": Link("issuing_body"),
            "themes": Link("themes"),
            "sources": Link("sources"),
        },
        tags=True,
        inline=(
            InlineRows(
                column="provisions",
                key=("number",),
                fields=("heading", "heading_original", "text", "text_original", "source_locator"),
                links={"themes": Link("themes")},
                tags=True,
            ),
        ),
        cites="sources",
    ),
)

PROVISIONS = EntryType(
    key="provisions",
    label=_("Provisions"),
    model_label="policies.Provision",
    order=20,
    select_related=("directive",),
    parent="directive",
    url_fields=(("slug", "directive__slug"), ("number", "number")),
    search_document=provision_document,
    search_prefetch_related=("directive",),
    csl_item=provision_item,
)
