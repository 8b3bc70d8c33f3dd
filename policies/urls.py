from django.urls import path

from citations import views as cite_views
from policies import views

app_name = "policies"

urlpatterns = [
    path("directives/", views.DirectiveListView.as_view(), name="directive-list"),
    path("directives/<slug:slug>/", views.DirectiveDetailView.as_view(), name="directive"),
    path(
        "directives/<slug:slug>/cite.<citefmt:fmt>",
        cite_views.entry_citation,
        {"type_key": "directives"},
        name="directive-citation",
    ),
    path(
        "directives/<slug:slug>/p<int:number>/",
        views.ProvisionDetailView.as_view(),
        name="provision",
    ),
    path(
        "directives/<slug:slug>/p<int:number>/cite.<citefmt:fmt>",
        cite_views.entry_citation,
        {"type_key": "provisions"},
        name="provision-citation",
    ),
]
