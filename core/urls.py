from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
]
