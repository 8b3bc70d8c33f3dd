from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api.views import COLLECTIONS, APIDocsView, APIRootView

app_name = "api"


class Router(DefaultRouter):
    APIRootView = APIRootView
    include_format_suffixes = False


router = Router()
for name, viewset in COLLECTIONS.items():
    router.register(name, viewset, basename=name)

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", APIDocsView.as_view(), name="docs"),
]
