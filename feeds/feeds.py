"""Atom feeds of newly published entries (the whole site, and one per theme), and of
every published version: new entries and each published change to one."""

from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.models import Status, StatusChange, Theme
from core.registry import latest_published, registry

FEED_SIZE = 30


class LatestEntriesFeed(Feed):
    feed_type = Atom1Feed
    title = _("emgov: newly published entries")
    subtitle = _(
        "Emergency-management policy directives and Belt and Road cooperation, "
        "as they are published."
    )
    author_name = "emgov"

    def link(self):
        return reverse("browse:home")

    def feed_url(self):
        return reverse("feeds:latest")

    def items(self):
        return [entry for _type, entry in latest_published(FEED_SIZE)]

    def item_title(self, item):
        return str(item)

    def item_description(self, item):
        # Each kind of entry keeps its gist in a field of its own. An Atom summary is
        # HTML to feed readers: Markdown fields go out sanitised, plain text escaped.
        for field in ("summary", "text", "description", "abstract"):
            value = getattr(item, field, "")
            if value:
                return conditional_escape(value) if field == "text" else render_markdown(value)
        return ""

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [theme.name for theme in item.themes.all()]


class ThemeFeed(LatestEntriesFeed):
    """Newly published entries under one theme or any of its sub-themes."""

    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, theme):
        return _("emgov: newly published under “%(theme)s”") % {"theme": theme.name}

    def subtitle(self, theme):
        return theme.description or None

    def link(self, theme):
        return theme.get_absolute_url()

    def feed_url(self, theme):
        return reverse("feeds:theme", kwargs={"slug": theme.slug})

    def items(self, theme):
        entries = latest_published(FEED_SIZE, themes__in=theme.descendant_ids())
        return [entry for _type, entry in entries]


class ChangesFeed(Feed):
    """Each time a public entry was published or a change to it was, newest first,
    with the editor's reason: what the versions lists of the pages say, site-wide."""

    feed_type = Atom1Feed
    title = _("emgov: published changes")
    subtitle = _("New entries and every published change to one, with the reason given.")
    author_name = "emgov"

    def link(self):
        return reverse("browse:home")

    def feed_url(self):
        return reverse("feeds:changes")

    def items(self):
        # A bounded query or two a type: its latest versions among its public entries.
        versions = []
        for entry_type in registry.with_own_publication():
            model = entry_type.model
            latest = list(
                StatusChange.objects.filter(
                    content_type=ContentType.objects.get_for_model(model),
                    to_status=Status.PUBLISHED,
                    object_id__in=model.objects.published().values("pk"),
                ).order_by("-at", "-pk")[:FEED_SIZE]
            )
            entries = model.objects.in_bulk({change.object_id for change in latest})
            for change in latest:
                change.published_entry = entries[change.object_id]
            versions += latest
        return sorted(versions, key=lambda change: (change.at, change.pk), reverse=True)[:FEED_SIZE]

    def item_title(self, item):
        return str(item.published_entry)

    def item_link(self, item):
        return item.published_entry.get_absolute_url()

    def item_guid(self, item):
        return f"{self.item_link(item)}#version-{item.pk}"

    def item_description(self, item):
        if item.from_status == Status.PUBLISHED:
            return conditional_escape(item.public_reason or _("Changed."))
        return _("Published.")

    def item_pubdate(self, item):
        return item.at
