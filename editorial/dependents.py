"""Which published entries link to an entry: the pages that change when it is
withdrawn or deleted. A reviewer is shown them and asked to confirm first
(editorial.admin_dependents), because the public rule then drops those links
silently: an agreement's page loses the directive it responds to, a directive its
source, a source's page the findings drawn from it.

Read off the models' reverse relations, so a link added later cannot be missed: a
foreign key or many-to-many field from an entry (a directive's `sources`), or a link
row published with its ends (an AgreementLink, a DirectiveRelation), whose other ends
are the entries that show it. The entry's own parts (a directive's provisions) are
searched too, as they go with it."""

from dataclasses import dataclass

from core.models import Entry, Publishable
from core.registry import registry


@dataclass(frozen=True)
class LinkingEntry:
    """A published entry whose page shows a link to the one withdrawn or deleted."""

    entry: object
    type_label: str
    url: str
    # What the page links to: the entry itself, or one of its parts ("Point 3").
    via: str


def parts_of(entry):
    """The rows published with this entry as their parent (a directive's provisions)."""
    found = []
    for entry_type in registry:
        if not entry_type.parent:
            continue
        field = entry_type.model._meta.get_field(entry_type.parent)
        if field.related_model is type(entry):
            found.extend(entry_type.model._default_manager.filter(**{entry_type.parent: entry}))
    return found


def _ends(row, target):
    """The entries a link row joins, other than the target and the rows it belongs to."""
    ends = []
    for field in row._meta.concrete_fields:
        if not field.many_to_one:
            continue
        end = getattr(row, field.name)
        if isinstance(end, Entry) and end != target:
            ends.append(end)
    return ends


def _rows_linking(target):
    """Every row that points at `target` through a foreign key or a many-to-many field."""
    for relation in target._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many:
            field = relation.field
            if field.model is not model:  # reached from the other side
                continue
            yield from model._default_manager.filter(**{field.name: target})
        elif relation.one_to_many:
            yield from model._default_manager.filter(**{relation.field.name: target})


def linking_entries(entry):
    """The published entries, other than the entry itself, whose pages link to it or
    to one of its parts, each once, in the registry's order of types."""
    # The parts first: a link to one of them is named by it, the most precise.
    targets = [*parts_of(entry), entry]
    own = {(type(row), row.pk) for row in targets}
    found = {}
    for target in targets:
        via = "" if target is entry else str(target)
        for row in _rows_linking(target):
            if (type(row), row.pk) in own:
                continue
            if isinstance(row, Entry):
                candidates = [row]
            elif isinstance(row, Publishable):
                candidates = [end for end in _ends(row, entry) if (type(end), end.pk) not in own]
            else:
                continue
            for candidate in candidates:
                key = (type(candidate), candidate.pk)
                if key in found or not candidate.is_published:
                    continue
                entry_type = registry.for_model(type(candidate))
                found[key] = LinkingEntry(
                    entry=candidate,
                    type_label=str(entry_type.label) if entry_type else "",
                    url=candidate.get_absolute_url(),
                    via=via,
                )
    order = {entry_type.model: entry_type.order for entry_type in registry}
    return sorted(
        found.values(), key=lambda link: (order.get(type(link.entry), 99), str(link.entry))
    )
