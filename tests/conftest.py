"""Fixtures shared by the whole suite (the settings are emgov/settings/test.py)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from core.roles import setup_roles
from core.seeding import load_starter_data


@pytest.fixture(autouse=True)
def _english_to_begin_with():
    # LocaleMiddleware leaves the language of the last request active in the thread:
    # a test that fetched a /zh-hans/ page would otherwise turn the next one Chinese.
    with translation.override(django_settings.LANGUAGE_CODE):
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
