"""How an agreements import file names the agreement's links: a directive by its slug,
or one of its points as "directive-slug#pN" (the read hook of the `links` inline rows
that cooperation/entry_types.py declares; editorial.importing runs it)."""

from django.utils.translation import gettext as _

from cooperation.models import AgreementLink
from editorial.importing import parse_text


def provision_ids(importer):
    """{(directive id, point number): provision id} for every provision, read once."""
    provision = AgreementLink._meta.get_field("provision").related_model
    return importer.cached(
        "provisions",
        lambda: {
            (directive_id, number): pk
            for pk, directive_id, number in provision._default_manager.values_list(
                "pk", "directive_id", "number"
            )
        },
    )


def read_agreement_link(item, importer, **options):
    """A link, a "slug" or "slug#pN" string or a {"target", "kind", "note"} object, as
    (key, values); raises ValueError saying what is wrong with it."""
    item = item if isinstance(item, dict) else {"target": item}
    target = parse_text(item.get("target"))
    slug, _hash, point = target.partition("#p")
    directive = AgreementLink._meta.get_field("directive").related_model
    directive_id = importer.lookup(directive, "slug").get(slug)
    if directive_id is None:
        raise ValueError(_("no directive “%(slug)s”") % {"slug": slug})
    provision_id = None
    if point:
        # ASCII digits only: "p²" passes str.isdigit() but not int().
        number = int(point) if point.isascii() and point.isdecimal() and len(point) < 10 else 0
        provision_id = provision_ids(importer).get((directive_id, number))
        if provision_id is None:
            raise ValueError(_("“%(target)s”: no such point") % {"target": target})
    values = {
        "kind": parse_text(item.get("kind")) or AgreementLink.Kind.RESPONDS_TO,
        "note": parse_text(item.get("note")),
    }
    if values["kind"] not in AgreementLink.Kind.values:
        raise ValueError(_("unknown relation “%(kind)s”") % values)
    return {"directive_id": directive_id, "provision_id": provision_id}, values
