"""What every public list and detail page shares."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.models import PreviousSlug, Status, StatusChange
from core.pagination import paginate_by_key
from core.registry import registry


def paginate(request, object_list, per_page=None):
    """A page of results; a malformed or too-large ?page= falls back to a real page
    rather than an error, because people edit URLs by hand."""
    paginator = Paginator(object_list, per_page or settings.PAGE_SIZE, orphans=3)
    return paginator.get_page(request.GET.get("page"))


class FilteredListMixin:
    """A list page filtered by a django-filter FilterSet from the query string.

    Invalid filter values are dropped with a message saying which, and the rest of
    the filters still apply, so a hand-edited URL never ends in an error page."""

    filterset_class = None
    template_name = None

    def get_base_queryset(self):
        raise NotImplementedError

    def get_filterset(self):
        base = self.get_base_queryset()
        filterset = self.filterset_class(self.request.GET, queryset=base, request=self.request)
        self.filter_errors = {}
        if not filterset.is_valid():
            self.filter_errors = {
                name: " ".join(messages) for name, messages in filterset.errors.items()
            }
            data = self.request.GET.copy()
            for name in self.filter_errors:
                data.pop(name, None)
            filterset = self.filterset_class(data, queryset=base, request=self.request)
        return filterset

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.get_list_context(), **kwargs)

    def get_list_context(self):
        filterset = self.get_filterset()
        page = paginate_by_key(self.request, filterset.qs)
        active = (
            {
                name: value
                for name, value in filterset.form.cleaned_data.items()
                if value not in (None, "")
            }
            if filterset.is_valid()
            else {}
        )
        return {
            "filter": filterset,
            "page_obj": page,
            "object_list": page.object_list,
            "active_filters": active,
            "filter_errors": self.filter_errors,
            "filter_error_intro": _("Some filters were not understood and were ignored:"),
        }


def may_see(user, obj):
    """What is public (core.models.Publishable; themes are public whole) everyone
    sees; editors who may change an entry also see it unpublished."""
    if obj.is_published:
        return True
    opts = obj._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class OldSlugRedirectMixin:
    """A page addressed by slug that answers 301 from a slug its entry once had
    (SW's PreviousTagName), so a renamed entry keeps every address it ever had."""

    slug_model = None  # the model whose slug is in the URL, if not self.model

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            entry = PreviousSlug.current(self.slug_model or self.model, self.kwargs["slug"])
            if entry is None or not may_see(request.user, entry):
                raise
            return HttpResponsePermanentRedirect(self.renamed_url(entry))

    def renamed_url(self, entry):
        return entry.get_absolute_url()


class PublishedDetailMixin(OldSlugRedirectMixin):
    """A detail page of a published entry.

    Staff who may change the entry see drafts with a banner (preview); a withdrawn
    entry that was once public answers 410 Gone with a note; anything else unpublished
    is 404, exactly as if it did not exist."""

    def get_object(self, queryset=None):
        return self.check_visibility(super().get_object(queryset))

    def check_visibility(self, obj):
        self.is_preview = not obj.is_published
        if may_see(self.request.user, obj):
            return obj
        if obj.status == Status.WITHDRAWN and obj.published_at is not None:
            raise EntryWithdrawn(obj)
        raise Http404

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except EntryWithdrawn as withdrawn:
            return render(request, "410.html", {"entry": withdrawn.entry}, status=410)

    def get_context_data(self, **kwargs):
        entry_type = registry.for_model(self.object)
        owner = entry_type.owner(self.object) if entry_type else self.object
        return super().get_context_data(
            is_preview=self.is_preview,
            versions_of=owner,
            published_versions=published_versions(owner),
            **kwargs,
        )


def published_versions(entry):
    """Each time the entry was made public, or a change to it was published, oldest
    first, with the editor's reason: the list of versions on its public page."""
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(entry),
        object_id=entry.pk,
        to_status=Status.PUBLISHED,
    ).order_by("at", "pk")


class EntryWithdrawn(Exception):
    def __init__(self, entry):
        super().__init__(str(entry))
        self.entry = entry
