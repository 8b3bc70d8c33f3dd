from django.urls import path, register_converter

from browse import views
from citations import views as cite_views
from core.converters import CitationFormatConverter

register_converter(CitationFormatConverter, "citefmt")

app_name = "browse"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source"),
    path(
        "sources/<slug:slug>/cite.<citefmt:fmt>",
        cite_views.entry_citation,
        {"type_key": "sources"},
        name="source-citation",
    ),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
]
