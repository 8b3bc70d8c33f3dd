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
from django.utils.translation import gettext_lazy as _

from core.models import Status, StatusChange
from editorial.history import contributors_since_publication, one_version

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
            StatusChange.objects.create(
                content_type=ContentType.objects.get_for_model(current),
                object_id=current.pk,
                from_status=previous,
                to_status=transition.target,
                user=user,
                comment=comment,
            )
    # The caller's copy now says what is stored (its other fields may be older).
    for field in ("status", "version", "published_at", "updated_at"):
        setattr(entry, field, getattr(current, field))
    return entry


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
        raise PermissionDenied(
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
