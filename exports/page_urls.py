"""/data/ is a page in the site's languages, so it sits inside the /zh-hans/ prefix;
the downloads it links to (exports.urls) do not."""

from django.urls import path

from exports import views

app_name = "data"

urlpatterns = [
    path("data/", views.data, name="page"),
]
