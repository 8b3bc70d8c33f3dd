"""Index writes on every save and delete of an entry, and on every change of its linked
themes, tags, countries and party organizations (LINK_FIELDS), including provisions
saved inline in the admin. A decoupled side effect, which is what STYLE.md keeps
signals for; it runs inside the saving transaction (not on_commit), so the index
never disagrees with the data a test or a request just wrote."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from taggit.models import TaggedItem

from core.models import Theme
from core.registry import registry
from search import indexing
from search.models import SearchDocument, SearchFacet

# {model: {pk}} of the entries changed inside deferred(), in this thread or task.
_pending = ContextVar("search_pending", default=None)


def changed(model, pks):
    """Index these entries (and those that repeat them) now, or at the end of
    deferred()."""
    pending = _pending.get()
    if pending is None:
        index_with_dependents({model: set(pks)})
    else:
        pending.setdefault(model, set()).update(pks)


def index_with_dependents(pending):
    """Index {model: {pk}}, adding the entries whose documents repeat these ones'
    (each type's `repeated_by`)."""
    for model, pks in list(pending.items()):
        for related_name in registry.for_model(model).repeated_by:
            relation = getattr(model, related_name).rel
            dependents = relation.related_model.objects.filter(
                **{f"{relation.field.name}__in": pks}
            ).values_list("pk", flat=True)
            pending.setdefault(relation.related_model, set()).update(dependents)
    for model, pks in pending.items():
        if pks:
            indexing.index_ids(model, sorted(pks))


def entry_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: run `manage.py rebuild_search_index` afterwards
        return
    changed(sender, {instance.pk})


def entry_deleted(sender, instance, **kwargs):
    changed(sender, {instance.pk})


def links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        if indexing.key_for(type(instance)):
            changed(type(instance), {instance.pk})
        return
    # Changed from the other side (theme.directives.add(...)): index each entry named.
    if indexing.key_for(model) and pk_set:
        changed(model, set(pk_set))


@contextmanager
def deferred():
    """Index each entry changed inside this block once, at its end, in bulk: for
    imports and other many-row writes, where the signals would index an entry once per
    save and per changed link. Put it inside the writing transaction: a block that
    fails indexes nothing, and its transaction rolls back with it. A nested block
    leaves the indexing to the outermost."""
    if _pending.get() is not None:
        yield
        return
    pending = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    index_with_dependents(pending)


@contextmanager
def discarded():
    """Index nothing of what changes inside this block: for writes that are always
    rolled back (an edit of a published entry, held for review), whose documents
    would otherwise be rebuilt from the rows as they are after the rollback."""
    token = _pending.set({})
    try:
        yield
    finally:
        _pending.reset(token)


def theme_saving(sender, instance, raw=False, **kwargs):
    instance._search_old_parent_id = (
        Theme.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
        if instance.pk and not raw
        else None
    )


def theme_saved(sender, instance, created, raw=False, **kwargs):
    """A theme moved under another parent changes which themes count its entries."""
    if created or raw or instance.parent_id == getattr(instance, "_search_old_parent_id", None):
        return
    subtree = instance.descendant_ids()
    indexing.reindex_documents(
        SearchDocument.objects.filter(
            facets__kind=SearchFacet.Kind.THEME, facets__value__in=[str(pk) for pk in subtree]
        ).distinct()
    )


def connect():
    for entry_type in registry.all():
        model = entry_type.model
        uid = f"search-{model._meta.label}"
        post_save.connect(entry_saved, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(entry_deleted, sender=model, dispatch_uid=f"{uid}-delete")
        for name in entry_type.link_fields():
            through = getattr(model, name).through
            m2m_changed.connect(links_changed, sender=through, dispatch_uid=f"{uid}-{name}")
    # Tags of every model share one through table; links_changed checks the model.
    m2m_changed.connect(links_changed, sender=TaggedItem, dispatch_uid="search-tags")
    pre_save.connect(theme_saving, sender=Theme, dispatch_uid="search-theme-old-parent")
    post_save.connect(theme_saved, sender=Theme, dispatch_uid="search-theme")


@contextmanager
def suspended():
    """Index nothing inside this block: for bulk jobs that index (or delete) their
    rows themselves, which would otherwise pay one query per row in the signals."""
    disconnect()
    try:
        yield
    finally:
        connect()


def disconnect():
    for entry_type in registry.all():
        model = entry_type.model
        uid = f"search-{model._meta.label}"
        post_save.disconnect(sender=model, dispatch_uid=f"{uid}-save")
        post_delete.disconnect(sender=model, dispatch_uid=f"{uid}-delete")
        for name in entry_type.link_fields():
            through = getattr(model, name).through
            m2m_changed.disconnect(sender=through, dispatch_uid=f"{uid}-{name}")
    m2m_changed.disconnect(sender=TaggedItem, dispatch_uid="search-tags")
