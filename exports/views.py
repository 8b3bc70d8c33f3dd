from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from api.views import COLLECTIONS
from exports.fields import describe_collection
from exports.writers import LIST_SEPARATOR, csv_lines, jsonl_lines

# Rows fetched (with their linked items) per database round trip: memory stays flat
# however many rows a collection has.
CHUNK_SIZE = 500

FORMATS = {
    "csv": ("text/csv; charset=utf-8; header=present", csv_lines),
    "jsonl": ("application/jsonl; charset=utf-8", jsonl_lines),
}


def export(request, collection, file_format):
    """Every public row of a collection, streamed, in id order."""
    if collection not in COLLECTIONS or file_format not in FORMATS:
        raise Http404
    serializer = COLLECTIONS[collection].serializer_class(context={"request": request})
    queryset = serializer.public_queryset().order_by("pk")
    rows = (serializer.to_representation(item) for item in queryset.iterator(CHUNK_SIZE))
    content_type, lines = FORMATS[file_format]
    response = StreamingHttpResponse(
        lines(list(serializer.fields), rows), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="emgov-{collection}.{file_format}"'
    return response


def data(request):
    """/data/: what every export holds, field by field, and on what terms."""
    collections = [
        {"name": name, "doc": viewset.__doc__, "fields": describe_collection(viewset)}
        for name, viewset in COLLECTIONS.items()
    ]
    return render(
        request,
        "exports/data.html",
        {
            "collections": collections,
            "formats": list(FORMATS),
            "list_separator": LIST_SEPARATOR.strip(),
            "title": _("Data and API"),
            "api_requests_per_minute": settings.API_REQUESTS_PER_MINUTE,
            "feed_url": reverse("feeds:latest"),
        },
    )
