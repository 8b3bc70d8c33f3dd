import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.roles import setup_roles
from core.seeding import load_starter_data


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    # MD5 keeps user creation fast; plain static storage needs no collectstatic.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _api_unthrottled(settings):
    # Every test client is the same anonymous address; only the throttle's own test
    # (tests/test_api.py) turns the limit on, so that no other test can trip it.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None},
    }


@pytest.fixture
def seeded(db):
    """The starter data, exactly as `manage.py load_seed` loads it."""
    return load_starter_data()


@pytest.fixture
def editor(db):
    setup_roles()
    user = get_user_model().objects.create_user(
        username="ed", password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
