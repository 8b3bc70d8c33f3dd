from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from emgov.metrics import metrics
from emgov.views import healthz

admin.site.site_header = _("emgov editors")
admin.site.site_title = _("emgov admin")
admin.site.index_title = _("Curate the knowledge base")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Prometheus' scrape, for the operator's addresses only (emgov.metrics).
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # For programs rather than people: one address whatever the reader's language.
    path("api/v1/", include("api.urls")),
    path("", include("exports.urls")),
    path("", include("feeds.urls")),
]

# English has no prefix; the Chinese interface serves the same paths under /zh-hans/.
urlpatterns += i18n_patterns(
    path("", include("browse.urls")),
    path("", include("policies.urls")),
    path("", include("cooperation.urls")),
    path("", include("search.urls")),
    path("", include("exports.page_urls")),
    prefix_default_language=False,
)
