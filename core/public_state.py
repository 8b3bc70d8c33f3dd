"""The public state: one token that changes after every committed write the public
could see, so that whatever is cached or built from public data (pages, feeds, the
API, exports) is filed under the token it was made with and is never served once the
data has changed (docs/operations.md, "Caching").

Every save, delete and change of links of a model in PUBLIC_APPS counts, drafts
included: an edit of a draft is cheap to over-count, and a rule that tried to tell
which writes are public would be one more place for a withdrawn entry to slip
through. Writes that send no signal (bulk_create, queryset.update()) come with saves
that do, or call changed() themselves (the search index does, in
search.models.IndexStateManager.changed).

The token changes once per transaction, after it commits: a page built from the old
data is filed under the old token, which no request reads again once the new one is
in place, and a transaction that rolls back (an edit of a published entry, held for
review in a working copy that is always rolled back) changes nothing."""

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

# The apps whose rows public pages show: the reference data, the entries and their
# histories (history models live in their entries' apps), tags, the search index.
PUBLIC_APPS = frozenset({"core", "policies", "cooperation", "findings", "taggit", "search"})


def token():
    from core.models import PublicState

    return PublicState.objects.token()


def _write_new_token(using):
    from core.models import PublicState

    PublicState.objects.db_manager(using).changed()


def changed(using=DEFAULT_DB_ALIAS):
    """Change the token once the current transaction commits (at once outside one).
    A transaction registers one change however many rows it writes."""
    connection = connections[using]
    if connection.in_atomic_block and any(
        getattr(callback, "changes_public_state", False)
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return

    def write_new_token():
        _write_new_token(using)

    write_new_token.changes_public_state = True
    # robust: the data is committed by then; a failure to record it is logged, and must
    # not turn the editor's successful save into an error page.
    transaction.on_commit(write_new_token, using=using, robust=True)


def _is_public(model):
    return model._meta.app_label in PUBLIC_APPS and model._meta.model_name != "publicstate"


def row_saved_or_deleted(sender, using=None, **kwargs):
    if _is_public(sender):
        changed(using or router.db_for_write(sender))


def links_changed(sender, instance, action, model, using=None, **kwargs):
    if action.startswith("post_") and (_is_public(type(instance)) or _is_public(model)):
        changed(using or router.db_for_write(type(instance)))
