"""Roles: setup_roles is idempotent; each role can do what it should and nothing
more. Logins: password guessing is locked out with a clear message."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Status
from editorial.roles import setup_roles
from tests.builders import make_directive, make_source
from tests.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db


def test_setup_roles_creates_three_groups_idempotently():
    call_command("setup_roles", verbosity=0)
    first = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    call_command("setup_roles", verbosity=0)
    second = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert first == second and set(first) == {"Editor", "Reviewer", "Administrator"}
    assert first["Editor"] < first["Reviewer"] < first["Administrator"]
    # Reviewers publish, and change the reference data, which is public once saved.
    assert first["Reviewer"] - first["Editor"] == {
        "review_entry",
        "add_theme",
        "change_theme",
        "delete_theme",
        "add_organization",
        "change_organization",
        "delete_organization",
        "change_country",
        "add_tag",
        "change_tag",
    }
    assert "import_entries" in first["Editor"]
    assert (
        "change_user" in first["Administrator"] and "delete_accessattempt" in first["Administrator"]
    )
    assert not any(name.endswith(("_user", "_group", "_permission")) for name in first["Reviewer"])


def test_a_group_given_extra_permissions_by_hand_is_put_right():
    setup_roles()
    editor = Group.objects.get(name="Editor")
    editor.permissions.add(Permission.objects.get(codename="review_entry"))
    setup_roles()
    assert not editor.permissions.filter(codename="review_entry").exists()


ADMIN_PAGES = {
    "users": "/admin/auth/user/",
    "lockouts": "/admin/axes/accessattempt/",
    "directives": "/admin/policies/directive/",
    "add directive": "/admin/policies/directive/add/",
    "import": "/admin/policies/directive/import/",
    "deleted": "/admin/policies/directive/deleted/",
}


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("Editor", {"directives", "add directive", "import", "deleted"}),
        ("Reviewer", {"directives", "add directive", "import", "deleted"}),
        ("Administrator", set(ADMIN_PAGES)),
    ],
)
def test_each_role_reaches_its_admin_pages_and_no_others(role, allowed):
    client = logged_in(make_user("someone", role))
    for name, url in ADMIN_PAGES.items():
        status = client.get(url).status_code
        assert (status == 200) == (name in allowed), (role, name, status)


@pytest.mark.parametrize(
    "role, may_publish, may_delete_once_public",
    [("Editor", False, False), ("Reviewer", True, True), ("Administrator", True, True)],
)
def test_publishing_and_deleting_public_entries_take_a_reviewer(
    role, may_publish, may_delete_once_public
):
    client = logged_in(make_user("someone", role))
    in_review = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    client.post(
        reverse("admin:policies_directive_workflow", args=[in_review.pk]),
        {"transition": "publish"},
    )
    in_review.refresh_from_db()
    assert (in_review.status == Status.PUBLISHED) is may_publish

    # Withdrawing is the only way a permalink goes away: nobody deletes a published
    # entry, and one withdrawn only a reviewer deletes.
    published = make_directive()
    client.post(reverse("admin:policies_directive_delete", args=[published.pk]), {"post": "yes"})
    assert type(published).objects.filter(pk=published.pk).exists()
    withdrawn = make_directive(status=Status.WITHDRAWN, published_at=timezone.now())
    client.post(reverse("admin:policies_directive_delete", args=[withdrawn.pk]), {"post": "yes"})
    gone = not type(withdrawn).objects.filter(pk=withdrawn.pk).exists()
    assert gone is may_delete_once_public

    draft = make_directive(status=Status.DRAFT)
    client.post(reverse("admin:policies_directive_delete", args=[draft.pk]), {"post": "yes"})
    assert not type(draft).objects.filter(pk=draft.pk).exists()  # everyone may bin a draft


def test_password_guessing_is_locked_out_with_a_clear_message(editor):
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "ed", "password": "wrong guess"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    # Now even the right password is refused until the lockout ends...
    response = client.post("/admin/login/", {"username": "ed", "password": "correct horse battery"})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # ...or an administrator clears it.
    call_command("axes_reset", verbosity=0)
    response = client.post("/admin/login/", {"username": "ed", "password": "correct horse battery"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_few_wrong_passwords_do_not_lock_anyone_out(editor):
    client = Client()
    for _ in range(3):
        client.post("/admin/login/", {"username": "ed", "password": "wrong guess"})
    response = client.post("/admin/login/", {"username": "ed", "password": "correct horse battery"})
    assert response.status_code == 302


def user_form(user, **changes):
    """The admin's user change form as the browser would post it back."""
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk for group in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        **changes,
    }


def test_an_administrator_cannot_make_itself_or_anyone_a_superuser():
    administrator = make_user("ada", "Administrator")
    editor = make_user("ed", "Editor")
    client = logged_in(administrator)
    for user in (administrator, editor):
        url = reverse("admin:auth_user_change", args=[user.pk])
        assert "is_superuser" not in client.get(url).content.decode()
        response = client.post(url, user_form(user, is_superuser="on"))
        assert response.status_code == 302
        user.refresh_from_db()
        assert not user.is_superuser
    # Nor give itself a permission outside its role.
    review = Permission.objects.get(codename="delete_group")
    client.post(
        reverse("admin:auth_user_change", args=[administrator.pk]),
        user_form(administrator, user_permissions=[review.pk]),
    )
    assert not administrator.user_permissions.exists()


def test_an_administrator_cannot_change_or_delete_a_superuser():
    administrator = make_user("ada", "Administrator")
    root = make_user("root", "Administrator", is_superuser=True)
    client = logged_in(administrator)
    change_url = reverse("admin:auth_user_change", args=[root.pk])
    response = client.post(change_url, user_form(root, is_staff="", username="taken-over"))
    assert response.status_code == 403
    delete_url = reverse("admin:auth_user_delete", args=[root.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    root.refresh_from_db()
    assert root.username == "root" and root.is_staff
    assert root.is_superuser and root.is_active


def test_only_a_superuser_grants_superuser():
    root = make_user("root", "Administrator", is_superuser=True)
    editor = make_user("ed", "Editor")
    url = reverse("admin:auth_user_change", args=[editor.pk])
    response = logged_in(root).post(url, user_form(editor, is_superuser="on"))
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.is_superuser
