from django.urls import path

from cooperation import views
from core import cite_views

app_name = "cooperation"

urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<slug:slug>/", views.AgreementDetailView.as_view(), name="agreement"),
    path(
        "agreements/<slug:slug>/cite.<citefmt:fmt>",
        cite_views.agreement_citation,
        name="agreement-citation",
    ),
    path("mechanisms/", views.MechanismListView.as_view(), name="mechanism-list"),
    path("mechanisms/<slug:slug>/", views.MechanismDetailView.as_view(), name="mechanism"),
    path(
        "mechanisms/<slug:slug>/cite.<citefmt:fmt>",
        cite_views.mechanism_citation,
        name="mechanism-citation",
    ),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country"),
]
