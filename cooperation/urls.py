from django.urls import path

from cooperation import views

app_name = "cooperation"

urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<slug:slug>/", views.AgreementDetailView.as_view(), name="agreement"),
    path("mechanisms/", views.MechanismListView.as_view(), name="mechanism-list"),
    path("mechanisms/<slug:slug>/", views.MechanismDetailView.as_view(), name="mechanism"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country"),
]
