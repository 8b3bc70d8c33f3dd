"""A site for the canary scan (tests/test_canaries.py): published entries of every
registered type, linked to one another, and beside them canaries — entries in each
state the public must not see (draft, in review, sent back, withdrawn, and sent back
after being withdrawn) — linked to the published entries and from them every way the
models allow; and, on each published entry, a change held for review. Every text
field of a canary holds a marker of its own ("zqc17x"), so that a scan of any public
answer names exactly what leaked.

All of it is fictional: the countries are user-assigned ISO codes (XA, XB, ...), the
places and people invented.
"""

import datetime
import itertools
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from taggit.models import Tag

from cooperation.models import Agreement, AgreementLink, Mechanism
from core.models import Country, Organization, Source, SourceAuthor, Status, StatusChange, Theme
from editorial.pending import propose_change
from editorial.roles import setup_roles
from editorial.workflow import entry_publish, entry_send_back, entry_submit, entry_withdraw
from findings.models import Finding
from policies.models import Directive, DirectiveRelation, Provision
from search import signals as search_signals

# Every canary's text holds this word: a public search for it must find nothing.
CANARY_WORD = "canaryonly"
# Every entry's text, canary or published, holds this word: a search for it lists the
# published entries, with facets, beside the canaries it must leave out.
SHARED_WORD = "quillwort"
MARKER = re.compile(r"zqc\d+x")

# How a canary reaches its state, by the workflow's own services.
STATES = {
    "draft": (),
    "in_review": ("submit",),
    "sent_back": ("submit", "send_back"),
    "withdrawn": ("submit", "publish", "withdraw"),
    "unpublished": ("submit", "publish", "withdraw", "send_back"),
}


@dataclass
class CanarySite:
    # marker -> what it was put in ("draft: directive.title").
    markers: dict = field(default_factory=dict)
    # The published entries, by name ("directive", ...), and every canary entry.
    published: dict = field(default_factory=dict)
    canaries: list = field(default_factory=list)
    # id(canary) -> the state it was taken to (a key of STATES).
    states: dict = field(default_factory=dict)
    canary_tags: list = field(default_factory=list)

    def state_of(self, canary):
        return self.states[id(canary)]

    def near_miss(self):
        """A misspelling of a canary's title marker, for the search's suggestions."""
        marker = next(m for m, where in self.markers.items() if where.endswith("directive.title"))
        return f"{marker[:-1]}y"

    def leaks(self, text):
        """What each marker found in this text was put in."""
        return sorted({self.markers[found] for found in MARKER.findall(text)})


class Builder:
    def __init__(self):
        self.site = CanarySite()
        self.numbers = itertools.count(1)

    def marker(self, where):
        marker = f"zqc{next(self.numbers)}x"
        self.site.markers[marker] = where
        return marker

    def text_fields(self, model, where, **fields):
        """Every editable text field of the model that `fields` leaves out, filled with
        a marker of its own (as a slug, an address or words, as the field takes)."""
        for model_field in model._meta.concrete_fields:
            if (
                model_field.name in fields
                or not model_field.editable
                or model_field.choices
                or not isinstance(model_field, models.CharField | models.TextField)
            ):
                continue
            marker = self.marker(f"{where}.{model_field.name}")
            if isinstance(model_field, models.SlugField):
                value = marker
            elif isinstance(model_field, models.URLField):
                value = f"https://{marker}.example.org/"
            else:
                value = f"{CANARY_WORD} {SHARED_WORD} {marker}"
                if model_field.max_length and len(value) > model_field.max_length:
                    value = marker
            fields[model_field.name] = value
        return fields


def build_canary_site():
    """The published site and its canaries (see the module's docstring)."""
    setup_roles()
    editor, reviewer = _user("canary-editor", "Editor"), _user("canary-reviewer", "Reviewer")
    # Written as an import writes (each entry indexed once, at the end), then taken
    # through the workflow by its services, one step at a time, as reviewers would.
    with search_signals.deferred():
        builder, steps = _write_site()
    site = builder.site
    for entry, step in steps:
        _step(entry, step, editor=editor, reviewer=reviewer)
    _held_changes(builder, site, editor=editor, reviewer=reviewer)
    return site


def _held_changes(builder, site, *, editor, reviewer):
    """Each published entry has a change published before (so the feed of changes lists
    it) and another held for review, whose text is a canary's: the gate must keep
    that off every surface until a reviewer publishes it. The directive's also adds a
    point."""
    for name in ("source", "directive", "mechanism", "agreement", "finding"):
        entry = site.published[name]
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
            from_status=Status.PUBLISHED,
            to_status=Status.PUBLISHED,
            user=reviewer,
            public_reason=f"Fictional: {SHARED_WORD} dates corrected",
        )
        fields = {f.name for f in entry._meta.concrete_fields}
        text_field = next(
            f for f in ("summary", "description", "abstract", "text", "title") if f in fields
        )
        value = f"{CANARY_WORD} {SHARED_WORD} {builder.marker(f'held: {name}.{text_field}')}"
        point = f"{CANARY_WORD} {builder.marker('held: directive point.text')}"

        def write(stored, name=name, text_field=text_field, value=value, point=point):
            setattr(stored, text_field, value)
            stored.save()
            if name == "directive":
                Provision.objects.create(directive=stored, number=9, text=point)

        reason = f"{CANARY_WORD} {builder.marker(f'held: {name} reason')}"
        propose_change(entry, user=editor, reason=reason, write=write)


def _write_site():
    builder = Builder()
    site = builder.site

    # Reference data, public whatever uses it.
    parent_theme = Theme.objects.create(name="Quillwort hazards", slug="quillwort-hazards")
    theme = Theme.objects.create(
        name="Quillwort floods", slug="quillwort-floods", parent=parent_theme
    )
    country = Country.objects.create(code="XA", name="Freedonia")
    organization = Organization.objects.create(
        name="Freedonia Flood Office", slug="freedonia-flood-office", country=country
    )
    shared_tag = Tag.objects.create(name="quillwort drills", slug="quillwort-drills")

    def dress(entry, *, tags=()):
        entry.themes.set([theme])
        entry.tags.set([shared_tag, *tags])

    # The published entries, every one linked to the others.
    source = Source.objects.create(
        title=f"Report on {SHARED_WORD} floods",
        slug="quillwort-report",
        kind=Source.Kind.REPORT,
        outlet="Freedonia Gazette",
        published_on=datetime.date(2019, 4, 25),
        status=Status.PUBLISHED,
    )
    SourceAuthor.objects.create(source=source, family_name="Firefly", given_name="Rufus")
    # A speech: its citation is joined to the news reports among its sources.
    directive = Directive.objects.create(
        title=f"Remarks on {SHARED_WORD} flood drills",
        slug="quillwort-flood-remarks",
        kind=Directive.Kind.SPEECH,
        speaker="Rufus T. Firefly",
        occasion="Freedonia flood day",
        date=datetime.date(2020, 1, 15),
        issuing_body=organization,
        summary=f"Drills against {SHARED_WORD} floods.",
        status=Status.PUBLISHED,
    )
    directive.sources.set([source])
    directive.slug = "quillwort-remarks"  # renamed: its old address answers 301
    directive.save()
    provision = Provision.objects.create(
        directive=directive, number=1, text=f"Train {SHARED_WORD} rescue teams."
    )
    mechanism = Mechanism.objects.create(
        name=f"{SHARED_WORD} flood forum",
        slug="quillwort-forum",
        established_on=datetime.date(2018, 3, 1),
        status=Status.PUBLISHED,
    )
    mechanism.sources.set([source])
    mechanism.member_countries.set([country])
    mechanism.member_organizations.set([organization])
    agreement = Agreement.objects.create(
        title=f"Memorandum on {SHARED_WORD} flood drills",
        slug="quillwort-memorandum",
        kind=Agreement.Kind.MOU,
        signed_on=datetime.date(2019, 6, 1),
        mechanism=mechanism,
        status=Status.PUBLISHED,
    )
    agreement.sources.set([source])
    agreement.party_countries.set([country])
    agreement.party_organizations.set([organization])
    AgreementLink.objects.create(agreement=agreement, provision=provision, note="Joint drills")
    finding = Finding.objects.create(
        source=source,
        number=1,
        kind=Finding.Kind.PROBLEM,
        text=f"{SHARED_WORD} drills lag behind.",
        status=Status.PUBLISHED,
    )
    finding.provisions.set([provision])
    finding.agreements.set([agreement])
    for entry in (source, directive, mechanism, agreement, finding, provision):
        dress(entry)
    site.published.update(
        source=source,
        directive=directive,
        provision=provision,
        mechanism=mechanism,
        agreement=agreement,
        finding=finding,
    )

    steps = []
    for number, state in enumerate(STATES):
        steps += _canaries(
            builder,
            state,
            published=site.published,
            dress=dress,
            country_code=f"X{'BCDEFGH'[number]}",
        )
    return builder, steps


def _canaries(builder, state, *, published, dress, country_code):
    """One canary of each type, a draft, linked every way to the published entries;
    and, for the links that have a single end (an agreement's mechanism, a country's
    partnership source), a published entry of its own pointing to it. Returns the
    workflow steps that take them to this state."""
    site = builder.site
    tag = Tag.objects.create(**builder.text_fields(Tag, f"{state}: tag"))
    site.canary_tags.append(tag)

    def make(model, name, **fields):
        entry = model.objects.create(**builder.text_fields(model, f"{state}: {name}", **fields))
        return entry

    source = make(
        Source,
        "source",
        kind=Source.Kind.NEWS_REPORT,
        published_on=datetime.date(2019, 5, 2),
        status=Status.DRAFT,
    )
    make(SourceAuthor, "source author", source=source, position=1)
    directive = make(
        Directive,
        "directive",
        kind=Directive.Kind.SPEECH,
        date=datetime.date(2020, 2, 1),
        issuing_body=published["directive"].issuing_body,
        status=Status.DRAFT,
    )
    directive.sources.set([published["source"], source])
    # Renamed once: its old address must not lead to it either.
    directive.slug = builder.marker(f"{state}: directive.slug, renamed")
    directive.save()
    provision = make(Provision, "provision", directive=directive, number=1)
    mechanism = make(
        Mechanism, "mechanism", established_on=datetime.date(2018, 5, 1), status=Status.DRAFT
    )
    mechanism.sources.set([published["source"], source])
    mechanism.member_countries.set(published["agreement"].party_countries.all())
    mechanism.member_organizations.set(published["agreement"].party_organizations.all())
    agreement = make(
        Agreement,
        "agreement",
        kind=Agreement.Kind.JOINT_STATEMENT,
        signed_on=datetime.date(2019, 7, 1),
        mechanism=published["mechanism"],
        status=Status.DRAFT,
    )
    agreement.sources.set([published["source"], source])
    agreement.party_countries.set(published["agreement"].party_countries.all())
    agreement.party_organizations.set(published["agreement"].party_organizations.all())
    # A canary's findings: one in this state on the published source, and one
    # published on this canary source.
    finding = make(
        Finding,
        "finding",
        source=published["source"],
        number=100 + len(site.canaries),
        kind=Finding.Kind.ACHIEVEMENT,
        status=Status.DRAFT,
    )
    finding.provisions.set([published["provision"], provision])
    finding.agreements.set([published["agreement"], agreement])
    finding_on_canary = make(
        Finding,
        "published finding of the source",
        source=source,
        number=1,
        kind=Finding.Kind.RECOMMENDATION,
        status=Status.PUBLISHED,
    )
    finding_on_canary.provisions.set([published["provision"]])
    for entry in (source, directive, provision, mechanism, agreement, finding, finding_on_canary):
        dress(entry, tags=[tag])

    # Links between the canaries and the published entries, both ways.
    for model, fields in (
        (AgreementLink, {"agreement": agreement, "directive": published["directive"]}),
        (AgreementLink, {"agreement": agreement, "provision": published["provision"]}),
        (AgreementLink, {"agreement": published["agreement"], "directive": directive}),
        (AgreementLink, {"agreement": published["agreement"], "provision": provision}),
        (
            DirectiveRelation,
            {"from_directive": published["directive"], "to_directive": directive, "kind": "cites"},
        ),
        (
            DirectiveRelation,
            {"from_directive": directive, "to_directive": published["directive"], "kind": "amends"},
        ),
    ):
        make(model, model._meta.model_name, **fields)
    for entry in (published["directive"], published["agreement"], published["mechanism"]):
        entry.sources.add(source)
    published["finding"].provisions.add(provision)
    published["finding"].agreements.add(agreement)

    # The links with one end: a published agreement under the canary mechanism, a
    # country whose partnership date rests on the canary source.
    bridge = Agreement.objects.create(
        title=f"Accord on {SHARED_WORD} dikes ({state})",
        slug=f"quillwort-accord-{state.replace('_', '-')}",
        kind=Agreement.Kind.AGREEMENT,
        signed_on=datetime.date(2019, 8, 1),
        mechanism=mechanism,
        status=Status.PUBLISHED,
    )
    bridge.sources.set([published["source"], source])
    dress(bridge)
    Country.objects.create(
        code=country_code,
        name=f"Sylvania {state}",
        bri_partner_since=datetime.date(2017, 5, 14),
        bri_source=source,
    )

    for canary in (source, directive, provision, mechanism, agreement, finding):
        site.canaries.append(canary)
        site.states[id(canary)] = state
    # The steps that take each canary to its state, in order.
    return [
        (entry, step)
        for step in STATES[state]
        for entry in (source, directive, mechanism, agreement, finding)
    ]


def _step(entry, step, *, editor, reviewer):
    if step == "submit":
        entry_submit(entry=entry, user=editor)
    elif step == "publish":
        entry_publish(entry=entry, user=reviewer)
    elif step == "withdraw":
        entry_withdraw(entry=entry, user=reviewer, comment="Fictional: taken down.")
    elif step == "send_back":
        entry_send_back(entry=entry, user=reviewer, comment="Fictional: fix it.")


def _user(username, role):
    user = get_user_model().objects.create_user(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user
