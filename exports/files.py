"""Exports built once per public state and then served as files.

The first download of a collection after a public change streams the rows as they are
read and writes them to a file beside the stream; when the whole file is written, and
the public state is still the one it was read under, the file is kept under that
state's token (var/exports/<token>/). Every later download of that state is the file:
sent by nginx where it serves them (settings.EXPORTS_ACCEL_PREFIX, X-Accel-Redirect)
or by the worker's file wrapper (sendfile), neither of which reads the database.
`manage.py build_exports` builds every file ahead, for a scheduled job or a deploy.

Nothing unfinished is ever served: a file is written under a temporary name and
renamed into place whole, and a stream that is cut off or that saw the public state
change meanwhile keeps nothing. Files of earlier states are removed once a newer
state's file is kept (a download already reading one goes on: an open file outlives
its name)."""

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse

from core import public_state

# Files of earlier states younger than this are left for downloads that have just
# looked them up.
KEEP_OLD_SECONDS = 600


def built_path(token, site, collection, file_format):
    """Where the file of this state, site address, collection and format is kept. The
    site address is part of it: rows carry absolute links to their pages."""
    site_key = hashlib.sha256(site.encode()).hexdigest()[:12]
    return Path(settings.EXPORTS_DIR) / token / f"{site_key}-{collection}.{file_format}"


def file_response(path, filename, content_type):
    if settings.EXPORTS_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        relative = path.relative_to(settings.EXPORTS_DIR).as_posix()
        response["X-Accel-Redirect"] = settings.EXPORTS_ACCEL_PREFIX + relative
    else:
        response = FileResponse(path.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def kept_while_streamed(lines, path, token):
    """Yield each line of an export, writing it to `path` too; keep the file only when
    every line was written and the public state is still `token`."""
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    finished = False
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            for line in lines:
                file.write(line)
                yield line
        finished = True
    finally:
        if finished and public_state.token() == token:
            os.chmod(temporary, 0o644)  # nginx's workers read it as another user
            os.replace(temporary, path)
            remove_earlier_states(token)
        else:
            os.unlink(temporary)


def build(lines, path, token):
    """Write a whole export to its file now; True if it was kept."""
    for _ in kept_while_streamed(lines, path, token):
        pass
    return path.exists()


def remove_earlier_states(token):
    root = Path(settings.EXPORTS_DIR)
    cutoff = time.time() - KEEP_OLD_SECONDS
    for directory in root.iterdir() if root.exists() else ():
        if directory.name != token and directory.is_dir() and directory.stat().st_mtime < cutoff:
            shutil.rmtree(directory, ignore_errors=True)
