from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("export/<slug:collection>.<slug:file_format>", views.export, name="export"),
]
