from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from api.views import COLLECTIONS
from core import public_state
from core.throttle import throttled
from exports import files
from exports.fields import describe_collection
from exports.writers import LIST_SEPARATOR, csv_lines, jsonl_lines

# Rows read (with their linked items) per query: memory stays flat and no one query
# grows with the collection, however many rows it has.
CHUNK_SIZE = 500

FORMATS = {
    "csv": ("text/csv; charset=utf-8; header=present", csv_lines),
    "jsonl": ("application/jsonl; charset=utf-8", jsonl_lines),
}


def in_chunks(queryset):
    """Every row of `queryset` in id order, read CHUNK_SIZE at a time, each read
    starting after the last id of the one before (no offset to skip, no cursor held
    open across reads, so each is bounded by the statement timeout on its own)."""
    size, last = CHUNK_SIZE, None
    while True:
        chunk = queryset if last is None else queryset.filter(pk__gt=last)
        rows = list(chunk.order_by("pk")[:size])
        yield from rows
        if len(rows) < size:
            return
        last = rows[-1].pk


def export_lines(request, collection, file_format):
    serializer = COLLECTIONS[collection].serializer_class(context={"request": request})
    rows = (serializer.to_representation(item) for item in in_chunks(serializer.public_queryset()))
    return FORMATS[file_format][1](list(serializer.fields), rows)


@throttled("exports")
def export(request, collection, file_format):
    """Every public row of a collection, in id order: the file built for the current
    public state, or, the first time, streamed as it is built (exports.files)."""
    if collection not in COLLECTIONS or file_format not in FORMATS:
        raise Http404
    content_type = FORMATS[file_format][0]
    filename = f"emgov-{collection}.{file_format}"
    # Lazy: no row is read before the token below, so a file is never kept under a
    # newer state than what it holds.
    lines = export_lines(request, collection, file_format)
    if settings.EXPORTS_DIR:
        token = public_state.token()
        path = files.built_path(token, request.build_absolute_uri("/"), collection, file_format)
        if path.exists():
            return files.file_response(path, filename, content_type)
        lines = files.kept_while_streamed(lines, path, token)
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
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
