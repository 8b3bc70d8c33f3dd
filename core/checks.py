"""System checks of the deployment's own settings and data."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from core.models import MayBeSynthetic


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


@register("data", deploy=True)
def no_synthetic_rows(app_configs, **kwargs):
    """Synthetic benchmark data belongs on a database of its own. The public rule
    hides it (core.models.Publishable), but a served database that holds it is one
    setting away from showing it: `check --deploy` says so, per table. (Not tagged
    "database": Django runs those only when asked for by name, and this must run
    with every `check --deploy`.)"""
    found = {}
    for model in apps.get_models():
        if not issubclass(model, MayBeSynthetic):
            continue
        try:
            count = model._default_manager.filter(is_synthetic=True).count()
        except DatabaseError:
            return []  # not migrated yet: nothing can be synthetic
        if count:
            found[model._meta.label] = count
    if not found:
        return []
    listed = ", ".join(f"{count} {label}" for label, count in sorted(found.items()))
    return [
        Warning(
            f"The database holds synthetic benchmark rows: {listed}.",
            hint=(
                "Remove them with `manage.py make_synthetic --delete --yes` "
                "(settings emgov.settings.bench), or use a database of their own."
            ),
            id="emgov.W002",
        )
    ]


@register(Tags.security, deploy=True)
def throttles_are_on(app_configs, **kwargs):
    if getattr(settings, "THROTTLES_ON", True):
        return []
    return [
        Warning(
            "The throttles are off (EMGOV_THROTTLES=0): any client may ask for searches "
            "and exports without limit.",
            hint="Unset EMGOV_THROTTLES; it is for load benchmarks from one address only.",
            id="emgov.W003",
        )
    ]


@register(Tags.security, deploy=True)
def metrics_stay_inside(app_configs, **kwargs):
    """/metrics tells how the site is used and how it fails: only the operator's own
    network should read it (EMGOV_METRICS_ALLOWED, emgov.metrics)."""
    import ipaddress

    public = [
        network
        for network in getattr(settings, "EMGOV_METRICS_ALLOWED", ())
        if not ipaddress.ip_network(network, strict=False).is_private
    ]
    if not public:
        return []
    return [
        Warning(
            f"/metrics may be read from public addresses: {', '.join(public)}.",
            hint="List only loopback or the private network of your Prometheus in "
            "EMGOV_METRICS_ALLOWED.",
            id="emgov.W005",
        )
    ]


# Cache backends each process keeps to itself.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def replica_has_a_shared_cache(app_configs, **kwargs):
    """With a read replica, the primary's position after each write is kept in the
    cache so that no app server reads a replica behind it (emgov.db_router). In each
    process's own memory, every other worker and app server would not see it, and
    could show an entry as it was before its last change for as long as the replica
    lags."""
    if not getattr(settings, "DATABASE_REPLICA_URL", ""):
        return []
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "DATABASE_REPLICA_URL is set but the cache is each process's own.",
            hint="Set REDIS_URL, the same on every app server (docs/scaling.md).",
            id="emgov.W004",
        )
    ]
