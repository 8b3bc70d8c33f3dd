from django.urls import path, register_converter

from citations import views as cite_views
from cooperation import views
from core.converters import CountryCodeConverter

register_converter(CountryCodeConverter, "iso2")

app_name = "cooperation"

urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<slug:slug>/", views.AgreementDetailView.as_view(), name="agreement"),
    path(
        "agreements/<slug:slug>/cite.<citefmt:fmt>",
        cite_views.entry_citation,
        {"type_key": "agreements"},
        name="agreement-citation",
    ),
    path("mechanisms/", views.MechanismListView.as_view(), name="mechanism-list"),
    path("mechanisms/<slug:slug>/", views.MechanismDetailView.as_view(), name="mechanism"),
    path(
        "mechanisms/<slug:slug>/cite.<citefmt:fmt>",
        cite_views.entry_citation,
        {"type_key": "mechanisms"},
        name="mechanism-citation",
    ),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<iso2:code>/", views.CountryDetailView.as_view(), name="country"),
]
