"""Versions of entries: recording one version per edit, reverting to an earlier
version, restoring a deleted entry, and saying what changed since a version.

django-simple-history keeps a row per save of every content model (and of the rows
edited inline on an entry: provisions, agreement links, authors, relations), with a
snapshot of the many-to-many links. An admin save writes the entry first and its
links and inline rows after, so the entry's version is recorded once, at the end
(`one_version`); then "the entry as of version N" is that record, with its inline
rows as they stood at the record's time.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import formats
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from taggit.utils import edit_string_for_tags, parse_tags

from core.models import Status, entry_history

# The workflow, not the content: a revert leaves these as they are.
WORKFLOW_FIELDS = {"status", "published_at", "created_at", "updated_at", "version"}


@contextmanager
def one_version(entry, *, user=None, reason="", created=None):
    """Record everything saved inside the block as one version of the entry, taken
    at the end, after its many-to-many links and inline rows are saved."""
    created = entry._state.adding if created is None else created
    entry.skip_history_when_saving = True
    try:
        yield
    finally:
        del entry.skip_history_when_saving
    if hasattr(entry, "tag_names"):  # themes and organizations have no tags
        record_tag_names(entry)
    if user is not None:
        entry._history_user = user
    entry._change_reason = reason[:100] or None
    entry_history.create_historical_record(entry, "+" if created else "~")
    del entry._change_reason


def record_tag_names(entry):
    """Copy the entry's tags into `tag_names`, which the version then records."""
    names = edit_string_for_tags(list(entry.tags.all()))
    if names != entry.tag_names:
        type(entry)._default_manager.filter(pk=entry.pk).update(tag_names=names)
        entry.tag_names = names


def inline_relations(model):
    """The rows edited inline on an entry and deleted with it, whose history is kept:
    provisions and relations of a directive, links of an agreement, authors of a source."""
    return [
        relation
        for relation in model._meta.related_objects
        if relation.one_to_many
        and relation.on_delete is models.CASCADE
        and hasattr(relation.related_model, "history")
    ]


def _m2m_ids(record, field):
    target = field.m2m_reverse_field_name()
    through = getattr(record, field.name).all()
    ids = {getattr(row, f"{target}_id") for row in through}
    # A linked theme or source deleted since then cannot be linked again.
    return set(field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))


def _restore_m2m(instance, record):
    for field in record._history_m2m_fields:
        wanted = _m2m_ids(record, field)
        manager = getattr(instance, field.name)
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(wanted)


def _restore_inline_rows(entry, when):
    """Put the entry's inline rows back as they stood at `when`."""
    for relation in inline_relations(type(entry)):
        model, fk = relation.related_model, relation.field.attname
        records = model.history.filter(**{fk: entry.pk}, history_date__lte=when)
        wanted = {r.id: r for r in records.latest_of_each() if r.history_type != "-"}
        # Rows added after that time go; rows that have no history (loaded before
        # history was kept) are left alone rather than guessed at.
        added_later = set(
            model.history.filter(**{fk: entry.pk}, history_type="+", history_date__gt=when)
            .values_list("id", flat=True)
            .distinct()
        )
        rows = model._default_manager.filter(**{fk: entry.pk}, pk__in=added_later - set(wanted))
        for row in rows:
            try:
                row.delete()
            except ProtectedError as error:
                users = get_text_list([str(obj) for obj in error.protected_objects], _("and"))
                raise ValidationError(
                    _("“%(row)s” was added later and is now used by %(users)s; remove that first.")
                    % {"row": row, "users": users}
                ) from error
        attnames = [field.attname for field in model._meta.concrete_fields]
        current = {
            values["id"]: values
            for values in model._default_manager.filter(pk__in=wanted).values(*attnames)
        }
        for row_id, record in wanted.items():
            row = record.instance
            if current.get(row_id) != {name: getattr(row, name) for name in attnames}:
                row._state.adding = row_id not in current
                row.full_clean()
                row.save()
            _restore_m2m(row, record)
            if hasattr(row, "tag_names"):
                row.tags.set(parse_tags(record.tag_names))


def _apply_version(entry, record, *, user, reason):
    try:
        with transaction.atomic(), one_version(entry, user=user, reason=reason):
            entry.full_clean()
            entry.save()
            _restore_m2m(entry, record)
            entry.tags.set(parse_tags(record.tag_names))
            _restore_inline_rows(entry, record.history_date)
    except IntegrityError as error:
        raise ValidationError(
            _("That version clashes with the entries as they are now: %(error)s") % {"error": error}
        ) from error
    return entry


def entry_revert(*, entry, record, user):
    """Make the entry's content what it was at `record` (a history record of it),
    keeping its workflow state. Recorded as a new version; nothing is lost."""
    for field in type(entry)._meta.concrete_fields:
        if field.primary_key or field.name in WORKFLOW_FIELDS:
            continue
        setattr(entry, field.attname, getattr(record, field.attname))
    when = formats.date_format(record.history_date, "DATETIME_FORMAT")
    return _apply_version(
        entry, record, user=user, reason=_("Reverted to the version of %(when)s") % {"when": when}
    )


def deleted_entries(model):
    """The last recorded version of each deleted entry of this type, newest first."""
    live = model._default_manager.values("pk")
    deletions = model.history.filter(history_type="-").exclude(id__in=live)
    ids = deletions.values("id")
    records = model.history.filter(id__in=ids).exclude(history_type="-").latest_of_each()
    return list(records.order_by("-history_date"))


def entry_restore(*, model, entry_id, user):
    """Bring a deleted entry back, with its links and inline rows, as a draft."""
    if model._default_manager.filter(pk=entry_id).exists():
        raise ValidationError(_("This entry has not been deleted."))
    record = (
        model.history.filter(id=entry_id)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        raise ValidationError(_("No earlier version of this entry was recorded."))
    entry = record.instance
    entry._state.adding = True
    entry.status = Status.DRAFT
    return _apply_version(entry, record, user=user, reason=_("Restored after deletion"))


def changes_since(entry, version):
    """Who saved the entry after `version`, and which of its fields changed since.

    Returns (users, field labels); either may be empty when no history was kept."""
    history = entry.history.order_by("history_date", "history_id")
    base = history.filter(version=version).last()
    later = list(history.filter(version__gt=version))
    users = []
    for record in later:
        name = str(record.history_user) if record.history_user else _("someone")
        if name not in users:
            users.append(name)
    labels = []
    if base is not None and later:
        delta = later[-1].diff_against(base, excluded_fields=["version", "updated_at"])
        opts = type(entry)._meta
        labels = [str(opts.get_field(name).verbose_name) for name in delta.changed_fields]
        for relation in inline_relations(type(entry)):
            model = relation.related_model
            if model.history.filter(
                **{relation.field.attname: entry.pk}, history_date__gt=base.history_date
            ).exists():
                labels.append(str(model._meta.verbose_name_plural))
    return users, labels


def contributors_since_publication(entry):
    """The ids of the users whose work a publish would make public: who changed the
    entry's content or its inline rows since it was last published (ever, if it never
    was). Workflow steps change only WORKFLOW_FIELDS and do not count."""
    last_published = entry.history.filter(status=Status.PUBLISHED).order_by("history_date").last()
    since = last_published.history_date if last_published else None
    records = list(entry.history.order_by("history_date", "history_id"))
    authors = set()
    for previous, record in zip([None, *records], records, strict=False):
        if (since is not None and record.history_date <= since) or not record.history_user_id:
            continue
        if (
            previous is None
            or record.diff_against(previous, excluded_fields=WORKFLOW_FIELDS).changed_fields
        ):
            authors.add(record.history_user_id)
    for relation in inline_relations(type(entry)):
        rows = relation.related_model.history.filter(**{relation.field.attname: entry.pk})
        if since is not None:
            rows = rows.filter(history_date__gt=since)
        authors.update(rows.exclude(history_user=None).values_list("history_user_id", flat=True))
    return authors
