"""The editorial workflow: draft → in review → published → withdrawn.

Editors write and submit for review; reviewers (anyone with the permission
`core.review_entry`) publish, send back with a comment, or withdraw. Each step is
recorded as a StatusChange (who, when, why) and as a version in the entry's history.
The admin and the management commands call these services; none of them trusts
its caller to have checked permissions.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from core.models import Status, StatusChange
from editorial.history import contributors_since_publication, one_version
from editorial.models import PendingChange
from editorial.pending import apply_state, pending_change
from search import signals as search_signals

REVIEW_PERMISSION = "core.review_entry"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    needs_review_permission: bool
    needs_comment: bool


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            "submit",
            _("Submit for review"),
            frozenset({Status.DRAFT}),
            Status.IN_REVIEW,
            needs_review_permission=False,
            needs_comment=False,
        ),
        Transition(
            "publish",
            _("Publish"),
            frozenset({Status.IN_REVIEW}),
            Status.PUBLISHED,
            needs_review_permission=True,
            needs_comment=False,
        ),
        Transition(
            "send_back",
            _("Send back to the editor"),
            frozenset({Status.IN_REVIEW, Status.WITHDRAWN}),
            Status.DRAFT,
            needs_review_permission=True,
            needs_comment=True,
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            frozenset({Status.PUBLISHED}),
            Status.WITHDRAWN,
            needs_review_permission=True,
            needs_comment=True,
        ),
    ]
}


def may_perform(user, entry, transition):
    """May this user take this step on entries of this kind (whatever their state)?"""
    if transition.needs_review_permission:
        return user.has_perm(REVIEW_PERMISSION)
    opts = entry._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


def available_transitions(user, entry):
    """The steps this user can take on this entry now, for buttons and menus."""
    return [
        transition
        for transition in TRANSITIONS.values()
        if entry.status in transition.sources and may_perform(user, entry, transition)
    ]


def _move(entry, *, user, transition, comment="", seen_version=None):
    """Take the step on the entry's row as it is now, under a row lock: the status is
    checked again there, so of two reviewers acting at once one succeeds and the other
    is told why not; and only the status is written onto the stored row, so an edit
    saved meanwhile is never overwritten by the copy this caller read earlier.

    `seen_version` is the version the user was shown (the admin's buttons send it): a
    step on an entry changed since is refused, as nobody should publish unseen text."""
    if not may_perform(user, entry, transition):
        raise PermissionDenied(_("You may not do this: it needs a reviewer."))
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ValidationError(_("Say why in a comment, so the editor knows what to do."))
    with transaction.atomic():
        current = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
        if seen_version is not None and current.version != seen_version:
            raise ValidationError(
                _(
                    "“%(entry)s” was changed by someone else after you opened it. "
                    "Reload it, check the changes, and try again."
                )
                % {"entry": current}
            )
        if current.status not in transition.sources:
            raise ValidationError(
                _("“%(entry)s” is %(status)s; it cannot be moved that way.")
                % {"entry": current, "status": Status(current.status).label.lower()}
            )
        if transition.target == Status.PUBLISHED:
            check_publishable(current)
            check_second_reader(current, user)
        previous = current.status
        current.status = transition.target
        with one_version(current, user=user, reason=str(transition.label)):
            current.save()
            _log(current, previous, user=user, comment=comment)
        if previous == Status.PUBLISHED:
            _fold_pending_change(current)
    # The caller's copy now says what is stored (its other fields may be older).
    for field in ("status", "version", "published_at", "updated_at"):
        setattr(entry, field, getattr(current, field))
    return entry


def _log(entry, previous, *, user, comment="", public_reason=""):
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(entry),
        object_id=entry.pk,
        from_status=previous,
        to_status=entry.status,
        user=user,
        comment=comment,
        public_reason=public_reason,
    )


def _fold_pending_change(entry):
    """An entry no longer public needs no gate: a change held for review becomes an
    ordinary edit of it, recorded as its author's, so nothing an editor saved is lost."""
    change = pending_change(entry, lock=True)
    if change is None:
        return
    reason = change.reason or _t("Held change kept")
    with search_signals.deferred(), one_version(entry, user=change.author, reason=reason):
        apply_state(entry, change.snapshot["base"], change.snapshot["proposed"])
    change.delete()


def check_second_reader(entry, user):
    """Unless settings.REVIEWERS_MAY_PUBLISH_OWN_WORK, what a reviewer wrote or
    submitted is published by another reviewer: every publication has a second reader
    (the StatusChange log records who that was)."""
    if settings.REVIEWERS_MAY_PUBLISH_OWN_WORK:
        return
    submitted_by = (
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
            to_status=Status.IN_REVIEW,
        )
        .order_by("-at", "-pk")
        .values_list("user_id", flat=True)
        .first()
    )
    if user.pk == submitted_by or user.pk in contributors_since_publication(entry):
        raise _own_work(entry)


def _own_work(entry):
    return PermissionDenied(
        _(
            "You wrote or submitted changes to “%(entry)s”: another reviewer must "
            "read and publish them."
        )
        % {"entry": entry}
    )


def check_publishable(entry):
    """Publishing needs a valid entry with at least one published source (its public
    page lists only published ones)."""
    entry.full_clean()
    if not entry.has_published_source():
        raise ValidationError(
            _(
                "“%(entry)s” needs at least one published source before it can be "
                "published: publish its source first."
            )
            % {"entry": entry}
        )


def entry_submit(*, entry, user, comment=""):
    return _move(entry, user=user, transition=TRANSITIONS["submit"], comment=comment)


def entry_publish(*, entry, user, comment=""):
    return _move(entry, user=user, transition=TRANSITIONS["publish"], comment=comment)


def entry_send_back(*, entry, user, comment):
    return _move(entry, user=user, transition=TRANSITIONS["send_back"], comment=comment)


def entry_withdraw(*, entry, user, comment):
    return _move(entry, user=user, transition=TRANSITIONS["withdraw"], comment=comment)


def entry_transition(*, entry, user, name, comment="", seen_version=None):
    """The step called `name` (as the admin's buttons and actions name it)."""
    if name not in TRANSITIONS:
        raise ValidationError(_("Unknown workflow step."))
    return _move(
        entry, user=user, transition=TRANSITIONS[name], comment=comment, seen_version=seen_version
    )


def status_changes(entry):
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk
    ).select_related("user")


# Changes to a published entry, held for review (editorial.pending).


def _locked_change(entry, *, seen_revision):
    """The entry's row and its pending change, under lock, after the checks every
    step on a change makes: a reviewer, a change still there, the revision shown."""
    current = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
    change = pending_change(current, lock=True)
    if change is None:
        raise ValidationError(
            _("“%(entry)s” has no change waiting: someone dealt with it meanwhile.")
            % {"entry": current}
        )
    if seen_revision is not None and change.revision != seen_revision:
        raise ValidationError(
            _(
                "The change to “%(entry)s” was saved again after you opened it. "
                "Reload it, read the changes, and try again."
            )
            % {"entry": current}
        )
    return current, change


def publish_change(*, entry, user, seen_revision=None, comment=""):
    """Make a published entry's pending change public: its snapshot is written onto
    the entry's rows as one version, and the log records who reviewed it and the
    editor's reason, which the public page's list of versions shows."""
    if not user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(_("You may not do this: it needs a reviewer."))
    with transaction.atomic(), search_signals.deferred():
        current, change = _locked_change(entry, seen_revision=seen_revision)
        if not settings.REVIEWERS_MAY_PUBLISH_OWN_WORK and user.pk in change.contributor_ids:
            raise _own_work(current)
        reason = change.reason or _t("Changed")
        with one_version(current, user=change.author, reason=reason):
            if not apply_state(current, change.snapshot["base"], change.snapshot["proposed"]):
                current.save()  # a change of links or rows alone: still one new version
            check_publishable(current)
            _log(current, Status.PUBLISHED, user=user, comment=comment, public_reason=reason)
        change.delete()
    for name in ("version", "updated_at"):
        setattr(entry, name, getattr(current, name))
    return entry


def send_back_change(*, entry, user, comment, seen_revision=None):
    """Return a pending change to its editors with a comment; the published version
    stays as it is, and the change stays for them to mend or discard."""
    if not user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(_("You may not do this: it needs a reviewer."))
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Say why in a comment, so the editor knows what to do."))
    with transaction.atomic():
        _current, change = _locked_change(entry, seen_revision=seen_revision)
        change.state = PendingChange.State.SENT_BACK
        change.comment = comment
        change.save(update_fields=["state", "comment", "updated_at"])
    return change


def discard_change(*, entry, user, seen_revision=None):
    """Drop a pending change: the published version stays. Its editors and reviewers
    may; the admin's log records who did."""
    with transaction.atomic():
        _current, change = _locked_change(entry, seen_revision=seen_revision)
        if user.pk not in change.contributor_ids and not user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied(_("Only its editors or a reviewer may discard this change."))
        change.delete()


CHANGE_STEPS = {
    "publish_change": publish_change,
    "send_back_change": send_back_change,
    "discard_change": discard_change,
}
