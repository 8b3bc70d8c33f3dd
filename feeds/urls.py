"""Addresses for feed readers and crawlers. They are outside the /zh-hans/ prefix:
one feed and one sitemap index for the whole site (its sitemaps list both languages)."""

from django.contrib.sitemaps import views as sitemaps
from django.urls import path

from core.throttle import throttled
from feeds import views
from feeds.feeds import ChangesFeed, LatestEntriesFeed, ThemeFeed
from feeds.sitemaps import SITEMAPS

app_name = "feeds"

# Feeds and sitemaps share one throttle (core.throttle): what a crawler reads.
feed = throttled("feeds")

urlpatterns = [
    path("feeds/latest.atom", feed(LatestEntriesFeed()), name="latest"),
    path("feeds/changes.atom", feed(ChangesFeed()), name="changes"),
    path("themes/<slug:slug>/feed.atom", feed(ThemeFeed()), name="theme"),
    path(
        "sitemap.xml",
        feed(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "feeds:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        feed(sitemaps.sitemap),
        {"sitemaps": SITEMAPS, "template_name": "feeds/sitemap.xml"},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
