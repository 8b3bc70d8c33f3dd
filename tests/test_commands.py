import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_setup_roles_is_idempotent_and_grants_editing_not_user_admin():
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)
    editor = Group.objects.get(name="Editor")
    codenames = set(editor.permissions.values_list("codename", flat=True))
    assert {"add_directive", "change_provision", "add_agreement", "change_finding"} <= codenames
    assert "delete_country" not in codenames
    assert not any(name.endswith("_user") or name.endswith("_group") for name in codenames)
    assert Group.objects.filter(name="Editor").count() == 1


def test_create_local_editor_prints_a_working_password_once(capsys):
    call_command("setup_roles", verbosity=0)
    call_command("create_local_editor")
    output = capsys.readouterr().out
    password = output.split("with password: ")[1].split()[0]
    user = get_user_model().objects.get(username="editor")
    assert user.check_password(password) and user.is_staff
    assert user.groups.filter(name="Editor").exists()
    call_command("create_local_editor")
    assert "already exists" in capsys.readouterr().out
