"""Where an entry came from, for its page: the starter data (from the documents it
cites), an import, or an editor. load_seed marks the starter data (`Entry.origin`);
an import and an editor's work are told apart by the entry's first version, whose
reason an import writes as "Imported from <file>" (editorial.importing)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from core.models import Origin, Source
from core.registry import registry


def import_reason_prefixes():
    """ "Imported from " in every language of the site: the reason is written in the
    language of the request that imported."""
    prefixes = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.add(gettext("Imported from %(file)s").split("%(file)s")[0])
    return tuple(prefix for prefix in prefixes if prefix.strip())


def origin_of(entry):
    """The Origin of the entry that carries this one's publication, or "" when its
    history does not say (an entry made before histories were kept)."""
    owner = registry.for_model(entry).owner(entry)
    if owner.origin:
        return owner.origin
    # The first version's reason alone: a whole historical row is some thirty columns.
    first = (
        owner.history.order_by("history_date", "history_id")
        .values_list("history_change_reason")
        .first()
    )
    if first is None:
        return ""
    reason = first[0] or ""
    if reason.startswith(import_reason_prefixes()):
        return Origin.IMPORT
    return Origin.EDITOR


def documents_of(entry):
    """The published documents an entry is drawn from: a source is its own; a finding
    has its source; the rest cite theirs."""
    owner = registry.for_model(entry).owner(entry)
    if isinstance(owner, Source):
        return [owner]
    if hasattr(owner, "source") and not hasattr(owner, "sources"):
        return [owner.source] if owner.source.is_published else []
    return [source for source in owner.sources.all() if source.is_published]
