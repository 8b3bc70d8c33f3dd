"""Pending changes: edits to a published entry, held for review while the published
version stays public.

Whatever would change what the public sees of a published entry (its fields, its
links and tags, its inline rows: a directive's points and relations, an agreement's
links, a source's authors; a revert; an import) is written as usual, but inside a
savepoint that is always rolled back (`working_copy`). What the write would have
stored is captured first, as a plain snapshot of the entry (`entry_state`), and kept
beside the entry as its one PendingChange. The published rows are never touched, so
the public, the search index and every export go on showing the published version.

A reviewer publishes the change (`editorial.workflow.publish_change`): the snapshot is
applied to the entry's rows (`apply_state`) as one new version. Later edits made
before then build on the pending version, not on the published one, so nothing an
editor saved is lost; each bumps the change's revision, which reviewers' buttons carry,
so nobody publishes a revision they have not seen.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from taggit.managers import TaggableManager
from taggit.utils import edit_string_for_tags, parse_tags

from core.models import Status
from editorial.history import inline_relations, record_tag_names
from editorial.models import PendingChange
from search import signals as search_signals


def is_gated(entry):
    """Whether a change to this entry must wait for review: it is public now."""
    return getattr(entry, "status", None) == Status.PUBLISHED


EMPTY_ROW = {"fields": {}, "links": {}}

# Snapshots -------------------------------------------------------------------------


def _content_fields(model):
    """The fields an editor writes: editable, concrete, not the key, not the status
    (the workflow's), and not tags (kept as names, see row_state)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name != "status"
    ]


def _link_fields(model):
    """Many-to-many links stored in a table of their own making (a link with a
    model of its own, such as an agreement's links, is an inline row instead)."""
    return [
        f
        for f in model._meta.many_to_many
        if not isinstance(f, TaggableManager) and f.remote_field.through._meta.auto_created
    ]


def _plain(value):
    # Dates, decimals and UUIDs as JSON has them; Field.to_python reads them back.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def row_state(obj):
    """One row as plain data: its content fields, its links (sorted ids) and tags."""
    model = type(obj)
    state = {
        "fields": {f.attname: _plain(f.value_from_object(obj)) for f in _content_fields(model)},
        "links": {
            f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True))
            for f in _link_fields(model)
        },
    }
    if any(isinstance(f, TaggableManager) for f in model._meta.many_to_many):
        state["tags"] = edit_string_for_tags(list(obj.tags.all()))
    return state


def entry_state(entry):
    """The entry as the public would see it: its row and every inline row."""
    state = row_state(entry)
    state["inline"] = {}
    for relation in inline_relations(type(entry)):
        rows = relation.related_model._default_manager.filter(
            **{relation.field.attname: entry.pk}
        ).order_by("pk")
        state["inline"][relation.get_accessor_name()] = {
            str(row.pk): row_state(row) for row in rows
        }
    return state


def _apply_row(obj, base, proposed, *, adding=False):
    """Write onto one row what `proposed` changes of `base`, and nothing else, so a
    change made meanwhile by another path (a link from another entry, a theme
    deleted) is kept."""
    model = type(obj)
    changed = adding
    for f in _content_fields(model):
        wanted = proposed["fields"].get(f.attname)
        if adding or wanted != base["fields"].get(f.attname):
            setattr(obj, f.attname, f.to_python(wanted))
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
    saved = changed
    for f in _link_fields(model):
        old, new = set(base["links"].get(f.name, [])), set(proposed["links"].get(f.name, []))
        manager = getattr(obj, f.name)
        if new - old:
            # A theme or source deleted since cannot be linked again.
            manager.add(*f.related_model._default_manager.filter(pk__in=new - old))
        if old - new:
            manager.remove(*old - new)
    if proposed.get("tags", "") != base.get("tags", ""):
        obj.tags.set(parse_tags(proposed["tags"]))
        if hasattr(obj, "tag_names"):
            record_tag_names(obj)
    return saved


def apply_state(entry, base, proposed):
    """Make the entry and its inline rows say what `proposed` changes of `base`:
    rows added are created (keeping the id they had in the working copy when it is
    still free, so that links made to them there hold), rows removed are deleted,
    and of the rest only what differs is written. True when the entry's own row was
    saved."""
    saved = _apply_row(entry, base, proposed)
    for relation in inline_relations(type(entry)):
        model, fk = relation.related_model, relation.field.attname
        name = relation.get_accessor_name()
        before, after = base["inline"].get(name, {}), proposed["inline"].get(name, {})
        rows = model._default_manager.filter(**{fk: entry.pk}, pk__in=before.keys() | after.keys())
        current = {str(row.pk): row for row in rows}
        for row_id in before.keys() - after.keys():
            if row_id in current:
                current[row_id].delete()
        added = [row_id for row_id in after.keys() - before.keys() if row_id not in current]
        taken = {
            str(pk)
            for pk in model._default_manager.filter(pk__in=added).values_list("pk", flat=True)
        }
        for row_id, row_state in after.items():
            old = before.get(row_id)
            if old == row_state:
                continue
            row = current.get(row_id)
            if row is None:
                row = model(**{fk: entry.pk})
                if row_id not in taken:
                    row.pk = model._meta.pk.to_python(row_id)
                _apply_row(row, EMPTY_ROW, row_state, adding=True)
            else:
                _apply_row(row, old or EMPTY_ROW, row_state)
    return saved


# Reading a change --------------------------------------------------------------------


def pending_change(entry, *, lock=False):
    """The entry's pending change, or None."""
    changes = PendingChange.objects.filter(
        content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk
    )
    if lock:
        # The author's row is not locked (PostgreSQL refuses FOR UPDATE on the
        # nullable side of the join select_related would make).
        return changes.select_for_update().first()
    return changes.select_related("author").first()


@dataclass
class Difference:
    what: str
    before: str
    after: str


def _describe_row(model, before, after, prefix=""):
    differences = []
    for f in _content_fields(model):
        old = before["fields"].get(f.attname)
        new = after["fields"].get(f.attname)
        if old != new:
            differences.append(
                Difference(f"{prefix}{f.verbose_name}", _shown(f, old), _shown(f, new))
            )
    for f in _link_fields(model):
        old = set(before["links"].get(f.name, []))
        new = set(after["links"].get(f.name, []))
        if old != new:
            names = {
                obj.pk: str(obj)
                for obj in f.related_model._default_manager.filter(pk__in=old | new)
            }
            differences.append(
                Difference(
                    f"{prefix}{f.verbose_name}",
                    ", ".join(sorted(names.get(pk, str(pk)) for pk in old)) or "—",
                    ", ".join(sorted(names.get(pk, str(pk)) for pk in new)) or "—",
                )
            )
    old_tags, new_tags = before.get("tags", ""), after.get("tags", "")
    if old_tags != new_tags:
        differences.append(Difference(f"{prefix}{_('tags')}", old_tags or "—", new_tags or "—"))
    return differences


def _shown(field, value):
    if value in (None, ""):
        return "—"
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(field.to_python(value), value))
    return str(value)


def describe_change(entry, change):
    """What publishing the change would alter, field by field and row by row, for
    the reviewer: a list of Differences."""
    base, proposed = change.snapshot["base"], change.snapshot["proposed"]
    model = type(entry)
    differences = _describe_row(model, base, proposed)
    for relation in inline_relations(model):
        name = relation.get_accessor_name()
        related = relation.related_model
        before = base["inline"].get(name, {})
        after = proposed["inline"].get(name, {})
        label = str(related._meta.verbose_name)
        for row_id in sorted(before.keys() | after.keys(), key=int):
            old, new = before.get(row_id), after.get(row_id)
            if old == new:
                continue
            row = f"{label} {_row_label(new or old)}".strip()
            if old is None:
                differences.append(Difference(row, "—", _("added")))
                differences.extend(_describe_row(related, EMPTY_ROW, new, f"{row}: "))
            elif new is None:
                differences.append(Difference(row, _("as published"), _("deleted")))
            else:
                differences.extend(_describe_row(related, old, new, f"{row}: "))
    return differences


def _row_label(state):
    fields = state["fields"]
    for name in ("number", "name", "title"):
        if fields.get(name) not in (None, ""):
            return str(fields[name])
    return ""


# Writing a change ------------------------------------------------------------------


@dataclass
class WorkingCopy:
    """What `working_copy` hands its block: the change being built on, if any."""

    entry: object
    change: PendingChange | None
    base: dict
    proposed: dict | None = None
    user: object = None
    reason: str = ""

    def capture(self, *, user, reason=""):
        """Take what the block wrote as the proposed version (before it is undone)."""
        fresh = type(self.entry)._default_manager.get(pk=self.entry.pk)
        self.proposed = entry_state(fresh)
        self.user, self.reason = user, reason


@contextmanager
def working_copy(entry):
    """A block in which the entry may be written as if it were a draft; nothing it
    writes stays. The entry's row and its pending change are locked first, so two
    editors' changes are taken one after the other, each on the one before. Inside,
    the entry already holds its pending version, and its `version` is the published
    one plus the change's revision, so that the admin's optimistic lock compares
    revisions. Call `copy.capture()` to keep what was written as the pending change."""
    model = type(entry)
    with transaction.atomic(using=model._default_manager.db):
        published = model._default_manager.select_for_update().get(pk=entry.pk)
        change = pending_change(entry, lock=True)
        base = change.snapshot["base"] if change else entry_state(published)
        copy = WorkingCopy(entry=entry, change=change, base=base)
        version = published_version(published, change)
        # A savepoint always rolled back. An atomic block rather than a bare savepoint,
        # so that what its writes asked to run on commit (core.public_state) goes too.
        with transaction.atomic(using=model._default_manager.db):
            try:
                with search_signals.discarded():
                    if change is not None:
                        apply_state(published, base, change.snapshot["proposed"])
                    model._default_manager.filter(pk=entry.pk).update(version=version)
                    yield copy
            finally:
                transaction.set_rollback(True, using=model._default_manager.db)
        if copy.proposed is not None:
            _hold(copy)


def published_version(entry, change):
    """The version number an editor sees: the published version, plus one for each
    revision of its pending change."""
    return entry.version + (change.revision if change else 0)


def _hold(copy):
    """Keep the captured version as the entry's pending change (or drop the change
    when the editor has put everything back as published)."""
    change = copy.change
    if copy.proposed == copy.base:
        if change is not None:
            change.delete()
        return
    if change is None:
        change = PendingChange(
            content_type=ContentType.objects.get_for_model(copy.entry),
            object_id=copy.entry.pk,
            snapshot={"base": copy.base},
            revision=0,
            contributor_ids=[],
        )
    change.snapshot = {"base": copy.base, "proposed": copy.proposed}
    change.revision += 1
    change.state = PendingChange.State.AWAITING_REVIEW
    change.author = copy.user
    if copy.reason:
        change.reason = copy.reason[:500]
    if copy.user is not None and copy.user.pk not in change.contributor_ids:
        change.contributor_ids = [*change.contributor_ids, copy.user.pk]
    change.save()


def propose_change(entry, *, user, reason, write):
    """Run `write(entry)` on a working copy of a published entry and hold what it
    wrote for review. Returns the pending change (None if it changed nothing)."""
    with working_copy(entry) as copy:
        write(type(entry)._default_manager.get(pk=entry.pk))
        copy.capture(user=user, reason=reason)
    return pending_change(entry)


def pending_revisions(model, ids):
    """{entry id: revision} of the entries among `ids` that have a pending change:
    what `published_version` adds to each one's stored version (no query for none)."""
    if not ids:
        return {}
    return dict(
        PendingChange.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=ids
        ).values_list("object_id", "revision")
    )


def changes_awaiting_review():
    """Every pending change a reviewer has yet to read, oldest first."""
    return PendingChange.objects.filter(state=PendingChange.State.AWAITING_REVIEW).order_by(
        "updated_at"
    )
