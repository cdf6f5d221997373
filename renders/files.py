"""Serving stored outputs so players can seek in audio and video: from a local folder with HTTP Range support,
from a bucket by a redirect to a presigned URL (the object store serves Range itself; this process never holds
the bytes, and the web machines need no disk shared with the workers)."""

import mimetypes
import re
from collections.abc import Iterator

from django.core.files import File
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

from renders.storage import is_local, presigning
from telemetry import counters

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CONTENT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip", ".json": "application/json"}


def serve_file(
    request: HttpRequest, file: File, *, filename: str, as_attachment: bool = False, expires_in: int
) -> HttpResponse:
    """The file from a local folder (`file_response`), or a 302 to a presigned URL of the object that works for
    `expires_in` seconds and names the file and its type as this process would. Http404 when it is gone."""
    storage = file.storage
    if is_local(storage):
        return file_response(request, file, filename=filename, as_attachment=as_attachment)
    if not storage.exists(file.name):
        raise Http404("This file is no longer in storage; render the job again.")
    url = presigning(storage).url(
        file.name,
        parameters={
            "ResponseContentType": content_type_of(filename),
            "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
        },
        expire=max(1, expires_in),
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"  # the link expires: a cached redirect would outlive it
    return response


def content_type_of(filename: str) -> str:
    suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def file_response(request: HttpRequest, file: File, *, filename: str, as_attachment: bool = False) -> HttpResponse:
    """200 with the whole file, 206 with the requested byte range, or 416 if the range is outside the file.

    One range per request (what browsers and players send); a multi-range header gets the whole file.
    Raises Http404 when the file is gone from storage (deleted, or a lost volume).
    """
    try:
        size = file.size
    except FileNotFoundError:
        counters.increment(counters.STORAGE_ERRORS, operation="open")  # its row is there: the file was lost
        raise Http404("This file is no longer in storage; render the job again.") from None
    content_type = content_type_of(filename)
    requested = _parse_range(request.headers.get("Range", ""), size)
    if requested == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = file.open("rb")
    if requested is None:
        response: HttpResponse = FileResponse(
            handle, as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    else:
        start, end = requested
        handle.seek(start)
        response = StreamingHttpResponse(_read(handle, end - start + 1), status=206, content_type=content_type)
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Accept-Ranges"] = "bytes"
    return response


def _parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # "bytes=-500": the last 500 bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return "unsatisfiable"
    return start, end


def _read(handle, remaining: int) -> Iterator[bytes]:
    try:
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()
