from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks and the synthetic corpus they run on; no models, no public pages."""

    name = "bench"
    verbose_name = "Benchmarks"
