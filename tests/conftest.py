import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.utils import translation

from editorial.roles import setup_roles
from editorial.seeding import load_starter_data


@pytest.fixture(autouse=True)
def _english_to_begin_with():
    # LocaleMiddleware leaves the language of the last request active in the thread:
    # a test that fetched a /zh-hans/ page would otherwise turn the next one Chinese.
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True, scope="session")
def _test_settings():
    """Settings for every test, module fixtures included. MD5 keeps user creation
    fast; plain static storage needs no collectstatic. Every test client is the same
    anonymous address: only the throttle's own test (tests/test_api.py) turns the
    API's limit on, so that no other test can trip it."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        REST_FRAMEWORK={
            **django_settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": None},
        },
    ):
        yield


@pytest.fixture
def seeded(db):
    """The starter data, exactly as `manage.py load_seed` loads it."""
    return load_starter_data()


def make_user(username, role, **fields):
    """A staff account in one of the roles `setup_roles` creates."""
    setup_roles()
    user = get_user_model().objects.create_user(
        username=username, password="correct horse battery", is_staff=True, **fields
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user):
    """A test client of its own, logged in as this user (several can be used at once)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(db):
    return make_user("ed", "Editor")


@pytest.fixture
def reviewer(db):
    return make_user("rita", "Reviewer")


@pytest.fixture
def administrator(db):
    return make_user("ada", "Administrator")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client
