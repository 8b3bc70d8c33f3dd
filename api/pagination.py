from django.conf import settings
from django.core.paginator import InvalidPage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 100


def whole_number(value):
    """The value as an int if it is written in ASCII digits only, else None.

    Not str.isdigit(): it accepts "²", which int() refuses, and int() itself reads
    "١٢" (Arabic-Indic digits) and " 12 " as numbers: a script should learn that such a
    parameter is malformed, not get a page it did not ask for."""
    if value.isascii() and value.isdecimal():
        return int(value)
    return None


class PageNumberPagination(pagination.PageNumberPagination):
    """?page= and ?page_size= (at most 100). A malformed or missing page is a 400 with
    the reason, where DRF would answer 404: scripts should learn that their parameter
    was wrong, not that the collection is gone."""

    page_size = settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = gettext_lazy(
        "How many results a page holds: 20 unless given, and at most 100 (more gives 100)."
    )

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        size = whole_number(value)
        if size is None or size < 1:
            raise ValidationError(
                {self.page_size_query_param: [_("Give a whole number from 1 to 100.")]}
            )
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        number = request.query_params.get(self.page_query_param, "1")
        try:
            if whole_number(number) is None:
                raise InvalidPage
            self.page = paginator.page(int(number))
        except InvalidPage:
            raise ValidationError(
                {
                    self.page_query_param: [
                        _("There is no page “%(page)s”: pages run from 1 to %(last)d.")
                        % {"page": number, "last": paginator.num_pages}
                    ]
                }
            ) from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
