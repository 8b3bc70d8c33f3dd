"""A synthetic corpus for benchmarks: realistic lengths and word frequencies, every
entry labelled synthetic (a title prefix, a `synthetic-` slug and the `synthetic`
tag), inserted with bulk_create (its links with COPY on PostgreSQL). Never part of
the public data: load_seed does not know it, and `make_synthetic --delete` removes
all of it."""

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from taggit.models import Tag, TaggedItem

from cooperation.models import Agreement
from core.models import Country, Organization, Status, Theme
from policies.models import Directive, Provision
from search import backends

PREFIX = "[Synthetic]"
SLUG_PREFIX = "synthetic-"
TAG = "synthetic"
# Placed in exactly this share of directive summaries and nowhere else, so the
# benchmark has a term of known breadth.
BROAD_TERM = "preparedness"
BROAD_SHARE = 0.30


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


def synthetic_themes():
    themes = list(Theme.objects.all())
    if themes:
        return themes
    root = Theme.objects.create(name=f"{PREFIX} Emergency management", slug="synthetic-root")
    return [root] + [
        Theme.objects.create(name=f"{PREFIX} Theme {n}", slug=f"synthetic-theme-{n}", parent=root)
        for n in range(1, 9)
    ]


def insert_rows(model, fields, rows, batch_size):
    """Insert rows of values for `fields` (attribute names): streamed with COPY on
    PostgreSQL, so that they are made while the server writes; bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        columns = [model._meta.get_field(name).column for name in fields]
        backends.copy_rows(model._meta.db_table, columns, rows)
    else:
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=batch_size
        )


def link_tags(model, ids, tags, rng, batch_size):
    """The `synthetic` tag on every entry, and one topical tag on about half."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    synthetic, *topical = tags

    def rows():
        for object_id in ids:
            yield content_type_id, object_id, synthetic.pk
            if rng.random() < 0.5:
                yield content_type_id, object_id, rng.choice(topical).pk

    insert_rows(TaggedItem, ("content_type_id", "object_id", "tag_id"), rows(), batch_size)


def link_themes(through, field, ids, themes, rng, batch_size):
    rows = (
        (object_id, theme.pk)
        for object_id in ids
        for theme in rng.sample(themes, k=min(len(themes), rng.choice((1, 1, 2))))
    )
    insert_rows(through, (f"{field}_id", "theme_id"), rows, batch_size)


@transaction.atomic
def make_synthetic(
    *, directives, provisions_per_directive, agreements, seed=1, batch_size=5000, progress
):
    """Insert the synthetic corpus; `progress(label, total)` returns a tqdm-like bar.
    Returns {type: ids} of what was made, for indexing."""
    rng = random.Random(seed)
    themes = synthetic_themes()
    tags = [Tag.objects.get_or_create(name=TAG, defaults={"slug": TAG})[0]] + [
        Tag.objects.get_or_create(name=f"synthetic {word}", defaults={"slug": f"synthetic-{word}"})[
            0
        ]
        for word in DOMAIN_WORDS[:30]
    ]
    body, _ = Organization.objects.get_or_create(
        slug="synthetic-ministry",
        defaults={"name": f"{PREFIX} Ministry", "kind": Organization.Kind.MINISTRY},
    )
    start = Directive.objects.filter(slug__startswith=SLUG_PREFIX).count()
    made = {}

    bar = progress("directives", directives)
    directive_ids = []
    for offset in range(0, directives, batch_size):
        batch = []
        for n in range(start + offset, start + min(offset + batch_size, directives)):
            summary = sentence_text(rng, 60, 160)
            if rng.random() < BROAD_SHARE:
                summary += f" Strengthen {BROAD_TERM}."
            batch.append(
                Directive(
                    title=f"{PREFIX} {title_text(rng)}",
                    slug=f"{SLUG_PREFIX}directive-{n}",
                    kind=rng.choice(Directive.Kind.values),
                    issuing_body=body,
                    date=random_date(rng),
                    summary=summary,
                    status=Status.PUBLISHED,
                )
            )
        directive_ids += [d.pk for d in Directive.objects.bulk_create(batch)]
        bar.update(len(batch))
    bar.close()
    link_themes(Directive.themes.through, "directive", directive_ids, themes, rng, batch_size)
    link_tags(Directive, directive_ids, tags, rng, batch_size)
    made["directives"] = directive_ids

    bar = progress("provisions", directives * provisions_per_directive)
    provision_ids, batch = [], []
    for directive_id in directive_ids:
        for number in range(1, provisions_per_directive + 1):
            batch.append(
                Provision(
                    directive_id=directive_id,
                    number=number,
                    heading=title_text(rng, 3, 7) if rng.random() < 0.7 else "",
                    text=sentence_text(rng, 40, 120),
                )
            )
        if len(batch) >= batch_size:
            provision_ids += [p.pk for p in Provision.objects.bulk_create(batch)]
            bar.update(len(batch))
            batch = []
    provision_ids += [p.pk for p in Provision.objects.bulk_create(batch)]
    bar.update(len(batch))
    bar.close()
    link_themes(Provision.themes.through, "provision", provision_ids, themes, rng, batch_size)
    link_tags(Provision, provision_ids, tags, rng, batch_size)
    made["provisions"] = provision_ids

    countries = list(Country.objects.values_list("pk", flat=True))
    bar = progress("agreements", agreements)
    start = Agreement.objects.filter(slug__startswith=SLUG_PREFIX).count()
    batch = [
        Agreement(
            title=f"{PREFIX} {title_text(rng)}",
            slug=f"{SLUG_PREFIX}agreement-{start + n}",
            kind=rng.choice(Agreement.Kind.values),
            signed_on=random_date(rng),
            summary=sentence_text(rng, 40, 100),
            status=Status.PUBLISHED,
        )
        for n in range(agreements)
    ]
    agreement_ids = [a.pk for a in Agreement.objects.bulk_create(batch, batch_size=batch_size)]
    bar.update(len(agreement_ids))
    bar.close()
    link_themes(Agreement.themes.through, "agreement", agreement_ids, themes, rng, batch_size)
    link_tags(Agreement, agreement_ids, tags, rng, batch_size)
    if countries:
        insert_rows(
            Agreement.party_countries.through,
            ("agreement_id", "country_id"),
            (
                (agreement_id, country_id)
                for agreement_id in agreement_ids
                for country_id in rng.sample(countries, k=rng.randint(1, 3))
            ),
            batch_size,
        )
    made["agreements"] = agreement_ids
    return made


@transaction.atomic
def delete_synthetic():
    """Remove every synthetic entry, tag, theme and organization."""
    counts = {
        "provisions": Provision.objects.filter(directive__slug__startswith=SLUG_PREFIX).delete()[0],
        "directives": Directive.objects.filter(slug__startswith=SLUG_PREFIX).delete()[0],
        "agreements": Agreement.objects.filter(slug__startswith=SLUG_PREFIX).delete()[0],
    }
    Tag.objects.filter(slug__startswith=TAG).delete()
    Organization.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    Theme.objects.filter(slug__startswith=SLUG_PREFIX, parent__isnull=False).delete()
    Theme.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    return counts
