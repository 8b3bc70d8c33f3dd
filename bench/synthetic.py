"""A synthetic corpus for benchmarks: realistic lengths and word frequencies, every
entry labelled synthetic (a title prefix, a `synthetic-` slug and the `synthetic`
tag) and marked so in the database (`is_synthetic`, which the public rule hides
unless EMGOV_SYNTHETIC_PUBLIC=1), under themes, countries and an organization of its
own, all as clearly fictional and marked too (never the starter data's themes, never
a real country: parties are ISO 3166-1 user-assigned codes, XA to XZ), indexed
as it is made and inserted with bulk_create (its links with COPY on PostgreSQL).
Each entry is checked as it is made by the import engine's row check
(editorial.importing.validate_row), so that what an import would refuse is refused
here too, and the load with it. Never part of the public data: load_seed does not
know it, and `make_synthetic --delete` removes all of it."""

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from taggit.models import Tag, TaggedItem

from cooperation.models import Agreement
from core.models import Country, Organization, Status, Theme
from core.registry import registry
from editorial.importing import validate_row
from policies.models import Directive, Provision
from search import backends, common_terms, indexing
from search.indexing import Links
from search.models import IndexState

PREFIX = "[Synthetic]"
SLUG_PREFIX = "synthetic-"
TAG = "synthetic"
# Placed in exactly this share of directive summaries and nowhere else, so the
# benchmark has a term of known breadth.
BROAD_TERM = "preparedness"
BROAD_SHARE = 0.30
# Entries indexed and inserted per COPY.
BATCH_SIZE = 5000


def word_list(text):
    return tuple(text.split())


DOMAIN_WORDS = word_list("""
emergency management rescue disaster prevention relief earthquake flood typhoon
drought wildfire landslide cyclone tsunami storm hazard risk safety security response
recovery reconstruction evacuation shelter warning forecast monitoring command
coordination capacity training drill volunteer teams force firefighting medical
hospital epidemic chemical mining accident investigation accountability supervision
inspection standard equipment technology innovation satellite communication logistics
reserve materials supplies fund insurance compensation community village county city
province ministry department agency committee government council party cadre official
responsibility system mechanism framework plan regulation law opinion notice guideline
cooperation international partner country region neighbour border exchange assistance
aid donation humanitarian mission expert research talent education publicity awareness
public information platform data digital intelligent network early assessment mapping
dam river basin coast mountain forest grassland urban rural infrastructure power water
transport road bridge school building housing resettlement livelihood poverty
""")
GENERAL_WORDS = word_list("""
shall should must will may further strengthen improve establish promote implement
ensure support encourage guide organise develop build enhance optimise integrate carry
out work level all relevant various major key basic overall long term new modern
effective scientific professional comprehensive unified efficient timely local national
joint mutual common steady orderly strict clear full active firm practical concrete
measures tasks efforts arrangements requirements principles objectives targets priorities
areas fields aspects links stages methods means ways channels resources conditions
situation environment development reform progress quality capability foundation basis
role function position structure process procedure content scope period year years
""")
SYLLABLES = word_list("ka lo mi ren ta vo si dun pe ra ne tor li ga mu sen")


def pseudo_words(count, seed=7):
    """Made-up words for the long tail a real vocabulary has (names of places,
    rivers, programmes): without them every word would be common."""
    rng, made = random.Random(seed), []
    while len(made) < count:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
        if word not in made:
            made.append(word)
    return made


# Zipf-like: the n-th word is used about 1/n as often as the first. The general
# policy words are the most common, the domain words next, then the long tail.
VOCABULARY = (*GENERAL_WORDS, *DOMAIN_WORDS, *pseudo_words(8000))
# Each word repeated in proportion to 1/rank (the rarest once), so that a draw is a
# plain index into the pool: twice as fast as weighted choices, which bisect.
_POOL = tuple(
    word for rank, word in enumerate(VOCABULARY, 1) for _ in range(round(len(VOCABULARY) / rank))
)


def words(rng, count):
    return rng.choices(_POOL, k=count)


def sentence_text(rng, low, high):
    chosen = words(rng, rng.randint(low, high))
    sentences, start = [], 0
    while start < len(chosen):
        end = start + rng.randint(8, 20)
        sentences.append(" ".join(chosen[start:end]).capitalize() + ".")
        start = end
    return " ".join(sentences)


def title_text(rng, low=4, high=9):
    return " ".join(words(rng, rng.randint(low, high))).capitalize()


def random_date(rng):
    return datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(35 * 365))


# ISO 3166-1 reserves these alpha-2 codes for users' own assignment: no country has
# one, so a synthetic party can never be mistaken for a real one.
COUNTRY_CODES = tuple(f"X{letter}" for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def synthetic_themes():
    """Themes of its own, made once and reused: never the starter data's themes."""
    root, _ = Theme.objects.get_or_create(
        slug="synthetic-root",
        defaults={"name": f"{PREFIX} Emergency management", "is_synthetic": True},
    )
    return [root] + [
        Theme.objects.get_or_create(
            slug=f"synthetic-theme-{n}",
            defaults={"name": f"{PREFIX} Theme {n}", "parent": root, "is_synthetic": True},
        )[0]
        for n in range(1, 9)
    ]


def synthetic_countries():
    """Fictional parties under the user-assigned codes, made once and reused."""
    return [
        Country.objects.get_or_create(
            code=code,
            defaults={"name": f"{PREFIX} Country {code}", "is_synthetic": True},
        )[0]
        for code in COUNTRY_CODES
    ]


def insert_rows(model, fields, rows, batch_size=BATCH_SIZE):
    """Insert rows of values for `fields` (attribute names): streamed with COPY on
    PostgreSQL, so that they are made while the server writes; bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        columns = [model._meta.get_field(name).column for name in fields]
        backends.copy_rows(model._meta.db_table, columns, rows)
    else:
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=batch_size
        )


def reserved_ids(model, count):
    """Primary keys for `count` entries not yet inserted, so that their search documents
    can be written first. SQLite, which has no sequence, takes those after the largest:
    a synthetic load runs alone, on a database of its own."""
    if connection.vendor == "postgresql":
        return backends.next_ids(model._meta.db_table, count)
    largest = model.objects.aggregate(largest=Max("pk"))["largest"] or 0
    return list(range(largest + 1, largest + 1 + count))


class SyntheticRowRefused(ValueError):
    """A synthetic entry that an import would refuse: the load stops, writing nothing."""


def checked(entry, links):
    """The entry, made as an import would accept it, and its links. The database
    makes the checks left to it (see validate_row) when the batch is inserted."""
    try:
        validate_row(entry, in_database=False)
    except ValidationError as error:
        raise SyntheticRowRefused(
            f"A synthetic {entry._meta.verbose_name} would be refused by an import: {error}"
        ) from error
    return entry, links


class EntryMaker:
    """Makes synthetic entries, unsaved but with their ids, each with the links
    (themes, tags, countries) its search document needs, each checked as an import
    checks a row."""

    def __init__(self, rng, themes, tags, issuing_body, countries):
        self.rng, self.themes, self.tags = rng, themes, tags
        self.issuing_body, self.countries = issuing_body, countries

    def links(self, countries=()):
        """The `synthetic` tag on every entry and one topical tag on about half; one
        theme, or two."""
        rng = self.rng
        synthetic, *topical = self.tags
        tags = [synthetic] + ([rng.choice(topical)] if rng.random() < 0.5 else [])
        themes = rng.sample(self.themes, k=min(len(self.themes), rng.choice((1, 1, 2))))
        return Links(
            themes=[theme.pk for theme in themes],
            tags=[(tag.name, tag.slug) for tag in tags],
            countries=[(country.code, country.name) for country in countries],
        )

    def directive(self, pk, n):
        rng = self.rng
        summary = sentence_text(rng, 60, 160)
        if rng.random() < BROAD_SHARE:
            summary += f" Strengthen {BROAD_TERM}."
        directive = Directive(
            pk=pk,
            title=f"{PREFIX} {title_text(rng)}",
            slug=f"{SLUG_PREFIX}directive-{n}",
            kind=rng.choice(Directive.Kind.values),
            issuing_body=self.issuing_body,
            date=random_date(rng),
            summary=summary,
            status=Status.PUBLISHED,
            is_synthetic=True,
        )
        return checked(directive, self.links())

    def provision(self, pk, directive, number):
        rng = self.rng
        provision = Provision(
            pk=pk,
            directive=directive,
            number=number,
            heading=title_text(rng, 3, 7) if rng.random() < 0.7 else "",
            text=sentence_text(rng, 40, 120),
        )
        return checked(provision, self.links())

    def agreement(self, pk, n):
        rng = self.rng
        agreement = Agreement(
            pk=pk,
            title=f"{PREFIX} {title_text(rng)}",
            slug=f"{SLUG_PREFIX}agreement-{n}",
            kind=rng.choice(Agreement.Kind.values),
            signed_on=random_date(rng),
            summary=sentence_text(rng, 40, 100),
            status=Status.PUBLISHED,
            is_synthetic=True,
        )
        countries = rng.sample(self.countries, k=min(len(self.countries), rng.randint(1, 3)))
        countries.sort(key=lambda country: country.name)  # as a rebuild reads them
        return checked(agreement, self.links(countries))


def insert_links(model, entries, links, tag_ids):
    name = model._meta.model_name
    rows = ((entry.pk, theme) for entry in entries for theme in links[entry.pk].themes)
    insert_rows(model.themes.through, (f"{name}_id", "theme_id"), rows)
    content_type_id = ContentType.objects.get_for_model(model).pk
    rows = (
        (content_type_id, entry.pk, tag_ids[slug])
        for entry in entries
        for _, slug in links[entry.pk].tags
    )
    insert_rows(TaggedItem, ("content_type_id", "object_id", "tag_id"), rows)


class Loader:
    """Writes each batch of entries' search documents while the entries are being made,
    then the entries and their links. On PostgreSQL the server computes the tsvectors
    of the rows COPY has sent while Python makes the next entries: both cores work at
    once, where inserting first and indexing after kept one of them idle."""

    def __init__(self, tags, countries, progress):
        self.tag_ids = {tag.slug: tag.pk for tag in tags}
        self.country_ids = {country.code: country.pk for country in countries}
        self.ancestry = indexing.theme_ancestry()
        self.progress = progress

    def load(self, key, made, count):
        """Index and insert `count` entries, drawn from `made`, an iterator of
        (entry, links); returns the entries."""
        entries, links, refused = [], {}, []

        def made_entries():
            try:
                for entry, entry_links in made:
                    entries.append(entry)
                    links[entry.pk] = entry_links
                    yield entry
            except SyntheticRowRefused as error:
                # Raised inside COPY's read, the driver would hand it back as an error
                # of its own: end the stream here, and raise it once COPY is done.
                refused.append(error)

        indexing.write_documents(key, made_entries(), links, self.ancestry, count)
        if refused:
            raise refused[0]
        model = registry[key].model
        model.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        insert_links(model, entries, links, self.tag_ids)
        if model is Agreement:
            rows = (
                (entry.pk, self.country_ids[code])
                for entry in entries
                for code, _ in links[entry.pk].countries
            )
            insert_rows(Agreement.party_countries.through, ("agreement_id", "country_id"), rows)
        self.progress(key, len(entries))
        return entries


def synthetic_tags():
    """The `synthetic` tag, then the topical ones."""
    names = [TAG, *(f"synthetic {word}" for word in DOMAIN_WORDS[:30])]
    return [
        Tag.objects.get_or_create(name=name, defaults={"slug": name.replace(" ", "-")})[0]
        for name in names
    ]


@transaction.atomic
def make_synthetic(*, directives, provisions_per_directive, agreements, seed=1, progress):
    """Insert and index the synthetic corpus, a batch at a time (Loader), with the GIN
    indexes built once at the end; `progress(type, count)` is told of each batch.
    Returns {type: number made}."""
    rng = random.Random(seed)
    themes, tags = synthetic_themes(), synthetic_tags()
    body, _ = Organization.objects.get_or_create(
        slug="synthetic-ministry",
        defaults={
            "name": f"{PREFIX} Ministry",
            "kind": Organization.Kind.MINISTRY,
            "is_synthetic": True,
        },
    )
    countries = synthetic_countries()
    maker = EntryMaker(rng, themes, tags, body, countries)
    loader = Loader(tags, countries, progress)
    first_directive = Directive.objects.filter(slug__startswith=SLUG_PREFIX).count()
    first_agreement = Agreement.objects.filter(slug__startswith=SLUG_PREFIX).count()
    per_batch = max(1, BATCH_SIZE // max(1, provisions_per_directive))
    made = dict.fromkeys(("directives", "provisions", "agreements"), 0)
    IndexState.objects.changed()  # the index writer's turn, before its tables are locked
    with common_terms.recounted(), backends.indexes_dropped():
        for offset in range(0, directives, per_batch):
            count = min(per_batch, directives - offset)
            numbers = range(first_directive + offset, first_directive + offset + count)
            ids = reserved_ids(Directive, count)
            batch = loader.load("directives", map(maker.directive, ids, numbers), count)
            places = [
                (directive, number)
                for directive in batch
                for number in range(1, provisions_per_directive + 1)
            ]
            for start in range(0, len(places), BATCH_SIZE):
                chunk = places[start : start + BATCH_SIZE]
                ids = reserved_ids(Provision, len(chunk))
                made_provisions = (
                    maker.provision(pk, directive, number)
                    for pk, (directive, number) in zip(ids, chunk, strict=True)
                )
                made["provisions"] += len(loader.load("provisions", made_provisions, len(chunk)))
            made["directives"] += len(batch)
        for offset in range(0, agreements, BATCH_SIZE):
            count = min(BATCH_SIZE, agreements - offset)
            numbers = range(first_agreement + offset, first_agreement + offset + count)
            ids = reserved_ids(Agreement, count)
            made["agreements"] += len(
                loader.load("agreements", map(maker.agreement, ids, numbers), count)
            )
    return made


@transaction.atomic
def delete_synthetic():
    """Remove every synthetic entry, tag, theme, country and organization."""
    counts = {
        "provisions": Provision.objects.filter(directive__is_synthetic=True).delete()[0],
        "directives": Directive.objects.filter(is_synthetic=True).delete()[0],
        "agreements": Agreement.objects.filter(is_synthetic=True).delete()[0],
    }
    Tag.objects.filter(slug__startswith=TAG).delete()
    Organization.objects.filter(is_synthetic=True).delete()
    Theme.objects.filter(is_synthetic=True, parent__isnull=False).delete()
    Theme.objects.filter(is_synthetic=True).delete()
    Country.objects.filter(is_synthetic=True).delete()
    return counts
