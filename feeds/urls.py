"""Addresses for feed readers and crawlers. They are outside the /zh-hans/ prefix:
one feed and one sitemap for the whole site (the sitemap lists both languages)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from feeds import views
from feeds.feeds import LatestEntriesFeed, ThemeFeed
from feeds.sitemaps import SITEMAPS

app_name = "feeds"

urlpatterns = [
    path("feeds/latest.atom", LatestEntriesFeed(), name="latest"),
    path("themes/<slug:slug>/feed.atom", ThemeFeed(), name="theme"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
