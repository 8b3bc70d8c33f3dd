from django.urls import path

from policies import views

app_name = "policies"

urlpatterns = [
    path("directives/", views.DirectiveListView.as_view(), name="directive-list"),
    path("directives/<slug:slug>/", views.DirectiveDetailView.as_view(), name="directive"),
    path(
        "directives/<slug:slug>/p<int:number>/",
        views.ProvisionDetailView.as_view(),
        name="provision",
    ),
]
