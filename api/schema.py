from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

ERROR = {
    "type": "object",
    "description": _(
        'Either {"detail": message} or, for bad query parameters, {parameter: [messages]}.'
    ),
    "additionalProperties": True,
}


class AutoSchema(openapi.AutoSchema):
    """Documents the errors every read answers with, besides the data itself, so
    that clients (and schemathesis) know a 400, 404 or 429 is expected."""

    def get_response_serializers(self):
        responses = {200: super().get_response_serializers()}
        if self.method != "GET":
            return responses[200]
        responses[400] = OpenApiResponse(ERROR, _("A query parameter was not understood."))
        if not self._is_list_view(responses[200]):
            responses[404] = OpenApiResponse(ERROR, _("No published item has that key."))
        responses[429] = OpenApiResponse(ERROR, _("Too many requests: see Retry-After."))
        return responses


PAGING = {"page", "page_size"}


def empty_filter_means_any(result, generator, request, public):
    """A postprocessing hook: an empty filter (`?kind=`, `?year=`) filters nothing, as
    on the list pages, whose forms send one for "any"; the schema says so. Paging
    parameters are not filters: an empty page is a 400."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] not in PAGING:
                    parameter["allowEmptyValue"] = True
    return result
