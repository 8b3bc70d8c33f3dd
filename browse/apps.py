from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrowseConfig(AppConfig):
    """The pages that walk every type of entry: the home page, themes, tags and
    sources."""

    name = "browse"
    verbose_name = _("Browsing")
