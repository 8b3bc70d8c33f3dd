"""System checks of the deployment's own settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security)
def secret_key_is_set(app_configs, **kwargs):
    """Settings load without a key, so that commands which sign nothing (migrate,
    makemigrations) run anywhere, with this warning. Serving does not: the WSGI and
    ASGI entry points stop on Django's own empty-key error, and `check --deploy
    --fail-level WARNING` (make check) fails here."""
    try:
        settings.SECRET_KEY  # noqa: B018 (Django raises when it is empty)
    except ImproperlyConfigured:
        pass
    else:
        return []
    return [
        Warning(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.",
            hint="Set DJANGO_SECRET_KEY in the environment, or DJANGO_DEBUG=1 locally.",
            id="emgov.W001",
        )
    ]
